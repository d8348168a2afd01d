import fs from 'node:fs'
import ExcelJS from 'exceljs'
import type { HTTPMethods, LightMyRequestResponse } from 'fastify'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { XLSX_MIME, type GuideInput, type StepRole } from '../modules/catalog/index.js'
import { generateCreditCode, generateIdNumber, seededRandom } from '../modules/identity/index.js'
import { systemActor } from '../platform/audit.js'
import type { Role } from '../platform/roles.js'
import {
  hiddenRoutes, routeTable, type Access, type CaseRef, type Caller, type Home, type MatrixContext, type MatrixRequest, type Refusal, type RouteRule, type StaffStage,
} from './authorization-matrix.routes.js'
import { createTestApp } from './harness.js'
import { createHotlineFixtures } from './authorization-matrix.hotline.js'

/**
 * The authorization matrix (issue 3): every route × every role × (own district, other district,
 * anonymous). The routes come from the live OpenAPI document, so a new route without an entry in
 * authorization-matrix.routes.ts fails here. Personas are real accounts signed in through the
 * password route. Then explicit cases for division scope: a data admin of 原平市 (140981) acting
 * on 忻府区 (140902) is refused and nothing changes; lists show a scoped admin its district only;
 * catalog editors, case staff and registry readers stay within theirs; applicants see only their own cases.
 */

const PASSWORD = 'Matrix#2026'
const OWN: Home = '140902'
const OTHER: Home = '140981'

