import cookie from '@fastify/cookie'
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify'
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createTestApp, createTestCore, type TestApp, type TestCore } from '../test/harness.js'
import { systemActor } from './audit.js'
import { authPlugin } from './auth.js'
import { RuleError } from './errors.js'
import { idempotencyPlugin, idempotencyPolicy } from './idempotency.js'
import { problemPlugin } from './problem.js'

/** A bare app with the platform plugins and a few test routes that count how often they ran. */
describe('Idempotency-Key on test routes', () => {
  let t: TestCore
  let app: FastifyInstance
  let runs = 0
  let gate: Promise<void> = Promise.resolve()

  beforeAll(async () => {
    t = await createTestCore()
    const a = Fastify().withTypeProvider<ZodTypeProvider>()
    a.setValidatorCompiler(validatorCompiler)
    a.setSerializerCompiler(serializerCompiler)
    await a.register(problemPlugin)
    await a.register(cookie)
    await a.register(authPlugin, { publicUrl: 'http://localhost:3000' })
    a.auth.setResolver(async (token) => (token.startsWith('acc_') ? { accountId: token, sessionId: 's', kind: 'person', name: 'x', grants: [] } : null))
    await a.register(idempotencyPlugin, { db: t.core.db, clock: t.core.clock })
    const body = z.strictObject({ name: z.string().min(1).max(20) })
    a.post('/things', { schema: { body, response: { 201: z.object({ id: z.number(), name: z.string() }) } } }, async (req, reply) => {
      const id = ++runs
      await gate
      return reply.code(201).header('location', `/things/${id}`).send({ id, name: req.body.name })
    })
    a.post('/refuse', { schema: { body } }, async () => {
      runs++
      throw new RuleError('test/refused', 'problem.validation')
    })
    a.post('/crash', { schema: { body } }, async () => {
      runs++
      throw new Error('boom')
    })
    a.post('/busy', { schema: { body } }, async (_req, reply) => {
      runs++
      return reply.code(429).send({ busy: true })
    })
    a.post('/sign-in', { schema: { body } }, async (_req, reply) => {
      runs++
      return reply.setCookie('yw_session', 'secret-token').send({ ok: true })
    })
    a.post('/quiet', { config: { idempotency: false }, schema: { body } }, async () => ({ n: ++runs }))
    await a.ready()
    app = a
  })
  afterAll(async () => {
    await app?.close()
    await t?.close()
  })

  const post = (url: string, payload: unknown, key?: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url, payload: payload as object, headers: { ...(key ? { 'idempotency-key': key } : {}), ...headers } })
  const count = async (key: string) =>
    Number((await sql<{ n: number }>`select count(*)::int as n from platform.idempotency where key = ${key}`.execute(t.core.db)).rows[0]!.n)

  it('answers a retry with the first response and runs the handler once', async () => {
    const before = runs
    const first = await post('/things', { name: '甲' }, 'key-replay-1')
    const second = await post('/things', { name: '甲' }, 'key-replay-1')
    expect(first.statusCode).toBe(201)
    expect(second.statusCode).toBe(201)
    expect(second.body).toBe(first.body)
    expect(second.headers['idempotent-replayed']).toBe('true')
    expect(first.headers['idempotent-replayed']).toBeUndefined()
    expect(second.headers.location).toBe(first.headers.location)
    expect(second.headers['content-type']).toBe(first.headers['content-type'])
    expect(runs - before).toBe(1)
  })

  it('treats the same JSON with different spacing as the same request', async () => {
    const before = runs
    await app.inject({ method: 'POST', url: '/things', body: '{"name":"乙"}', headers: { 'content-type': 'application/json', 'idempotency-key': 'key-spacing' } })
    const again = await app.inject({ method: 'POST', url: '/things', body: '{ "name" : "乙" }', headers: { 'content-type': 'application/json', 'idempotency-key': 'key-spacing' } })
    expect(again.headers['idempotent-replayed']).toBe('true')
    expect(runs - before).toBe(1)
  })

  it('refuses the same key with a different body with 422 problem+json', async () => {
    await post('/things', { name: '丙' }, 'key-mismatch')
    const before = runs
    const res = await post('/things', { name: '丁' }, 'key-mismatch')
    expect(res.statusCode).toBe(422)
    expect(res.headers['content-type']).toContain('application/problem+json')
    expect(res.json()).toMatchObject({ type: 'urn:yiwang:problem:idempotency-key-reused', status: 422 })
    expect(runs).toBe(before)
  })

  it('refuses the same key on another endpoint with 422', async () => {
    await post('/things', { name: '戊' }, 'key-other-path')
    const res = await post('/refuse', { name: '戊' }, 'key-other-path')
    expect(res.statusCode).toBe(422)
    expect(res.json().type).toBe('urn:yiwang:problem:idempotency-key-reused')
  })

  it('answers 409 while the first request with the key is still running', async () => {
    let open!: () => void
    gate = new Promise((r) => (open = r))
    const first = post('/things', { name: '己' }, 'key-in-flight')
    // Let the first request take its reservation.
    for (let i = 0; i < 50 && (await count('key-in-flight')) === 0; i++) await new Promise((r) => setTimeout(r, 10))
    const second = await post('/things', { name: '己' }, 'key-in-flight')
    expect(second.statusCode).toBe(409)
    expect(second.json().type).toBe('urn:yiwang:problem:idempotency-in-flight')
    expect(second.headers['retry-after']).toBe('1')
    open()
    gate = Promise.resolve()
    expect((await first).statusCode).toBe(201)
    expect((await post('/things', { name: '己' }, 'key-in-flight')).headers['idempotent-replayed']).toBe('true')
  })

  it('runs the handler once when many requests with one key arrive at the same time', async () => {
    const before = runs
    const answers = await Promise.all(Array.from({ length: 12 }, () => post('/things', { name: '庚' }, 'key-race')))
    expect(runs - before).toBe(1)
    const created = answers.filter((r) => r.statusCode === 201)
    expect(created.length).toBeGreaterThanOrEqual(1)
    expect(answers.every((r) => r.statusCode === 201 || r.statusCode === 409)).toBe(true)
    expect(new Set(created.map((r) => r.body)).size).toBe(1)
  })

  it('stores a 4xx answer from the handler and replays it', async () => {
    const before = runs
    const first = await post('/refuse', { name: '辛' }, 'key-4xx')
    const second = await post('/refuse', { name: '辛' }, 'key-4xx')
    expect(first.statusCode).toBe(422)
    expect(second.statusCode).toBe(422)
    expect(second.headers['idempotent-replayed']).toBe('true')
    expect(second.headers['content-type']).toContain('application/problem+json')
    expect(runs - before).toBe(1)
  })

  it('stores nothing for a 5xx, a 429 or an answer that sets a cookie, so a retry runs again', async () => {
    for (const url of ['/crash', '/busy', '/sign-in']) {
      const before = runs
      const first = await post(url, { name: '壬' }, `key-none-${url}`)
      const second = await post(url, { name: '壬' }, `key-none-${url}`)
      expect(second.headers['idempotent-replayed'], url).toBeUndefined()
      expect(second.statusCode, url).toBe(first.statusCode)
      expect(runs - before, url).toBe(2)
      expect(await count(`key-none-${url}`), url).toBe(0)
    }
  })

  it('stores nothing for a request refused by validation', async () => {
    const res = await post('/things', { name: '' }, 'key-invalid-body')
    expect(res.statusCode).toBe(400)
    expect(await count('key-invalid-body')).toBe(0)
  })

  it('keeps keys apart per caller: another account or another address runs its own request', async () => {
    const before = runs
    await post('/things', { name: '癸' }, 'key-scope', { cookie: 'yw_session=acc_one' })
    const other = await post('/things', { name: '癸' }, 'key-scope', { cookie: 'yw_session=acc_two' })
    const anonymous = await post('/things', { name: '癸' }, 'key-scope')
    const elsewhere = await app.inject({ method: 'POST', url: '/things', payload: { name: '癸' }, headers: { 'idempotency-key': 'key-scope' }, remoteAddress: '10.1.2.3' })
    const same = await post('/things', { name: '癸' }, 'key-scope', { cookie: 'yw_session=acc_one' })
    for (const r of [other, anonymous, elsewhere]) expect(r.headers['idempotent-replayed']).toBeUndefined()
    expect(same.headers['idempotent-replayed']).toBe('true')
    expect(runs - before).toBe(4)
  })

  it('forgets an answer after 24 hours', async () => {
    const before = runs
    await post('/things', { name: '子' }, 'key-expiry')
    t.clock.advance(idempotencyPolicy.ttlMs + 1000)
    const later = await post('/things', { name: '丑' }, 'key-expiry')
    expect(later.statusCode).toBe(201)
    expect(later.headers['idempotent-replayed']).toBeUndefined()
    expect(runs - before).toBe(2)
  })

  it('rejects a malformed key with 400 and accepts a quoted one', async () => {
    for (const bad of ['', 'x'.repeat(256), 'has space', '密钥']) {
      const res = await post('/things', { name: '寅' }, undefined, { 'idempotency-key': bad })
      expect(res.statusCode, JSON.stringify(bad)).toBe(400)
      expect(res.json().type).toBe('urn:yiwang:problem:idempotency-key-invalid')
    }
    const quoted = await post('/things', { name: '卯' }, undefined, { 'idempotency-key': '"8e03978e-40d5-43e8-bc93-6894a57f9324"' })
    const again = await post('/things', { name: '卯' }, '8e03978e-40d5-43e8-bc93-6894a57f9324')
    expect(quoted.statusCode).toBe(201)
    expect(again.headers['idempotent-replayed']).toBe('true')
  })

  it('leaves requests without the header and routes that opt out alone', async () => {
    const before = runs
    await post('/things', { name: '辰' })
    await post('/things', { name: '辰' })
    const a = await post('/quiet', { name: '辰' }, 'key-quiet')
    const b = await post('/quiet', { name: '辰' }, 'key-quiet')
    expect(b.json().n).toBe(a.json().n + 1)
    expect(runs - before).toBe(4)
  })
})

