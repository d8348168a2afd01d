import cookie from '@fastify/cookie'
import Fastify, { type LightMyRequestResponse } from 'fastify'
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { systemActor } from '../../platform/audit.js'
import { authPlugin } from '../../platform/auth.js'
import { problemPlugin } from '../../platform/problem.js'
import type { Role } from '../../platform/roles.js'
import { createTestApp, type TestApp } from '../../test/harness.js'
import { identityRoutes } from './routes.js'
import { createIdentityService } from './service.js'
import { generateCreditCode, generateIdNumber, seededRandom } from './validators.js'

const PASSWORD = 'Demo@2026'
const rng = seededRandom(2026)

let t: TestApp
const dept: Record<'city' | 'xinfu' | 'yuanping', string> = { city: '', xinfu: '', yuanping: '' }
/** Session cookies by actor name. */
const cookies: Record<string, string> = {}
let citizen: { id: string; idNumber: string; phone: string }
let xinfuClerkId = ''

function sessionCookie(res: LightMyRequestResponse): string | undefined {
  const c = res.cookies.find((x) => x.name === 'yw_session')
  return c?.value ? `yw_session=${c.value}` : undefined
}

async function login(username: string, password = PASSWORD, headers: Record<string, string> = {}) {
  return t.app.inject({ method: 'POST', url: '/api/auth/login/password', payload: { username, password }, headers })
}

async function signIn(name: string, username: string) {
  const res = await login(username)
  expect(res.statusCode, `${name} signs in`).toBe(200)
  cookies[name] = sessionCookie(res)!
}

function newCitizenData(division = '140902') {
  const idNumber = generateIdNumber({ divisionCode: division, birthDate: '1979-09-09', sex: 'male', rng })
  const phone = `158${String(Math.floor(rng() * 1e8)).padStart(8, '0')}`
  return { idNumber, phone }
}

beforeAll(async () => {
  t = await createTestApp()
  const { org, identity } = t.services
  await org.importDivisions({ within: '140900' })
  dept.city = (await org.createDepartment(systemActor, { name: '忻州市政务信息管理局', divisionCode: '140900', kind: 'bureau' })).id
  dept.xinfu = (await org.createDepartment(systemActor, { name: '忻府区行政审批服务管理局', divisionCode: '140902', kind: 'bureau' })).id
  dept.yuanping = (await org.createDepartment(systemActor, { name: '原平市行政审批服务管理局', divisionCode: '140981', kind: 'bureau' })).id

  const passwordHash = await identity.hashPassword(PASSWORD)
  const staff: [string, Role, string, string | null][] = [
    ['window_clerk', 'window_clerk', dept.xinfu, '140902'],
    ['reviewer', 'reviewer', dept.xinfu, '140902'],
    ['department_head', 'department_head', dept.xinfu, '140902'],
    ['leader', 'leader', dept.city, '140900'],
    ['data_admin', 'data_admin', dept.xinfu, '140902'],
    ['ops_operator', 'ops_operator', dept.city, '140900'],
    ['platform_admin', 'platform_admin', dept.city, null],
  ]
  for (const [name, role, departmentId, divisionCode] of staff) {
    const a = await identity.createStaff('system', { name: `测试${name}`, username: `t.${name.replace(/_/g, '-')}`, passwordHash, departmentId, roles: [{ role, divisionCode }] })
    if (name === 'window_clerk') xinfuClerkId = a.id
  }
  const c = newCitizenData()
  citizen = { id: (await identity.createPerson('system', { name: '张丽', ...c, passwordHash })).id, ...c }
  const creditCode = generateCreditCode({ divisionCode: '140902', rng })
  await identity.createLegal('system', { name: '忻州市测试商贸有限公司', creditCode, agentAccountId: citizen.id, passwordHash })

  for (const [name] of staff) await signIn(name, `t.${name.replace(/_/g, '-')}`)
  await signIn('citizen', citizen.idNumber)
  await signIn('enterprise_agent', creditCode)
})
afterAll(async () => {
  await t?.close()
})

