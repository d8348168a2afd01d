import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import Fastify, { type LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../test/harness.js'
import { systemActor } from './audit.js'
import { problemPlugin } from './problem.js'
import { parseOrigins } from './cors.js'
import { contentSecurityPolicy } from './security-headers.js'

const webDist = path.resolve(import.meta.dirname, '../../../web/dist')
const hasWeb = fs.existsSync(path.join(webDist, 'index.html'))
const PORTAL = 'https://portal.example.gov.cn'

let t: TestApp
/** A second deployment: https public URL, no CORS_ORIGINS. */
let https: TestApp
let adminCookie = ''

beforeAll(async () => {
  t = await createTestApp({ ...(hasWeb ? { WEB_DIST: webDist } : {}), CORS_ORIGINS: `${PORTAL}, http://localhost:5173` })
  await t.services.org.importDivisions({ within: '1409' })
  const departmentId = (await t.services.org.createDepartment(systemActor, { name: '忻州市政务服务和数据管理局', divisionCode: '140900', kind: 'bureau' })).id
  await t.services.identity.createStaff('system', {
    name: '安全测试管理员', username: 't.sec', password: 'Sec#2026-test', departmentId, roles: [{ role: 'platform_admin', divisionCode: null }],
  })
  const login = await t.app.inject({ method: 'POST', url: '/api/auth/login/password', payload: { username: 't.sec', password: 'Sec#2026-test' } })
  adminCookie = `yw_session=${login.cookies.find((c) => c.name === 'yw_session')!.value}`

  https = await createTestApp({ PUBLIC_URL: 'https://yiwang.example.gov.cn' })
  await https.services.org.importDivisions({ within: '1409' })
  const httpsDepartment = (await https.services.org.createDepartment(systemActor, { name: '测试局', divisionCode: '140900', kind: 'bureau' })).id
  await https.services.identity.createStaff('system', { name: '测试职员', username: 't.https', password: 'Sec#2026-test', departmentId: httpsDepartment })
})
afterAll(async () => {
  await t?.close()
  await https?.close()
})

function expectSecurityHeaders(res: LightMyRequestResponse, what: string) {
  const csp = String(res.headers['content-security-policy'] ?? '')
  const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1] ?? /default-src ([^;]*)/.exec(csp)?.[1] ?? ''
  expect(csp, what).toContain("frame-ancestors 'none'")
  expect(scriptSrc, what).not.toContain('unsafe-inline')
  expect(scriptSrc, what).not.toContain('unsafe-eval')
  expect(res.headers['x-content-type-options'], what).toBe('nosniff')
  expect(res.headers['x-frame-options'], what).toBe('DENY')
  expect(res.headers['referrer-policy'], what).toBe('strict-origin-when-cross-origin')
  expect(res.headers['permissions-policy'], what).toContain('microphone=()')
}

describe('security headers', () => {
  it('are on API answers, errors, 404s, health checks and the OIDC provider’s own responses', async () => {
    const cases: [string, () => Promise<LightMyRequestResponse>][] = [
      ['API 200', () => t.app.inject({ url: '/api/org/divisions' })],
      ['400 problem', () => t.app.inject({ url: '/api/org/divisions?parent=x' })],
      ['401 problem', () => t.app.inject({ url: '/api/me' })],
      ['404 problem', () => t.app.inject({ url: '/api/nothing-here' })],
      ['bad JSON', () => t.app.inject({ method: 'POST', url: '/api/auth/login/password', body: '{', headers: { 'content-type': 'application/json' } })],
      ['healthz', () => t.app.inject({ url: '/healthz' })],
      ['openapi.json', () => t.app.inject({ url: '/api/openapi.json' })],
      ['OIDC discovery', () => t.app.inject({ url: '/.well-known/openid-configuration' })],
      ['OIDC error page', () => t.app.inject({ url: '/oidc/auth?client_id=nobody' })],
    ]
    for (const [what, call] of cases) expectSecurityHeaders(await call(), what)
  })

  it.skipIf(!hasWeb)('are on the web app’s pages and files, whose index.html has no inline script', async () => {
    for (const url of ['/', '/admin', '/m/', '/favicon.svg']) expectSecurityHeaders(await t.app.inject({ url }), url)
    const html = (await t.app.inject({ url: '/' })).body
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)]
    expect(scripts.length).toBeGreaterThan(0)
    for (const [, attrs, body] of scripts) {
      expect(attrs, 'every script is a file').toMatch(/\bsrc=/)
      expect(body.trim(), 'no inline code').toBe('')
    }
    expect(html).not.toMatch(/\son[a-z]+\s*=/i)
  })

  it('are on the API docs, which Swagger UI serves from files without inline script', async () => {
    const page = await t.app.inject({ url: '/api/docs/' })
    expect(page.statusCode).toBe(200)
    expectSecurityHeaders(page, '/api/docs/')
    expect(page.body).toContain('swagger-ui-bundle.js')
    expect([...page.body.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/gi)].every(([, body]) => body.trim() === '')).toBe(true)
    for (const file of ['swagger-ui-bundle.js', 'swagger-initializer.js', 'swagger-ui.css']) {
      const res = await t.app.inject({ url: `/api/docs/static/${file}` })
      expect(res.statusCode, file).toBe(200)
      expectSecurityHeaders(res, file)
    }
  })

  it('use the exported policy, which keeps inline styles only', () => {
    expect(contentSecurityPolicy).toContain("style-src 'self' 'unsafe-inline'")
    expect(contentSecurityPolicy).toContain("script-src 'self';")
  })

  it('add Strict-Transport-Security when the public URL is https', async () => {
    expect((await https.app.inject({ url: '/healthz' })).headers['strict-transport-security']).toBe('max-age=31536000')
    expect((await t.app.inject({ url: '/healthz' })).headers['strict-transport-security']).toBeUndefined()
  })
})

