import { AppError } from '../../platform/errors.js'
import { t, type Locale } from '../../platform/i18n.js'
import type { Principal } from '../../platform/roles.js'
import type { Entity, Household, Person, RegistriesService } from '../registries/index.js'

/** What prefill needs from the registries: the caller's own records (self access, purpose-logged). */
export type RegistriesPort = Pick<RegistriesService, 'getPersonForAccount' | 'householdForAccount' | 'getEntityForAccount'>

/** A license as the holder's wallet lists it (the licenses module's LicenseSummary, the part used here). */
export interface LicenseRef {
  id: string
  number: string
  type: string
  typeName: string
  status: string
}

/**
 * What onething needs from the licenses module (see /work/notes/licenses-contract.md):
 * the holder's valid licenses of a type, and recording the holder's consent to use one for a
 * case (a grant plus a 'case_attach' entry in the license use log).
 */
export interface LicensesPort {
  validLicensesOf(accountId: string, type: string): Promise<LicenseRef[]>
  useForCase(
    by: Principal,
    input: { licenseId: string; licenseType: string; applicationId: string; departmentId: string; materialCode: string; purpose: string },
    meta?: { ip?: string | null; userAgent?: string | null },
  ): Promise<{ licenseId: string; grantId: string; number: string; type: string; typeName: string }>
  /** Withdraws a grant made for a submission that then failed, so no consent outlives its case. */
  withdrawGrant?(by: Principal, grantId: string, meta?: { ip?: string | null; userAgent?: string | null }): Promise<unknown>
}

export interface PrefilledValue {
  value: string
  label: string
}

export const PREFILL_PURPOSE = '一件事一次办：申请表预填（免填）'

/**
 * Resolves declared prefill sources (catalog form fields' `prefill.source`) for one signed-in
 * person or enterprise from their own base-registry records and valid e-licenses. Each record is
 * read at most once per call, with a recorded purpose; a source without a value is left out.
 */
export async function resolvePrefill(
  by: Principal,
  sources: readonly string[],
  ports: { registries: RegistriesPort; licenses: LicensesPort | null },
  locale: Locale = 'zh-CN',
): Promise<Map<string, PrefilledValue>> {
  const out = new Map<string, PrefilledValue>()
  const wanted = new Set(sources)
  if (wanted.size === 0) return out
  const meta = { via: 'onething' }
  const quiet = async <T>(p: Promise<T>): Promise<T | null> => {
    try {
      return await p
    } catch (err) {
      // A registry that refuses (no record, not the caller's) just means nothing to prefill.
      if (err instanceof AppError && err.status < 500) return null
      throw err
    }
  }
  const needs = (prefix: string) => [...wanted].some((s) => s.startsWith(prefix))
  const person: Person | null = by.kind === 'person' && needs('person.') ? await quiet(ports.registries.getPersonForAccount(by.accountId, PREFILL_PURPOSE, by, meta)) : null
  const household: Household | null = by.kind === 'person' && needs('household.') ? await quiet(ports.registries.householdForAccount(by.accountId, PREFILL_PURPOSE, by, meta)) : null
  const entity: Entity | null = by.kind === 'legal' && needs('entity.') ? await quiet(ports.registries.getEntityForAccount(by.accountId, PREFILL_PURPOSE, by, meta)) : null

  const put = (source: string, value: unknown, labelKey: string, params: Record<string, unknown> = {}) => {
    if (typeof value === 'string' && value.trim() !== '') out.set(source, { value, label: t(locale, labelKey, params) })
    else if (typeof value === 'number') out.set(source, { value: String(value), label: t(locale, labelKey, params) })
  }
  for (const s of wanted) {
    const [kind, a, b] = s.split('.')
    if (kind === 'person' && person) {
      const v = a === 'sex' ? (person.sex === 'male' ? '男' : person.sex === 'female' ? '女' : null) : (person as unknown as Record<string, unknown>)[a!]
      put(s, v, 'onething.source.population')
    } else if (kind === 'household' && household) {
      put(s, a === 'number' ? household.number : household.address, 'onething.source.household')
    } else if (kind === 'entity' && entity) {
      put(s, a === 'legalRepresentative' ? entity.legalRepresentative.name : (entity as unknown as Record<string, unknown>)[a!], 'onething.source.entity')
    } else if (kind === 'license' && ports.licenses && b === 'number') {
      const [first] = await ports.licenses.validLicensesOf(by.accountId, a!)
      if (first) put(s, first.number, 'onething.source.license', { name: first.typeName })
    }
  }
  return out
}
