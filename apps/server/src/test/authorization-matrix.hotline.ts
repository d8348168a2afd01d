import type { Principal, Role } from '../platform/roles.js'
import type { Services } from '../services.js'
import type { Access, Caller, Home, MatrixContext, Refusal, RouteRule } from './authorization-matrix.routes.js'

/**
 * The authorization matrix's entries for the 12345 hotline (/api/hotline) and its Open311
 * GeoReport v2 API (/open311/v2), with the fixtures they need. Kept beside the main table so the
 * hotline's many routes do not crowd it; authorization-matrix.routes.ts spreads them in.
 */

export type HotlineStage = 'registered' | 'dispatched' | 'assisting' | 'assist-signed' | 'processing' | 'extension' | 'replied' | 'callback'

export interface HotlineFixtures {
  /**
   * A ticket of the suite's citizen placed in a community of the district, at a stage: from
   * `dispatched` on it is the district department's (主办); `assisting`: the city department's with
   * the district's as 协办.
   */
  ticket(home: Home, stage: HotlineStage, opts?: { type?: 'consult' | 'complaint' }): Promise<{ id: string; version: number; number: string }>
  /** A dispatched ticket of the district with a photo the citizen attached. */
  photo(home: Home): Promise<{ id: string; photoId: string }>
  /** A knowledge-base article of the district's department. */
  article(home: Home): Promise<{ id: string; version: number }>
  /** A new category with a dispatch rule to the city's department. */
  rule(): Promise<{ id: string; version: number; categoryCode: string }>
  settingsVersion(): Promise<number>
  open311Key(): Promise<{ id: string; key: string }>
  /** A phone caller's one-time rating link (from the dev SMS outbox) for a ticket of the district's department. */
  ratingLink(home: Home): Promise<string>
}

let phones = 0

