import type { HTTPMethods, LightMyRequestResponse } from 'fastify'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateCreditCode, generateIdNumber, seededRandom } from '../modules/identity/index.js'
import { systemActor } from '../platform/audit.js'
import type { Role } from '../platform/roles.js'
import { hiddenRoutes, routeTable, type Access, type Caller, type Home, type MatrixContext, type MatrixRequest, type RouteRule } from './authorization-matrix.routes.js'
import { createTestApp } from './harness.js'

/**
 * The authorization matrix (issue 3): every route × every role × (own district, other district,
 * anonymous). The routes come from the live OpenAPI document, so a new route without an entry in
 * authorization-matrix.routes.ts fails here. Personas are real accounts signed in through the
 * password route. Then explicit cases for division scope: a data admin of 原平市 (140981) acting
 * on 忻府区 (140902) is refused and nothing changes; lists show a scoped admin its district only.
 */

const PASSWORD = 'Matrix#2026'
const OWN: Home = '140902'
const OTHER: Home = '140981'

// One app for the whole file; built at collection time because the cases come from its OpenAPI document.
const t = await createTestApp()
afterAll(async () => {
  await t.close()
})

type OpenApi = { paths: Record<string, Record<string, { security?: unknown[] }>> }
const openapi = (await t.app.inject({ url: '/api/openapi.json' })).json() as OpenApi
const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'])
/** `METHOD /path/{param}` → whether the document says it needs the session cookie. */
const documented = new Map<string, boolean>(
  Object.entries(openapi.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([method]) => HTTP_METHODS.has(method))
      .map(([method, op]) => [`${method.toUpperCase()} ${path}`, (op.security ?? []).length > 0] as const),
  ),
)
const operations = [...documented.keys()]

// ---- personas ------------------------------------------------------------------------------------

interface Persona extends Caller {
  label: string
  /** Roles its session carries (checked against /api/me when signing in). */
  roles: Role[]
  signedIn: boolean
  /** Sign-in name, for a second session; none for anonymous and the signed-out session. */
  username?: string
  accountId?: string
  cookie: string | null
}

interface StaffSpec {
  key: string
  label: string
  role: Role
  /** Grant scope; null: platform-wide. */
  scope: string | null
  department: 'city' | Home
  home: Home
}

const staffSpecs: StaffSpec[] = [
  { key: 'clerk', label: 'a window clerk of 忻府区', role: 'window_clerk', scope: OWN, department: OWN, home: OWN },
  { key: 'clerkOther', label: 'a window clerk of 原平市', role: 'window_clerk', scope: OTHER, department: OTHER, home: OTHER },
  { key: 'reviewer', label: 'a reviewer of 忻府区', role: 'reviewer', scope: OWN, department: OWN, home: OWN },
  { key: 'head', label: 'a department head of 忻府区', role: 'department_head', scope: OWN, department: OWN, home: OWN },
  { key: 'leader', label: 'a leader of 忻州市', role: 'leader', scope: '140900', department: 'city', home: OWN },
  { key: 'dataAdmin', label: 'a data admin of 忻府区', role: 'data_admin', scope: OWN, department: OWN, home: OWN },
  { key: 'dataAdminOther', label: 'a data admin of 原平市', role: 'data_admin', scope: OTHER, department: OTHER, home: OTHER },
  { key: 'ops', label: 'an ops operator of 忻州市', role: 'ops_operator', scope: '140900', department: 'city', home: OWN },
  { key: 'platformAdmin', label: 'a platform admin', role: 'platform_admin', scope: null, department: 'city', home: OWN },
]

const personas: Persona[] = [
  { key: 'anonymous', label: 'anonymous', home: OWN, roles: [], signedIn: false, cookie: null },
  { key: 'signedOut', label: 'a signed-out session', home: OWN, roles: [], signedIn: false, cookie: null },
  { key: 'citizen', label: 'a citizen of 忻府区', home: OWN, roles: ['citizen'], signedIn: true, cookie: null },
  { key: 'enterprise', label: 'an enterprise agent of 忻府区', home: OWN, roles: ['enterprise_agent'], signedIn: true, cookie: null },
  ...staffSpecs.map((s): Persona => ({ key: s.key, label: s.label, home: s.home, roles: [s.role], signedIn: true, cookie: null, username: `t.${s.key.toLowerCase()}` })),
  // Being staff grants nothing by itself.
  { key: 'noRoles', label: 'a staff member of 忻府区 without roles', home: OWN, roles: [], signedIn: true, cookie: null, username: 't.noroles' },
]
const persona = (key: string): Persona => {
  const p = personas.find((x) => x.key === key)
  if (!p) throw new Error(`no persona ${key}`)
  return p
}

// ---- fixtures ------------------------------------------------------------------------------------

