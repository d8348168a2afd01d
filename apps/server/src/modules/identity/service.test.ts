import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Principal } from '../../platform/roles.js'
import { createTestCore, type TestCore } from '../../test/harness.js'
import {
  AccountDisabledError,
  AlreadyRegisteredError,
  GrantExistsError,
  InvalidCredentialsError,
  InvalidIdNumberError,
  InvalidSmsCodeError,
  LastPlatformAdminError,
  LoginLockedError,
  RoleNotGrantableError,
  SmsTooSoonError,
  UnknownDepartmentError,
  WeakPasswordError,
} from './errors.js'
import { createIdentityService, type IdentityService, type OrgDirectory } from './service.js'
import { SESSION_CACHE_MS } from './session-cache.js'
import { generateCreditCode, generateIdNumber, seededRandom } from './validators.js'

const MINUTE = 60_000
const HOUR = 3_600_000

/** Stand-in for the org module: three departments of 忻州市. */
const departments: Record<string, { id: string; divisionCode: string }> = {
  dept_city: { id: 'dept_city', divisionCode: '140900' },
  dept_xinfu: { id: 'dept_xinfu', divisionCode: '140902' },
  dept_yuanping: { id: 'dept_yuanping', divisionCode: '140981' },
}
const org: OrgDirectory = {
  getDepartment: async (id) => (departments[id] ?? null) as never,
  divisionExists: async (code) => /^1409(00|02|81)/.test(code),
}

let t: TestCore
let identity: IdentityService
const rng = seededRandom(42)
let phoneSeq = 0

function newIdNumber(division = '140902') {
  return generateIdNumber({ divisionCode: division, birthDate: '1988-03-14', sex: 'female', rng })
}
function newPhone() {
  phoneSeq += 1
  return `139${String(10_000_000 + phoneSeq).slice(-8)}`
}
async function newCitizen(opts: { password?: string; phone?: string; division?: string } = {}) {
  const idNumber = newIdNumber(opts.division)
  const phone = opts.phone ?? newPhone()
  const account = await identity.createPerson('system', { name: '王秀英', idNumber, phone, password: opts.password ?? 'Secret123' })
  return { account, idNumber, phone }
}
function admin(grants: Principal['grants'], accountId = 'acc_admin'): Principal {
  return { accountId, sessionId: 'ses_test', kind: 'staff', name: '管理员', grants }
}
const platformAdmin = admin([{ role: 'platform_admin', divisionCode: null, departmentId: null }])
const xinfuDataAdmin = admin([{ role: 'data_admin', divisionCode: '140902', departmentId: null }], 'acc_xinfu_admin')

async function rejects(p: Promise<unknown>): Promise<unknown> {
  try {
    await p
  } catch (err) {
    return err
  }
  throw new Error('expected a rejection')
}

async function lastOutboxText(): Promise<string> {
  const rows = await sql<{ text: string }>`select text from identity.sms_outbox order by created_at desc, id desc limit 1`.execute(t.core.db)
  return rows.rows[0]?.text ?? ''
}
function codeIn(text: string): string {
  return /(\d{6})/.exec(text)![1]
}

beforeAll(async () => {
  t = await createTestCore()
  identity = createIdentityService({ ...t.core, org })
})
afterAll(async () => {
  await t?.close()
})