describe('Idempotency-Key on a module route', () => {
  let t: TestApp
  let cookieHeader = ''
  beforeAll(async () => {
    t = await createTestApp()
    await t.services.org.importDivisions({ within: '1409' })
    const departmentId = (await t.services.org.createDepartment(systemActor, { name: '忻州市政务服务和数据管理局', divisionCode: '140900', kind: 'bureau' })).id
    await t.services.identity.createStaff('system', {
      name: '幂等测试管理员', username: 't.idem', password: 'Idem#2026-test', departmentId, roles: [{ role: 'platform_admin', divisionCode: null }],
    })
    const login = await t.app.inject({ method: 'POST', url: '/api/auth/login/password', payload: { username: 't.idem', password: 'Idem#2026-test' } })
    cookieHeader = `yw_session=${login.cookies.find((c) => c.name === 'yw_session')!.value}`
  })
  afterAll(async () => {
    await t?.close()
  })

  const create = (name: string, key: string): Promise<LightMyRequestResponse> =>
    t.app.inject({
      method: 'POST', url: '/api/org/departments', payload: { name, divisionCode: '140902', kind: 'bureau' },
      headers: { cookie: cookieHeader, 'idempotency-key': key },
    })
  const named = async (name: string) => (await t.app.inject({ url: `/api/org/departments?q=${encodeURIComponent(name)}` })).json().total as number

  it('POST /api/org/departments twice with one key creates one department', async () => {
    const first = await create('忻府区幂等测试局', 'dept-key-1')
    const second = await create('忻府区幂等测试局', 'dept-key-1')
    expect(first.statusCode).toBe(201)
    expect(second.statusCode).toBe(201)
    expect(second.json().id).toBe(first.json().id)
    expect(second.headers['idempotent-replayed']).toBe('true')
    expect(await named('忻府区幂等测试局')).toBe(1)
  })

  it('the same key with another department is refused and creates nothing', async () => {
    const res = await create('忻府区另一个局', 'dept-key-1')
    expect(res.statusCode).toBe(422)
    expect(await named('忻府区另一个局')).toBe(0)
  })

  it('concurrent retries create one department', async () => {
    const answers = await Promise.all(Array.from({ length: 6 }, () => create('忻府区并发幂等局', 'dept-key-race')))
    expect(answers.every((r) => r.statusCode === 201 || r.statusCode === 409)).toBe(true)
    expect(await named('忻府区并发幂等局')).toBe(1)
  })
})