/** A 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64')

export function createHotlineFixtures(deps: {
  services: () => Services
  department: (home: Home | 'city') => string
  community: (home: Home) => string
  citizenId: () => string
  unique: (prefix: string) => string
}): HotlineFixtures {
  const staff = (role: Role, divisionCode: string, departmentId: string | null): Principal => ({ accountId: `acc_matrix_${role}`, sessionId: 'matrix', kind: 'staff', name: '矩阵热线', grants: [{ role, divisionCode, departmentId }] })
  const centre = () => staff('hotline_admin', '140900', null)
  const head = (home: Home | 'city') => staff('department_head', home === 'city' ? '140900' : home, deps.department(home))
  const citizen = (): Principal => ({ accountId: deps.citizenId(), sessionId: 'matrix', kind: 'person', name: '张丽', grants: [{ role: 'citizen', divisionCode: '140902', departmentId: null }] })

  async function ticket(home: Home, stage: HotlineStage, opts: { type?: 'consult' | 'complaint' } = {}) {
    const h = deps.services().hotline
    let d = await h.createByCitizen(citizen(), { type: opts.type ?? 'complaint', categoryCode: 'housing', content: '权限矩阵测试工单：楼道照明损坏', divisionCode: deps.community(home), reporter: { phone: '13900000001' } }, 'web')
    if (stage === 'registered') return d
    const assisting = stage === 'assisting' || stage === 'assist-signed'
    d = await h.act(centre(), d.id, 'dispatch', { version: d.version, departmentId: deps.department(assisting ? 'city' : home), assistDepartmentIds: assisting ? [deps.department(home)] : [] })
    if (stage === 'assist-signed') return h.act(head(home), d.id, 'assist-sign', { version: d.version })
    if (stage === 'dispatched' || assisting) return d
    d = await h.act(head(home), d.id, 'sign', { version: d.version })
    if (stage === 'processing') return d
    if (stage === 'extension') return h.act(head(home), d.id, 'request-extension', { version: d.version, days: 2, reason: '矩阵' })
    d = await h.act(head(home), d.id, 'reply', { version: d.version, content: '权限矩阵答复' })
    if (stage === 'replied') return d
    return h.act(centre(), d.id, 'review', { version: d.version, approve: true })
  }

  return {
    ticket,
    async photo(home) {
      const h = deps.services().hotline
      const d = await ticket(home, 'registered')
      const p = await h.addPhoto(citizen(), d.id, PNG, 'image/png', 'matrix.png')
      await h.act(centre(), d.id, 'dispatch', { version: d.version, departmentId: deps.department(home) })
      return { id: d.id, photoId: p.id }
    },
    async article(home) {
      const a = await deps.services().hotline.createArticle(centre(), { title: deps.unique('矩阵知识'), body: '权限矩阵测试知识库正文', departmentId: deps.department(home) })
      return { id: a.id, version: a.version }
    },
    async rule() {
      const h = deps.services().hotline
      const code = deps.unique('matrix_cat_')
      await h.createCategory(centre(), { code, name: '矩阵分类', nameEn: 'Matrix', group: '其他', defaultType: 'consult', description: '' })
      const r = await h.createRule(centre(), { categoryCode: code, divisionPrefix: null, departmentId: deps.department('city') })
      return { id: r.id, version: r.version, categoryCode: code }
    },
    settingsVersion: async () => (await deps.services().hotline.settings()).version,
    async open311Key() {
      const k = await deps.services().hotline.createApiKey('system', deps.unique('矩阵客户端'))
      return { id: k.id, key: k.key }
    },
    async ratingLink(home) {
      const { hotline, rating, identity } = deps.services()
      const phone = `1385${String(++phones).padStart(7, '0')}`
      const op = staff('hotline_operator', '140900', null)
      const d = await hotline.createByOperator(op, { type: 'complaint', categoryCode: 'housing', content: '权限矩阵：电话来电工单', divisionCode: deps.community(home), reporter: { phone } })
      await rating.onTicketClosed({ ticketId: d.id, number: d.number, closeKind: 'callback', departmentId: deps.department(home), divisionCode: d.divisionCode, reporterAccountId: null })
      const sms = (await identity.listSmsOutbox('system', { pageSize: 50 })).items.find((m) => m.phone === phone)
      const token = /\/m\/rate\/([A-Za-z0-9_-]{32})/.exec(sms?.text ?? '')?.[1]
      if (!token) throw new Error('no rating link was texted')
      return token
    },
  }
}

type Fixtures = MatrixContext

const centre: readonly Role[] = ['hotline_operator', 'hotline_admin']
const admin: readonly Role[] = ['hotline_admin']
const department: readonly Role[] = ['window_clerk', 'department_head']
const isCentre = (c: Caller) => c.roles.some((r) => centre.includes(r))
/** Of the matrix's department staff only the head holds a grant naming its department: the others work for none. */
const worksForDistrictDepartment = (c: Caller) => c.key === 'head'
const notFound: Refusal = { status: 404, type: 'hotline/not-found' }
/** A ticket is its reporter's, its centre's and its departments'; anyone else is told it does not exist. */
const ticketInvisible = (c: Caller): Refusal | undefined => (isCentre(c) || worksForDistrictDepartment(c) || c.roles.includes('citizen') ? undefined : notFound)
const notOurTicket = (c: Caller): Refusal | undefined => (worksForDistrictDepartment(c) ? undefined : notFound)
const form = (fields: Record<string, string>) => ({ payload: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } })

const rule = (access: Access, ok: number, request: RouteRule['request'], refuse?: RouteRule['refuse']): RouteRule => ({ access, ok, request, ...(refuse ? { refuse } : {}) })
type Builder = (x: Fixtures, c: Caller) => ReturnType<NonNullable<RouteRule['request']>>
const r = (fn: Builder) => fn as unknown as RouteRule['request']

