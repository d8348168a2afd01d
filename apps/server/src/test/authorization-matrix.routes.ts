import type { Role } from '../platform/roles.js'

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
}

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
}

export interface MatrixRequest {
  url: string
  payload?: unknown
  /** Replaces the caller's cookie (null: none). */
  cookie?: string | null
}

export interface RouteRule {
  access: Access
  /** What a caller with access gets for the request below. */
  ok: number
  /** The request; without one, the path itself (routes without parameters). */
  request?: (x: MatrixContext, c: Caller) => MatrixRequest | Promise<MatrixRequest>
}

/** Writers of org and identity admin: platform admins anywhere, data admins within their divisions. */
const admins: readonly Role[] = ['data_admin', 'platform_admin']
const NO_INTERACTION = 'no-such-interaction'

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
