/** License holders: persons by ID number, entities by credit code, and their wallets. */
import type { Clock } from '../../platform/clock.js'
import type { Principal } from '../../platform/roles.js'
import { checkCreditCode, checkIdNumber, type IdentityService } from '../identity/index.js'
import { InvalidHolderError, LicenseNotFoundError, NoWalletError } from './errors.js'
import type { HolderKind } from './license-types.js'
import type { LicenseKeys } from './signing.js'
import type { LicenseRow, LicensesStore } from './store.js'


/** Who is the license for: a person by ID number or an entity by credit code. */
export interface HolderInput {
  kind: HolderKind
  id: string
  name: string
}

/** GB 11643: the birth date and the sex are part of the ID number. */
export function derivedFromIdNumber(id: string): Record<string, string> {
  return { birthDate: `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`, sex: Number(id[16]) % 2 === 1 ? '男' : '女' }
}

export interface LicenseHoldersDeps {
  clock: Clock
  identity: Pick<IdentityService, 'getMe' | 'revealIdNumber'>
  keys: LicenseKeys
  store: LicensesStore
}

export type LicenseHolders = ReturnType<typeof createLicenseHolders>

/** Holders: checking a holder's identifier, and the wallet (hashed holder key) of a signed-in account. */
export function createLicenseHolders({ clock, identity, keys, store }: LicenseHoldersDeps) {
  function checkedHolder(h: HolderInput): HolderInput {
    if (h.kind === 'person') {
      const r = checkIdNumber(h.id, clock.now())
      if (!r.ok) throw new InvalidHolderError(r.problem)
      return { kind: 'person', id: h.id.trim().toUpperCase(), name: h.name.trim() }
    }
    const r = checkCreditCode(h.id)
    if (!r.ok) throw new InvalidHolderError(r.problem)
    return { kind: 'entity', id: h.id.trim().toUpperCase(), name: h.name.trim() }
  }

  const holderCache = new Map<string, { key: string; kind: HolderKind; id: string; name: string } | null>()

  /** The wallet key of an account: its ID number (person) or its credit code (legal), hashed. */
  async function holderOfAccount(accountId: string): Promise<{ key: string; kind: HolderKind; id: string; name: string } | null> {
    if (holderCache.has(accountId)) return holderCache.get(accountId)!
    const me = await identity.getMe(accountId)
    let holder: { key: string; kind: HolderKind; id: string; name: string } | null = null
    if (me?.kind === 'person') {
      const idNumber = await identity.revealIdNumber(accountId)
      if (idNumber) holder = { key: keys.holderKey('person', idNumber), kind: 'person', id: idNumber.toUpperCase(), name: me.name }
    } else if (me?.kind === 'legal' && me.creditCode) {
      holder = { key: keys.holderKey('entity', me.creditCode), kind: 'entity', id: me.creditCode, name: me.name }
    }
    if (holderCache.size > 10_000) holderCache.clear()
    holderCache.set(accountId, holder)
    return holder
  }

  async function walletOf(by: Principal) {
    if (by.kind !== 'person' && by.kind !== 'legal') throw new NoWalletError()
    const h = await holderOfAccount(by.accountId)
    if (!h) throw new NoWalletError()
    return h
  }

  async function ownLicense(by: Principal, licenseId: string): Promise<LicenseRow> {
    const h = await walletOf(by)
    const r = await store.licenseById(licenseId)
    if (!r || r.holder_key !== h.key) throw new LicenseNotFoundError()
    return r
  }

  return { checkedHolder, holderOfAccount, walletOf, ownLicense }
}
