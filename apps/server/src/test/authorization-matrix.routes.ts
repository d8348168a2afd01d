import { XLSX_MIME } from '../modules/catalog/index.js'
import type { Role } from '../platform/roles.js'
import { hotlineRouteTable, type HotlineFixtures } from './authorization-matrix.hotline.js'

/**
 * The expectation table of the authorization matrix (authorization-matrix.test.ts): for every
 * operation of the OpenAPI document, who may call it and a plausible request that reaches the
 * handler. A route missing here, or an entry for a route that is gone, fails the suite.
 */

/**
 * Who may call a route: anyone; any signed-in account; holders of one of these roles (in their
 * own division: scope across divisions is checked by the suite's explicit cases); or nobody with
 * a session cookie (an OAuth bearer token is required).
 */
export type Access = 'public' | 'signed-in' | readonly Role[] | 'bearer-token'

/** The two districts of the suite: personas act in their home district. */
export type Home = '140902' | '140981'

/** Who is calling, as request builders see it. */
export interface Caller {
  key: string
  home: Home
  /** Roles its session carries (none when anonymous). */
  roles: readonly Role[]
}

/** A case as request builders need it: its id, the version to send, and the file uploaded, if any. */
export interface CaseRef {
  id: string
  version: number
  fileId?: string
}

/**
 * Stages of a case of the caller's district for staff routes. The review steps are the caller's
 * step role (reviewer, department_head, leader; a window clerk, which never reviews, gets a
 * reviewer's): `review` awaits a step that passes the case on, `decide` the deciding step.
 */
export type StaffStage = 'submitted' | 'review' | 'decide' | 'approved' | 'result_issued' | 'delivered'

/** Fixtures the request builders draw on; each call that creates something makes a new one. */
export interface MatrixContext {
  /** A standing department of the district. */
  department(home: Home): string
  /** A community (12-digit code) of the district. */
  community(home: Home): string
  /** A standing staff account of the district. */
  staff(home: Home): string
  /** `prefix` plus a number not used before in this run. */
  unique(prefix: string): string
  newDepartment(home: Home): Promise<{ id: string; version: number }>
  newStaff(home: Home): Promise<string>
  newStaffWithGrant(home: Home): Promise<{ accountId: string; grantId: string }>
  /** A registered relying party, through the admin API. */
  newOidcClient(): Promise<string>
  /** Registration data for a new citizen of the district (valid ID number, unused phone). */
  newCitizen(home: Home): { name: string; idNumber: string; phone: string; password: string }
  newPhone(): string
  /** A phone with a live sign-in code in the dev outbox. */
  smsLogin(): Promise<{ phone: string; code: string }>
  /** Credentials of a spare citizen account. */
  passwordLogin: { username: string; password: string }
  /** A second session of the caller's account, so signing out does not end the caller's own. */
  throwawaySession(caller: Caller): Promise<string | null>
  checkpointId(): string
  /** Standing records of the district's base registries (made once by the suite). */
  registry(home: Home): { personId: string; householdId: string; entityId: string; creditEntryId: string }
  /** A new person or entity in the district's registry, to change. */
  newRegistryRecord(home: Home, kind: 'person' | 'entity'): Promise<{ id: string; version: number }>
  /** A valid unified social credit code of the district not used before. */
  newCreditCode(home: Home): string
  /**
   * The standing published item of the district's department: for persons and legal persons,
   * one optional material (`proof`), no form, decided by a reviewer.
   */
  item(home: Home): { itemId: string; versionId: string; code: string }
  /** A guide for a new item of the district's department (unique name). */
  newGuide(home: Home): Record<string, unknown>
  /** A new item of the district's department: a draft never published, published, or published with a draft. */
  newItem(home: Home, state: 'draft' | 'published' | 'redraft'): Promise<{ itemId: string; versionId: string; revision: number }>
  /** A workbook as exported, holding one published item of the district under a new name. */
  workbook(home: Home): Promise<Buffer>
  /**
   * A case of the caller for the standing item of its district; for callers who are no applicants,
   * one of the suite's citizen (which they must not touch). `withFile` uploads a PDF first.
   */
  ownCase(c: Caller, stage: 'draft' | 'submitted' | 'supplement_requested', opts?: { withFile?: boolean }): Promise<CaseRef>
  /** A case of the caller's district (filed by the suite's citizen) at a stage; see StaffStage. */
  staffCase(c: Caller, stage: StaffStage, opts?: { withFile?: boolean }): Promise<CaseRef>
  /** A notice in the caller's inbox; for callers who get none (staff), one in the suite's citizen's. */
  notice(c: Caller): Promise<string>
  /** A small valid PDF. */
  pdf: Buffer
  /**
   * 好差评 fixtures: a new subject rateable by the caller (the suite citizen's for non-applicants),
   * made through the rating service for a case of the district's department; its kind and ref id.
   */
  rateable(c: Caller): Promise<{ kind: string; refId: string }>
  /** The SMS link token of a new subject of the suite's citizen in the district. */
  ratingToken(home: Home): Promise<string>
  /** A rectification (from a 非常不满意) of the district's department, open or answered. */
  rectification(home: Home, stage: 'open' | 'answered'): Promise<{ id: string; version: number }>
  /**
   * 一件事 fixtures on the suite's standing bundle MATRIX (the two districts' standing items, an
   * optional partner): 'draft' / 'submitted' the caller's own draft (the suite citizen's for
   * callers who cannot own one: staff and enterprises), with its case group once submitted;
   * 'invitation' another person's draft with an open invitation; 'joined' such a draft the caller
   * (an applicant) has joined. `withFile`: a draft with a PDF uploaded for the standing item's `proof`.
   */
  onething(c: Caller, stage: 'draft' | 'submitted' | 'invitation' | 'joined', opts?: { withFile?: boolean }): Promise<{ id: string; version: number; token?: string; groupId?: string; fileId?: string }>
  /**
   * Electronic-license fixtures: a new license of the caller (citizen: an ID card; enterprise: a
   * business license), or of the suite's citizen for anyone else, issued by the district's
   * department (with its seal); `suspended` on request; `grantTo` shares it (standing) with the
   * district's department; `request` files that department's pending request to its holder.
   */
  license(c: Caller, opts?: { suspended?: boolean; grant?: boolean; request?: boolean }): Promise<{ id: string; code: string; sealId: string; statusListId: string; grantId?: string; requestId?: string; document: unknown }>
  /** 12345 hotline fixtures (authorization-matrix.hotline.ts). */
  hotline: HotlineFixtures
}