describe('requests the router or the HTTP parser refuses', () => {
  it('a malformed percent-encoding or an over-long path parameter is problem+json with the security headers', async () => {
    for (const [url, status, type] of [
      ['/api/org/departments/%E0%A4%A', 400, 'bad-request'],
      [`/api/org/departments/${'x'.repeat(300)}`, 414, 'uri-too-long'],
    ] as const) {
      const res = await t.app.inject({ url })
      expect(res.statusCode, url).toBe(status)
      expect(res.headers['content-type']).toContain('application/problem+json')
      expect(res.json()).toMatchObject({ type: `urn:yiwang:problem:${type}`, status })
      expectSecurityHeaders(res, url)
    }
  })

  it('broken HTTP framing gets a problem+json 400 on the socket, then the connection closes', async () => {
    await https.app.listen({ host: '127.0.0.1', port: 0 })
    const { port } = https.app.server.address() as net.AddressInfo
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.write('POST /api/org/departments HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}'))
      let data = ''
      socket.on('data', (c) => (data += c.toString('utf8')))
      socket.on('close', () => resolve(data))
      socket.on('error', reject)
    })
    expect(answer).toMatch(/^HTTP\/1.1 400 Bad Request\r\n/)
    expect(answer).toMatch(/content-type: application\/problem\+json/i)
    expect(answer).toMatch(/x-content-type-options: nosniff/i)
    expect(answer).toMatch(/strict-transport-security: max-age=31536000/i)
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))
    expect(body).toEqual({ type: 'urn:yiwang:problem:bad-request', title: '请求参数有误', status: 400 })
  })
})