export const hotlineRouteTable: Record<string, RouteRule> = {
  'GET /api/hotline/categories': { access: 'public', ok: 200 },
  'GET /api/hotline/districts': { access: 'public', ok: 200 },
  'POST /api/hotline/categories': rule(admin, 201, r((x) => ({ url: '/api/hotline/categories', payload: { code: x.unique('matrix_new_'), name: '矩阵分类', nameEn: 'Matrix category', group: '其他', defaultType: 'consult' } }))),
  'POST /api/hotline/tickets': rule(centre, 201, r((x) => ({ url: '/api/hotline/tickets', payload: { type: 'consult', categoryCode: 'social_security', content: '社保卡怎么补办', reporter: { phone: x.newPhone() } } }))),
  'GET /api/hotline/tickets': { access: centre, ok: 200 },
  'GET /api/hotline/queue': { access: department, ok: 200, refuse: (c) => (worksForDistrictDepartment(c) ? undefined : { status: 403, type: 'hotline/not-your-department' }) },
  'GET /api/hotline/callers/{phone}': rule(centre, 200, r(() => ({ url: '/api/hotline/callers/13900000001' }))),
  'POST /api/hotline/my/tickets': rule(['citizen'], 201, r(() => ({ url: '/api/hotline/my/tickets', payload: { type: 'help', categoryCode: 'road_traffic', content: '井盖缺失', location: { lat: 38.417, lng: 112.734 } } }))),
  'GET /api/hotline/my/tickets': { access: ['citizen'], ok: 200 },
  'GET /api/hotline/tickets/{id}': rule('signed-in', 200, r(async (x, c) => ({ url: `/api/hotline/tickets/${(await x.hotline.ticket(c.home, 'dispatched')).id}` })), ticketInvisible),
  'GET /api/hotline/tickets/{id}/reporter': rule('signed-in', 200, r(async (x, c) => ({ url: `/api/hotline/tickets/${(await x.hotline.ticket(c.home, 'dispatched')).id}/reporter` })), ticketInvisible),
  // The full number is the centre's alone (回访), with a reason; departments and citizens are refused by role.
  'POST /api/hotline/tickets/{id}/reporter/reveal': rule(centre, 200, r(async (x, c) => ({ url: `/api/hotline/tickets/${(await x.hotline.ticket(c.home, 'callback')).id}/reporter/reveal`, payload: { reason: '回访核实' } }))),
  // A phone caller's one-time rating link: public, the token is the credential.
  'GET /api/rating/links/{token}': { access: 'public', ok: 200, request: r(async (x, c) => ({ url: `/api/rating/links/${await x.hotline.ratingLink(c.home)}` })) },
  'POST /api/rating/links/{token}': { access: 'public', ok: 201, request: r(async (x, c) => ({ url: `/api/rating/links/${await x.hotline.ratingLink(c.home)}`, payload: { level: 4, tags: ['convenient'] } })) },
  'GET /api/hotline/tickets/{id}/duplicates': rule(centre, 200, r(async (x, c) => ({ url: `/api/hotline/tickets/${(await x.hotline.ticket(c.home, 'registered')).id}/duplicates` }))),
  'POST /api/hotline/tickets/{id}/direct-close': rule(centre, 200, r(async (x, c) => {
    const t = await x.hotline.ticket(c.home, 'registered', { type: 'consult' })
    return { url: `/api/hotline/tickets/${t.id}/direct-close`, payload: { version: t.version, answer: '已当场解答' } }
  })),
  'POST /api/hotline/tickets/{id}/dispatch': rule(centre, 200, r(async (x, c) => {
    const t = await x.hotline.ticket(c.home, 'registered')
    return { url: `/api/hotline/tickets/${t.id}/dispatch`, payload: { version: t.version, departmentId: x.department(c.home) } }
  })),
  'POST /api/hotline/tickets/{id}/sign': rule(department, 200, r(async (x, c) => {
    const t = await x.hotline.ticket(c.home, 'dispatched')
    return { url: `/api/hotline/tickets/${t.id}/sign`, payload: { version: t.version } }
  }), notOurTicket),
  'POST /api/hotline/tickets/{id}/return': rule(department, 200, r(async (x, c) => {
    const t = await x.hotline.ticket(c.home, 'dispatched')
    return { url: `/api/hotline/tickets/${t.id}/return`, payload: { version: t.version, reason: '非本部门职责' } }
  }), notOurTicket),
  'POST /api/hotline/tickets/{id}/request-extension': rule(department, 200, r(async (x, c) => {
    const t = await x.hotline.ticket(c.home, 'processing')
    return { url: `/api/hotline/tickets/${t.id}/request-extension`, payload: { version: t.version, days: 3, reason: '需现场核查' } }
  }), notOurTicket),
  'POST /api/hotline/tickets/{id}/decide-extension': rule(admin, 200, r(async (x, c) => {
    const t = await x.hotline.ticket(c.home, 'extension')
    return { url: `/api/hotline/tickets/${t.id}/decide-extension`, payload: { version: t.version, approve: true } }
  })),
  'POST /api/hotline/tickets/{id}/reply': rule(department, 200, r(async (x, c) => {
    const t = await x.hotline.ticket(c.home, 'processing')
    return { url: `/api/hotline/tickets/${t.id}/reply`, payload: { version: t.version, content: '已修复楼道照明' } }
  }), notOurTicket),
  'POST /api/hotline/tickets/{id}/assist-sign': rule(department, 200, r(async (x, c) => {
    const t = await x.hotline.ticket(c.home, 'assisting')
    return { url: `/api/hotline/tickets/${t.id}/assist-sign`, payload: { version: t.version } }
  }), notOurTicket),
  'POST /api/hotline/tickets/{id}/assist-opinion': rule(department, 200, r(async (x, c) => {
    const t = await x.hotline.ticket(c.home, 'assist-signed')
    return { url: `/api/hotline/tickets/${t.id}/assist-opinion`, payload: { version: t.version, content: '已派员协助' } }
  }), notOurTicket),
  'POST /api/hotline/tickets/{id}/review': rule(admin, 200, r(async (x, c) => {
    const t = await x.hotline.ticket(c.home, 'replied')
    return { url: `/api/hotline/tickets/${t.id}/review`, payload: { version: t.version, approve: true } }
  })),
  'POST /api/hotline/tickets/{id}/callback': rule(centre, 200, r(async (x, c) => {
    const t = await x.hotline.ticket(c.home, 'callback')
    return { url: `/api/hotline/tickets/${t.id}/callback`, payload: { version: t.version, satisfaction: 'satisfied' } }
  })),
  'POST /api/hotline/tickets/{id}/merge': rule(centre, 200, r(async (x, c) => {
    const a = await x.hotline.ticket(c.home, 'registered')
    const b = await x.hotline.ticket(c.home, 'registered')
    return { url: `/api/hotline/tickets/${b.id}/merge`, payload: { version: b.version, intoId: a.id } }
  })),
  'PUT /api/hotline/tickets/{id}/photos': rule('signed-in', 201, r(async (x, c) => ({
    url: `/api/hotline/tickets/${(await x.hotline.ticket(c.home, 'registered')).id}/photos?fileName=matrix.png`, payload: PNG, headers: { 'content-type': 'image/png' },
  })), (c) => (isCentre(c) || c.roles.includes('citizen') ? undefined : notFound)),
  'GET /api/hotline/tickets/{id}/photos/{photoId}': rule('signed-in', 200, r(async (x, c) => {
    const p = await x.hotline.photo(c.home)
    return { url: `/api/hotline/tickets/${p.id}/photos/${p.photoId}` }
  }), ticketInvisible),
  'GET /api/hotline/kb': { access: [...centre, ...department], ok: 200, request: () => ({ url: `/api/hotline/kb?q=${encodeURIComponent('社保卡补办')}` }) },
  'GET /api/hotline/kb/{id}': rule([...centre, ...department], 200, r(async (x, c) => ({ url: `/api/hotline/kb/${(await x.hotline.article(c.home)).id}` }))),
  'POST /api/hotline/kb': rule(['department_head', 'hotline_admin'], 201, r((x, c) => ({
    url: '/api/hotline/kb', payload: { title: x.unique('矩阵知识'), body: '权限矩阵测试正文', departmentId: x.department(c.home) },
  }))),
  'PATCH /api/hotline/kb/{id}': rule(['department_head', 'hotline_admin'], 200, r(async (x, c) => {
    const a = await x.hotline.article(c.home)
    return { url: `/api/hotline/kb/${a.id}`, payload: { version: a.version, body: '权限矩阵修改后的正文' } }
  })),
  'GET /api/hotline/dispatch-rules': { access: centre, ok: 200 },
  'GET /api/hotline/dispatch-rules/resolve': { access: centre, ok: 200, request: () => ({ url: '/api/hotline/dispatch-rules/resolve?categoryCode=housing&divisionCode=140902' }) },
  'POST /api/hotline/dispatch-rules': rule(admin, 201, r(async (x) => {
    const { categoryCode } = await x.hotline.rule()
    return { url: '/api/hotline/dispatch-rules', payload: { categoryCode, divisionPrefix: '140902', departmentId: x.department('140902') } }
  })),
  'PATCH /api/hotline/dispatch-rules/{id}': rule(admin, 200, r(async (x) => {
    const d = await x.hotline.rule()
    return { url: `/api/hotline/dispatch-rules/${d.id}`, payload: { version: d.version, assistDepartmentIds: [] } }
  })),
  'DELETE /api/hotline/dispatch-rules/{id}': rule(admin, 204, r(async (x) => ({ url: `/api/hotline/dispatch-rules/${(await x.hotline.rule()).id}` }))),
  'GET /api/hotline/settings': { access: centre, ok: 200 },
  'PUT /api/hotline/settings': rule(admin, 200, r(async (x) => ({
    url: '/api/hotline/settings',
    payload: { version: await x.hotline.settingsVersion(), deadlineDays: { consult: 1, help: 3, complaint: 5, report: 5, suggestion: 5, praise: 5 }, signHours: 2, duplicateWindowDays: 7, duplicateRadiusM: 300 },
  }))),
  'GET /api/hotline/metrics': { access: [...centre, 'leader', 'department_head'], ok: 200, request: () => ({ url: '/api/hotline/metrics?from=2026-01-01&to=2026-12-31' }) },
  'GET /api/hotline/api-keys': { access: admin, ok: 200 },
  'POST /api/hotline/api-keys': rule(admin, 201, r((x) => ({ url: '/api/hotline/api-keys', payload: { name: x.unique('矩阵客户端') } }))),
  'DELETE /api/hotline/api-keys/{id}': rule(admin, 204, r(async (x) => ({ url: `/api/hotline/api-keys/${(await x.hotline.open311Key()).id}` }))),

  // ---- Open311 GeoReport v2: public reads; posting needs an API key, not a session ----------------
  'GET /open311/v2/services.{format}': { access: 'public', ok: 200, request: () => ({ url: '/open311/v2/services.json' }) },
  'GET /open311/v2/services/{service_code}.{format}': { access: 'public', ok: 200, request: () => ({ url: '/open311/v2/services/noise.xml' }) },
  'POST /open311/v2/requests.{format}': rule('public', 201, r(async (x) => ({
    url: '/open311/v2/requests.json', ...form({ api_key: (await x.hotline.open311Key()).key, service_code: 'noise', lat: '38.4167', long: '112.7342', description: '权限矩阵：夜间施工噪音' }),
  }))),
  'GET /open311/v2/requests.{format}': { access: 'public', ok: 200, request: () => ({ url: '/open311/v2/requests.json?status=open' }) },
  'GET /open311/v2/requests/{service_request_id}.{format}': rule('public', 200, r(async (x, c) => ({ url: `/open311/v2/requests/${(await x.hotline.ticket(c.home, 'dispatched')).number}.json` }))),
  'GET /open311/v2/tokens/{token}.{format}': rule('public', 200, r(async (x, c) => ({ url: `/open311/v2/tokens/${(await x.hotline.ticket(c.home, 'registered')).id}.xml` }))),
}
