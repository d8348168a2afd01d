import type { ForeignFormat, PersonalDataAllowance, PersonaSpec } from './fuzzer.js'

/** A demo sign-in as `loadDemo` lists it (apps/server/src/demo). */
export interface DemoLogin {
  role: string
  username: string
  password: string
}

/**
 * The demo city's accounts as fuzzing personas: one per role, plus the district-scoped data admin
 * the README does not list. A phone used as a sign-in name is the persona's own phone; a citizen's
 * ID number and phone are read back from its own records before fuzzing (they are not others').
 */
export function demoPersonas(logins: DemoLogin[]): PersonaSpec[] {
  const all = [...logins]
  const password = logins[0]?.password ?? 'Demo@2026'
  if (!all.some((l) => l.username === 'xf.data')) all.push({ role: 'data_admin', username: 'xf.data', password })
  return all.map((l) => ({
    label: `${l.role} ${l.username}`,
    username: l.username,
    password: l.password,
    own: /^1[3-9]\d{9}$/.test(l.username) ? [l.username] : [],
    // A citizen registered with an ID number and a phone; its wallet and forms show them in full to it.
    ownFrom: /^citizen/.test(l.role) ? ['/api/me', `/api/registries/persons/me?purpose=${encodeURIComponent('模糊测试：本人身份标识')}`] : [],
  }))
}

/**
 * The demo logins as the README lists them, for fuzzing a server that loaded the demo itself
 * (DEMO=true) rather than one built in-process with `loadDemo`.
 */
export const readmeDemoLogins: DemoLogin[] = [
  ...['xz.clerk:window_clerk', 'xz.reviewer:reviewer', 'xz.head:department_head', 'xz.leader:leader', 'xz.data:data_admin', 'xz.ops:ops_operator', 'admin:platform_admin', 'xf.clerk:window_clerk', 'yp.clerk:window_clerk'].map((s) => {
    const [username, role] = s.split(':') as [string, string]
    return { role, username, password: 'Demo@2026' }
  }),
  { role: 'citizen', username: '13900001409', password: 'Demo@2026' },
  { role: 'enterprise_agent', username: '91140921301127208P', password: 'Demo@2026' },
  // The 12345 centre, a department that takes tickets, and the 出生一件事 family and a department clerk.
  ...['rx.operator:hotline_operator', 'rx.admin:hotline_admin', 'xz.hrss:department_head', '13900001501:citizen (mother)', '13900001502:citizen (father)', 'ga.clerk:window_clerk'].map((s) => {
    const [username, role] = s.split(':') as [string, string]
    return { role, username, password: 'Demo@2026' }
  }),
]

/** A registries record disclosed in full on purpose (staff in scope or the person, a stated purpose, an access-log entry). */
const revealed = (holders: Record<string, unknown>[]) => holders.some((h) => h.revealed === true)

/** Answers that show full phones or ID numbers by design, and why. */
export const personalDataAllowances: PersonalDataAllowance[] = [
  {
    operation: 'GET /api/admin/sms-outbox',
    kind: 'phone',
    reason: 'the development SMS outbox stands in for the SMS gateway (platform admin only; absent with a real provider)',
  },
  ...['GET /api/org/departments', 'GET /api/org/departments/{id}', 'POST /api/org/departments', 'PATCH /api/org/departments/{id}'].map((operation) => ({
    operation,
    kind: 'phone' as const,
    reason: 'a department’s office phone is public contact information (政务公开), whatever number an admin entered',
  })),
  {
    operation: 'POST /api/hotline/tickets/{id}/reporter/reveal',
    kind: 'phone',
    reason: 'the 12345 centre reveals a reporter’s number to call back only on request with a stated reason; each reveal is audited',
  },
  ...(['phone', 'idNumber'] as const).map((kind) => ({
    operation: 'GET /api/cases/{id}',
    kind,
    reason: 'staff in reach may ask to see an applicant’s form in full (reveal=true); each reveal is audited and on the ledger (revealed: true)',
    when: revealed,
  })),
  ...[
    'GET /api/registries/persons', 'GET /api/registries/persons/{id}', 'GET /api/registries/persons/me', 'GET /api/registries/persons/{id}/history',
    'GET /api/registries/households/{id}', 'GET /api/registries/households/me',
    'GET /api/registries/entities', 'GET /api/registries/entities/{id}', 'GET /api/registries/entities/me', 'GET /api/registries/entities/{id}/history',
    // Writes answer the record as its writer (staff in scope) may see it.
    'POST /api/registries/persons', 'PATCH /api/registries/persons/{id}', 'POST /api/registries/households', 'POST /api/registries/entities', 'PATCH /api/registries/entities/{id}',
  ].flatMap((operation) =>
    (['phone', 'idNumber'] as const).map((kind) => ({
      operation,
      kind,
      reason: 'the population registry discloses to staff in scope who state a purpose, and logs the access (revealed: true)',
      when: revealed,
    })),
  ),
]

/**
 * Open311 GeoReport v2 (the hotline module's /open311/v2): the standard fixes its own error format,
 * `[{"code":400,"description":"…"}]` or `<errors><error><code>…`, and `.xml` twins of every answer.
 */
export const open311Format: ForeignFormat = {
  pathPrefix: '/open311/',
  reason: 'Open311 GeoReport v2 prescribes its error format and XML answers',
  alternativeContentType: /^(text|application)\/xml\b/,
  errorViolation(status, contentType, body) {
    if (/^(text|application)\/xml\b/.test(contentType)) {
      return /<errors>\s*<error>\s*<code>\d{3}<\/code>/.test(body) ? null : 'XML error answer without <errors><error><code>'
    }
    if (!/^application\/json\b/.test(contentType)) return `Open311 error answered as "${contentType}"`
    try {
      const list = JSON.parse(body) as { code?: unknown; description?: unknown }[]
      if (!Array.isArray(list) || list.length === 0) return 'Open311 error body is not a non-empty array'
      if (!list.every((e) => e.code === status && typeof e.description === 'string')) return `Open311 errors must carry code ${status} and a description`
      return null
    } catch {
      return 'Open311 error body is not JSON'
    }
  },
}
