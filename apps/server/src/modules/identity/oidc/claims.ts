import type { Account } from 'oidc-provider'
import type { Principal } from '../../../platform/roles.js'
import type { Me } from '../service.js'

/** The part of the identity module's `Me` the claims are made of. */
export type OidcMe = Pick<Me, 'id' | 'kind' | 'name' | 'maskedIdNumber' | 'divisionCode'> & { roles: { role: string }[] }

/** What the provider needs from the identity service. */
export interface AccountDirectory {
  getMe(accountId: string): Promise<Me | null>
  /** Ends a platform session (RP-initiated logout signs the citizen out of Yiwang too). */
  logout(principal: Principal, meta?: { ip?: string | null; userAgent?: string | null }): Promise<void>
}

/** Scopes a relying party may ask for. `yiwang` carries the platform-specific claims. */
export const scopes = ['openid', 'profile', 'yiwang'] as const

/** Which claims each scope releases (OpenID Connect Core §5.4, plus the `yiwang` scope). */
export const claimsByScope = {
  openid: ['sub'],
  profile: ['name'],
  yiwang: ['account_type', 'id_number_masked', 'division', 'roles'],
} satisfies Record<(typeof scopes)[number], string[]>

/**
 * The claims of an account. The ID number only ever leaves masked (first 4 and last 4 digits);
 * `division` is the GB/T 2260 code of the account's home division; `roles` lists role names once
 * each. Absent values are omitted rather than sent as null (OIDC Core §5.3.2).
 */
export function claimsOf(me: OidcMe): Record<string, unknown> {
  const claims: Record<string, unknown> = {
    sub: me.id,
    name: me.name,
    account_type: me.kind,
    roles: [...new Set(me.roles.map((r) => r.role))],
  }
  if (me.maskedIdNumber) claims.id_number_masked = me.maskedIdNumber
  if (me.divisionCode) claims.division = me.divisionCode
  return claims
}

/** oidc-provider's `findAccount`: the account behind a subject, or undefined when it is gone. */
export function accountFinder(directory: AccountDirectory) {
  return async (_ctx: unknown, sub: string): Promise<Account | undefined> => {
    const me = await directory.getMe(sub)
    if (!me) return undefined
    return { accountId: me.id, claims: () => claimsOf(me) }
  }
}