describe('CORS allow-list (CORS_ORIGINS)', () => {
  it('answers a preflight from an allowed origin', async () => {
    const res = await t.app.inject({
      method: 'OPTIONS', url: '/api/org/departments',
      headers: { origin: PORTAL, 'access-control-request-method': 'POST', 'access-control-request-headers': 'Content-Type, Idempotency-Key, X-Evil' },
    })
    expect(res.statusCode).toBe(204)
    expect(res.headers['access-control-allow-origin']).toBe(PORTAL)
    expect(res.headers['access-control-allow-credentials']).toBe('true')
    expect(res.headers['access-control-allow-methods']).toContain('POST')
    expect(res.headers['access-control-allow-headers']).toBe('content-type, idempotency-key')
    expect(String(res.headers.vary)).toContain('Origin')
  })

  it('refuses a preflight from any other origin with 403 problem+json', async () => {
    const res = await t.app.inject({ method: 'OPTIONS', url: '/api/org/departments', headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' } })
    expect(res.statusCode).toBe(403)
    expect(res.headers['content-type']).toContain('application/problem+json')
    expect(res.json().type).toBe('urn:yiwang:problem:cors-origin-not-allowed')
    expect(res.headers['access-control-allow-origin']).toBeUndefined()
  })

  it('lets an allowed origin read answers, and nobody else', async () => {
    const ok = await t.app.inject({ url: '/api/org/divisions', headers: { origin: PORTAL } })
    expect(ok.headers['access-control-allow-origin']).toBe(PORTAL)
    expect(ok.headers['access-control-expose-headers']).toContain('retry-after')
    const other = await t.app.inject({ url: '/api/org/divisions', headers: { origin: 'https://evil.example.com' } })
    expect(other.statusCode).toBe(200)
    expect(other.headers['access-control-allow-origin']).toBeUndefined()
  })

  it('accepts a signed-in write from an allowed origin and refuses one from elsewhere as cross-site', async () => {
    const body = (name: string) => ({ name, divisionCode: '140902', kind: 'bureau' })
    const allowed = await t.app.inject({ method: 'POST', url: '/api/org/departments', payload: body('跨域允许局'), headers: { cookie: adminCookie, origin: PORTAL } })
    expect(allowed.statusCode, allowed.body).toBe(201)
    const refused = await t.app.inject({ method: 'POST', url: '/api/org/departments', payload: body('跨域拒绝局'), headers: { cookie: adminCookie, origin: 'https://evil.example.com' } })
    expect(refused.statusCode).toBe(403)
    expect(refused.json().type).toBe('urn:yiwang:problem:csrf')
  })

  it('allows no origin at all by default', async () => {
    const res = await https.app.inject({ method: 'OPTIONS', url: '/api/org/divisions', headers: { origin: PORTAL, 'access-control-request-method': 'GET' } })
    expect(res.statusCode).toBe(403)
    const get = await https.app.inject({ url: '/api/org/divisions', headers: { origin: PORTAL } })
    expect(get.headers['access-control-allow-origin']).toBeUndefined()
  })

  it('takes origins only (scheme://host[:port]) and refuses anything else at start-up', () => {
    expect([...parseOrigins(' https://a.gov.cn, http://localhost:5173/ ,')]).toEqual(['https://a.gov.cn', 'http://localhost:5173'])
    expect(parseOrigins(undefined).size).toBe(0)
    for (const bad of ['https://a.gov.cn/path', 'a.gov.cn', '*', 'file:///etc']) expect(() => parseOrigins(bad), bad).toThrow(/CORS_ORIGINS|Invalid URL/)
  })
})

describe('request body limits', () => {
  it('refuses a JSON body over 1 MB with 413 problem+json', async () => {
    const res = await t.app.inject({
      method: 'POST', url: '/api/org/departments', headers: { cookie: adminCookie, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10), divisionCode: '140902', kind: 'bureau' }),
    })
    expect(res.statusCode).toBe(413)
    expect(res.headers['content-type']).toContain('application/problem+json')
    expect(res.json().type).toBe('urn:yiwang:problem:payload-too-large')
  })

  it('lets an upload route raise the limit for itself only (route `bodyLimit`)', async () => {
    const app = Fastify({ bodyLimit: 1024 * 1024 })
    await app.register(problemPlugin)
    app.addContentTypeParser('application/pdf', { parseAs: 'buffer' }, (_req, body, done) => done(null, body))
    app.post('/upload', { bodyLimit: 5 * 1024 * 1024 }, async (req) => ({ bytes: (req.body as Buffer).length }))
    app.post('/json', async () => ({ ok: true }))
    try {
      const big = Buffer.alloc(2 * 1024 * 1024, 1)
      const up = await app.inject({ method: 'POST', url: '/upload', body: big, headers: { 'content-type': 'application/pdf' } })
      expect(up.json()).toEqual({ bytes: big.length })
      const json = await app.inject({ method: 'POST', url: '/json', body: big, headers: { 'content-type': 'application/pdf' } })
      expect(json.statusCode).toBe(413)
      expect(json.headers['content-type']).toContain('application/problem+json')
    } finally {
      await app.close()
    }
  })
})

describe('session cookie flags', () => {
  const setCookie = (res: LightMyRequestResponse) => [res.headers['set-cookie']].flat().find((c) => c?.startsWith('yw_session=')) ?? ''

  it('is HttpOnly, SameSite=Lax and Path=/, not Secure on plain http, and cleared with the same flags', async () => {
    const login = await t.app.inject({ method: 'POST', url: '/api/auth/login/password', payload: { username: 't.sec', password: 'Sec#2026-test' } })
    const c = setCookie(login)
    expect(c).toMatch(/; HttpOnly/)
    expect(c).toMatch(/; SameSite=Lax/)
    expect(c).toMatch(/; Path=\//)
    expect(c).not.toMatch(/; Secure/)
    const value = login.cookies.find((x) => x.name === 'yw_session')!.value
    const out = await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie: `yw_session=${value}` } })
    const cleared = setCookie(out)
    expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970|Max-Age=0/)
    expect(cleared).toMatch(/; HttpOnly/)
    expect(cleared).toMatch(/; SameSite=Lax/)
  })

  it('is Secure when the public URL is https', async () => {
    const login = await https.app.inject({ method: 'POST', url: '/api/auth/login/password', payload: { username: 't.https', password: 'Sec#2026-test' } })
    expect(login.statusCode).toBe(200)
    const c = setCookie(login)
    expect(c).toMatch(/; Secure/)
    expect(c).toMatch(/; HttpOnly/)
    expect(c).toMatch(/; SameSite=Lax/)
  })
})