describe('sign-in', () => {
  it('sets an HTTP-only SameSite=Lax session cookie and returns the masked account', async () => {
    const res = await login(citizen.phone)
    expect(res.statusCode).toBe(200)
    const c = res.cookies.find((x) => x.name === 'yw_session')!
    expect(c).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' })
    expect(c.secure).toBeFalsy()
    expect(c.value).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const { account } = res.json()
    expect(account).toMatchObject({ id: citizen.id, kind: 'person', name: '张丽', maskedIdNumber: `${citizen.idNumber.slice(0, 4)}**********${citizen.idNumber.slice(-4)}` })
    expect(account.maskedPhone).toBe(`${citizen.phone.slice(0, 3)}****${citizen.phone.slice(-4)}`)
    expect(res.body).not.toContain(citizen.idNumber)
    expect(res.body).not.toContain(citizen.phone)
    expect(res.body).not.toContain(c.value)
  })

  it('marks the cookie Secure when PUBLIC_URL is https', async () => {
    // The identity routes alone, on the same database, behind an https public URL.
    const publicUrl = 'https://yiwang.example.cn'
    const identity = createIdentityService({ ...t.core, config: { ...t.core.config, publicUrl }, org: t.services.org })
    const app = Fastify().withTypeProvider<ZodTypeProvider>()
    app.setValidatorCompiler(validatorCompiler)
    app.setSerializerCompiler(serializerCompiler)
    await app.register(problemPlugin)
    await app.register(cookie)
    await app.register(authPlugin, { publicUrl })
    await app.register(identityRoutes, { prefix: '/api', identity })
    try {
      const res = await app.inject({ method: 'POST', url: '/api/auth/login/password', payload: { username: citizen.idNumber, password: PASSWORD } })
      expect(res.statusCode).toBe(200)
      expect(res.cookies.find((c) => c.name === 'yw_session')).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Lax' })
    } finally {
      await app.close()
    }
  })

  it('answers GET /api/me with the session and 401 without', async () => {
    const me = await t.app.inject({ url: '/api/me', headers: { cookie: cookies.citizen } })
    expect(me.statusCode).toBe(200)
    expect(me.json()).toMatchObject({ id: citizen.id, roles: [{ role: 'citizen', divisionCode: '140902' }] })
    const anon = await t.app.inject({ url: '/api/me' })
    expect(anon.statusCode).toBe(401)
    expect(anon.headers['content-type']).toContain('application/problem+json')
    expect(anon.json()).toMatchObject({ type: 'urn:yiwang:problem:unauthenticated', title: '请先登录' })
    const forged = await t.app.inject({ url: '/api/me', headers: { cookie: 'yw_session=forged-token' } })
    expect(forged.statusCode).toBe(401)
  })

  it('refuses a wrong password with one zh-CN/en problem, whether or not the account exists', async () => {
    const wrong = await login(citizen.idNumber, 'Wrong-pass1')
    expect(wrong.statusCode).toBe(401)
    expect(wrong.headers['content-type']).toContain('application/problem+json')
    expect(wrong.json()).toMatchObject({ type: 'urn:yiwang:problem:identity/invalid-credentials', title: '账号或密码错误', status: 401 })
    const unknown = await login('no.such.user', 'Wrong-pass1')
    expect(unknown.json()).toEqual(wrong.json())
    const en = await login('no.such.user', 'Wrong-pass1', { 'accept-language': 'en' })
    expect(en.json().title).toBe('Wrong account or password')
    expect(wrong.cookies.find((c) => c.name === 'yw_session')).toBeUndefined()
  })

  it('locks after repeated failures with 429 and Retry-After', async () => {
    const c = newCitizenData()
    await t.services.identity.createPerson('system', { name: '刘洋', ...c, password: 'Right-pass1' })
    for (let i = 0; i < 4; i++) expect((await login(c.phone, 'bad-pass-1')).statusCode).toBe(401)
    const locked = await login(c.phone, 'bad-pass-1')
    expect(locked.statusCode).toBe(429)
    expect(locked.headers['retry-after']).toBe('60')
    expect(locked.json()).toMatchObject({ type: 'urn:yiwang:problem:identity/login-locked', retryAfter: 60 })
    expect(locked.json().title).toContain('锁定')
    const stillLocked = await login(c.phone, 'Right-pass1', { 'accept-language': 'en' })
    expect(stillLocked.statusCode).toBe(429)
    expect(stillLocked.json().title).toContain('locked')
    t.clock.advance(61_000)
    expect((await login(c.phone, 'Right-pass1')).statusCode).toBe(200)
  })

  it('rejects malformed input with 400, never 500', async () => {
    const nul = await login('abc\u0000def', 'x')
    expect(nul.statusCode).toBe(400)
    const missing = await t.app.inject({ method: 'POST', url: '/api/auth/login/password', payload: { username: 'x' } })
    expect(missing.statusCode).toBe(400)
    expect(missing.json().errors[0]).toMatchObject({ name: 'body.password', code: 'required' })
    const badCode = await t.app.inject({ method: 'POST', url: '/api/auth/login/sms', payload: { phone: citizen.phone, code: '12ab' } })
    expect(badCode.statusCode).toBe(400)
  })
})