export interface MatrixRequest {
  url: string
  /** JSON, or a Buffer sent as is (with its content-type in `headers`). */
  payload?: unknown
  headers?: Record<string, string>
  /** Replaces the caller's cookie (null: none). */
  cookie?: string | null
}

export interface RouteRule {
  access: Access
  /** What a caller with access gets for the request below. */
  ok: number
  /** The request; without one, the path itself (routes without parameters). */
  request?: (x: MatrixContext, c: Caller) => MatrixRequest | Promise<MatrixRequest>
  /**
   * Callers the route's guard lets through whom the handler still turns away, and how (problem
   * type slug); nothing may be written. E.g. a reviewer asking to accept a case (only the window
   * accepts), or staff without a case role opening a case (not found).
   */
  refuse?: (c: Caller) => Refusal | undefined
}

export interface Refusal {
  status: number
  /** Problem type slug, e.g. `cases/not-your-step`. */
  type: string
}

/** Writers of org and identity admin: platform admins anywhere, data admins within their divisions. */
const admins: readonly Role[] = ['data_admin', 'platform_admin']
const NO_INTERACTION = 'no-such-interaction'
/** E-license wallets: natural persons (by ID number) and enterprises' legal accounts (by credit code). */
const licenseHolders: readonly Role[] = ['citizen', 'enterprise_agent']
/** Who manages a department's seals and changes its licenses' status. */
const licenseIssuers: readonly Role[] = ['department_head', 'data_admin', 'platform_admin']
/** Department staff who see issued licenses, and ask for and read holders' licenses. */
const licenseStaff: readonly Role[] = ['department_head', 'data_admin', 'reviewer', 'window_clerk', 'leader', 'platform_admin']
/** Any staff role (the registries' spatial and economy data). */
const staff: readonly Role[] = ['window_clerk', 'reviewer', 'department_head', 'leader', 'data_admin', 'ops_operator', 'platform_admin', 'hotline_operator', 'hotline_admin']
const PURPOSE = encodeURIComponent('权限矩阵测试')
/** Catalog editors: heads of the implementing department, data admins within their division, platform admins. */
const editors: readonly Role[] = ['department_head', 'data_admin', 'platform_admin']
const applicants: readonly Role[] = ['citizen', 'enterprise_agent']
/** Roles that handle cases; each action narrows further to the role whose turn it is. */
const caseStaff: readonly Role[] = ['window_clerk', 'reviewer', 'department_head', 'leader']
const isApplicant = (c: Caller) => c.roles.some((r) => applicants.includes(r))
/** 好差评's centre (calls raters back) and everyone at the rectification desk. */
const ratingCentre: readonly Role[] = ['hotline_operator', 'hotline_admin', 'data_admin']
const ratingDesk: readonly Role[] = ['department_head', ...ratingCentre]
/** An enterprise cannot own a person bundle's draft: the draft it is shown is the suite citizen's. */
const notOwnDraft = (c: Caller): Refusal | undefined => (c.roles.includes('enterprise_agent') ? { status: 404, type: 'onething/draft-not-found' } : undefined)
const isClerk = (c: Caller) => c.roles.includes('window_clerk')
const notYourStep: Refusal = { status: 403, type: 'cases/not-your-step' }
/** Accepting, issuing, delivering and closing are the window's. */
const windowOnly = (c: Caller) => (isClerk(c) ? undefined : notYourStep)
/** Review steps are reviewers', department heads' and leaders' (catalog items always have one). */
const stepsOnly = (c: Caller) => (isClerk(c) ? notYourStep : undefined)
/** A case is its applicant's and, once submitted, its district's case staff's: to anyone else it does not exist. */
const caseInvisible = (c: Caller): Refusal | undefined =>
  isApplicant(c) || c.roles.some((r) => caseStaff.includes(r)) ? undefined : { status: 404, type: 'cases/not-found' }