const rng = seededRandom(3)
let counter = 0
const departments: Record<'city' | Home, string> = { city: '', [OWN]: '', [OTHER]: '' }
const communities: Record<Home, string> = { [OWN]: '', [OTHER]: '' }
let passwordHash = ''
let spare = { username: '', password: PASSWORD }
let checkpointId = ''

function sessionOf(res: LightMyRequestResponse): string {
  const c = res.cookies.find((x) => x.name === 'yw_session')
  if (res.statusCode !== 200 || !c?.value) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`)
  return `yw_session=${c.value}`
}

async function signIn(username: string): Promise<{ cookie: string; accountId: string; roles: Role[] }> {
  const res = await t.app.inject({ method: 'POST', url: '/api/auth/login/password', payload: { username, password: PASSWORD } })
  const cookie = sessionOf(res)
  const account = res.json().account as { id: string; roles: { role: Role }[] }
  return { cookie, accountId: account.id, roles: account.roles.map((r) => r.role) }
}

function newCitizen(home: Home) {
  const n = ++counter
  const birthDate = `${1960 + (n % 40)}-${String(1 + (n % 12)).padStart(2, '0')}-${String(1 + (n % 28)).padStart(2, '0')}`
  return {
    name: '矩阵居民',
    idNumber: generateIdNumber({ divisionCode: home, birthDate, sex: n % 2 ? 'male' : 'female', rng }),
    phone: newPhone(),
    password: PASSWORD,
  }
}
function newPhone(): string {
  return `1390${String(++counter).padStart(7, '0')}`
}

async function as(p: Persona | null, method: HTTPMethods, url: string, payload?: unknown): Promise<LightMyRequestResponse> {
  return t.app.inject({ method, url, payload: payload as object | undefined, headers: p?.cookie ? { cookie: p.cookie } : {} })
}

const ctx: MatrixContext = {
  department: (home) => departments[home],
  community: (home) => communities[home],
  staff: (home) => persona(home === OWN ? 'clerk' : 'clerkOther').accountId!,
  unique: (prefix) => `${prefix}${++counter}`,
  async newDepartment(home) {
    const d = await t.services.org.createDepartment(systemActor, { name: ctx.unique('临时部门'), divisionCode: home, kind: 'other' })
    return { id: d.id, version: d.version }
  },
  async newStaff(home) {
    return (await t.services.identity.createStaff('system', { name: '临时职员', username: ctx.unique('t.tmp'), passwordHash, departmentId: departments[home] })).id
  },
  async newStaffWithGrant(home) {
    const a = await t.services.identity.createStaff('system', {
      name: '临时职员', username: ctx.unique('t.tmp'), passwordHash, departmentId: departments[home], roles: [{ role: 'reviewer' }],
    })
    return { accountId: a.id, grantId: a.roles[0]!.id }
  },
  async newOidcClient() {
    const res = await as(persona('platformAdmin'), 'POST', '/api/admin/oidc-clients', { name: ctx.unique('临时应用'), redirectUris: ['https://rp.example.cn/cb'] })
    if (res.statusCode !== 201) throw new Error(`client registration failed: ${res.body}`)
    return res.json().clientId as string
  },
  newCitizen,
  newPhone,
  async smsLogin() {
    const c = newCitizen(OWN)
    await t.services.identity.createPerson('system', { name: c.name, idNumber: c.idNumber, phone: c.phone })
    await t.services.identity.sendSmsCode({ phone: c.phone })
    const sent = await t.services.identity.listSmsOutbox('system', { pageSize: 100 })
    const text = sent.items.find((m) => m.phone === c.phone)?.text ?? ''
    return { phone: c.phone, code: /\d{6}/.exec(text)?.[0] ?? '' }
  },
  get passwordLogin() {
    return spare
  },
  async throwawaySession(c) {
    const p = persona(c.key)
    return p.username ? (await signIn(p.username)).cookie : p.cookie
  },
  checkpointId: () => checkpointId,
}

beforeAll(async () => {
  const { org, identity, ledger } = t.services
  await org.importDivisions({ within: '1409' })
  for (const home of [OWN, OTHER]) {
    await org.importCommunities({ within: home })
    const street = (await org.listChildren(home))[0]!
    communities[home] = (await org.listChildren(street.code))[0]!.code
  }
  departments.city = (await org.createDepartment(systemActor, { name: '忻州市政务服务和数据管理局', divisionCode: '140900', kind: 'bureau' })).id
  departments[OWN] = (await org.createDepartment(systemActor, { name: '忻府区行政审批服务管理局', divisionCode: OWN, kind: 'bureau' })).id
  departments[OTHER] = (await org.createDepartment(systemActor, { name: '原平市行政审批服务管理局', divisionCode: OTHER, kind: 'bureau' })).id

  passwordHash = await identity.hashPassword(PASSWORD)
  for (const s of staffSpecs) {
    await identity.createStaff('system', {
      name: `矩阵${s.label}`, username: `t.${s.key.toLowerCase()}`, passwordHash, departmentId: departments[s.department],
      roles: [{ role: s.role, divisionCode: s.scope }],
    })
  }
  await identity.createStaff('system', { name: '矩阵无角色职员', username: 't.noroles', passwordHash, departmentId: departments[OWN] })
  const c = newCitizen(OWN)
  await identity.createPerson('system', { name: '张丽', idNumber: c.idNumber, phone: c.phone, passwordHash })
  const citizenId = (await identity.createPerson('system', { ...newCitizen(OWN), name: '李强' })).id
  const creditCode = generateCreditCode({ divisionCode: OWN, rng })
  await identity.createLegal('system', { name: '忻州市矩阵商贸有限公司', creditCode, agentAccountId: citizenId, passwordHash })
  const s = newCitizen(OWN)
  await identity.createPerson('system', { name: '王备', idNumber: s.idNumber, phone: s.phone, passwordHash })
  spare = { username: s.phone, password: PASSWORD }

  persona('citizen').username = c.idNumber
  persona('enterprise').username = creditCode
  for (const p of personas) {
    if (!p.username) continue
    const session = await signIn(p.username)
    expect(session.roles, `${p.label} holds the roles the matrix assumes`).toEqual(p.roles)
    Object.assign(p, { cookie: session.cookie, accountId: session.accountId })
  }
  // A session that was signed out: its cookie must count for nothing.
  const gone = await signIn(spare.username)
  expect((await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie: gone.cookie } })).statusCode).toBe(204)
  persona('signedOut').cookie = gone.cookie

  checkpointId = (await ledger.checkpoint())!.id
})

/** Successful audit entries: every write is audited, so a refused call must leave this unchanged. */
async function writes(): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from platform.audit_log where outcome = 'success'`.execute(t.core.db)
  return Number(r.rows[0]!.n)
}

