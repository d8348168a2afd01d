import { divisionCovers, type Principal, type Role } from '../../platform/roles.js'
import type { Actor } from './state.js'
import type { TicketRow } from './store.js'

/** The 12345 centre: operators (接线员) and the centre's administrators. */
export const centreRoles: readonly Role[] = ['hotline_operator', 'hotline_admin']
/** Department staff who sign, return, reply and ask for extensions (scoped to their department). */
export const departmentRoles: readonly Role[] = ['window_clerk', 'department_head']

const covers = (p: Principal, roles: readonly Role[], division: string | null) =>
  p.grants.some((g) => roles.includes(g.role) && (division === null ? true : divisionCovers(g.divisionCode, division)))

/** Whether the caller is the centre for a place (a ticket without a place: any centre grant). */
export function isCentre(p: Principal, division: string | null): boolean {
  return covers(p, centreRoles, division)
}
export function isAdmin(p: Principal, division: string | null): boolean {
  return covers(p, ['hotline_admin'], division)
}
export function hasCentreRole(p: Principal): boolean {
  return p.grants.some((g) => centreRoles.includes(g.role))
}

/** Departments the caller works for: grants of department roles that name a department. */
export function departmentsOf(p: Principal, roles: readonly Role[] = departmentRoles): Set<string> {
  return new Set(p.grants.filter((g) => roles.includes(g.role) && g.departmentId).map((g) => g.departmentId as string))
}

/** As whom the caller may act on this ticket. */
export function actorsOn(p: Principal, t: TicketRow): Set<Actor> {
  const out = new Set<Actor>()
  if (isCentre(p, t.division_code)) out.add('centre')
  if (isAdmin(p, t.division_code)) out.add('admin')
  const mine = departmentsOf(p)
  if (t.department_id && mine.has(t.department_id)) out.add('department')
  if (t.assist_department_ids.some((d) => mine.has(d))) out.add('assist')
  return out
}