describe('SMS sign-in', () => {
  it('sends a code to the dev outbox (read by the platform admin) and signs in with it', async () => {
    const sent = await t.app.inject({ method: 'POST', url: '/api/auth/sms/send', payload: { phone: citizen.phone } })
    expect(sent.statusCode).toBe(202)
    expect(sent.json()).toEqual({ expiresInSeconds: 300, resendAfterSeconds: 60 })
    const again = await t.app.inject({ method: 'POST', url: '/api/auth/sms/send', payload: { phone: citizen.phone } })
    expect(again.statusCode).toBe(429)
    expect(Number(again.headers['retry-after'])).toBeGreaterThan(0)

    const outbox = await t.app.inject({ url: '/api/admin/sms-outbox', headers: { cookie: cookies.platform_admin } })
    expect(outbox.statusCode).toBe(200)
    const message = outbox.json().items[0]
    expect(message.phone).toBe(citizen.phone)
    const code = /(\d{6})/.exec(message.text)![1]

    const wrong = await t.app.inject({ method: 'POST', url: '/api/auth/login/sms', payload: { phone: citizen.phone, code: code === '000000' ? '111111' : '000000' } })
    expect(wrong.statusCode).toBe(401)
    expect(wrong.json().type).toBe('urn:yiwang:problem:identity/invalid-code')
    const ok = await t.app.inject({ method: 'POST', url: '/api/auth/login/sms', payload: { phone: citizen.phone, code } })
    expect(ok.statusCode).toBe(200)
    expect(ok.json().account.id).toBe(citizen.id)
    expect(sessionCookie(ok)).toBeDefined()
  })

  it('answers 422 for a number that is not a mainland mobile', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/auth/sms/send', payload: { phone: '0350-1234567' }, headers: { 'accept-language': 'en' } })
    expect(res.statusCode).toBe(422)
    expect(res.json()).toMatchObject({ type: 'urn:yiwang:problem:identity/invalid-phone', title: 'Not a valid mobile number' })
  })
})

describe('registration and logout', () => {
  it('registers a citizen, signs them in, and checks the ID number', async () => {
    const c = newCitizenData('140981')
    const bad = `${c.idNumber.slice(0, 17)}${c.idNumber[17] === '1' ? '2' : '1'}`
    const invalid = await t.app.inject({ method: 'POST', url: '/api/auth/register', payload: { name: '高峰', idNumber: bad, phone: c.phone, password: 'Secret-123' } })
    expect(invalid.statusCode).toBe(422)
    expect(invalid.json()).toMatchObject({ type: 'urn:yiwang:problem:identity/invalid-id-number', title: '身份证号码校验位不正确，请核对', reason: 'check-digit' })

    const res = await t.app.inject({ method: 'POST', url: '/api/auth/register', payload: { name: '高峰', idNumber: c.idNumber, phone: c.phone, password: 'Secret-123' } })
    expect(res.statusCode).toBe(201)
    expect(res.json().account).toMatchObject({ kind: 'person', name: '高峰', divisionCode: '140981' })
    const me = await t.app.inject({ url: '/api/me', headers: { cookie: sessionCookie(res)! } })
    expect(me.statusCode).toBe(200)

    const dup = await t.app.inject({ method: 'POST', url: '/api/auth/register', payload: { name: '高峰', idNumber: c.idNumber, phone: '13912340000', password: 'Secret-123' } })
    expect(dup.statusCode).toBe(409)
  })

  it('ends the session on logout', async () => {
    const res = await login(citizen.idNumber)
    const cookie = sessionCookie(res)!
    const out = await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie } })
    expect(out.statusCode).toBe(204)
    expect(out.cookies.find((c) => c.name === 'yw_session')?.value).toBe('')
    expect((await t.app.inject({ url: '/api/me', headers: { cookie } })).statusCode).toBe(401)
  })

  it('rejects a state-changing request with the cookie from a foreign origin (CSRF)', async () => {
    const res = await login(citizen.idNumber)
    const cookie = sessionCookie(res)!
    const forged = await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie, origin: 'https://evil.example' } })
    expect(forged.statusCode).toBe(403)
    expect(forged.json().type).toBe('urn:yiwang:problem:csrf')
    expect((await t.app.inject({ url: '/api/me', headers: { cookie } })).statusCode).toBe(200)
    const same = await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie, origin: 'http://localhost:3000' } })
    expect(same.statusCode).toBe(204)
  })
})