const problemType = (res: LightMyRequestResponse): string | undefined => (res.headers['content-type']?.toString().includes('json') ? res.json().type : undefined)

// ---- the table against the document -------------------------------------------------------------

describe('the expectation table', () => {
  it('has an entry for every operation in the OpenAPI document', () => {
    const missing = operations.filter((op) => !routeTable[op])
    expect(missing, `routes without an authorization entry in authorization-matrix.routes.ts: ${missing.join(', ')}`).toEqual([])
  })

  it('names no operation the OpenAPI document no longer has', () => {
    const stale = Object.keys(routeTable).filter((op) => !documented.has(op))
    expect(stale, `entries for routes that no longer exist: ${stale.join(', ')}`).toEqual([])
  })

  it('lists as hidden only routes the OpenAPI document does not show', () => {
    expect(Object.keys(hiddenRoutes).filter((op) => documented.has(op))).toEqual([])
  })

  it('agrees with the OpenAPI document on which routes need the session cookie', () => {
    const wrong = operations
      .filter((op) => routeTable[op])
      .filter((op) => documented.get(op) !== (routeTable[op]!.access !== 'public'))
      .map((op) => `${op} (${documented.get(op) ? 'documented as needing a session' : 'guarded, but documented without `security`'})`)
    expect(wrong, `OpenAPI security does not match the guard: ${wrong.join('; ')}`).toEqual([])
  })
})

// ---- role × route ---------------------------------------------------------------------------------

type Verdict = 'allowed' | 'unauthenticated' | 'forbidden' | 'bearer-only'

function verdictOf(access: Access, p: Persona): Verdict {
  if (access === 'bearer-token') return 'bearer-only'
  if (access === 'public') return 'allowed'
  if (!p.signedIn) return 'unauthenticated'
  if (access === 'signed-in') return 'allowed'
  return access.some((r) => p.roles.includes(r)) ? 'allowed' : 'forbidden'
}

function accessLabel(access: Access): string {
  return typeof access === 'string' ? access : access.join(' | ')
}

interface Case {
  name: string
  op: string
  rule: RouteRule
  persona: Persona
  verdict: Verdict
}

function casesOf(op: string, rule: RouteRule): Case[] {
  return personas.map((p) => {
    const verdict = verdictOf(rule.access, p)
    const outcome = {
      allowed: `gets through (${rule.ok})`,
      unauthenticated: 'is asked to sign in (401)',
      forbidden: 'is refused (403)',
      'bearer-only': 'is refused without an access token (401)',
    }[verdict]
    return { name: `${p.label} ${outcome}`, op, rule, persona: p, verdict }
  })
}