/** Every operation of GET /api/openapi.json, as `METHOD /path/{param}`. */
export const routeTable: Record<string, RouteRule> = {
  'GET /healthz': { access: 'public', ok: 200 },
  'GET /readyz': { access: 'public', ok: 200 },

  // ---- org ---------------------------------------------------------------------------------
  'GET /api/org/divisions': { access: 'public', ok: 200, request: () => ({ url: '/api/org/divisions?parent=140900' }) },
  'GET /api/org/divisions/search': { access: 'public', ok: 200, request: () => ({ url: `/api/org/divisions/search?q=${encodeURIComponent('忻府')}` }) },
  'GET /api/org/divisions/{code}': { access: 'public', ok: 200, request: (_x, c) => ({ url: `/api/org/divisions/${c.home}` }) },
  'GET /api/org/departments': { access: 'public', ok: 200, request: (_x, c) => ({ url: `/api/org/departments?divisionCode=${c.home}` }) },
  'POST /api/org/departments': {
    access: admins,
    ok: 201,
    request: (x, c) => ({ url: '/api/org/departments', payload: { name: x.unique('矩阵测试局'), divisionCode: c.home, kind: 'bureau' } }),
  },
  'GET /api/org/departments/{id}': { access: 'public', ok: 200, request: (x, c) => ({ url: `/api/org/departments/${x.department(c.home)}` }) },
  'PATCH /api/org/departments/{id}': {
    access: admins,
    ok: 200,
    request: async (x, c) => {
      const d = await x.newDepartment(c.home)
      return { url: `/api/org/departments/${d.id}`, payload: { version: d.version, phone: '0350-3033000' } }
    },
  },
  'GET /api/org/departments/{id}/positions': {
    access: 'public',
    ok: 200,
    request: (x, c) => ({ url: `/api/org/departments/${x.department(c.home)}/positions` }),
  },
  'POST /api/org/departments/{id}/positions': {
    access: admins,
    ok: 201,
    request: (x, c) => ({ url: `/api/org/departments/${x.department(c.home)}/positions`, payload: { name: x.unique('科员') } }),
  },
  'GET /api/org/grid-cells': { access: 'public', ok: 200, request: (x, c) => ({ url: `/api/org/grid-cells?communityCode=${x.community(c.home)}` }) },
  'POST /api/org/grid-cells': {
    access: admins,
    ok: 201,
    request: (x, c) => ({ url: '/api/org/grid-cells', payload: { communityCode: x.community(c.home), name: x.unique('网格') } }),
  },

  // ---- identity ----------------------------------------------------------------------------
  'POST /api/auth/login/password': { access: 'public', ok: 200, request: (x) => ({ url: '/api/auth/login/password', payload: x.passwordLogin }) },
  'POST /api/auth/sms/send': { access: 'public', ok: 202, request: (x) => ({ url: '/api/auth/sms/send', payload: { phone: x.newPhone() } }) },
  'POST /api/auth/login/sms': { access: 'public', ok: 200, request: async (x) => ({ url: '/api/auth/login/sms', payload: await x.smsLogin() }) },
  'POST /api/auth/logout': { access: 'public', ok: 204, request: async (x, c) => ({ url: '/api/auth/logout', cookie: await x.throwawaySession(c) }) },
  'POST /api/auth/register': { access: 'public', ok: 201, request: (x, c) => ({ url: '/api/auth/register', payload: x.newCitizen(c.home) }) },
  'GET /api/me': { access: 'signed-in', ok: 200 },
  'GET /api/admin/accounts': { access: admins, ok: 200 },
  'POST /api/admin/accounts': {
    access: admins,
    ok: 201,
    request: (x, c) => ({
      url: '/api/admin/accounts',
      payload: {
        kind: 'staff', name: '矩阵职员', username: x.unique('t.matrix'), password: 'Matrix#2026', departmentId: x.department(c.home),
        roles: [{ role: 'window_clerk' }],
      },
    }),
  },
  'GET /api/admin/accounts/{id}': { access: admins, ok: 200, request: (x, c) => ({ url: `/api/admin/accounts/${x.staff(c.home)}` }) },
  'POST /api/admin/accounts/{id}/roles': {
    access: admins,
    ok: 201,
    request: async (x, c) => ({ url: `/api/admin/accounts/${await x.newStaff(c.home)}/roles`, payload: { role: 'reviewer' } }),
  },
  'DELETE /api/admin/accounts/{id}/roles/{grantId}': {
    access: admins,
    ok: 204,
    request: async (x, c) => {
      const g = await x.newStaffWithGrant(c.home)
      return { url: `/api/admin/accounts/${g.accountId}/roles/${g.grantId}` }
    },
  },
  // Full phone numbers and live codes: platform admins only.
  'GET /api/admin/sms-outbox': { access: ['platform_admin'], ok: 200 },
  'GET /api/admin/audit': { access: admins, ok: 200 },

  // ---- OIDC: the consent page's API works on the interaction named by the browser's cookie ----
  'GET /api/oidc/interactions/{uid}': { access: 'public', ok: 404, request: () => ({ url: `/api/oidc/interactions/${NO_INTERACTION}` }) },
  'POST /api/oidc/interactions/{uid}/login': { access: 'signed-in', ok: 404, request: () => ({ url: `/api/oidc/interactions/${NO_INTERACTION}/login` }) },
  'POST /api/oidc/interactions/{uid}/confirm': { access: 'signed-in', ok: 404, request: () => ({ url: `/api/oidc/interactions/${NO_INTERACTION}/confirm` }) },
  'POST /api/oidc/interactions/{uid}/abort': { access: 'public', ok: 404, request: () => ({ url: `/api/oidc/interactions/${NO_INTERACTION}/abort` }) },
  'GET /api/admin/oidc-clients': { access: ['platform_admin'], ok: 200 },
  'POST /api/admin/oidc-clients': {
    access: ['platform_admin'],
    ok: 201,
    request: (x) => ({ url: '/api/admin/oidc-clients', payload: { name: x.unique('矩阵应用'), redirectUris: ['https://rp.example.cn/callback'] } }),
  },
  'DELETE /api/admin/oidc-clients/{clientId}': {
    access: ['platform_admin'],
    ok: 204,
    request: async (x) => ({ url: `/api/admin/oidc-clients/${await x.newOidcClient()}` }),
  },

  // ---- ledger: proofs are public (payloads hold ids, not personal data) ----------------------
  'GET /api/ledger/entries': { access: admins, ok: 200 },
  'GET /api/ledger/entries/{seq}': { access: 'public', ok: 200, request: () => ({ url: '/api/ledger/entries/1' }) },
  'GET /api/ledger/checkpoints/latest': { access: 'public', ok: 200 },
  'GET /api/ledger/checkpoints/{id}': { access: 'public', ok: 200, request: (x) => ({ url: `/api/ledger/checkpoints/${x.checkpointId()}` }) },
  'POST /api/ledger/verify': { access: admins, ok: 200, request: () => ({ url: '/api/ledger/verify', payload: {} }) },
  'GET /api/ledger/public-key': { access: 'public', ok: 200 },

  // ---- registries: every read states a purpose; population, entity and credit records are for
  // data admins, platform admins and the owner department's staff (the suite's staff belong to
  // none), spatial and economy data for any staff role; citizens and enterprises see their own ----
  'GET /api/registries/owners': { access: staff, ok: 200 },
  'PUT /api/registries/owners/{registry}': {
    access: ['platform_admin'],
    ok: 200,
    request: (x, c) => ({ url: '/api/registries/owners/spatial', payload: { departmentId: x.department(c.home) } }),
  },
  'GET /api/registries/access-log': { access: admins, ok: 200 },
  'GET /api/registries/persons': { access: admins, ok: 200, request: (_x, c) => ({ url: `/api/registries/persons?purpose=${PURPOSE}&divisionCode=${c.home}` }) },
  'POST /api/registries/persons': {
    access: admins,
    ok: 201,
    request: (x, c) => {
      const p = x.newCitizen(c.home)
      return { url: '/api/registries/persons', payload: { idNumber: p.idNumber, name: p.name, ethnicity: '01', householdDivisionCode: c.home } }
    },
  },
  'GET /api/registries/persons/me': { access: ['citizen'], ok: 200, request: () => ({ url: `/api/registries/persons/me?purpose=${PURPOSE}` }) },
  'GET /api/registries/persons/{id}': { access: admins, ok: 200, request: (x, c) => ({ url: `/api/registries/persons/${x.registry(c.home).personId}?purpose=${PURPOSE}` }) },
  'PATCH /api/registries/persons/{id}': {
    access: admins,
    ok: 200,
    request: async (x, c) => {
      const p = await x.newRegistryRecord(c.home, 'person')
      return { url: `/api/registries/persons/${p.id}`, payload: { version: p.version, maritalStatus: 'married' } }
    },
  },
  'GET /api/registries/persons/{id}/history': {
    access: admins,
    ok: 200,
    request: (x, c) => ({ url: `/api/registries/persons/${x.registry(c.home).personId}/history?purpose=${PURPOSE}` }),
  },
  'POST /api/registries/households': {
    access: admins,
    ok: 201,
    request: async (x, c) => ({ url: '/api/registries/households', payload: { divisionCode: c.home, headPersonId: (await x.newRegistryRecord(c.home, 'person')).id } }),
  },
  'GET /api/registries/households/me': { access: ['citizen'], ok: 200, request: () => ({ url: `/api/registries/households/me?purpose=${PURPOSE}` }) },
  'GET /api/registries/households/{id}': {
    access: admins,
    ok: 200,
    request: (x, c) => ({ url: `/api/registries/households/${x.registry(c.home).householdId}?purpose=${PURPOSE}` }),
  },
  'GET /api/registries/entities': { access: admins, ok: 200, request: (_x, c) => ({ url: `/api/registries/entities?purpose=${PURPOSE}&divisionCode=${c.home}` }) },
  'POST /api/registries/entities': {
    access: admins,
    ok: 201,
    request: (x, c) => ({ url: '/api/registries/entities', payload: { creditCode: x.newCreditCode(c.home), name: x.unique('矩阵商贸有限公司'), type: 'limited_company' } }),
  },
  'GET /api/registries/entities/me': { access: ['enterprise_agent'], ok: 200, request: () => ({ url: `/api/registries/entities/me?purpose=${PURPOSE}` }) },
  'GET /api/registries/entities/{id}': { access: admins, ok: 200, request: (x, c) => ({ url: `/api/registries/entities/${x.registry(c.home).entityId}?purpose=${PURPOSE}` }) },
  'PATCH /api/registries/entities/{id}': {
    access: admins,
    ok: 200,
    request: async (x, c) => {
      const e = await x.newRegistryRecord(c.home, 'entity')
      return { url: `/api/registries/entities/${e.id}`, payload: { version: e.version, status: 'deregistered' } }
    },
  },
  'GET /api/registries/entities/{id}/history': {
    access: admins,
    ok: 200,
    request: (x, c) => ({ url: `/api/registries/entities/${x.registry(c.home).entityId}/history?purpose=${PURPOSE}` }),
  },
  'GET /api/registries/credit-entries': { access: admins, ok: 200, request: () => ({ url: `/api/registries/credit-entries?purpose=${PURPOSE}` }) },
  'POST /api/registries/credit-entries': {
    access: admins,
    ok: 201,
    request: (x, c) => ({
      url: '/api/registries/credit-entries',
      payload: { subjectType: 'person', subjectId: x.registry(c.home).personId, list: 'red', reason: '矩阵测试', sourceDepartmentId: x.department(c.home), validFrom: '2026-01-01' },
    }),
  },
  'PATCH /api/registries/credit-entries/{id}': {
    access: admins,
    ok: 200,
    request: (x, c) => ({ url: `/api/registries/credit-entries/${x.registry(c.home).creditEntryId}`, payload: { validTo: '2030-12-31' } }),
  },
  'POST /api/registries/geocode': {
    access: staff,
    ok: 200,
    request: () => ({ url: '/api/registries/geocode', payload: { address: '山西省忻州市忻府区新建路街道', purpose: '矩阵测试' } }),
  },
  'GET /api/registries/boundaries': { access: staff, ok: 200, request: () => ({ url: `/api/registries/boundaries?purpose=${PURPOSE}` }) },
  'GET /api/registries/indicators': { access: staff, ok: 200, request: (_x, c) => ({ url: `/api/registries/indicators?purpose=${PURPOSE}&divisionCode=${c.home}` }) },
  'POST /api/registries/imports/{kind}': {
    access: admins,
    ok: 201,
    request: (_x, c) => ({ url: '/api/registries/imports/indicators', payload: { format: 'csv', content: `divisionCode,code,period,value\n${c.home},gdp,2024,100` } }),
  },

  // ---- catalog: published guides are public; drafts, versions and spreadsheets are for editors
  // in scope (each editor here works on an item of its own district's department) ---------------
  'GET /api/catalog/items': { access: 'public', ok: 200, request: (_x, c) => ({ url: `/api/catalog/items?divisionCode=${c.home}&q=${encodeURIComponent('矩阵')}` }) },
  'GET /api/catalog/items/{id}': { access: 'public', ok: 200, request: (x, c) => ({ url: `/api/catalog/items/${x.item(c.home).itemId}` }) },
  'GET /api/catalog/themes': { access: 'public', ok: 200 },
  'GET /api/catalog/departments': { access: 'public', ok: 200, request: (_x, c) => ({ url: `/api/catalog/departments?divisionCode=${c.home}` }) },
  'GET /api/catalog/versions/{versionId}': { access: 'public', ok: 200, request: (x, c) => ({ url: `/api/catalog/versions/${x.item(c.home).versionId}` }) },
  'POST /api/catalog/items': { access: editors, ok: 201, request: (x, c) => ({ url: '/api/catalog/items', payload: x.newGuide(c.home) }) },
  'GET /api/catalog/editing': { access: editors, ok: 200, request: () => ({ url: '/api/catalog/editing?status=draft' }) },
  'GET /api/catalog/items/{id}/versions': { access: editors, ok: 200, request: (x, c) => ({ url: `/api/catalog/items/${x.item(c.home).itemId}/versions` }) },
  'GET /api/catalog/items/{id}/draft': {
    access: editors,
    ok: 200,
    request: async (x, c) => ({ url: `/api/catalog/items/${(await x.newItem(c.home, 'redraft')).itemId}/draft` }),
  },
  'POST /api/catalog/items/{id}/draft': {
    access: editors,
    ok: 201,
    request: async (x, c) => ({ url: `/api/catalog/items/${(await x.newItem(c.home, 'published')).itemId}/draft` }),
  },
  'PATCH /api/catalog/items/{id}/draft': {
    access: editors,
    ok: 200,
    request: async (x, c) => {
      const i = await x.newItem(c.home, 'redraft')
      return { url: `/api/catalog/items/${i.itemId}/draft`, payload: { revision: i.revision, summary: '权限矩阵修改的摘要' } }
    },
  },
  'DELETE /api/catalog/items/{id}/draft': {
    access: editors,
    ok: 204,
    request: async (x, c) => {
      const i = await x.newItem(c.home, 'draft')
      return { url: `/api/catalog/items/${i.itemId}/draft?revision=${i.revision}` }
    },
  },
  'POST /api/catalog/items/{id}/publish': {
    access: editors,
    ok: 200,
    request: async (x, c) => {
      const i = await x.newItem(c.home, 'redraft')
      return { url: `/api/catalog/items/${i.itemId}/publish`, payload: { revision: i.revision } }
    },
  },
  'GET /api/catalog/export.xlsx': { access: staff, ok: 200 },
  'POST /api/catalog/import': {
    access: editors,
    ok: 200,
    request: async (x, c) => ({ url: '/api/catalog/import', payload: await x.workbook(c.home), headers: { 'content-type': XLSX_MIME } }),
  },

  // ---- cases: applicants work on their own cases (anyone else's is "not found"); case staff of
  // the district see its cases, and each action is for the role whose turn it is --------------
  'POST /api/cases': { access: applicants, ok: 201, request: (x, c) => ({ url: '/api/cases', payload: { itemId: x.item(c.home).code } }) },
  'GET /api/cases/mine': { access: applicants, ok: 200 },
  'PATCH /api/cases/{id}': {
    access: applicants,
    ok: 200,
    request: async (x, c) => {
      const k = await x.ownCase(c, 'draft')
      return { url: `/api/cases/${k.id}`, payload: { version: k.version, formData: { note: '权限矩阵' } } }
    },
  },
  'POST /api/cases/{id}/submit': {
    access: applicants,
    ok: 200,
    request: async (x, c) => {
      const k = await x.ownCase(c, 'draft')
      return { url: `/api/cases/${k.id}/submit`, payload: { version: k.version } }
    },
  },
  'POST /api/cases/{id}/supplement': {
    access: applicants,
    ok: 200,
    request: async (x, c) => {
      const k = await x.ownCase(c, 'supplement_requested')
      return { url: `/api/cases/${k.id}/supplement`, payload: { version: k.version, note: '已补充' } }
    },
  },
  'POST /api/cases/{id}/withdraw': {
    access: applicants,
    ok: 200,
    request: async (x, c) => {
      const k = await x.ownCase(c, 'submitted')
      return { url: `/api/cases/${k.id}/withdraw`, payload: { version: k.version, reason: '不再需要' } }
    },
  },
  'PUT /api/cases/{id}/materials/{materialCode}': {
    access: applicants,
    ok: 201,
    request: async (x, c) => ({
      url: `/api/cases/${(await x.ownCase(c, 'draft')).id}/materials/proof?fileName=${encodeURIComponent('证明.pdf')}`,
      payload: x.pdf,
      headers: { 'content-type': 'application/pdf' },
    }),
  },
  'DELETE /api/cases/{id}/files/{fileId}': {
    access: applicants,
    ok: 204,
    request: async (x, c) => {
      const k = await x.ownCase(c, 'draft', { withFile: true })
      return { url: `/api/cases/${k.id}/files/${k.fileId}` }
    },
  },
  // Applicants open their own case; everyone else a submitted case of their district.
  'GET /api/cases/{id}': {
    access: 'signed-in',
    ok: 200,
    refuse: caseInvisible,
    request: async (x, c) => ({ url: `/api/cases/${(isApplicant(c) ? await x.ownCase(c, 'submitted') : await x.staffCase(c, 'submitted')).id}` }),
  },
  'GET /api/cases/{id}/files/{fileId}': {
    access: 'signed-in',
    ok: 200,
    refuse: caseInvisible,
    request: async (x, c) => {
      const k = isApplicant(c) ? await x.ownCase(c, 'submitted', { withFile: true }) : await x.staffCase(c, 'submitted', { withFile: true })
      return { url: `/api/cases/${k.id}/files/${k.fileId}` }
    },
  },
  // 免提交: the standing item's one material names no license type (422), and no license stands in for it (404).
  'PUT /api/cases/{id}/materials/{materialCode}/license': {
    access: applicants,
    ok: 422,
    request: async (x, c) => ({ url: `/api/cases/${(await x.ownCase(c, 'draft')).id}/materials/proof/license`, payload: { licenseId: 'lic_matrix' } }),
  },
  'DELETE /api/cases/{id}/materials/{materialCode}/license': {
    access: applicants,
    ok: 404,
    request: async (x, c) => ({ url: `/api/cases/${(await x.ownCase(c, 'draft')).id}/materials/proof/license` }),
  },
  'GET /api/cases/{id}/materials/{materialCode}/license': {
    access: caseStaff,
    ok: 404,
    request: async (x, c) => ({ url: `/api/cases/${(await x.staffCase(c, 'submitted')).id}/materials/proof/license` }),
  },
  'GET /api/cases': { access: caseStaff, ok: 200 },
  'GET /api/cases/queues': { access: caseStaff, ok: 200 },
  'GET /api/cases/queues/{queue}': { access: caseStaff, ok: 200, request: () => ({ url: '/api/cases/queues/to_accept' }) },
  'POST /api/cases/{id}/accept': {
    access: caseStaff,
    ok: 200,
    refuse: windowOnly,
    request: async (x, c) => {
      const k = await x.staffCase(c, 'submitted')
      return { url: `/api/cases/${k.id}/accept`, payload: { version: k.version, opinion: '材料齐全' } }
    },
  },
  'POST /api/cases/{id}/reject': {
    access: caseStaff,
    ok: 200,
    refuse: windowOnly,
    request: async (x, c) => {
      const k = await x.staffCase(c, 'submitted')
      return { url: `/api/cases/${k.id}/reject`, payload: { version: k.version, reason: '不属于本机关职权范围', legalBasis: '《中华人民共和国行政许可法》第三十二条' } }
    },
  },
  // The window asks before acceptance; afterwards the step awaited asks.
  'POST /api/cases/{id}/request-supplement': {
    access: caseStaff,
    ok: 200,
    request: async (x, c) => {
      const k = await x.staffCase(c, isClerk(c) ? 'submitted' : 'review')
      return { url: `/api/cases/${k.id}/request-supplement`, payload: { version: k.version, items: [{ materialCode: 'proof', description: '请补充证明材料' }] } }
    },
  },
  'POST /api/cases/{id}/review': {
    access: caseStaff,
    ok: 200,
    refuse: stepsOnly,
    request: async (x, c) => {
      const k = await x.staffCase(c, 'review')
      return { url: `/api/cases/${k.id}/review`, payload: { version: k.version, outcome: 'pass', opinion: '同意' } }
    },
  },
  'POST /api/cases/{id}/approve': {
    access: caseStaff,
    ok: 200,
    refuse: stepsOnly,
    request: async (x, c) => {
      const k = await x.staffCase(c, 'decide')
      return { url: `/api/cases/${k.id}/approve`, payload: { version: k.version } }
    },
  },
  'POST /api/cases/{id}/deny': {
    access: caseStaff,
    ok: 200,
    refuse: stepsOnly,
    request: async (x, c) => {
      const k = await x.staffCase(c, 'decide')
      return { url: `/api/cases/${k.id}/deny`, payload: { version: k.version, reason: '不符合条件' } }
    },
  },
  'POST /api/cases/{id}/issue-result': {
    access: caseStaff,
    ok: 200,
    refuse: windowOnly,
    request: async (x, c) => {
      const k = await x.staffCase(c, 'approved')
      return { url: `/api/cases/${k.id}/issue-result`, payload: { version: k.version, documentNumber: x.unique('忻矩字第') } }
    },
  },
  'POST /api/cases/{id}/deliver': {
    access: caseStaff,
    ok: 200,
    refuse: windowOnly,
    request: async (x, c) => {
      const k = await x.staffCase(c, 'result_issued')
      return { url: `/api/cases/${k.id}/deliver`, payload: { version: k.version, method: 'electronic' } }
    },
  },
  'POST /api/cases/{id}/close': {
    access: caseStaff,
    ok: 200,
    refuse: windowOnly,
    request: async (x, c) => {
      const k = await x.staffCase(c, 'delivered')
      return { url: `/api/cases/${k.id}/close`, payload: { version: k.version } }
    },
  },
  // Each case succeeds or fails on its own (a reviewer's accept fails inside a 200).
  'POST /api/cases/batch-accept': {
    access: caseStaff,
    ok: 200,
    request: async (x, c) => {
      const k = await x.staffCase(c, 'submitted')
      return { url: '/api/cases/batch-accept', payload: { cases: [{ id: k.id, version: k.version }] } }
    },
  },
  'GET /api/inbox': { access: 'signed-in', ok: 200 },
  // Staff get no notices: they name the citizen's, which is not theirs to mark.
  'POST /api/inbox/{id}/read': {
    access: 'signed-in',
    ok: 204,
    refuse: (c) => (isApplicant(c) ? undefined : { status: 404, type: 'cases/notification-not-found' }),
    request: async (x, c) => ({ url: `/api/inbox/${await x.notice(c)}/read` }),
  },
  'POST /api/inbox/read-all': { access: 'signed-in', ok: 200 },

  // ---- onething (一件事一次办): bundles are public; drafts are their owner's and joined parties';
  // enterprises cannot own a person bundle's draft (the suite citizen's is not theirs: not found)
  'GET /api/onething/bundles': { access: 'public', ok: 200 },
  'GET /api/onething/bundles/{code}': { access: 'public', ok: 200, request: async (x, c) => (await x.onething(c, 'invitation'), { url: '/api/onething/bundles/MATRIX' }) },
  'PUT /api/onething/bundles/{code}': {
    access: admins,
    ok: 200,
    request: async (x, c) => (await x.onething(c, 'invitation'), {
      url: '/api/onething/bundles/MATRIX',
      payload: { name: '矩阵一件事', summary: '权限矩阵测试', applicableTo: 'person', items: [{ code: x.item('140902').code }, { code: x.item('140981').code }], fields: [{ name: 'note', to: [`${x.item('140902').code}.note`] }], parties: [{ role: 'partner', label: '共同申请人', required: false }] },
    }),
  },
  'POST /api/onething/drafts': {
    access: applicants,
    ok: 201,
    refuse: (c) => (c.roles.includes('enterprise_agent') ? { status: 422, type: 'onething/not-applicable' } : undefined),
    request: async (x, c) => (await x.onething(c, 'invitation'), { url: '/api/onething/drafts', payload: { bundleCode: 'MATRIX' } }),
  },
  'GET /api/onething/drafts': { access: applicants, ok: 200 },
  'GET /api/onething/drafts/{id}': { access: applicants, ok: 200, refuse: notOwnDraft, request: async (x, c) => ({ url: `/api/onething/drafts/${(await x.onething(c, 'draft')).id}` }) },
  'PUT /api/onething/drafts/{id}/answers': {
    access: applicants,
    ok: 200,
    refuse: notOwnDraft,
    request: async (x, c) => {
      const d = await x.onething(c, 'draft')
      return { url: `/api/onething/drafts/${d.id}/answers`, payload: { version: d.version, answers: {} } }
    },
  },
  'PATCH /api/onething/drafts/{id}/fields': {
    access: applicants,
    ok: 200,
    refuse: notOwnDraft,
    request: async (x, c) => ({ url: `/api/onething/drafts/${(await x.onething(c, 'draft')).id}/fields`, payload: { changes: [{ field: 'note', value: '权限矩阵', baseVersion: 0 }] } }),
  },
  // The owner consents to their own new e-ID card for the standing items' ID-card material.
  'PUT /api/onething/drafts/{id}/licenses/{licenseType}': {
    access: applicants,
    ok: 200,
    refuse: notOwnDraft,
    request: async (x, c) => {
      const d = await x.onething(c, 'draft')
      return { url: `/api/onething/drafts/${d.id}/licenses/resident_id_card`, payload: { licenseId: (await x.license(c)).id } }
    },
  },
  'DELETE /api/onething/drafts/{id}/licenses/{licenseType}': {
    access: applicants,
    ok: 200,
    refuse: notOwnDraft,
    request: async (x, c) => ({ url: `/api/onething/drafts/${(await x.onething(c, 'draft')).id}/licenses/resident_id_card` }),
  },
  'POST /api/onething/drafts/{id}/invitations': {
    access: applicants,
    ok: 201,
    refuse: notOwnDraft,
    request: async (x, c) => ({ url: `/api/onething/drafts/${(await x.onething(c, 'draft')).id}/invitations`, payload: { role: 'partner' } }),
  },
  'POST /api/onething/invitations/{token}/accept': { access: applicants, ok: 200, request: async (x, c) => ({ url: `/api/onething/invitations/${(await x.onething(c, 'invitation')).token}/accept` }) },
  'POST /api/onething/drafts/{id}/confirm': { access: applicants, ok: 200, request: async (x, c) => ({ url: `/api/onething/drafts/${(await x.onething(c, 'joined')).id}/confirm` }) },
  'POST /api/onething/drafts/{id}/decline': { access: applicants, ok: 200, request: async (x, c) => ({ url: `/api/onething/drafts/${(await x.onething(c, 'joined')).id}/decline` }) },
  'POST /api/onething/drafts/{id}/materials/{itemCode}/{materialCode}/files': {
    access: applicants,
    ok: 201,
    refuse: notOwnDraft,
    request: async (x, c) => ({
      url: `/api/onething/drafts/${(await x.onething(c, 'draft')).id}/materials/${x.item('140902').code}/proof/files?fileName=proof.pdf`,
      payload: x.pdf,
      headers: { 'content-type': 'application/pdf' },
    }),
  },
  'GET /api/onething/drafts/{id}/files': { access: applicants, ok: 200, refuse: notOwnDraft, request: async (x, c) => ({ url: `/api/onething/drafts/${(await x.onething(c, 'draft')).id}/files` }) },
  'DELETE /api/onething/drafts/{id}/files/{fileId}': {
    access: applicants,
    ok: 204,
    refuse: notOwnDraft,
    request: async (x, c) => {
      const d = await x.onething(c, 'draft', { withFile: true })
      return { url: `/api/onething/drafts/${d.id}/files/${d.fileId}` }
    },
  },
  'POST /api/onething/drafts/{id}/submit': {
    access: applicants,
    ok: 201,
    refuse: notOwnDraft,
    request: async (x, c) => {
      const d = await x.onething(c, 'draft')
      return { url: `/api/onething/drafts/${d.id}/submit`, payload: { version: d.version } }
    },
  },
  'GET /api/onething/applications': { access: applicants, ok: 200 },
  'GET /api/onething/applications/{id}': {
    access: applicants,
    ok: 200,
    refuse: (c) => (c.roles.includes('enterprise_agent') ? { status: 404, type: 'cases/not-found' } : undefined),
    request: async (x, c) => ({ url: `/api/onething/applications/${(await x.onething(c, 'submitted')).groupId}` }),
  },
  'GET /api/onething/cases/{caseId}/fill': {
    access: 'signed-in',
    ok: 200,
    refuse: caseInvisible,
    request: async (x, c) => ({ url: `/api/onething/cases/${(isApplicant(c) ? await x.ownCase(c, 'submitted') : await x.staffCase(c, 'submitted')).id}/fill` }),
  },
  'GET /api/onething/metrics': { access: ['department_head', 'leader', 'data_admin', 'platform_admin'], ok: 200 },

  // ---- rating (好差评): tags and aggregated figures are public, as is rating through an SMS link
  // (the signed token is the credential); raters see their own subjects; department heads answer
  // their department's rectifications; the centre (hotline operators and admins, data admins) calls back.
  'GET /api/rating/tags': { access: 'public', ok: 200 },
  'GET /api/rating/public/stats': { access: 'public', ok: 200 },
  'GET /api/rating/sms/{token}': { access: 'public', ok: 200, request: async (x, c) => ({ url: `/api/rating/sms/${await x.ratingToken(c.home)}` }) },
  'POST /api/rating/sms/{token}': {
    access: 'public',
    ok: 201,
    request: async (x, c) => ({ url: `/api/rating/sms/${await x.ratingToken(c.home)}`, payload: { level: 4, tags: ['convenient'] } }),
  },
  'GET /api/rating/mine': { access: applicants, ok: 200 },
  'GET /api/rating/subjects/{kind}/{refId}': {
    access: applicants,
    ok: 200,
    request: async (x, c) => {
      const s = await x.rateable(c)
      return { url: `/api/rating/subjects/${s.kind}/${s.refId}` }
    },
  },
  'POST /api/rating/subjects/{kind}/{refId}/rating': {
    access: applicants,
    ok: 201,
    request: async (x, c) => {
      const s = await x.rateable(c)
      return { url: `/api/rating/subjects/${s.kind}/${s.refId}/rating`, payload: { level: 5, tags: ['efficient'], comment: '权限矩阵' } }
    },
  },
  'GET /api/rating/rectifications': { access: ratingDesk, ok: 200 },
  'GET /api/rating/rectifications/{id}': {
    access: ratingDesk,
    ok: 200,
    request: async (x, c) => ({ url: `/api/rating/rectifications/${(await x.rectification(c.home, 'open')).id}` }),
  },
  'POST /api/rating/rectifications/{id}/answer': {
    access: ['department_head'],
    ok: 200,
    request: async (x, c) => {
      const r = await x.rectification(c.home, 'open')
      return { url: `/api/rating/rectifications/${r.id}/answer`, payload: { version: r.version, answer: '已整改(权限矩阵)' } }
    },
  },
  'POST /api/rating/rectifications/{id}/callback': {
    access: ratingCentre,
    ok: 200,
    request: async (x, c) => {
      const r = await x.rectification(c.home, 'answered')
      return { url: `/api/rating/rectifications/${r.id}/callback`, payload: { version: r.version, method: 'phone', reached: true, outcome: '已回访' } }
    },
  },
  'GET /api/rating/stats': { access: [...ratingCentre, 'leader', 'platform_admin', 'department_head'], ok: 200 },

  // ---- licenses: public verification; the holder's wallet; issuing departments' seals, status,
  // imports; departments asking for and reading a holder's license (under the holder's grant).
  'GET /api/licenses/types': { access: 'public', ok: 200 },
  'GET /api/licenses/verify/{code}': { access: 'public', ok: 200, request: async (x, c) => ({ url: `/api/licenses/verify/${(await x.license(c)).code}` }) },
  'POST /api/licenses/verify': { access: 'public', ok: 200, request: async (x, c) => ({ url: '/api/licenses/verify', payload: { document: (await x.license(c)).document } }) },
  'GET /api/licenses/seals/{id}/image.{format}': { access: 'public', ok: 200, request: async (x, c) => ({ url: `/api/licenses/seals/${(await x.license(c)).sealId}/image.svg` }) },
  'GET /api/licenses/status-lists/{listId}': { access: 'public', ok: 200, request: async (x, c) => ({ url: `/api/licenses/status-lists/${(await x.license(c)).statusListId}` }) },
  'GET /api/licenses/issuer/did.json': { access: 'public', ok: 200 },
  'GET /api/licenses/mine': { access: licenseHolders, ok: 200 },
  'GET /api/licenses/mine/grants': { access: licenseHolders, ok: 200 },
  'POST /api/licenses/mine/grants/{grantId}/withdraw': {
    access: licenseHolders,
    ok: 200,
    request: async (x, c) => ({ url: `/api/licenses/mine/grants/${(await x.license(c, { grant: true })).grantId}/withdraw`, payload: {} }),
  },
  'GET /api/licenses/mine/requests': { access: licenseHolders, ok: 200 },
  'POST /api/licenses/mine/requests/{requestId}/approve': {
    access: licenseHolders,
    ok: 200,
    request: async (x, c) => {
      const l = await x.license(c, { request: true })
      return { url: `/api/licenses/mine/requests/${l.requestId}/approve`, payload: { licenseId: l.id, mode: 'single_use' } }
    },
  },
  'POST /api/licenses/mine/requests/{requestId}/deny': {
    access: licenseHolders,
    ok: 200,
    request: async (x, c) => ({ url: `/api/licenses/mine/requests/${(await x.license(c, { request: true })).requestId}/deny`, payload: {} }),
  },
  'GET /api/licenses/mine/uses': { access: licenseHolders, ok: 200 },
  'GET /api/licenses/mine/{id}': { access: licenseHolders, ok: 200, request: async (x, c) => ({ url: `/api/licenses/mine/${(await x.license(c)).id}` }) },
  'POST /api/licenses/mine/{id}/tokens': {
    access: licenseHolders,
    ok: 201,
    request: async (x, c) => ({ url: `/api/licenses/mine/${(await x.license(c)).id}/tokens`, payload: { disclose: [] } }),
  },
  'GET /api/licenses/mine/{id}/pdf': { access: licenseHolders, ok: 200, request: async (x, c) => ({ url: `/api/licenses/mine/${(await x.license(c)).id}/pdf` }) },
  'GET /api/licenses/mine/{id}/document': { access: licenseHolders, ok: 200, request: async (x, c) => ({ url: `/api/licenses/mine/${(await x.license(c)).id}/document` }) },
  'GET /api/licenses/mine/{id}/credential': { access: licenseHolders, ok: 200, request: async (x, c) => ({ url: `/api/licenses/mine/${(await x.license(c)).id}/credential` }) },
  'POST /api/licenses/mine/{id}/grants': {
    access: licenseHolders,
    ok: 201,
    request: async (x, c) => ({ url: `/api/licenses/mine/${(await x.license(c)).id}/grants`, payload: { departmentId: x.department(c.home), purpose: '权限矩阵用证', mode: 'standing' } }),
  },
  'GET /api/licenses/seals': { access: licenseIssuers, ok: 200 },
  'POST /api/licenses/seals': { access: licenseIssuers, ok: 201, request: (x, c) => ({ url: '/api/licenses/seals', payload: { departmentId: x.department(c.home), name: x.unique('矩阵电子印章') } }) },
  'GET /api/licenses/seals/{id}': { access: licenseIssuers, ok: 200, request: async (x, c) => ({ url: `/api/licenses/seals/${(await x.license(c)).sealId}` }) },
  'PATCH /api/licenses/seals/{id}': {
    access: licenseIssuers,
    ok: 200,
    request: async (x, c) => ({ url: `/api/licenses/seals/${(await x.license(c)).sealId}`, payload: { name: x.unique('矩阵电子印章') } }),
  },
  'GET /api/licenses/issued': { access: licenseStaff, ok: 200 },
  'GET /api/licenses/issued/{id}': { access: licenseStaff, ok: 200, request: async (x, c) => ({ url: `/api/licenses/issued/${(await x.license(c)).id}` }) },
  'POST /api/licenses/issued/{id}/revoke': {
    access: licenseIssuers,
    ok: 200,
    request: async (x, c) => ({ url: `/api/licenses/issued/${(await x.license(c)).id}/revoke`, payload: { reason: '权限矩阵注销' } }),
  },
  'POST /api/licenses/issued/{id}/suspend': {
    access: licenseIssuers,
    ok: 200,
    request: async (x, c) => ({ url: `/api/licenses/issued/${(await x.license(c)).id}/suspend`, payload: { reason: '权限矩阵暂停' } }),
  },
  'POST /api/licenses/issued/{id}/reinstate': {
    access: licenseIssuers,
    ok: 200,
    request: async (x, c) => ({ url: `/api/licenses/issued/${(await x.license(c, { suspended: true })).id}/reinstate`, payload: { reason: '权限矩阵恢复' } }),
  },
  'POST /api/licenses/imports': {
    access: licenseIssuers,
    ok: 201,
    request: async (x, c) => {
      await x.license(c)
      const p = x.newCitizen(c.home)
      const birth = `${p.idNumber.slice(6, 10)}-${p.idNumber.slice(10, 12)}-${p.idNumber.slice(12, 14)}`
      const sex = Number(p.idNumber[16]) % 2 ? '男' : '女'
      return { url: '/api/licenses/imports', payload: { departmentId: x.department(c.home), type: 'resident_id_card', format: 'csv', content: `姓名,身份证号码,性别,出生日期\n${p.name},${p.idNumber},${sex},${birth}\n` } }
    },
  },
  'POST /api/licenses/requests': {
    access: licenseStaff,
    ok: 201,
    request: (x, c) => ({ url: '/api/licenses/requests', payload: { departmentId: x.department(c.home), licenseType: 'resident_id_card', holderIdNumber: x.newCitizen(c.home).idNumber, purpose: '权限矩阵用证' } }),
  },
  'GET /api/licenses/requests': { access: licenseStaff, ok: 200, request: (x, c) => ({ url: `/api/licenses/requests?departmentId=${x.department(c.home)}` }) },
  'POST /api/licenses/reads': {
    access: licenseStaff,
    ok: 200,
    request: async (x, c) => ({ url: '/api/licenses/reads', payload: { licenseId: (await x.license(c, { grant: true })).id, departmentId: x.department(c.home), purpose: '权限矩阵用证' } }),
  },
  // ---- 12345 hotline and Open311 (authorization-matrix.hotline.ts) ----------------------------------
  ...hotlineRouteTable,
}

/** Routes hidden from the OpenAPI document (the OIDC provider's own, the document itself). */
export const hiddenRoutes: Record<string, RouteRule> = {
  'GET /api/openapi.json': { access: 'public', ok: 200 },
  'GET /api/docs': { access: 'public', ok: 200 },
  'GET /.well-known/openid-configuration': { access: 'public', ok: 200 },
  'GET /oidc/jwks': { access: 'public', ok: 200 },
  // userinfo answers to an access token only: a platform session cookie is not one.
  'GET /oidc/me': { access: 'bearer-token', ok: 200 },
}
