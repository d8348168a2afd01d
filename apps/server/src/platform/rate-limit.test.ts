import cookie from '@fastify/cookie'
import Fastify, { type LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../test/harness.js'
import { systemActor } from './audit.js'
import { authPlugin } from './auth.js'
import { problemPlugin } from './problem.js'
import { rateLimitPlugin, rateLimitPolicies } from './rate-limit.js'

/** A tenth of production: small enough to reach in a test, and every policy still distinct. */
const SCALE = 0.1
const limit = (w: { max: number }) => Math.max(1, Math.round(w.max * SCALE))

let t: TestApp
let nextIp = 0
/** A fresh client address, so one test's traffic does not spend another's per-IP budget. */
const newIp = () => `10.9.${Math.floor(++nextIp / 250)}.${(nextIp % 250) + 1}`

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_SCALE: String(SCALE) })
  await t.services.org.importDivisions({ within: '1409' })
  const departmentId = (await t.services.org.createDepartment(systemActor, { name: '忻州市政务服务和数据管理局', divisionCode: '140900', kind: 'bureau' })).id
  await t.services.identity.createStaff('system', { name: '限流测试职员', username: 't.rate', password: 'Rate#2026-test', departmentId })
})
afterAll(async () => {
  await t?.close()
})

const get = (url: string, ip: string, headers: Record<string, string> = {}) => t.app.inject({ url, remoteAddress: ip, headers })
const post = (url: string, payload: object, ip: string) => t.app.inject({ method: 'POST', url, payload, remoteAddress: ip })

function expectRateLimited(res: LightMyRequestResponse) {
  expect(res.statusCode, res.body).toBe(429)
  expect(res.headers['content-type']).toContain('application/problem+json')
  const retryAfter = Number(res.headers['retry-after'])
  expect(Number.isInteger(retryAfter) && retryAfter > 0).toBe(true)
  expect(res.json()).toMatchObject({ type: 'urn:yiwang:problem:rate-limited', status: 429, title: '操作过于频繁，请稍后再试', retryAfter })
}

describe('rate limits', () => {
  it('limits division search per IP address, and other addresses go on', async () => {
    const ip = newIp()
    const n = limit(rateLimitPolicies.search.perIp)
    for (let i = 0; i < n; i++) expect((await get('/api/org/divisions/search?q=忻', ip)).statusCode).toBe(200)
    expectRateLimited(await get('/api/org/divisions/search?q=忻', ip))
    expect((await get('/api/org/divisions/search?q=忻', newIp())).statusCode).toBe(200)
    // Other routes are not counted against the search budget.
    expect((await get('/api/org/divisions', ip)).statusCode).toBe(200)
  })

  it('limits search per account, whatever address the account calls from', async () => {
    const login = await post('/api/auth/login/password', { username: 't.rate', password: 'Rate#2026-test' }, newIp())
    expect(login.statusCode, login.body).toBe(200)
    const session = { cookie: `yw_session=${login.cookies.find((c) => c.name === 'yw_session')!.value}` }
    const n = limit(rateLimitPolicies.search.perAccount)
    for (let i = 0; i < n; i++) expect((await get('/api/org/divisions/search?q=14', newIp(), session)).statusCode).toBe(200)
    expectRateLimited(await get('/api/org/divisions/search?q=14', newIp(), session))
    // The same fresh address without the session is fine: the account is what ran out.
    expect((await get('/api/org/divisions/search?q=14', newIp())).statusCode).toBe(200)
  })

  it('limits password sign-in attempts per IP address', async () => {
    const ip = newIp()
    const n = limit(rateLimitPolicies.login.perIp)
    for (let i = 0; i < n; i++) {
      const res = await post('/api/auth/login/password', { username: `nobody${i}`, password: 'wrong' }, ip)
      expect(res.statusCode).not.toBe(429)
    }
    expectRateLimited(await post('/api/auth/login/password', { username: 'nobody-more', password: 'wrong' }, ip))
  })

  it('limits sign-in attempts per account named in the body, from any address, password and SMS alike', async () => {
    const n = limit(rateLimitPolicies.login.perAccount)
    for (let i = 0; i < n; i++) expect((await post('/api/auth/login/password', { username: '13900009999', password: 'wrong' }, newIp())).statusCode).not.toBe(429)
    expectRateLimited(await post('/api/auth/login/password', { username: ' 139-0000-9999 ', password: 'wrong' }, newIp()))
    expectRateLimited(await post('/api/auth/login/sms', { phone: '+8613900009999', code: '123456' }, newIp()))
    expect((await post('/api/auth/login/sms', { phone: '13900008888', code: '123456' }, newIp())).statusCode).not.toBe(429)
  })

  it('limits SMS codes per IP address and per phone number', async () => {
    const ip = newIp()
    const n = limit(rateLimitPolicies.smsCode.perIp)
    for (let i = 0; i < n; i++) expect((await post('/api/auth/sms/send', { phone: `1390001000${i}` }, ip)).statusCode).toBe(202)
    expectRateLimited(await post('/api/auth/sms/send', { phone: '13900011111' }, ip))

    const perPhone = limit(rateLimitPolicies.smsCode.perAccount)
    for (let i = 0; i < perPhone; i++) expect((await post('/api/auth/sms/send', { phone: '13900012222' }, newIp())).statusCode).not.toBe(429)
    expectRateLimited(await post('/api/auth/sms/send', { phone: '13900012222' }, newIp()))
  })

  it('limits public ledger verification reads per IP address, across its routes', async () => {
    const ip = newIp()
    const n = limit(rateLimitPolicies.publicVerify.perIp)
    for (let i = 0; i < n; i++) expect((await get(i % 2 ? '/api/ledger/public-key' : '/api/ledger/checkpoints/latest', ip)).statusCode).not.toBe(429)
    expectRateLimited(await get('/api/ledger/public-key', ip))
  })

  it('speaks English when asked', async () => {
    const ip = newIp()
    for (let i = 0; i < limit(rateLimitPolicies.search.perIp); i++) await get('/api/org/divisions/search?q=1', ip)
    const res = await get('/api/org/divisions/search?q=1', ip, { 'accept-language': 'en' })
    expect(res.statusCode).toBe(429)
    expect(res.json().title).toBe('Too many requests; please try again later')
  })
})

describe('rate limits switched off', () => {
  it('RATE_LIMIT_SCALE=0 (the test default) never answers 429', async () => {
    const off = await createTestApp()
    try {
      for (let i = 0; i < rateLimitPolicies.search.perIp.max + 5; i++) {
        expect((await off.app.inject({ url: '/api/org/divisions/search?q=x' })).statusCode).toBe(200)
      }
    } finally {
      await off.close()
    }
  })
})

describe("@fastify/rate-limit's own route config", () => {
  it('answers 429 problem+json with Retry-After too', async () => {
    const app = Fastify()
    await app.register(problemPlugin)
    await app.register(cookie)
    await app.register(authPlugin, { publicUrl: 'http://localhost:3000' })
    await app.register(rateLimitPlugin, { scale: 1 })
    app.get('/once', { config: { rateLimit: { max: 1, timeWindow: 60_000 } } }, async () => ({ ok: true }))
    await app.ready()
    try {
      expect((await app.inject({ url: '/once' })).statusCode).toBe(200)
      const res = await app.inject({ url: '/once' })
      expectRateLimited(res)
    } finally {
      await app.close()
    }
  })
})