async function requestFor(op: string, rule: RouteRule, p: Persona): Promise<MatrixRequest> {
  const path = op.slice(op.indexOf(' ') + 1)
  if (rule.request) return rule.request(ctx, p)
  if (path.includes('{')) throw new Error(`${op} has path parameters: its table entry needs a request`)
  return { url: path }
}

async function runCase({ op, rule, persona: p, verdict }: Case) {
  const method = op.slice(0, op.indexOf(' ')) as HTTPMethods
  const req = await requestFor(op, rule, p)
  const cookie = req.cookie === undefined ? p.cookie : req.cookie
  const before = verdict === 'allowed' ? 0 : await writes()
  const res = await t.app.inject({ method, url: req.url, payload: req.payload as object | undefined, headers: cookie ? { cookie } : {} })
  const seen = `${p.label}: ${method} ${req.url} → ${res.statusCode} ${res.body.slice(0, 300)}`
  switch (verdict) {
    case 'allowed':
      expect(res.statusCode, seen).toBe(rule.ok)
      return
    case 'unauthenticated':
      expect(res.statusCode, seen).toBe(401)
      expect(problemType(res), seen).toBe('urn:yiwang:problem:unauthenticated')
      break
    case 'forbidden':
      expect(res.statusCode, seen).toBe(403)
      expect(problemType(res), seen).toBe('urn:yiwang:problem:forbidden')
      break
    case 'bearer-only':
      expect(res.statusCode, seen).toBe(401)
      expect(res.json().error, seen).toBe('invalid_token')
      break
  }
  expect(await writes(), `${seen}: a refused call wrote something`).toBe(before)
}

const matrix = [
  ...operations.filter((op) => routeTable[op]).map((op) => [op, routeTable[op]!] as const),
  ...Object.entries(hiddenRoutes).map(([op, rule]) => [`${op}`, rule] as const),
]

describe.each(matrix.map(([op, rule]) => [`${op} — ${accessLabel(rule.access)}`, op, rule] as const))('%s', (_title, op, rule) => {
  it.each(casesOf(op, rule).map((c) => [c.name, c] as const))('%s', (_name, c) => runCase(c))
})

// ---- division scope ---------------------------------------------------------------------------------

const problem = (res: LightMyRequestResponse) => `${res.statusCode} ${res.body.slice(0, 300)}`

/** Asserts a 403 out-of-scope answer and that nothing was written. */
async function expectOutOfScope(call: () => Promise<LightMyRequestResponse>) {
  const before = await writes()
  const res = await call()
  expect(res.statusCode, problem(res)).toBe(403)
  expect(problemType(res), problem(res)).toBe('urn:yiwang:problem:out-of-scope')
  expect(await writes(), 'nothing is written').toBe(before)
  return res
}
async function expectForbidden(call: () => Promise<LightMyRequestResponse>) {
  const before = await writes()
  const res = await call()
  expect(res.statusCode, problem(res)).toBe(403)
  expect(await writes(), 'nothing is written').toBe(before)
  return res
}

/** Every item of a paginated admin list, as the persona sees it. */
async function everything<T>(p: Persona, url: string): Promise<{ items: T[]; total: number }> {
  const items: T[] = []
  let total = 0
  for (let page = 1; ; page++) {
    const res = await as(p, 'GET', `${url}${url.includes('?') ? '&' : '?'}page=${page}&pageSize=100`)
    expect(res.statusCode, problem(res)).toBe(200)
    const body = res.json() as { items: T[]; total: number }
    items.push(...body.items)
    total = body.total
    if (body.items.length < 100) break
  }
  return { items, total }
}

async function departmentsNamed(name: string): Promise<number> {
  return (await as(null, 'GET', `/api/org/departments?q=${encodeURIComponent(name)}`)).json().total
}