// One app for the whole file; built at collection time because the cases come from its OpenAPI document.
// Rate limits off: the suite signs in and writes far faster than any person.
const t = await createTestApp({ RATE_LIMIT_SCALE: '0' })
afterAll(async () => {
  await t.close()
  fs.rmSync(t.core.config.DATA_DIR, { recursive: true, force: true })
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
  /** The grant names the department (and so its division) rather than the division alone. */
  departmentGrant?: boolean
  home: Home
}

const staffSpecs: StaffSpec[] = [
  { key: 'clerk', label: 'a window clerk of 忻府区', role: 'window_clerk', scope: OWN, department: OWN, home: OWN },
  { key: 'clerkOther', label: 'a window clerk of 原平市', role: 'window_clerk', scope: OTHER, department: OTHER, home: OTHER },
  { key: 'reviewer', label: 'a reviewer of 忻府区', role: 'reviewer', scope: OWN, department: OWN, home: OWN },
  // Head of the department that implements the suite's 忻府区 items (catalog editing is per department).
  { key: 'head', label: 'a department head of 忻府区', role: 'department_head', scope: OWN, department: OWN, departmentGrant: true, home: OWN },
  { key: 'leader', label: 'a leader of 忻州市', role: 'leader', scope: '140900', department: 'city', home: OWN },
  { key: 'dataAdmin', label: 'a data admin of 忻府区', role: 'data_admin', scope: OWN, department: OWN, home: OWN },
  { key: 'dataAdminOther', label: 'a data admin of 原平市', role: 'data_admin', scope: OTHER, department: OTHER, home: OTHER },
  { key: 'ops', label: 'an ops operator of 忻州市', role: 'ops_operator', scope: '140900', department: 'city', home: OWN },
  { key: 'platformAdmin', label: 'a platform admin', role: 'platform_admin', scope: null, department: 'city', home: OWN },
  { key: 'rxOperator', label: 'a 12345 hotline operator of 忻州市', role: 'hotline_operator', scope: '140900', department: 'city', home: OWN },
  { key: 'rxAdmin', label: 'a 12345 hotline admin of 忻州市', role: 'hotline_admin', scope: '140900', department: 'city', home: OWN },
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
/** The account that owns the 一件事 drafts others are invited to (the enterprise's agent, without a session). */
let inviterId = ''
let matrixBundle: Promise<unknown> | undefined
type RegistryFixtures = ReturnType<MatrixContext['registry']>
const registryFixtures: Partial<Record<Home, RegistryFixtures>> = {}
/** The signed-in citizen's own population record. */
let citizenPersonId = ''

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

async function as(p: Persona | null, method: HTTPMethods, url: string, payload?: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return t.app.inject({ method, url, payload: payload as object | undefined, headers: { ...headers, ...(p?.cookie ? { cookie: p.cookie } : {}) } })
}

/** The body of a fixture call that must succeed (fixtures fail loudly, not as a wrong verdict). */
function must(res: LightMyRequestResponse, status: number, what: string): any {
  if (res.statusCode !== status) throw new Error(`fixture ${what}: ${res.statusCode} ${res.body.slice(0, 300)}`)
  return res.statusCode === 204 ? undefined : res.json()
}

// ---- catalog and case fixtures ---------------------------------------------------------------------

interface ItemRef {
  itemId: string
  versionId: string
  code: string
}
const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n')
const standingItems: Partial<Record<Home, ItemRef>> = {}
const itemsBySteps = new Map<string, Promise<ItemRef>>()
/** Per district, a staff account holding every case role there: it moves fixture cases along. */
const hands: Partial<Record<Home, Persona>> = {}

function guideFor(home: Home, steps: StepRole[] = ['reviewer']): GuideInput {
  return {
    name: ctx.unique('矩阵测试事项'),
    type: 'public_service',
    departmentId: departments[home],
    applicableTo: 'both',
    legalBasis: '《权限矩阵测试办法》第三条',
    conditions: '权限矩阵测试的申请人',
    materials: [
      { code: 'proof', name: '补充证明材料', requirement: 'conditional', condition: '窗口要求补正时', form: 'electronic' },
      // An e-license can stand in for it (the 一件事 license consent needs a material of its type).
      { code: 'id_card', name: '申请人居民身份证', requirement: 'conditional', condition: '窗口核验身份时', form: 'original', licenseType: 'resident_id_card' },
    ],
    legalDays: 20,
    promisedDays: 5,
    handlingClass: 'time_limited',
    mode: 'fully_online',
    visits: 0,
    reviewSteps: steps.map((role, i) => ({ name: i === steps.length - 1 ? '决定' : '审查', role })),
  }
}

async function publishedItem(home: Home, steps: StepRole[] = ['reviewer']): Promise<ItemRef> {
  const draft = await t.services.catalog.createItem(systemActor, guideFor(home, steps))
  const v = await t.services.catalog.publish(systemActor, draft.itemId, { revision: draft.revision })
  return { itemId: v.itemId, versionId: v.id, code: v.code }
}

/** One published item per district and review steps, made when first needed. */
function itemWith(home: Home, steps: StepRole[]): Promise<ItemRef> {
  const key = `${home}|${steps.join(',')}`
  let item = itemsBySteps.get(key)
  if (!item) {
    item = publishedItem(home, steps)
    itemsBySteps.set(key, item)
  }
  return item
}

/** A draft of the applicant for the item, with a PDF for `proof` if asked. */
async function draftCase(applicant: Persona, item: ItemRef, withFile = false): Promise<CaseRef> {
  const d = must(await as(applicant, 'POST', '/api/cases', { itemVersionId: item.versionId }), 201, 'draft')
  const ref: CaseRef = { id: d.id, version: d.version }
  if (withFile) {
    const f = must(await as(applicant, 'PUT', `/api/cases/${d.id}/materials/proof?fileName=proof.pdf`, PDF, { 'content-type': 'application/pdf' }), 201, 'upload')
    ref.fileId = f.id
  }
  return ref
}

/** Runs a case action as `p`; the case's new version. */
async function act(p: Persona, ref: CaseRef, action: string, body: object = {}): Promise<CaseRef> {
  const d = must(await as(p, 'POST', `/api/cases/${ref.id}/${action}`, { version: ref.version, ...body }), 200, action)
  return { ...ref, version: d.version }
}

/** The review step a caller performs: its own step role; a window clerk's (which reviews nothing) is a reviewer's. */
function stepRoleOf(c: Caller): StepRole {
  return (['reviewer', 'department_head', 'leader'] as const).find((r) => c.roles.includes(r)) ?? 'reviewer'
}

async function staffCase(c: Caller, stage: StaffStage, opts: { withFile?: boolean } = {}): Promise<CaseRef> {
  const role = stepRoleOf(c)
  const item = await itemWith(c.home, stage === 'review' ? [role, role] : [role])
  const hand = hands[c.home]!
  let ref = await act(persona('citizen'), await draftCase(persona('citizen'), item, opts.withFile), 'submit')
  if (stage === 'submitted') return ref
  ref = await act(hand, ref, 'accept')
  if (stage === 'review' || stage === 'decide') return ref
  ref = await act(hand, ref, 'approve')
  if (stage === 'approved') return ref
  ref = await act(hand, ref, 'issue-result')
  if (stage === 'result_issued') return ref
  return act(hand, ref, 'deliver', { method: 'pickup' })
}

const isApplicant = (c: Caller) => c.roles.some((r) => r === 'citizen' || r === 'enterprise_agent')

/** A new subject rateable by the account, as if a case of the district's department had closed. */
async function ratingSubject(raterId: string, home: Home): Promise<{ refId: string; subjectId: string }> {
  const refId = ctx.unique('app_matrix_rating_')
  const { subjectId } = await t.services.rating.recordSubject({
    kind: 'case', refId, label: refId, raterId, departmentId: departments[home], departmentName: '矩阵部门', divisionCode: home, itemId: null, itemName: null, at: t.clock.now(),
  })
  return { refId, subjectId }
}

async function ownCase(c: Caller, stage: 'draft' | 'submitted' | 'supplement_requested', opts: { withFile?: boolean } = {}): Promise<CaseRef> {
  const applicant = isApplicant(c) ? persona(c.key) : persona('citizen')
  const ref = await draftCase(applicant, standingItems[c.home]!, opts.withFile)
  if (stage === 'draft') return ref
  const submitted = await act(applicant, ref, 'submit')
  if (stage === 'submitted') return submitted
  return act(hands[c.home]!, submitted, 'request-supplement', { items: [{ materialCode: 'proof', description: '请补充证明材料' }] })
}

/** A workbook as exported, cut down to one new published item of each district given, each renamed. */
async function workbookOf(...homes: Home[]): Promise<{ workbook: Buffer; items: ItemRef[] }> {
  const items = await Promise.all(homes.map((home) => publishedItem(home)))
  const codes = new Set(items.map((i) => i.code))
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load((await t.services.catalog.exportWorkbook()) as unknown as ArrayBuffer)
  for (const ws of wb.worksheets) {
    // Column 1 is the item code on every sheet.
    for (let r = ws.rowCount; r >= 2; r--) if (!codes.has(String(ws.getRow(r).getCell(1).value))) ws.spliceRows(r, 1)
  }
  const sheet = wb.worksheets[0]!
  const nameColumn = (sheet.getRow(1).values as unknown[]).indexOf('事项名称')
  if (nameColumn < 1 || sheet.rowCount !== items.length + 1) throw new Error(`unexpected export layout: ${JSON.stringify(sheet.getRow(1).values)}`)
  for (let r = 2; r <= sheet.rowCount; r++) sheet.getRow(r).getCell(nameColumn).value = ctx.unique('矩阵导入事项')
  return { workbook: Buffer.from(await wb.xlsx.writeBuffer()), items }
}

const ctx: MatrixContext = {
  hotline: createHotlineFixtures({
    services: () => t.services, department: (home) => departments[home], community: (home) => communities[home], citizenId: () => persona('citizen').accountId!, unique: (prefix) => ctx.unique(prefix),
  }),
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
  registry: (home) => registryFixtures[home]!,
  async newRegistryRecord(home, kind) {
    const { registries } = t.services
    if (kind === 'person') {
      const c = newCitizen(home)
      const p = await registries.createPerson('system', { idNumber: c.idNumber, name: c.name, ethnicity: '01', householdDivisionCode: home })
      return { id: p.id, version: p.version }
    }
    const e = await registries.createEntity('system', { creditCode: ctx.newCreditCode(home), name: ctx.unique('矩阵企业'), type: 'limited_company' })
    return { id: e.id, version: e.version }
  },
  newCreditCode: (home) => generateCreditCode({ divisionCode: home, rng }),
  item: (home) => standingItems[home]!,
  newGuide: (home) => guideFor(home) as Record<string, unknown>,
  async newItem(home, state) {
    const { catalog } = t.services
    const draft = await catalog.createItem(systemActor, guideFor(home))
    if (state === 'draft') return { itemId: draft.itemId, versionId: draft.id, revision: draft.revision }
    await catalog.publish(systemActor, draft.itemId, { revision: draft.revision })
    const v = state === 'redraft' ? await catalog.startDraft(systemActor, draft.itemId) : (await catalog.getPublishedVersion(draft.itemId))!
    return { itemId: v.itemId, versionId: v.id, revision: v.revision }
  },
  workbook: async (home) => (await workbookOf(home)).workbook,
  ownCase,
  staffCase,
  async notice(c) {
    const applicant = isApplicant(c) ? persona(c.key) : persona('citizen')
    const k = await ownCase(applicant, 'submitted')
    const inbox = must(await as(applicant, 'GET', '/api/inbox?unread=true&pageSize=100'), 200, 'inbox')
    const n = (inbox.items as { id: string; applicationId: string }[]).find((x) => x.applicationId === k.id)
    if (!n) throw new Error('fixture notice: submitting left no notice')
    return n.id
  },
  pdf: PDF,
  async rateable(c) {
    const rater = isApplicant(c) ? persona(c.key) : persona('citizen')
    return { kind: 'case', refId: (await ratingSubject(rater.accountId!, c.home)).refId }
  },
  async ratingToken(home) {
    return t.services.rating.tokenOf((await ratingSubject(persona('citizen').accountId!, home)).subjectId)
  },
  async rectification(home, stage) {
    const citizen = persona('citizen')
    const s = await ratingSubject(citizen.accountId!, home)
    const rater = { accountId: citizen.accountId!, sessionId: 'matrix', kind: 'person' as const, name: '张丽', grants: [{ role: 'citizen' as const, divisionCode: home, departmentId: null }] }
    const view = await t.services.rating.rate(rater, 'case', s.refId, { level: 1, tags: [], channel: 'web' }, {})
    const r = view.rectification!
    if (stage === 'open') return { id: r.id, version: 1 }
    const head = { accountId: 'acc_matrix_head', sessionId: 'matrix', kind: 'staff' as const, name: '矩阵整改', grants: [{ role: 'department_head' as const, divisionCode: home, departmentId: departments[home] }] }
    return { id: r.id, version: (await t.services.rating.answer(head, r.id, { version: 1, answer: '已整改' }, {})).version }
  },
  async license(c, opts = {}) {
    const { licenses, identity } = t.services
    const holder = c.roles.includes('citizen') || c.roles.includes('enterprise_agent') ? persona(c.key) : persona('citizen')
    const accountId = holder.accountId!
    const entity = holder.roles.includes('enterprise_agent')
    const me = (await identity.getMe(accountId))!
    const departmentId = departments[c.home]
    const l = entity
      ? await licenses.issue('system', { type: 'business_license', departmentId, holder: { kind: 'entity', id: me.creditCode!, name: me.name }, fields: { entityType: '有限责任公司', legalRepresentative: '张丽', establishedOn: '2020-01-01', address: '忻府区矩阵路1号' } })
      : await licenses.issue('system', { type: 'resident_id_card', departmentId, holder: { kind: 'person', id: (await identity.revealIdNumber(accountId))!, name: me.name }, fields: { sex: '女', birthDate: '1990-01-01' } })
    const principal = { accountId, sessionId: 'matrix', kind: (entity ? 'legal' : 'person') as 'legal' | 'person', name: me.name, grants: [{ role: (entity ? 'enterprise_agent' : 'citizen') as Role, divisionCode: c.home, departmentId: null }] }
    const head = { accountId: 'acc_matrix_lic', sessionId: 'matrix', kind: 'staff' as const, name: '矩阵发证', grants: [{ role: 'department_head' as const, divisionCode: c.home, departmentId }] }
    if (opts.suspended) await licenses.changeStatus(head, l.id, 'suspend', '权限矩阵')
    const detail = await licenses.getMine(principal, l.id)
    const grantId = opts.grant ? (await licenses.shareWith(principal, l.id, { departmentId, purpose: '权限矩阵', mode: 'standing' })).id : undefined
    const requestId = opts.request
      ? (await licenses.requestAccess(head, { departmentId, licenseType: l.type, holderAccountId: accountId, purpose: '权限矩阵' })).id
      : undefined
    const vcStatus = ((await licenses.credentialOf(principal, l.id)).credentialStatus as { statusListCredential: string }).statusListCredential
    return { id: l.id, code: detail.verificationCode, sealId: detail.sealId, statusListId: vcStatus.slice(vcStatus.lastIndexOf('/') + 1), grantId, requestId, document: await licenses.documentOf(principal, l.id) }
  },
  async onething(c, stage, opts = {}) {
    const { onething } = t.services
    const own = standingItems[OWN]!.code
    matrixBundle ??= onething.putBundle('system', {
      code: 'MATRIX', name: '矩阵一件事', summary: '权限矩阵测试', applicableTo: 'person', items: [{ code: own }, { code: standingItems[OTHER]!.code }],
      fields: [{ name: 'note', to: [`${own}.note`] }], parties: [{ role: 'partner', label: '共同申请人', required: false }],
    })
    await matrixBundle
    if (stage === 'draft' || stage === 'submitted') {
      const owner = isApplicant(c) && !c.roles.includes('enterprise_agent') ? persona(c.key) : persona('citizen')
      const d = must(await as(owner, 'POST', '/api/onething/drafts', { bundleCode: 'MATRIX' }), 201, 'onething draft')
      if (stage === 'draft' && opts.withFile) {
        const f = must(await as(owner, 'POST', `/api/onething/drafts/${d.id}/materials/${own}/proof/files`, PDF, { 'content-type': 'application/pdf' }), 201, 'onething upload')
        return { id: d.id, version: d.version, fileId: f.id }
      }
      if (stage === 'draft') return { id: d.id, version: d.version }
      const s = must(await as(owner, 'POST', `/api/onething/drafts/${d.id}/submit`, { version: d.version }), 201, 'onething submit')
      return { id: d.id, version: s.draft.version, groupId: s.group.id }
    }
    const inviter = { accountId: inviterId, sessionId: 'ses_matrix_inviter', kind: 'person' as const, name: '李强', grants: [{ role: 'citizen' as const, divisionCode: OWN, departmentId: null }] }
    const d = await onething.startDraft(inviter, 'MATRIX')
    const { token } = await onething.invite(inviter, d.id, { role: 'partner' })
    if (stage === 'invitation') return { id: d.id, version: d.version, token }
    if (isApplicant(c)) must(await as(persona(c.key), 'POST', `/api/onething/invitations/${token}/accept`), 200, 'onething accept')
    return { id: d.id, version: d.version }
  },
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
      roles: [s.departmentGrant ? { role: s.role, departmentId: departments[s.department] } : { role: s.role, divisionCode: s.scope }],
    })
  }
  await identity.createStaff('system', { name: '矩阵无角色职员', username: 't.noroles', passwordHash, departmentId: departments[OWN] })
  const c = newCitizen(OWN)
  await identity.createPerson('system', { name: '张丽', idNumber: c.idNumber, phone: c.phone, passwordHash })
  const citizenId = (await identity.createPerson('system', { ...newCitizen(OWN), name: '李强' })).id
  inviterId = citizenId
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

  // Registry records: standing ones per district, and the signed-in citizen's and enterprise's own.
  const { registries } = t.services
  await registries.createPerson('system', { idNumber: c.idNumber, name: '张丽', ethnicity: '01', householdDivisionCode: OWN })
  const own = (await registries.getPersonByIdNumber(c.idNumber, '权限矩阵准备', 'system'))!
  citizenPersonId = own.id
  await registries.createHousehold('system', { divisionCode: OWN, headPersonId: own.id })
  await registries.createEntity('system', { creditCode, name: '忻州市矩阵商贸有限公司', type: 'limited_company' })
  for (const home of [OWN, OTHER]) {
    const person = await ctx.newRegistryRecord(home, 'person')
    const household = await registries.createHousehold('system', { divisionCode: home, headPersonId: person.id })
    const entity = await ctx.newRegistryRecord(home, 'entity')
    const credit = await registries.addCreditEntry('system', {
      subjectType: 'person', subjectId: person.id, list: 'black', reason: '矩阵测试', sourceDepartmentId: departments[home], validFrom: '2025-01-01',
    })
    registryFixtures[home] = { personId: person.id, householdId: household.id, entityId: entity.id, creditEntryId: credit.id }
  }

  // Catalog and cases: the standing item of each district, and the staff account that moves fixture
  // cases along there (it holds every case role, so it never stands in for a persona under test).
  const caseRoles = ['window_clerk', 'reviewer', 'department_head', 'leader'] as const
  for (const home of [OWN, OTHER]) {
    standingItems[home] = await itemWith(home, ['reviewer'])
    const username = `t.hand${home}`
    await identity.createStaff('system', {
      name: '矩阵办件员', username, passwordHash, departmentId: departments[home], roles: caseRoles.map((role) => ({ role, divisionCode: home })),
    })
    const session = await signIn(username)
    hands[home] = { key: `hand${home}`, label: `the case hand of ${home}`, home, roles: session.roles, signedIn: true, cookie: session.cookie, accountId: session.accountId, username }
  }

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