describe('password sign-in and lockout', () => {
  it('signs a citizen in by ID number or phone and returns the masked account', async () => {
    const { idNumber, phone } = await newCitizen()
    const byId = await identity.loginWithPassword({ username: idNumber.toLowerCase(), password: 'Secret123' })
    expect(byId.me).toMatchObject({ kind: 'person', maskedIdNumber: `${idNumber.slice(0, 4)}**********${idNumber.slice(-4)}`, maskedPhone: `${phone.slice(0, 3)}****${phone.slice(-4)}` })
    expect(byId.me.roles).toEqual([{ id: 'implicit:citizen', role: 'citizen', divisionCode: '140902', departmentId: null }])
    expect(byId.token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const byPhone = await identity.loginWithPassword({ username: phone, password: 'Secret123' })
    expect(byPhone.me.id).toBe(byId.me.id)
  })

  it('locks after 5 failures for 1 minute, then twice as long after the next 5', async () => {
    const { idNumber } = await newCitizen()
    const attempt = (password: string) => identity.loginWithPassword({ username: idNumber, password }, { ip: '10.0.0.9' })
    for (let i = 0; i < 4; i++) expect(await rejects(attempt('wrong-1'))).toBeInstanceOf(InvalidCredentialsError)
    const locked = await rejects(attempt('wrong-1'))
    expect(locked).toBeInstanceOf(LoginLockedError)
    expect((locked as LoginLockedError).retryAfterSeconds).toBe(60)

    // While locked even the right password is refused, without counting.
    t.clock.advance(30_000)
    const still = await rejects(attempt('Secret123'))
    expect((still as LoginLockedError).retryAfterSeconds).toBe(30)

    t.clock.advance(31_000)
    for (let i = 0; i < 4; i++) expect(await rejects(attempt('wrong-2'))).toBeInstanceOf(InvalidCredentialsError)
    expect((await rejects(attempt('wrong-2')) as LoginLockedError).retryAfterSeconds).toBe(120)

    t.clock.advance(2 * MINUTE + 1000)
    await expect(attempt('Secret123')).resolves.toMatchObject({ me: { kind: 'person' } })
    // Success forgets the back-off: the next lock is 1 minute again.
    for (let i = 0; i < 4; i++) await rejects(attempt('wrong-3'))
    expect((await rejects(attempt('wrong-3')) as LoginLockedError).retryAfterSeconds).toBe(60)
    t.clock.advance(MINUTE + 1000)
  })

  it('locks an unknown name exactly like a real account', async () => {
    const attempt = () => identity.loginWithPassword({ username: 'nobody.here', password: 'whatever1' })
    for (let i = 0; i < 4; i++) expect(await rejects(attempt())).toBeInstanceOf(InvalidCredentialsError)
    expect(await rejects(attempt())).toBeInstanceOf(LoginLockedError)
    t.clock.advance(MINUTE + 1000)
  })

  it('audits successes and failures with their outcome, and the lock', async () => {
    const { account, idNumber } = await newCitizen()
    await rejects(identity.loginWithPassword({ username: idNumber, password: 'nope12345' }, { ip: '10.1.1.1' }))
    await identity.loginWithPassword({ username: idNumber, password: 'Secret123' })
    const { items } = await t.core.audit.list({ targetId: account.id }, { limit: 10, offset: 0 })
    const actions = items.map((r) => `${r.action}:${r.outcome}`)
    expect(actions).toContain('identity.login.failed:failure')
    expect(actions).toContain('identity.login.succeeded:success')
    expect(actions).toContain('identity.account.created:success')
    const failed = items.find((r) => r.action === 'identity.login.failed')!
    expect(failed).toMatchObject({ ip: '10.1.1.1', actorId: null, divisionCode: '140902', detail: { method: 'password', reason: 'wrong-password' } })
    expect(JSON.stringify(items)).not.toContain(idNumber)
  })

  it('refuses a disabled account after a correct password', async () => {
    const { account, idNumber } = await newCitizen()
    await sql`update identity.account set status = 'disabled' where id = ${account.id}`.execute(t.core.db)
    expect(await rejects(identity.loginWithPassword({ username: idNumber, password: 'Secret123' }))).toBeInstanceOf(AccountDisabledError)
    expect(await rejects(identity.loginWithPassword({ username: idNumber, password: 'bad-password1' }))).toBeInstanceOf(InvalidCredentialsError)
  })
})

describe('SMS one-time codes', () => {
  it('sends a 6-digit code to the dev outbox and signs in with it once', async () => {
    const { account, phone } = await newCitizen()
    await expect(identity.sendSmsCode({ phone })).resolves.toEqual({ expiresInSeconds: 300, resendAfterSeconds: 60 })
    const text = await lastOutboxText()
    expect(text).toMatch(/【一网】您的登录验证码为 \d{6}/)
    const code = codeIn(text)
    const signedIn = await identity.loginWithSms({ phone, code })
    expect(signedIn.me.id).toBe(account.id)
    expect(await rejects(identity.loginWithSms({ phone, code }))).toBeInstanceOf(InvalidSmsCodeError)
  })

  it('stores only a hash of the code', async () => {
    const { phone } = await newCitizen()
    await identity.sendSmsCode({ phone })
    const code = codeIn(await lastOutboxText())
    const rows = await sql<{ code_hash: string }>`select code_hash from identity.sms_code where phone = ${phone}`.execute(t.core.db)
    expect(rows.rows[0].code_hash).toMatch(/^[0-9a-f]{64}$/)
    expect(rows.rows[0].code_hash).not.toContain(code)
  })

  it('refuses a resend within 60 seconds', async () => {
    const { phone } = await newCitizen()
    await identity.sendSmsCode({ phone })
    t.clock.advance(20_000)
    const err = await rejects(identity.sendSmsCode({ phone }))
    expect(err).toBeInstanceOf(SmsTooSoonError)
    expect((err as SmsTooSoonError).retryAfterSeconds).toBe(40)
    t.clock.advance(40_000)
    await expect(identity.sendSmsCode({ phone })).resolves.toBeDefined()
  })

  it('expires a code after 5 minutes', async () => {
    const { phone } = await newCitizen()
    await identity.sendSmsCode({ phone })
    const code = codeIn(await lastOutboxText())
    t.clock.advance(5 * MINUTE + 1000)
    expect(await rejects(identity.loginWithSms({ phone, code }))).toBeInstanceOf(InvalidSmsCodeError)
  })

  it('burns a code after 5 wrong guesses', async () => {
    const { phone } = await newCitizen()
    await identity.sendSmsCode({ phone })
    const code = codeIn(await lastOutboxText())
    const wrong = code === '000000' ? '111111' : '000000'
    for (let i = 0; i < 5; i++) expect(await rejects(identity.loginWithSms({ phone, code: wrong }))).toBeInstanceOf(InvalidSmsCodeError)
    expect(await rejects(identity.loginWithSms({ phone, code }))).toBeInstanceOf(InvalidSmsCodeError)
  })

  it('answers the same for an unregistered number but sends nothing', async () => {
    const before = await lastOutboxText()
    await expect(identity.sendSmsCode({ phone: '13700000001' })).resolves.toEqual({ expiresInSeconds: 300, resendAfterSeconds: 60 })
    expect(await lastOutboxText()).toBe(before)
    const { items } = await t.core.audit.list({ action: 'identity.sms.sent' }, { limit: 1, offset: 0 })
    expect(items[0]).toMatchObject({ outcome: 'failure', detail: { reason: 'no-account' } })
  })
})

describe('sessions', () => {
  it('slides a staff session for 8 idle hours and ends it after 24 hours', async () => {
    await identity.createStaff('system', { name: '李建国', username: 'li.jianguo', password: 'Staff2026', departmentId: 'dept_city', roles: [{ role: 'reviewer' }] })
    const s = await identity.loginWithPassword({ username: 'LI.JIANGUO', password: 'Staff2026' })
    const p = await identity.resolveSession(s.token)
    expect(p).toMatchObject({ kind: 'staff', name: '李建国', grants: [{ role: 'reviewer', divisionCode: '140900', departmentId: 'dept_city' }] })
    for (let i = 0; i < 3; i++) {
      t.clock.advance(7 * HOUR)
      expect(await identity.resolveSession(s.token)).not.toBeNull()
    }
    t.clock.advance(3 * HOUR + 1000) // 24 h after sign-in
    expect(await identity.resolveSession(s.token)).toBeNull()

    const idle = await identity.loginWithPassword({ username: 'li.jianguo', password: 'Staff2026' })
    t.clock.advance(8 * HOUR + 1000)
    expect(await identity.resolveSession(idle.token)).toBeNull()
  })

  it('keeps a citizen signed in for a week', async () => {
    const { idNumber } = await newCitizen()
    const s = await identity.loginWithPassword({ username: idNumber, password: 'Secret123' })
    t.clock.advance(6 * 24 * HOUR)
    expect(await identity.resolveSession(s.token)).toMatchObject({ kind: 'person' })
  })

  it('stores only the token hash and ends the session on logout', async () => {
    const { idNumber } = await newCitizen()
    const s = await identity.loginWithPassword({ username: idNumber, password: 'Secret123' })
    const stored = await sql<{ token_hash: string }>`select token_hash from identity.session where id = ${s.sessionId}`.execute(t.core.db)
    expect(stored.rows[0].token_hash).not.toBe(s.token)
    const p = (await identity.resolveSession(s.token))!
    await identity.logout(p)
    expect(await identity.resolveSession(s.token)).toBeNull()
    expect(await identity.resolveSession('not-a-token')).toBeNull()
  })
})

describe('resolved sessions are remembered for a few seconds', () => {
  it('sees a role granted or revoked in this process at once', async () => {
    const staff = await identity.createStaff('system', { name: '孙丽', username: 'sun.li', password: 'Staff2026', departmentId: 'dept_xinfu', roles: [{ role: 'window_clerk' }] })
    const s = await identity.loginWithPassword({ username: 'sun.li', password: 'Staff2026' })
    expect((await identity.resolveSession(s.token))!.grants.map((g) => g.role)).toEqual(['window_clerk'])
    const grant = await identity.grantRole(platformAdmin, staff.id, { role: 'reviewer' })
    expect((await identity.resolveSession(s.token))!.grants.map((g) => g.role)).toEqual(['window_clerk', 'reviewer'])
    await identity.revokeRole(platformAdmin, staff.id, grant.id)
    expect((await identity.resolveSession(s.token))!.grants.map((g) => g.role)).toEqual(['window_clerk'])
  })

  it('sees a change made elsewhere (another process, SQL) within SESSION_CACHE_MS, and a copy cannot change it', async () => {
    const { idNumber } = await newCitizen()
    const s = await identity.loginWithPassword({ username: idNumber, password: 'Secret123' })
    const p = (await identity.resolveSession(s.token))!
    p.grants.push({ role: 'platform_admin', divisionCode: null, departmentId: null })
    expect((await identity.resolveSession(s.token))!.grants.map((g) => g.role)).toEqual(['citizen'])
    await sql`delete from identity.session where id = ${p.sessionId}`.execute(t.core.db)
    // Remembered: the row is not read again yet.
    expect(await identity.resolveSession(s.token)).not.toBeNull()
    t.clock.advance(SESSION_CACHE_MS)
    expect(await identity.resolveSession(s.token)).toBeNull()
  })
})

describe('accounts and personal data', () => {
  it('never stores an ID number in the clear, but can reveal it', async () => {
    const { account, idNumber } = await newCitizen()
    const row = await sql<Record<string, unknown>>`select * from identity.account where id = ${account.id}`.execute(t.core.db)
    expect(JSON.stringify(row.rows[0])).not.toContain(idNumber)
    expect(await identity.revealIdNumber(account.id)).toBe(idNumber)
    expect(await identity.findPersonIdByIdNumber(idNumber)).toBe(account.id)
  })

  it('registers a citizen after checking the ID number, and refuses duplicates', async () => {
    const idNumber = newIdNumber('140981')
    const bad = idNumber.slice(0, 17) + (idNumber[17] === '0' ? '1' : '0')
    const invalid = await rejects(identity.register({ name: '赵磊', idNumber: bad, phone: newPhone(), password: 'Secret123' }))
    expect(invalid).toBeInstanceOf(InvalidIdNumberError)
    expect((invalid as InvalidIdNumberError).extensions).toMatchObject({ reason: 'check-digit' })
    expect(await rejects(identity.register({ name: '赵磊', idNumber, phone: newPhone(), password: 'short' }))).toBeInstanceOf(WeakPasswordError)
    const s = await identity.register({ name: '赵磊', idNumber, phone: newPhone(), password: 'Secret123' })
    expect(s.me).toMatchObject({ kind: 'person', divisionCode: '140981', roles: [{ role: 'citizen', divisionCode: '140981' }] })
    expect(await rejects(identity.register({ name: '赵磊', idNumber, phone: newPhone(), password: 'Secret123' }))).toBeInstanceOf(AlreadyRegisteredError)
  })

  it('creates an enterprise whose agent is a citizen, signing in with its credit code', async () => {
    const { account: agent } = await newCitizen()
    const legal = await identity.createLegal('system', { name: '忻州市晋韵文化传媒有限公司', creditCode: generateCreditCode({ divisionCode: '140902', rng }), agentAccountId: agent.id, password: 'Corp2026x' })
    expect(legal).toMatchObject({ kind: 'legal', divisionCode: '140902', roles: [{ role: 'enterprise_agent', divisionCode: '140902' }] })
    const s = await identity.loginWithPassword({ username: legal.creditCode!.toLowerCase(), password: 'Corp2026x' })
    expect(s.me.id).toBe(legal.id)
  })

  it('writes account and grant events to the outbox', async () => {
    const staff = await identity.createStaff('system', { name: '周敏', username: 'zhou.min', password: 'Staff2026', departmentId: 'dept_xinfu', roles: [{ role: 'window_clerk' }] })
    const rows = await sql<{ type: string }>`select type from platform.outbox where subject = ${staff.id} order by seq`.execute(t.core.db)
    expect(rows.rows.map((r) => r.type)).toEqual(['identity.account.created', 'identity.role.granted'])
  })
})

describe('role grants', () => {
  it('lets a platform admin grant anywhere and a district data admin only in its district', async () => {
    const yuanping = await identity.createStaff(platformAdmin, { name: '郭强', username: 'guo.qiang', password: 'Staff2026', departmentId: 'dept_yuanping' })
    const xinfu = await identity.createStaff(xinfuDataAdmin, { name: '韩梅', username: 'han.mei', password: 'Staff2026', departmentId: 'dept_xinfu' })
    await expect(identity.grantRole(xinfuDataAdmin, yuanping.id, { role: 'window_clerk' })).rejects.toMatchObject({ type: 'out-of-scope', status: 403 })
    await expect(identity.grantRole(xinfuDataAdmin, xinfu.id, { role: 'platform_admin' })).rejects.toMatchObject({ type: 'forbidden' })
    await expect(identity.grantRole(xinfuDataAdmin, xinfu.id, { role: 'reviewer', divisionCode: null })).rejects.toMatchObject({ type: 'out-of-scope' })
    await expect(identity.createStaff(xinfuDataAdmin, { name: '某人', username: 'some.one', password: 'Staff2026', departmentId: 'dept_city' })).rejects.toMatchObject({ type: 'out-of-scope' })

    const grant = await identity.grantRole(xinfuDataAdmin, xinfu.id, { role: 'window_clerk' })
    expect(grant).toMatchObject({ role: 'window_clerk', divisionCode: '140902', departmentId: 'dept_xinfu' })
    expect(await rejects(identity.grantRole(xinfuDataAdmin, xinfu.id, { role: 'window_clerk' }))).toBeInstanceOf(GrantExistsError)
    await expect(identity.grantRole(platformAdmin, yuanping.id, { role: 'ops_operator', divisionCode: '140900', departmentId: null })).resolves.toMatchObject({ divisionCode: '140900' })
    await identity.revokeRole(xinfuDataAdmin, xinfu.id, grant.id)
    expect((await identity.getMe(xinfu.id))!.roles).toEqual([])
  })

  it('grants staff roles to staff only', async () => {
    const { account } = await newCitizen()
    expect(await rejects(identity.grantRole(platformAdmin, account.id, { role: 'reviewer' }))).toBeInstanceOf(RoleNotGrantableError)
    const staff = await identity.createStaff('system', { name: '钱程', username: 'qian.cheng', password: 'Staff2026', departmentId: 'dept_city' })
    expect(await rejects(identity.grantRole(platformAdmin, staff.id, { role: 'citizen' }))).toBeInstanceOf(RoleNotGrantableError)
  })

  it('checks departments and divisions through the org module', async () => {
    expect(await rejects(identity.createStaff(platformAdmin, { name: '孙悦', username: 'sun.yue', password: 'Staff2026', departmentId: 'dept_none' }))).toBeInstanceOf(UnknownDepartmentError)
    const staff = await identity.createStaff(platformAdmin, { name: '孙悦', username: 'sun.yue', password: 'Staff2026', departmentId: 'dept_city' })
    await expect(identity.grantRole(platformAdmin, staff.id, { role: 'reviewer', divisionCode: '110101' })).rejects.toMatchObject({ type: 'identity/unknown-division' })
    await expect(identity.grantRole(platformAdmin, staff.id, { role: 'reviewer', divisionCode: '140981', departmentId: 'dept_xinfu' })).rejects.toMatchObject({ type: 'identity/department-outside-division' })
    await expect(identity.grantRole(platformAdmin, staff.id, { role: 'reviewer', divisionCode: '140900', departmentId: 'dept_xinfu' })).resolves.toMatchObject({ departmentId: 'dept_xinfu' })
  })

  it('keeps the last platform-wide administrator', async () => {
    const root = await identity.createStaff('system', { name: '系统管理员', username: 'root.admin', password: 'Staff2026', departmentId: 'dept_city', roles: [{ role: 'platform_admin', divisionCode: null }] })
    const grantId = root.roles[0].id
    expect(await rejects(identity.revokeRole(platformAdmin, root.id, grantId))).toBeInstanceOf(LastPlatformAdminError)
    await identity.createStaff('system', { name: '备用管理员', username: 'spare.admin', password: 'Staff2026', departmentId: 'dept_city', roles: [{ role: 'platform_admin', divisionCode: null }] })
    await identity.revokeRole(platformAdmin, root.id, grantId)
  })

  it('lists only accounts in a data admin’s divisions', async () => {
    const all = await identity.listAccounts(platformAdmin, { pageSize: 100 })
    const mine = await identity.listAccounts(xinfuDataAdmin, { pageSize: 100 })
    expect(mine.total).toBeGreaterThan(0)
    expect(mine.total).toBeLessThan(all.total)
    expect(mine.items.every((a) => a.divisionCode?.startsWith('140902'))).toBe(true)
    const staff = await identity.listAccounts(platformAdmin, { kind: 'staff', q: 'han.' })
    expect(staff.items.map((a) => a.username)).toEqual(['han.mei'])
  })
})