describe('division scope: departments', () => {
  it('a data admin of 忻府区 creates a department in 忻府区', async () => {
    const name = ctx.unique('忻府区矩阵局')
    const res = await as(persona('dataAdmin'), 'POST', '/api/org/departments', { name, divisionCode: OWN, kind: 'bureau' })
    expect(res.statusCode, problem(res)).toBe(201)
    expect(res.json()).toMatchObject({ name, divisionCode: OWN })
  })

  it('a data admin of 原平市 cannot create a department in 忻府区, and none appears', async () => {
    const name = ctx.unique('越权局')
    await expectOutOfScope(() => as(persona('dataAdminOther'), 'POST', '/api/org/departments', { name, divisionCode: OWN, kind: 'bureau' }))
    expect(await departmentsNamed(name)).toBe(0)
  })

  it('a data admin of 忻府区 cannot create a department in 原平市 or for the whole city', async () => {
    for (const divisionCode of [OTHER, '140900', '140981001']) {
      const name = ctx.unique('越权局')
      await expectOutOfScope(() => as(persona('dataAdmin'), 'POST', '/api/org/departments', { name, divisionCode, kind: 'bureau' }))
      expect(await departmentsNamed(name)).toBe(0)
    }
  })

  it('a window clerk of 原平市 cannot create a department in 忻府区', async () => {
    const name = ctx.unique('越权局')
    const res = await expectForbidden(() => as(persona('clerkOther'), 'POST', '/api/org/departments', { name, divisionCode: OWN, kind: 'bureau' }))
    expect(problemType(res)).toBe('urn:yiwang:problem:forbidden')
    expect(await departmentsNamed(name)).toBe(0)
  })

  it('a window clerk of 忻府区 cannot create a department in its own district either', async () => {
    const name = ctx.unique('越权局')
    const res = await expectForbidden(() => as(persona('clerk'), 'POST', '/api/org/departments', { name, divisionCode: OWN, kind: 'bureau' }))
    expect(problemType(res)).toBe('urn:yiwang:problem:forbidden')
    expect(await departmentsNamed(name)).toBe(0)
  })

  it('a platform admin creates departments in both districts', async () => {
    for (const divisionCode of [OWN, OTHER]) {
      const res = await as(persona('platformAdmin'), 'POST', '/api/org/departments', { name: ctx.unique('平台局'), divisionCode, kind: 'bureau' })
      expect(res.statusCode, problem(res)).toBe(201)
    }
  })

  it('a data admin of 忻府区 edits a 忻府区 department', async () => {
    const d = await ctx.newDepartment(OWN)
    const res = await as(persona('dataAdmin'), 'PATCH', `/api/org/departments/${d.id}`, { version: d.version, address: '忻州市忻府区和平街' })
    expect(res.statusCode, problem(res)).toBe(200)
    expect(res.json()).toMatchObject({ address: '忻州市忻府区和平街', version: d.version + 1 })
  })

  it('a data admin of 原平市 cannot edit a 忻府区 department, which stays as it was', async () => {
    const d = await ctx.newDepartment(OWN)
    const before = (await as(null, 'GET', `/api/org/departments/${d.id}`)).json()
    await expectOutOfScope(() => as(persona('dataAdminOther'), 'PATCH', `/api/org/departments/${d.id}`, { version: d.version, name: '被改名的部门' }))
    expect((await as(null, 'GET', `/api/org/departments/${d.id}`)).json()).toEqual(before)
  })

  it('a data admin of 忻府区 cannot move its own department to 原平市', async () => {
    const d = await ctx.newDepartment(OWN)
    const before = (await as(null, 'GET', `/api/org/departments/${d.id}`)).json()
    await expectOutOfScope(() => as(persona('dataAdmin'), 'PATCH', `/api/org/departments/${d.id}`, { version: d.version, divisionCode: OTHER }))
    expect((await as(null, 'GET', `/api/org/departments/${d.id}`)).json()).toEqual(before)
  })

  it('a data admin of 忻府区 cannot edit a 原平市 department', async () => {
    const d = await ctx.newDepartment(OTHER)
    const before = (await as(null, 'GET', `/api/org/departments/${d.id}`)).json()
    await expectOutOfScope(() => as(persona('dataAdmin'), 'PATCH', `/api/org/departments/${d.id}`, { version: d.version, phone: '0350-0000000' }))
    expect((await as(null, 'GET', `/api/org/departments/${d.id}`)).json()).toEqual(before)
  })
})

describe('division scope: positions and grid cells', () => {
  const positionNames = async (departmentId: string) =>
    ((await as(null, 'GET', `/api/org/departments/${departmentId}/positions`)).json().items as { name: string }[]).map((x) => x.name)
  const cellNames = async (community: string) =>
    ((await as(null, 'GET', `/api/org/grid-cells?communityCode=${community}`)).json().items as { name: string }[]).map((x) => x.name)

  it('a data admin of 忻府区 adds a position to a 忻府区 department', async () => {
    const name = ctx.unique('综合科科员')
    const res = await as(persona('dataAdmin'), 'POST', `/api/org/departments/${departments[OWN]}/positions`, { name })
    expect(res.statusCode, problem(res)).toBe(201)
    expect(await positionNames(departments[OWN])).toContain(name)
  })

  it('a data admin of 原平市 cannot add a position to a 忻府区 department, and none appears', async () => {
    const name = ctx.unique('越权岗位')
    await expectOutOfScope(() => as(persona('dataAdminOther'), 'POST', `/api/org/departments/${departments[OWN]}/positions`, { name }))
    expect(await positionNames(departments[OWN])).not.toContain(name)
  })

  it('a data admin of 忻府区 adds a grid cell to a 忻府区 community', async () => {
    const name = ctx.unique('第一网格')
    const res = await as(persona('dataAdmin'), 'POST', '/api/org/grid-cells', { communityCode: communities[OWN], name })
    expect(res.statusCode, problem(res)).toBe(201)
    expect(await cellNames(communities[OWN])).toContain(name)
  })

  it('a data admin of 原平市 cannot add a grid cell to a 忻府区 community, and none appears', async () => {
    const name = ctx.unique('越权网格')
    await expectOutOfScope(() => as(persona('dataAdminOther'), 'POST', '/api/org/grid-cells', { communityCode: communities[OWN], name }))
    expect(await cellNames(communities[OWN])).not.toContain(name)
  })

  it('a data admin of 忻府区 cannot add a grid cell to a 原平市 community', async () => {
    const name = ctx.unique('越权网格')
    await expectOutOfScope(() => as(persona('dataAdmin'), 'POST', '/api/org/grid-cells', { communityCode: communities[OTHER], name }))
    expect(await cellNames(communities[OTHER])).not.toContain(name)
  })
})

