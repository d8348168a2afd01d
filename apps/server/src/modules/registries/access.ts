import { divisionCovers, divisionPrefix, staffRoles, type Principal } from '../../platform/roles.js'
import type { RegistryCode } from './types.js'

/**
 * Who may read and write the registries, and who sees ID numbers in full. Pure rules over the
 * caller's grants and the registry's owner department:
 *
 * | caller                                   | read / write           | ID numbers, phones, addresses |
 * |------------------------------------------|------------------------|-------------------------------|
 * | platform_admin                           | within its grant       | in full (single records)      |
 * | staff of the owner department (any role) | within its grant       | in full (single records)      |
 * | data_admin                               | within its grant       | masked                        |
 * | a citizen                                | own record, household  | own in full, others masked    |
 * | any staff role (spatial, economy only)   | read anywhere          | (no personal data)            |
 *
 * Lists are masked for everyone; the full value is for the one record a caller opened with a need.
 */

/** One division a caller may act in; `reveal` = may see personal identifiers in full there. */
export interface Scope {
  divisionCode: string | null
  reveal: boolean
}

/** Registries without personal data: any staff member may read them (still with a purpose). */
export const openRegistries: readonly RegistryCode[] = ['spatial', 'economy']

/** Where the principal may write in a registry owned by `ownerDepartmentId`. */
export function writeScopes(p: Principal, ownerDepartmentId: string | null): Scope[] {
  const scopes: Scope[] = []
  for (const g of p.grants) {
    if (g.role === 'platform_admin') scopes.push({ divisionCode: g.divisionCode, reveal: true })
    else if (g.role === 'data_admin') scopes.push({ divisionCode: g.divisionCode, reveal: false })
    else if (ownerDepartmentId !== null && g.departmentId === ownerDepartmentId && staffRoles.includes(g.role)) {
      scopes.push({ divisionCode: g.divisionCode, reveal: true })
    }
  }
  return scopes
}

/** Where the principal may read a registry: its write scopes, and anywhere for open registries. */
export function readScopes(p: Principal, registry: RegistryCode, ownerDepartmentId: string | null): Scope[] {
  const scopes = writeScopes(p, ownerDepartmentId)
  if (openRegistries.includes(registry) && p.grants.some((g) => staffRoles.includes(g.role))) scopes.push({ divisionCode: null, reveal: false })
  return scopes
}

export function covers(scopes: Scope[], divisionCode: string): boolean {
  return scopes.some((s) => divisionCovers(s.divisionCode, divisionCode))
}

export function revealsIn(scopes: Scope[], divisionCode: string): boolean {
  return scopes.some((s) => s.reveal && divisionCovers(s.divisionCode, divisionCode))
}

/** Code prefixes a list is limited to; null = no limit. */
export function visiblePrefixes(scopes: Scope[]): string[] | null {
  if (scopes.some((s) => s.divisionCode === null)) return null
  return [...new Set(scopes.map((s) => divisionPrefix(s.divisionCode as string)))]
}