describe('admin', () => {
  it('lists accounts with ID numbers and phones masked', async () => {
    const res = await t.app.inject({ url: '/api/admin/accounts?kind=person&pageSize=100', headers: { cookie: cookies.platform_admin } })
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body).toMatchObject({ page: 1, pageSize: 100 })
    expect(body.total).toBeGreaterThan(0)
    for (const a of body.items) {
      expect(a.maskedIdNumber).toMatch(/^\d{4}\*{10}[\dX]{4}$/)
      expect(a).not.toHaveProperty('idNumber')
      expect(a).not.toHaveProperty('phone')
    }
    expect(res.body).not.toContain(citizen.idNumber)
    expect(res.body).not.toContain(citizen.phone)
    const byId = await t.app.inject({ url: `/api/admin/accounts?q=${citizen.idNumber}`, headers: { cookie: cookies.platform_admin } })
    expect(byId.json().items.map((a: { id: string }) => a.id)).toEqual([citizen.id])
  })

  it('limits a district data admin to its district', async () => {
    const res = await t.app.inject({ url: '/api/admin/accounts?pageSize=100', headers: { cookie: cookies.data_admin } })
    expect(res.statusCode).toBe(200)
    const divisions = new Set(res.json().items.map((a: { divisionCode: string }) => a.divisionCode))
    expect([...divisions].every((d) => String(d).startsWith('140902'))).toBe(true)

    const create = (departmentId: string, username: string) =>
      t.app.inject({
        method: 'POST', url: '/api/admin/accounts', headers: { cookie: cookies.data_admin },
        payload: { kind: 'staff', name: '新同事', username, password: 'Staff-2026', departmentId, roles: [{ role: 'window_clerk' }] },
      })
    const inside = await create(dept.xinfu, 'xinfu.new')
    expect(inside.statusCode).toBe(201)
    expect(inside.json()).toMatchObject({ kind: 'staff', username: 'xinfu.new', status: 'active', divisionCode: '140902', roles: [{ role: 'window_clerk', divisionCode: '140902' }] })
    const outside = await create(dept.yuanping, 'yuanping.new')
    expect(outside.statusCode).toBe(403)
    expect(outside.json().type).toBe('urn:yiwang:problem:out-of-scope')

    const audit = await t.app.inject({ url: '/api/admin/audit?pageSize=100', headers: { cookie: cookies.data_admin } })
    expect(audit.statusCode).toBe(200)
    const items = audit.json().items as { divisionCode: string; action: string }[]
    expect(items.length).toBeGreaterThan(0)
    expect(items.every((r) => r.divisionCode.startsWith('140902'))).toBe(true)
  })

  it('shows the platform admin the whole audit log, filtered by action', async () => {
    const res = await t.app.inject({ url: '/api/admin/audit?action=identity.login&pageSize=100', headers: { cookie: cookies.platform_admin } })
    expect(res.statusCode).toBe(200)
    const items = res.json().items as { action: string; outcome: string; detail: Record<string, unknown> }[]
    expect(items.some((r) => r.action === 'identity.login.succeeded' && r.outcome === 'success')).toBe(true)
    expect(items.some((r) => r.action === 'identity.login.failed' && r.outcome === 'failure')).toBe(true)
    expect(items.every((r) => r.action.startsWith('identity.login'))).toBe(true)
    expect(res.body).not.toContain(citizen.idNumber)
    expect(res.body).not.toContain('user_agent')
  })

  it('grants and revokes roles, checking the role name', async () => {
    const grant = await t.app.inject({
      method: 'POST', url: `/api/admin/accounts/${xinfuClerkId}/roles`, headers: { cookie: cookies.platform_admin },
      payload: { role: 'reviewer', divisionCode: '140902', departmentId: null },
    })
    expect(grant.statusCode).toBe(201)
    expect(grant.json()).toMatchObject({ role: 'reviewer', divisionCode: '140902', departmentId: null })
    const bogus = await t.app.inject({
      method: 'POST', url: `/api/admin/accounts/${xinfuClerkId}/roles`, headers: { cookie: cookies.platform_admin }, payload: { role: 'emperor' },
    })
    expect(bogus.statusCode).toBe(400)
    const del = await t.app.inject({ method: 'DELETE', url: `/api/admin/accounts/${xinfuClerkId}/roles/${grant.json().id}`, headers: { cookie: cookies.platform_admin } })
    expect(del.statusCode).toBe(204)
    const gone = await t.app.inject({ method: 'DELETE', url: `/api/admin/accounts/${xinfuClerkId}/roles/${grant.json().id}`, headers: { cookie: cookies.platform_admin } })
    expect(gone.statusCode).toBe(404)
  })

  it('documents every identity route in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ url: '/api/openapi.json' })).json()
    for (const p of ['/api/auth/login/password', '/api/auth/sms/send', '/api/auth/login/sms', '/api/auth/logout', '/api/auth/register', '/api/me',
      '/api/admin/accounts', '/api/admin/accounts/{id}/roles', '/api/admin/accounts/{id}/roles/{grantId}', '/api/admin/sms-outbox', '/api/admin/audit']) {
      expect(doc.paths[p], p).toBeDefined()
    }
  })
})