describe('division scope: accounts and role grants', () => {
  const staffBody = (username: string, departmentId: string, roles?: unknown[]) => ({
    kind: 'staff', name: '矩阵新职员', username, password: PASSWORD, departmentId, ...(roles ? { roles } : {}),
  })
  const accountsMatching = async (q: string) => (await as(persona('platformAdmin'), 'GET', `/api/admin/accounts?q=${encodeURIComponent(q)}`)).json().total as number
  const rolesOf = async (accountId: string) => (await as(persona('platformAdmin'), 'GET', `/api/admin/accounts/${accountId}`)).json().roles

  it('a data admin of 忻府区 creates a staff account in a 忻府区 department', async () => {
    const username = ctx.unique('t.own')
    const res = await as(persona('dataAdmin'), 'POST', '/api/admin/accounts', staffBody(username, departments[OWN], [{ role: 'window_clerk' }]))
    expect(res.statusCode, problem(res)).toBe(201)
    expect(res.json()).toMatchObject({ username, divisionCode: OWN, roles: [{ role: 'window_clerk', divisionCode: OWN }] })
  })

  it('a data admin of 原平市 cannot create a staff account in a 忻府区 department, and none appears', async () => {
    const username = ctx.unique('t.intruder')
    await expectOutOfScope(() => as(persona('dataAdminOther'), 'POST', '/api/admin/accounts', staffBody(username, departments[OWN])))
    expect(await accountsMatching(username)).toBe(0)
  })

  it('a data admin of 忻府区 cannot give a new account a role beyond its district', async () => {
    for (const grant of [{ role: 'data_admin', divisionCode: '140900' }, { role: 'window_clerk', divisionCode: OTHER }, { role: 'reviewer', departmentId: departments[OTHER] }]) {
      const username = ctx.unique('t.escalate')
      await expectOutOfScope(() => as(persona('dataAdmin'), 'POST', '/api/admin/accounts', staffBody(username, departments[OWN], [grant])))
      expect(await accountsMatching(username), JSON.stringify(grant)).toBe(0)
    }
  })

  it('a data admin of 忻府区 cannot make anyone a platform admin or grant a platform-wide role', async () => {
    const target = await ctx.newStaff(OWN)
    for (const grant of [{ role: 'platform_admin' }, { role: 'platform_admin', divisionCode: OWN }, { role: 'data_admin', divisionCode: null }]) {
      await expectForbidden(() => as(persona('dataAdmin'), 'POST', `/api/admin/accounts/${target}/roles`, grant))
    }
    await expectForbidden(() => as(persona('dataAdmin'), 'POST', `/api/admin/accounts/${persona('dataAdmin').accountId}/roles`, { role: 'platform_admin' }))
    expect(await rolesOf(target)).toEqual([])
  })

  it('a data admin of 忻府区 grants a role to 忻府区 staff', async () => {
    const target = await ctx.newStaff(OWN)
    const res = await as(persona('dataAdmin'), 'POST', `/api/admin/accounts/${target}/roles`, { role: 'department_head' })
    expect(res.statusCode, problem(res)).toBe(201)
    expect(await rolesOf(target)).toMatchObject([{ role: 'department_head', divisionCode: OWN }])
  })

  it('a data admin of 原平市 cannot grant a role to 忻府区 staff, whose roles stay as they were', async () => {
    const target = await ctx.newStaffWithGrant(OWN)
    const before = await rolesOf(target.accountId)
    await expectOutOfScope(() => as(persona('dataAdminOther'), 'POST', `/api/admin/accounts/${target.accountId}/roles`, { role: 'leader' }))
    expect(await rolesOf(target.accountId)).toEqual(before)
  })

  it('a data admin of 忻府区 cannot give its own staff a role in 原平市', async () => {
    const target = await ctx.newStaff(OWN)
    await expectOutOfScope(() => as(persona('dataAdmin'), 'POST', `/api/admin/accounts/${target}/roles`, { role: 'reviewer', divisionCode: OTHER }))
    await expectOutOfScope(() => as(persona('dataAdmin'), 'POST', `/api/admin/accounts/${target}/roles`, { role: 'reviewer', departmentId: departments[OTHER] }))
    expect(await rolesOf(target)).toEqual([])
  })

  it('a data admin of 原平市 cannot revoke a 忻府区 grant, which stays', async () => {
    const target = await ctx.newStaffWithGrant(OWN)
    await expectOutOfScope(() => as(persona('dataAdminOther'), 'DELETE', `/api/admin/accounts/${target.accountId}/roles/${target.grantId}`))
    expect(await rolesOf(target.accountId)).toMatchObject([{ id: target.grantId }])
  })

  it('a data admin of 忻府区 cannot revoke a 原平市 grant by naming it under a 忻府区 account', async () => {
    const own = await ctx.newStaff(OWN)
    const other = await ctx.newStaffWithGrant(OTHER)
    const before = await writes()
    const res = await as(persona('dataAdmin'), 'DELETE', `/api/admin/accounts/${own}/roles/${other.grantId}`)
    expect(res.statusCode, problem(res)).toBe(404)
    expect(await writes()).toBe(before)
    expect(await rolesOf(other.accountId)).toMatchObject([{ id: other.grantId }])
  })

  it('a data admin of 忻府区 revokes a 忻府区 grant', async () => {
    const target = await ctx.newStaffWithGrant(OWN)
    const res = await as(persona('dataAdmin'), 'DELETE', `/api/admin/accounts/${target.accountId}/roles/${target.grantId}`)
    expect(res.statusCode, problem(res)).toBe(204)
    expect(await rolesOf(target.accountId)).toEqual([])
  })

  it('a data admin of 忻府区 cannot revoke the platform admin’s platform-wide grant', async () => {
    const admin = persona('platformAdmin').accountId!
    const grant = (await rolesOf(admin))[0].id as string
    const res = await as(persona('dataAdmin'), 'DELETE', `/api/admin/accounts/${admin}/roles/${grant}`)
    expect(res.statusCode, problem(res)).toBe(403)
    expect(await rolesOf(admin)).toMatchObject([{ id: grant, role: 'platform_admin', divisionCode: null }])
  })

  it('a data admin reads accounts of its own district only', async () => {
    const ownClerk = persona('clerk').accountId!
    const otherClerk = persona('clerkOther').accountId!
    expect((await as(persona('dataAdmin'), 'GET', `/api/admin/accounts/${ownClerk}`)).statusCode).toBe(200)
    await expectOutOfScope(() => as(persona('dataAdmin'), 'GET', `/api/admin/accounts/${otherClerk}`))
    await expectOutOfScope(() => as(persona('dataAdminOther'), 'GET', `/api/admin/accounts/${ownClerk}`))
    await expectOutOfScope(() => as(persona('dataAdmin'), 'GET', `/api/admin/accounts/${persona('platformAdmin').accountId}`))
  })
})