type Verdict = 'allowed' | 'unauthenticated' | 'forbidden' | 'bearer-only' | 'refused'

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
  /** How the handler turns the caller away (verdict `refused`). */
  refusal?: Refusal
}

function casesOf(op: string, rule: RouteRule): Case[] {
  return personas.map((p) => {
    const passes = verdictOf(rule.access, p)
    const refusal = passes === 'allowed' ? rule.refuse?.(p) : undefined
    const verdict: Verdict = refusal ? 'refused' : passes
    const outcome = {
      allowed: `gets through (${rule.ok})`,
      unauthenticated: 'is asked to sign in (401)',
      forbidden: 'is refused (403)',
      'bearer-only': 'is refused without an access token (401)',
      refused: `passes the guard and is turned away (${refusal?.status} ${refusal?.type})`,
    }[verdict]
    return { name: `${p.label} ${outcome}`, op, rule, persona: p, verdict, refusal }
  })
}

async function requestFor(op: string, rule: RouteRule, p: Persona): Promise<MatrixRequest> {
  const path = op.slice(op.indexOf(' ') + 1)
  if (rule.request) return rule.request(ctx, p)
  if (path.includes('{')) throw new Error(`${op} has path parameters: its table entry needs a request`)
  return { url: path }
}

async function runCase({ op, rule, persona: p, verdict, refusal }: Case) {
  const method = op.slice(0, op.indexOf(' ')) as HTTPMethods
  const req = await requestFor(op, rule, p)
  const cookie = req.cookie === undefined ? p.cookie : req.cookie
  const before = verdict === 'allowed' ? 0 : await writes()
  const res = await t.app.inject({ method, url: req.url, payload: req.payload as object | undefined, headers: { ...req.headers, ...(cookie ? { cookie } : {}) } })
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
    case 'refused':
      expect(res.statusCode, seen).toBe(refusal!.status)
      expect(problemType(res), seen).toBe(`urn:yiwang:problem:${refusal!.type}`)
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

// ---- catalog: editors act within their scope -------------------------------------------------------

describe('division scope: catalog editors', () => {
  const { catalog } = t.services
  const publishedGuide = async (itemId: string) => (await catalog.getPublishedVersion(itemId))!
  const draftOf = (itemId: string) => catalog.getDraft(itemId)

  it('a data admin of 忻府区 cannot publish an item of a 原平市 department, which stays as it was', async () => {
    const i = await ctx.newItem(OTHER, 'redraft')
    const before = await publishedGuide(i.itemId)
    await expectOutOfScope(() => as(persona('dataAdmin'), 'POST', `/api/catalog/items/${i.itemId}/publish`, { revision: i.revision }))
    expect(await publishedGuide(i.itemId)).toEqual(before)
    expect(await draftOf(i.itemId)).toMatchObject({ id: i.versionId, status: 'draft', revision: i.revision })
    // …while the data admin of 原平市 may.
    const res = await as(persona('dataAdminOther'), 'POST', `/api/catalog/items/${i.itemId}/publish`, { revision: i.revision })
    expect(res.statusCode, problem(res)).toBe(200)
  })

  it('a data admin of 忻府区 cannot create, read, start, change or discard drafts of 原平市 items', async () => {
    const admin = persona('dataAdmin')
    const name = ctx.unique('越权事项')
    await expectOutOfScope(() => as(admin, 'POST', '/api/catalog/items', { ...guideFor(OTHER), name }))
    const named = await sql<{ n: number }>`select count(*)::int as n from catalog.item_version where guide->>'name' = ${name}`.execute(t.core.db)
    expect(Number(named.rows[0]!.n)).toBe(0)

    const published = await ctx.newItem(OTHER, 'published')
    await expectOutOfScope(() => as(admin, 'POST', `/api/catalog/items/${published.itemId}/draft`))
    expect(await draftOf(published.itemId)).toBeNull()
    await expectOutOfScope(() => as(admin, 'GET', `/api/catalog/items/${published.itemId}/versions`))

    const d = await ctx.newItem(OTHER, 'redraft')
    const before = await draftOf(d.itemId)
    await expectOutOfScope(() => as(admin, 'GET', `/api/catalog/items/${d.itemId}/draft`))
    await expectOutOfScope(() => as(admin, 'PATCH', `/api/catalog/items/${d.itemId}/draft`, { revision: d.revision, name: '被改名的事项' }))
    await expectOutOfScope(() => as(admin, 'DELETE', `/api/catalog/items/${d.itemId}/draft?revision=${d.revision}`))
    expect(await draftOf(d.itemId)).toEqual(before)
  })

  it('a data admin of 忻府区 cannot move a 忻府区 item to a 原平市 department', async () => {
    const d = await ctx.newItem(OWN, 'redraft')
    const before = await draftOf(d.itemId)
    await expectOutOfScope(() => as(persona('dataAdmin'), 'PATCH', `/api/catalog/items/${d.itemId}/draft`, { revision: d.revision, departmentId: departments[OTHER] }))
    expect(await draftOf(d.itemId)).toEqual(before)
  })

  it('a department head edits its own department’s items only, and cannot give one away', async () => {
    const head = persona('head')
    const elsewhere = await ctx.newDepartment(OWN)
    const foreign = await catalog.createItem(systemActor, { ...guideFor(OWN), departmentId: elsewhere.id })
    await expectOutOfScope(() => as(head, 'PATCH', `/api/catalog/items/${foreign.itemId}/draft`, { revision: foreign.revision, summary: '越权修改' }))
    await expectOutOfScope(() => as(head, 'POST', `/api/catalog/items/${foreign.itemId}/publish`, { revision: foreign.revision }))
    await expectOutOfScope(() => as(head, 'POST', '/api/catalog/items', { ...guideFor(OWN), departmentId: elsewhere.id }))
    expect(await draftOf(foreign.itemId)).toMatchObject({ revision: foreign.revision, guide: { summary: null } })

    const own = await ctx.newItem(OWN, 'redraft')
    const before = await draftOf(own.itemId)
    await expectOutOfScope(() => as(head, 'PATCH', `/api/catalog/items/${own.itemId}/draft`, { revision: own.revision, departmentId: elsewhere.id }))
    expect(await draftOf(own.itemId)).toEqual(before)
    const res = await as(head, 'PATCH', `/api/catalog/items/${own.itemId}/draft`, { revision: own.revision, summary: '本部门修改' })
    expect(res.statusCode, problem(res)).toBe(200)
  })

  it('a draft version does not exist for the public or editors out of scope; editors in scope read it', async () => {
    const d = await ctx.newItem(OWN, 'redraft')
    for (const key of ['anonymous', 'citizen', 'clerk', 'leader', 'dataAdminOther', 'ops']) {
      const res = await as(persona(key), 'GET', `/api/catalog/versions/${d.versionId}`)
      expect(res.statusCode, `${key}: ${problem(res)}`).toBe(404)
      expect(problemType(res)).toBe('urn:yiwang:problem:catalog/version-not-found')
    }
    for (const key of ['head', 'dataAdmin', 'platformAdmin']) {
      const res = await as(persona(key), 'GET', `/api/catalog/versions/${d.versionId}`)
      expect(res.statusCode, `${key}: ${problem(res)}`).toBe(200)
      expect(res.json()).toMatchObject({ id: d.versionId, status: 'draft' })
    }
  })

  it('a workbook with one 原平市 row is refused whole to the data admin of 忻府区, and nothing is imported', async () => {
    const { workbook, items } = await workbookOf(OWN, OTHER)
    const before = await Promise.all(items.map((i) => publishedGuide(i.itemId)))
    const writesBefore = await writes()
    const res = await as(persona('dataAdmin'), 'POST', '/api/catalog/import', workbook, { 'content-type': XLSX_MIME })
    expect(res.statusCode, problem(res)).toBe(422)
    expect(problemType(res)).toBe('urn:yiwang:problem:catalog/import-rejected')
    expect(res.json().errors).toEqual([expect.objectContaining({ code: 'out-of-scope' })])
    expect(await writes()).toBe(writesBefore)
    expect(await Promise.all(items.map((i) => publishedGuide(i.itemId)))).toEqual(before)
    // The platform admin imports the same workbook.
    const ok = await as(persona('platformAdmin'), 'POST', '/api/catalog/import', workbook, { 'content-type': XLSX_MIME })
    expect(ok.statusCode, problem(ok)).toBe(200)
    expect(ok.json()).toMatchObject({ created: 0, updated: 2 })
  })
})

// ---- cases: staff reach their district's cases, applicants their own -------------------------------

describe('case reach', () => {
  const caseIds = async (p: Persona, url: string) => ((await everything<{ id: string }>(p, url)).items).map((c) => c.id)
  const asApplicant = async (k: CaseRef) => (await as(persona('citizen'), 'GET', `/api/cases/${k.id}`)).json()
  async function expectNotFound(call: () => Promise<LightMyRequestResponse>, type = 'cases/not-found') {
    const before = await writes()
    const res = await call()
    expect(res.statusCode, problem(res)).toBe(404)
    expect(problemType(res), problem(res)).toBe(`urn:yiwang:problem:${type}`)
    expect(await writes(), 'nothing is written').toBe(before)
  }

  it('a window clerk of 原平市 gets 404 for a 忻府区 case, its files and every action on it, and finds it in no list', async () => {
    const clerkOther = persona('clerkOther')
    const k = await ctx.staffCase(persona('clerk'), 'submitted', { withFile: true })
    const before = await asApplicant(k)
    await expectNotFound(() => as(clerkOther, 'GET', `/api/cases/${k.id}`))
    await expectNotFound(() => as(clerkOther, 'GET', `/api/cases/${k.id}?reveal=true`))
    await expectNotFound(() => as(clerkOther, 'GET', `/api/cases/${k.id}/files/${k.fileId}`))
    await expectNotFound(() => as(clerkOther, 'POST', `/api/cases/${k.id}/accept`, { version: k.version }))
    await expectNotFound(() => as(clerkOther, 'POST', `/api/cases/${k.id}/reject`, { version: k.version, reason: '越权不予受理', legalBasis: '无依据' }))
    await expectNotFound(() => as(clerkOther, 'POST', `/api/cases/${k.id}/request-supplement`, { version: k.version, items: [{ description: '越权补正' }] }))
    const batch = await as(clerkOther, 'POST', '/api/cases/batch-accept', { cases: [{ id: k.id, version: k.version }] })
    expect(batch.statusCode, problem(batch)).toBe(200)
    expect(batch.json().results).toEqual([{ id: k.id, ok: false, error: { type: 'cases/not-found', status: 404 } }])
    expect(await caseIds(clerkOther, '/api/cases')).not.toContain(k.id)
    expect(await caseIds(clerkOther, '/api/cases/queues/to_accept')).not.toContain(k.id)
    expect(await asApplicant(k)).toEqual(before)
    // The clerk of 忻府区 sees and accepts it.
    expect(await caseIds(persona('clerk'), '/api/cases/queues/to_accept')).toContain(k.id)
    const res = await as(persona('clerk'), 'POST', `/api/cases/${k.id}/accept`, { version: k.version })
    expect(res.statusCode, problem(res)).toBe(200)
  })

  it('staff of another 忻府区 department get 404 for the case; a leader of the city reaches it', async () => {
    const police = await t.services.org.createDepartment(systemActor, { name: ctx.unique('忻府区公安分局'), divisionCode: OWN, kind: 'bureau' })
    const username = ctx.unique('t.police')
    await t.services.identity.createStaff('system', { name: '矩阵公安审查员', username, passwordHash, departmentId: police.id, roles: [{ role: 'reviewer', departmentId: police.id }] })
    const policeReviewer: Persona = { key: 'police', label: 'a reviewer of 忻府区公安分局', home: OWN, roles: ['reviewer'], signedIn: true, cookie: (await signIn(username)).cookie }
    const k = await ctx.staffCase(persona('reviewer'), 'review')
    await expectNotFound(() => as(policeReviewer, 'GET', `/api/cases/${k.id}`))
    await expectNotFound(() => as(policeReviewer, 'POST', `/api/cases/${k.id}/review`, { version: k.version, outcome: 'pass' }))
    expect(await caseIds(policeReviewer, '/api/cases')).not.toContain(k.id)
    expect(await caseIds(policeReviewer, '/api/cases/queues/to_review')).not.toContain(k.id)
    expect((await as(persona('leader'), 'GET', `/api/cases/${k.id}`)).statusCode).toBe(200)
    expect(await caseIds(persona('reviewer'), '/api/cases/queues/to_review')).toContain(k.id)
  })

  it('an applicant gets 404 for another applicant’s case on every route, and nothing changes', async () => {
    const other = persona('enterprise')
    const draft = await ctx.ownCase(persona('citizen'), 'draft', { withFile: true })
    const before = await asApplicant(draft)
    await expectNotFound(() => as(other, 'GET', `/api/cases/${draft.id}`))
    await expectNotFound(() => as(other, 'GET', `/api/cases/${draft.id}/files/${draft.fileId}`))
    await expectNotFound(() => as(other, 'PATCH', `/api/cases/${draft.id}`, { version: draft.version, formData: { note: '越权' } }))
    await expectNotFound(() => as(other, 'POST', `/api/cases/${draft.id}/submit`, { version: draft.version }))
    await expectNotFound(() => as(other, 'POST', `/api/cases/${draft.id}/withdraw`, { version: draft.version }))
    await expectNotFound(() => as(other, 'PUT', `/api/cases/${draft.id}/materials/proof`, PDF, { 'content-type': 'application/pdf' }))
    await expectNotFound(() => as(other, 'DELETE', `/api/cases/${draft.id}/files/${draft.fileId}`))
    // Nor by naming the file under a case of one's own.
    const mine = await ctx.ownCase(other, 'draft')
    await expectNotFound(() => as(other, 'GET', `/api/cases/${mine.id}/files/${draft.fileId}`), 'cases/file-not-found')
    await expectNotFound(() => as(other, 'DELETE', `/api/cases/${mine.id}/files/${draft.fileId}`), 'cases/file-not-found')
    expect(await asApplicant(draft)).toEqual(before)

    const asked = await ctx.ownCase(persona('citizen'), 'supplement_requested')
    await expectNotFound(() => as(other, 'POST', `/api/cases/${asked.id}/supplement`, { version: asked.version }))
    expect(await asApplicant(asked)).toMatchObject({ status: 'supplement_requested', version: asked.version })
    expect(await caseIds(other, '/api/cases/mine')).not.toContain(draft.id)
  })

  it('a draft is its applicant’s alone: case staff of its district get 404', async () => {
    const draft = await ctx.ownCase(persona('citizen'), 'draft')
    for (const key of ['clerk', 'reviewer', 'head', 'leader']) await expectNotFound(() => as(persona(key), 'GET', `/api/cases/${draft.id}`))
  })

  it('staff see the applicant’s ID number masked, in full only on reveal', async () => {
    const k = await ctx.staffCase(persona('clerk'), 'submitted')
    const idNumber = persona('citizen').username!
    const res = await as(persona('clerk'), 'GET', `/api/cases/${k.id}`)
    expect(res.statusCode, problem(res)).toBe(200)
    expect(res.body).not.toContain(idNumber)
    expect(res.json()).toMatchObject({ view: 'staff', applicantMaskedIdNumber: `${idNumber.slice(0, 4)}**********${idNumber.slice(-4)}` })
    expect((await asApplicant(k)).view).toBe('applicant')
  })

  it('nobody but its addressee marks a notice read, which stays unread', async () => {
    const id = await ctx.notice(persona('citizen'))
    for (const key of ['enterprise', 'clerk', 'platformAdmin']) {
      await expectNotFound(() => as(persona(key), 'POST', `/api/inbox/${id}/read`), 'cases/notification-not-found')
    }
    const inbox = (await as(persona('citizen'), 'GET', '/api/inbox?unread=true&pageSize=100')).json()
    expect(inbox.items.map((n: { id: string }) => n.id)).toContain(id)
    const enterpriseInbox = (await as(persona('enterprise'), 'GET', '/api/inbox?pageSize=100')).json()
    expect(enterpriseInbox.items.map((n: { id: string }) => n.id)).not.toContain(id)
  })
})

// ---- registries: population and entity records within scope ----------------------------------------

describe('division scope: base registries', () => {
  const purpose = `purpose=${encodeURIComponent('权限矩阵范围测试')}`
  const fixtures = () => ctx.registry(OWN)

  it('a data admin of 原平市 cannot read 忻府区 persons, households, entities or their history', async () => {
    const f = fixtures()
    const admin = persona('dataAdminOther')
    for (const url of [
      `/api/registries/persons/${f.personId}?${purpose}`,
      `/api/registries/persons/${f.personId}/history?${purpose}`,
      `/api/registries/households/${f.householdId}?${purpose}`,
      `/api/registries/entities/${f.entityId}?${purpose}`,
      `/api/registries/entities/${f.entityId}/history?${purpose}`,
      `/api/registries/persons?${purpose}&divisionCode=${OWN}`,
      `/api/registries/entities?${purpose}&divisionCode=${OWN}`,
    ]) {
      await expectOutOfScope(() => as(admin, 'GET', url))
    }
  })

  it('a data admin of 原平市 cannot change 忻府区 records or list them on credit, which stay as they were', async () => {
    const admin = persona('dataAdminOther')
    const p = await ctx.newRegistryRecord(OWN, 'person')
    const e = await ctx.newRegistryRecord(OWN, 'entity')
    const read = (url: string) => as(persona('platformAdmin'), 'GET', `${url}?${purpose}`).then((r) => r.json())
    const beforePerson = await read(`/api/registries/persons/${p.id}`)
    const beforeEntity = await read(`/api/registries/entities/${e.id}`)
    await expectOutOfScope(() => as(admin, 'PATCH', `/api/registries/persons/${p.id}`, { version: p.version, maritalStatus: 'divorced' }))
    await expectOutOfScope(() => as(admin, 'PATCH', `/api/registries/entities/${e.id}`, { version: e.version, status: 'revoked' }))
    await expectOutOfScope(() => as(admin, 'POST', '/api/registries/households', { divisionCode: OWN, headPersonId: p.id }))
    await expectOutOfScope(() => as(admin, 'PATCH', `/api/registries/credit-entries/${fixtures().creditEntryId}`, { validTo: '2026-06-30' }))
    await expectOutOfScope(() =>
      as(admin, 'POST', '/api/registries/credit-entries', {
        subjectType: 'entity', subjectId: e.id, list: 'black', reason: '越权列入', sourceDepartmentId: departments[OTHER], validFrom: '2026-01-01',
      }),
    )
    expect(await read(`/api/registries/persons/${p.id}`)).toEqual(beforePerson)
    expect(await read(`/api/registries/entities/${e.id}`)).toEqual(beforeEntity)
  })

  it('person lists show a data admin its own district only, ID numbers masked', async () => {
    const own = await everything<{ householdDivisionCode: string; idNumber: string; revealed: boolean }>(persona('dataAdmin'), `/api/registries/persons?${purpose}`)
    expect(own.items.length).toBeGreaterThan(0)
    expect(own.items.filter((x) => !x.householdDivisionCode.startsWith(OWN))).toEqual([])
    expect(own.items.every((x) => x.idNumber.includes('*') && !x.revealed)).toBe(true)
    const other = await everything<{ householdDivisionCode: string }>(persona('dataAdminOther'), `/api/registries/persons?${purpose}`)
    expect(other.items.filter((x) => !x.householdDivisionCode.startsWith(OTHER))).toEqual([])
  })

  it('entity, credit and access-log lists show a data admin of 原平市 nothing of 忻府区', async () => {
    const admin = persona('dataAdminOther')
    const entities = await everything<{ divisionCode: string }>(admin, `/api/registries/entities?${purpose}`)
    expect(entities.items.length).toBeGreaterThan(0)
    expect(entities.items.filter((x) => !x.divisionCode.startsWith(OTHER))).toEqual([])
    const credit = await everything<{ id: string; divisionCode: string }>(admin, `/api/registries/credit-entries?${purpose}`)
    expect(credit.items.map((x) => x.id)).toContain(ctx.registry(OTHER).creditEntryId)
    expect(credit.items.filter((x) => !x.divisionCode.startsWith(OTHER))).toEqual([])
    // 忻府区 reads are in the log (the matrix made plenty), but not for the data admin of 原平市.
    const all = await everything<{ divisionCode: string | null }>(persona('platformAdmin'), '/api/registries/access-log')
    expect(all.items.some((x) => x.divisionCode?.startsWith(OWN))).toBe(true)
    const log = await everything<{ divisionCode: string | null }>(admin, '/api/registries/access-log')
    expect(log.items.filter((x) => !x.divisionCode?.startsWith(OTHER))).toEqual([])
  })

  it('a data admin of 原平市 cannot import 忻府区 rows, and nothing is imported', async () => {
    for (const dryRun of [true, false]) {
      await expectOutOfScope(() =>
        as(persona('dataAdminOther'), 'POST', '/api/registries/imports/indicators', { format: 'csv', content: `divisionCode,code,period,value\n${OWN},gdp,2019,12345`, dryRun }),
      )
    }
    const series = (await as(persona('platformAdmin'), 'GET', `/api/registries/indicators?${purpose}&divisionCode=${OWN}&code=gdp`)).json()
    expect(JSON.stringify(series)).not.toContain('12345')
  })

  it('a citizen reads its own record in full; a data admin sees it masked; the platform admin in full', async () => {
    const idNumber = persona('citizen').username!
    const mine = await as(persona('citizen'), 'GET', `/api/registries/persons/me?${purpose}`)
    expect(mine.statusCode, problem(mine)).toBe(200)
    expect(mine.json()).toMatchObject({ id: citizenPersonId, idNumber, revealed: true })
    const masked = (await as(persona('dataAdmin'), 'GET', `/api/registries/persons/${citizenPersonId}?${purpose}`)).json()
    expect(masked).toMatchObject({ id: citizenPersonId, revealed: false })
    expect(JSON.stringify(masked)).not.toContain(idNumber)
    expect((await as(persona('platformAdmin'), 'GET', `/api/registries/persons/${citizenPersonId}?${purpose}`)).json()).toMatchObject({ idNumber, revealed: true })
    // Reading the registry needs a purpose, even one's own record.
    expect((await as(persona('citizen'), 'GET', '/api/registries/persons/me')).statusCode).toBe(400)
  })

  it('staff of the population registry’s owner department read its records in full, within their division only', async () => {
    const admin = persona('platformAdmin')
    const bureau = await t.services.org.createDepartment(systemActor, { name: ctx.unique('忻府区公安分局户政科'), divisionCode: OWN, kind: 'bureau' })
    const username = ctx.unique('t.huzheng')
    await t.services.identity.createStaff('system', { name: '矩阵户政民警', username, passwordHash, departmentId: bureau.id, roles: [{ role: 'window_clerk', departmentId: bureau.id }] })
    const officer: Persona = { key: 'huzheng', label: 'a clerk of the owner department', home: OWN, roles: ['window_clerk'], signedIn: true, cookie: (await signIn(username)).cookie }
    const idNumber = persona('citizen').username!
    await expectForbidden(() => as(officer, 'GET', `/api/registries/persons/${citizenPersonId}?${purpose}`))
    try {
      expect((await as(admin, 'PUT', '/api/registries/owners/population', { departmentId: bureau.id })).statusCode).toBe(200)
      const res = await as(officer, 'GET', `/api/registries/persons/${citizenPersonId}?${purpose}`)
      expect(res.statusCode, problem(res)).toBe(200)
      expect(res.json()).toMatchObject({ idNumber, revealed: true })
      await expectOutOfScope(() => as(officer, 'GET', `/api/registries/persons/${ctx.registry(OTHER).personId}?${purpose}`))
      // Owning the population registry grants nothing over entities.
      await expectForbidden(() => as(officer, 'GET', `/api/registries/entities/${fixtures().entityId}?${purpose}`))
    } finally {
      await as(admin, 'PUT', '/api/registries/owners/population', { departmentId: null })
    }
    await expectForbidden(() => as(officer, 'GET', `/api/registries/persons/${citizenPersonId}?${purpose}`))
  })
})

// ---- idempotency keys are per caller ---------------------------------------------------------------

describe('idempotency keys', () => {
  it('another account sending the same Idempotency-Key and body gets its own answer, not the first caller’s', async () => {
    const key = ctx.unique('matrix-key-')
    const body = { itemId: ctx.item(OWN).code }
    const post = (p: Persona | null) => as(p, 'POST', '/api/cases', body, { 'idempotency-key': key })
    const first = await post(persona('citizen'))
    expect(first.statusCode, problem(first)).toBe(201)
    const again = await post(persona('citizen'))
    expect(again.headers['idempotent-replayed']).toBe('true')
    expect(again.json().id).toBe(first.json().id)

    const other = await post(persona('enterprise'))
    expect(other.statusCode, problem(other)).toBe(201)
    expect(other.headers['idempotent-replayed']).toBeUndefined()
    expect(other.json().id).not.toBe(first.json().id)
    expect(other.json().applicantKind).toBe('legal')
    for (const p of [null, persona('signedOut'), persona('clerk')]) {
      const res = await post(p)
      expect(res.statusCode, problem(res)).toBe(p?.signedIn ? 403 : 401)
      expect(res.headers['idempotent-replayed']).toBeUndefined()
      expect(res.body).not.toContain(first.json().id)
    }
  })
})
