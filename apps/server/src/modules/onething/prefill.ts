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
  /**
   * The holder's own license in full (fields in the type's declared order, unmasked for the
   * holder): what `license.<type>.<field>` prefill reads. Refuses a license that is not theirs.
   */
  getMine?(by: Principal, licenseId: string): Promise<{ fields: { key: string; value: string }[] }>
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
 * `license.<type>.<field>` reads the caller's own newest valid license of that type: `number`, or
 * a field the type declares (the use of the license for a case is consented at submission, as for
 * materials: see the service's submit).
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
  const licenseCache = new Map<string, { ref: LicenseRef; fields: () => Promise<{ key: string; value: string }[] | null> } | null>()
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
    } else if (kind === 'license' && ports.licenses && a && b) {
      const lic = await licenseOf(a)
      if (!lic) continue
      // The number, or any field the license type declares; only the caller's own valid license is read.
      const value = b === 'number' ? lic.ref.number : (await lic.fields())?.find((f) => f.key === b)?.value
      put(s, value, 'onething.source.license', { name: lic.ref.typeName })
    }
  }
  return out

  /** The caller's newest valid license of a type, its fields read at most once. */
  async function licenseOf(type: string) {
    if (!licenseCache.has(type)) {
      const [ref] = await ports.licenses!.validLicensesOf(by.accountId, type)
      let fields: Promise<{ key: string; value: string }[] | null> | null = null
      licenseCache.set(type, ref ? { ref, fields: () => (fields ??= ports.licenses!.getMine ? quiet(ports.licenses!.getMine(by, ref.id)).then((d) => d?.fields ?? null) : Promise.resolve(null)) } : null)
    }
    return licenseCache.get(type)!
  }
}
