import { hasRole } from '../../lib/session'
import type { Me } from '../../lib/types'

/** Who does what in the hotline pages; the server checks every call again. */

/** The hotline centre: operators and admins (the server scopes them to their division). */
export function isCentre(me: Me | null | undefined): boolean {
  return hasRole(me, 'hotline_operator', 'hotline_admin')
}

export function isHotlineAdmin(me: Me | null | undefined): boolean {
  return hasRole(me, 'hotline_admin')
}

/** Staff who handle tickets for their department: a clerk or head grant that names a department. */
export function isDepartmentStaff(me: Me | null | undefined): boolean {
  return !!me && me.roles.some((g) => (g.role === 'window_clerk' || g.role === 'department_head') && !!g.departmentId)
}

/** Who may read the 三率 metrics. */
export function canSeeMetrics(me: Me | null | undefined): boolean {
  return hasRole(me, 'hotline_operator', 'hotline_admin', 'leader', 'department_head')
}

/** Who keeps knowledge-base articles: department heads for their department, the centre for all. */
export function canEditKb(me: Me | null | undefined): boolean {
  return hasRole(me, 'hotline_admin', 'department_head')
}

/** Where /work/hotline lands: the console for the centre, the queue for a department, else the metrics. */
export function hotlineHome(me: Me | null | undefined): string | null {
  if (isCentre(me)) return '/work/hotline/console'
  if (isDepartmentStaff(me)) return '/work/hotline/department'
  if (canSeeMetrics(me)) return '/work/hotline/metrics'
  return null
}
