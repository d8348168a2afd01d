import { hasRole } from '../../lib/session'
import type { Me } from '../../lib/types'

/** Who does what on the 好差评 pages (the server checks every call again). */

/** Department heads whose grant names a department answer its rectifications. */
export function isRectifyingDepartment(me: Me | null | undefined): boolean {
  return !!me && me.roles.some((g) => g.role === 'department_head' && !!g.departmentId)
}

/** The centre calls raters back: hotline operators and admins, data admins. */
export function isRatingCentre(me: Me | null | undefined): boolean {
  return hasRole(me, 'hotline_operator', 'hotline_admin', 'data_admin')
}

export function canSeeRatingStats(me: Me | null | undefined): boolean {
  return hasRole(me, 'hotline_operator', 'hotline_admin', 'data_admin', 'leader', 'platform_admin', 'department_head')
}
