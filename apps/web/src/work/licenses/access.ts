import { hasRole } from '../../lib/session'
import type { Me } from '../../lib/types'

/** Who sees the licenses a department issued (the server narrows to departments in reach). */
export function canSeeIssued(me: Me | null | undefined): boolean {
  return hasRole(me, 'department_head', 'data_admin', 'reviewer', 'window_clerk', 'leader', 'platform_admin')
}

/** Who manages seals, imports and license status (department heads and data admins of the issuing department). */
export function canManageLicenses(me: Me | null | undefined): boolean {
  return hasRole(me, 'department_head', 'data_admin', 'platform_admin')
}

/** The department a head or data admin acts for by default (their grant's, else their own). */
export function ownDepartmentId(me: Me | null | undefined): string | null {
  if (!me) return null
  const g = me.roles.find((r) => (r.role === 'department_head' || r.role === 'data_admin') && r.departmentId)
  return g?.departmentId ?? me.departmentId
}