describe('division scope: lists show a data admin its own district only', () => {
  type Summary = { id: string; divisionCode: string | null; username: string | null }
  type AuditRow = { id: string; action: string; divisionCode: string | null; actorId: string | null }

  it('/api/admin/accounts gives the data admin of 忻府区 exactly the 忻府区 accounts', async () => {
    const all = await everything<Summary>(persona('platformAdmin'), '/api/admin/accounts')
    const own = await everything<Summary>(persona('dataAdmin'), '/api/admin/accounts')
    const leaked = own.items.filter((a) => !a.divisionCode?.startsWith(OWN))
    expect(leaked, `accounts outside 忻府区: ${leaked.map((a) => `${a.id}@${a.divisionCode}`).join(', ')}`).toEqual([])
    expect(own.items.map((a) => a.id).sort()).toEqual(all.items.filter((a) => a.divisionCode?.startsWith(OWN)).map((a) => a.id).sort())
    expect(own.total).toBe(own.items.length)
    expect(own.items.map((a) => a.id)).toContain(persona('clerk').accountId)
    expect(own.items.map((a) => a.id)).not.toContain(persona('clerkOther').accountId)
  })

  it('/api/admin/accounts gives the data admin of 原平市 nothing of 忻府区', async () => {
    const other = await everything<Summary>(persona('dataAdminOther'), '/api/admin/accounts')
    expect(other.items.filter((a) => !a.divisionCode?.startsWith(OTHER))).toEqual([])
    expect(other.items.map((a) => a.id)).toContain(persona('clerkOther').accountId)
  })

  it('searching finds no 原平市 account for the data admin of 忻府区, by username or by ID number', async () => {
    const c = newCitizen(OTHER)
    await t.services.identity.createPerson('system', { name: '原平居民', idNumber: c.idNumber, phone: c.phone })
    for (const q of [persona('clerkOther').username!, c.idNumber, c.phone, '原平']) {
      const res = await as(persona('dataAdmin'), 'GET', `/api/admin/accounts?q=${encodeURIComponent(q)}`)
      expect(res.statusCode).toBe(200)
      expect(res.json().items.filter((a: Summary) => !a.divisionCode?.startsWith(OWN)), q).toEqual([])
    }
    // …while the platform admin does find them.
    expect((await as(persona('platformAdmin'), 'GET', `/api/admin/accounts?q=${c.idNumber}`)).json().total).toBe(1)
  })

  it('/api/admin/audit gives the data admin of 忻府区 exactly the 忻府区 entries', async () => {
    const own = await everything<AuditRow>(persona('dataAdmin'), '/api/admin/audit')
    const leaked = own.items.filter((e) => !e.divisionCode?.startsWith(OWN))
    expect(leaked, `audit entries outside 忻府区: ${leaked.map((e) => `${e.action}@${e.divisionCode}`).join(', ')}`).toEqual([])
    const inDb = await sql<{ n: number }>`select count(*)::int as n from platform.audit_log where division_code like ${`${OWN}%`}`.execute(t.core.db)
    expect(own.total).toBe(Number(inDb.rows[0]!.n))
    expect(own.items.some((e) => e.action === 'org.department.created')).toBe(true)
  })

  it('/api/admin/audit gives the data admin of 原平市 none of 忻府区’s entries, even filtered by a 忻府区 actor', async () => {
    const other = await everything<AuditRow>(persona('dataAdminOther'), '/api/admin/audit')
    expect(other.items.filter((e) => !e.divisionCode?.startsWith(OTHER))).toEqual([])
    expect(other.items.some((e) => e.action === 'org.department.created')).toBe(true)
    const byOwnAdmin = await everything<AuditRow>(persona('dataAdminOther'), `/api/admin/audit?actorId=${persona('dataAdmin').accountId}`)
    expect(byOwnAdmin.items.filter((e) => !e.divisionCode?.startsWith(OTHER))).toEqual([])
  })

  it('the platform admin sees the audit entries of both districts', async () => {
    const all = await everything<AuditRow>(persona('platformAdmin'), '/api/admin/audit?action=org.department.created')
    const divisions = new Set(all.items.map((e) => e.divisionCode))
    expect(divisions.has(OWN) && divisions.has(OTHER)).toBe(true)
  })
})