describe('authorization matrix', () => {
  const actors = ['anonymous', 'citizen', 'enterprise_agent', 'window_clerk', 'reviewer', 'department_head', 'leader', 'ops_operator', 'data_admin', 'platform_admin'] as const
  type Actor = (typeof actors)[number]
  const nonAdmins: Actor[] = ['citizen', 'enterprise_agent', 'window_clerk', 'reviewer', 'department_head', 'leader', 'ops_operator']
  let seq = 0

  /** Each row: a request (made fresh per actor) and the status each actor gets. */
  const rows: { name: string; request: () => Promise<{ method: 'GET' | 'POST' | 'DELETE'; url: string; payload?: object }>; expect: Partial<Record<Actor, number>> & { default: number } }[] = [
    { name: 'GET /api/me', request: async () => ({ method: 'GET', url: '/api/me' }), expect: { anonymous: 401, default: 200 } },
    { name: 'GET /api/admin/accounts', request: async () => ({ method: 'GET', url: '/api/admin/accounts' }), expect: { anonymous: 401, data_admin: 200, platform_admin: 200, default: 403 } },
    { name: 'GET /api/admin/audit', request: async () => ({ method: 'GET', url: '/api/admin/audit' }), expect: { anonymous: 401, data_admin: 200, platform_admin: 200, default: 403 } },
    { name: 'GET /api/admin/sms-outbox', request: async () => ({ method: 'GET', url: '/api/admin/sms-outbox' }), expect: { anonymous: 401, platform_admin: 200, default: 403 } },
    {
      name: 'POST /api/admin/accounts (忻府区 department)',
      request: async () => ({ method: 'POST', url: '/api/admin/accounts', payload: { kind: 'staff', name: '矩阵甲', username: `m.xinfu${++seq}`, password: 'Staff-2026', departmentId: dept.xinfu } }),
      expect: { anonymous: 401, data_admin: 201, platform_admin: 201, default: 403 },
    },
    {
      name: 'POST /api/admin/accounts (原平市 department)',
      request: async () => ({ method: 'POST', url: '/api/admin/accounts', payload: { kind: 'staff', name: '矩阵乙', username: `m.yuanping${++seq}`, password: 'Staff-2026', departmentId: dept.yuanping } }),
      expect: { anonymous: 401, platform_admin: 201, default: 403 },
    },
    {
      name: 'POST /api/admin/accounts/:id/roles (忻府区 clerk)',
      request: async () => {
        const a = await t.services.identity.createStaff('system', { name: '矩阵丙', username: `m.grant${++seq}`, password: 'Staff-2026', departmentId: dept.xinfu })
        return { method: 'POST', url: `/api/admin/accounts/${a.id}/roles`, payload: { role: 'reviewer' } }
      },
      expect: { anonymous: 401, data_admin: 201, platform_admin: 201, default: 403 },
    },
    {
      name: 'DELETE /api/admin/accounts/:id/roles/:grantId (原平市 grant)',
      request: async () => {
        const a = await t.services.identity.createStaff('system', { name: '矩阵丁', username: `m.revoke${++seq}`, password: 'Staff-2026', departmentId: dept.yuanping, roles: [{ role: 'window_clerk' }] })
        return { method: 'DELETE', url: `/api/admin/accounts/${a.id}/roles/${a.roles[0].id}` }
      },
      expect: { anonymous: 401, platform_admin: 204, default: 403 },
    },
  ]

  const cases = rows.flatMap((row) => actors.map((actor) => ({ row, actor, status: row.expect[actor] ?? row.expect.default })))
  it.each(cases.map((c) => [c.row.name, c.actor, c.status, c] as const))('%s as %s → %i', async (_name, actor, status, c) => {
    const req = await c.row.request()
    const headers: Record<string, string> = actor === 'anonymous' ? {} : { cookie: cookies[actor] }
    const res = await t.app.inject({ ...req, headers })
    expect(res.statusCode).toBe(status)
    if (status >= 400) expect(res.headers['content-type']).toContain('application/problem+json')
  })

  it('covers every role', () => {
    expect(new Set(actors)).toEqual(new Set(['anonymous', ...nonAdmins, 'data_admin', 'platform_admin']))
  })
})
