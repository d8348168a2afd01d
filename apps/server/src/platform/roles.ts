/** Roles a grant can carry. Staff roles are scoped to a division (and optionally a department). */
export const roles = [
  'citizen',
  'enterprise_agent',
  'window_clerk',
  'reviewer',
  'department_head',
  'leader',
  'data_admin',
  'ops_operator',
  'platform_admin',
  // The 12345 hotline centre: operators (接线员) and its administrators (热线中心).
  'hotline_operator',
  'hotline_admin',
] as const
export type Role = (typeof roles)[number]

export const staffRoles: readonly Role[] = ['window_clerk', 'reviewer', 'department_head', 'leader', 'data_admin', 'ops_operator', 'platform_admin', 'hotline_operator', 'hotline_admin']

export type AccountKind = 'person' | 'legal' | 'staff'

export interface RoleGrant {
  role: Role
  /** GB/T 2260 code the grant covers (with everything beneath it); null = whole platform. */
  divisionCode: string | null
  departmentId: string | null
}

/** Who is calling. Built from the session by the identity module. */
export interface Principal {
  accountId: string
  sessionId: string
  kind: AccountKind
  name: string
  grants: RoleGrant[]
}

/**
 * The code prefix a division covers: trailing "00" pairs of a 6-digit GB/T 2260 code name the
 * level above (140000 is Shanxi, 140900 Xinzhou), so their children share the shorter prefix.
 */
export function divisionPrefix(code: string): string {
  if (code.length !== 6) return code
  if (code.endsWith('0000')) return code.slice(0, 2)
  if (code.endsWith('00')) return code.slice(0, 4)
  return code
}

/** Whether a scope division contains (or is) the target division. */
export function divisionCovers(scope: string | null, target: string): boolean {
  if (scope === null) return true
  return target.startsWith(divisionPrefix(scope))
}

export function hasRole(p: Principal | null | undefined, ...wanted: Role[]): boolean {
  return !!p && p.grants.some((g) => wanted.includes(g.role))
}

/** Whether one of the principal's grants for the given roles covers the division. */
export function canActIn(p: Principal | null | undefined, divisionCode: string, ...wanted: Role[]): boolean {
  if (!p) return false
  return p.grants.some((g) => (wanted.length === 0 || wanted.includes(g.role)) && divisionCovers(g.divisionCode, divisionCode))
}

/** Divisions the principal may see for these roles; null means no limit (platform-wide grant). */
export function visibleDivisions(p: Principal, ...wanted: Role[]): string[] | null {
  const grants = p.grants.filter((g) => wanted.length === 0 || wanted.includes(g.role))
  if (grants.some((g) => g.divisionCode === null)) return null
  return grants.map((g) => g.divisionCode as string)
}