describe('division scope: a wider grant covers what lies beneath it', () => {
  it('a data admin of 忻州市 acts in both its districts but not in 太原市', async () => {
    const username = ctx.unique('t.cityadmin')
    await t.services.identity.createStaff('system', {
      name: '忻州市数据管理员', username, passwordHash, departmentId: departments.city, roles: [{ role: 'data_admin', divisionCode: '140900' }],
    })
    const cityAdmin: Persona = { key: 'cityAdmin', label: 'a data admin of 忻州市', home: OWN, roles: ['data_admin'], signedIn: true, cookie: (await signIn(username)).cookie }
    for (const divisionCode of [OWN, OTHER, '140981001']) {
      const res = await as(cityAdmin, 'POST', '/api/org/departments', { name: ctx.unique('市管局'), divisionCode, kind: 'bureau' })
      expect(res.statusCode, problem(res)).toBe(201)
    }
    await expectOutOfScope(() => as(cityAdmin, 'POST', '/api/org/departments', { name: ctx.unique('越权局'), divisionCode: '140100', kind: 'bureau' }))
    const accounts = await everything<{ divisionCode: string | null }>(cityAdmin, '/api/admin/accounts')
    expect(accounts.items.every((a) => a.divisionCode?.startsWith('1409'))).toBe(true)
    expect(accounts.items.some((a) => a.divisionCode === OWN) && accounts.items.some((a) => a.divisionCode === OTHER)).toBe(true)
  })
})

describe('cross-site requests', () => {
  it('a request from another site carrying the platform admin’s session is refused, and nothing is written', async () => {
    const before = await writes()
    const res = await t.app.inject({
      method: 'POST', url: '/api/org/departments', payload: { name: ctx.unique('跨站局'), divisionCode: OWN, kind: 'bureau' },
      headers: { cookie: persona('platformAdmin').cookie!, origin: 'https://evil.example.com' },
    })
    expect(res.statusCode, problem(res)).toBe(403)
    expect(problemType(res)).toBe('urn:yiwang:problem:csrf')
    expect(await writes()).toBe(before)
  })
})
