/** Who may act for which department, and small helpers every part of the licenses service shares. */
import { systemActor, type AuditActor } from '../../platform/audit.js'
import { OutOfScopeError } from '../../platform/errors.js'
import { divisionCovers, type Principal, type Role } from '../../platform/roles.js'
import { UnknownLicenseTypeError } from './errors.js'
import { licenseTypeOf, type LicenseTypeDef } from './license-types.js'
import type { RequestMeta } from './types.js'

/** Roles that manage a department's seals, issue by import, and change license status. */
export const issuerAdminRoles: readonly Role[] = ['department_head', 'data_admin']
/** Roles that see what their department issued, and that ask for and read holders' licenses. */
export const departmentStaffRoles: readonly Role[] = ['department_head', 'data_admin', 'reviewer', 'window_clerk', 'leader']

/** A page's bounds from a query: 20 a page by default, 100 at most. */
export function pageOf(q: { page?: number; pageSize?: number }) {
  const page = Math.max(1, q.page ?? 1)
  const pageSize = Math.min(100, Math.max(1, q.pageSize ?? 20))
  return { page, pageSize, offset: (page - 1) * pageSize }
}

/** The audit actor for a principal and its request (the system when there is none). */
export function actorOf(by: Principal | null, meta: RequestMeta = {}): AuditActor {
  if (!by) return systemActor
  return { actorId: by.accountId, actorKind: by.kind, actorName: by.name, ip: meta.ip ?? null, userAgent: meta.userAgent?.slice(0, 300) ?? null }
}

/** The license type of a code. @throws UnknownLicenseTypeError */
export function typeOrThrow(code: string): LicenseTypeDef {
  const def = licenseTypeOf(code)
  if (!def) throw new UnknownLicenseTypeError(code)
  return def
}

/** Whether the principal acts for the department with one of `roles` (department grant, or division grant covering it). */
export function actsFor(p: Principal, dept: { id: string; divisionCode: string }, roles: readonly Role[]): boolean {
  return p.grants.some((g) => {
    if (g.role === 'platform_admin') return divisionCovers(g.divisionCode, dept.divisionCode)
    if (!roles.includes(g.role)) return false
    return g.departmentId ? g.departmentId === dept.id : divisionCovers(g.divisionCode, dept.divisionCode)
  })
}

/** @throws OutOfScopeError unless the principal acts for the department with one of `roles`. */
export function assertActsFor(p: Principal, dept: { id: string; divisionCode: string }, roles: readonly Role[]): void {
  if (!actsFor(p, dept, roles)) throw new OutOfScopeError()
}
