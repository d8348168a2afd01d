import { scoped, type Db } from '../../db/database.js'
import type { Audit, AuditActor } from '../../platform/audit.js'
import type { Clock } from '../../platform/clock.js'
import { t, type Locale } from '../../platform/i18n.js'
import type { Principal } from '../../platform/roles.js'
import type { ServiceItemVersion } from '../catalog/index.js'
import { CaseNotFoundError, FilesLockedError, NoLicenseMaterialError, NotLicenseMaterialError, UnknownMaterialError } from './errors.js'
import type { ApplicationRow } from './store.js'
import type { RequestMeta } from './types.js'

/**
 * 免提交: a material whose catalog entry names a license type can be satisfied by the applicant's
 * valid e-license of that type instead of an upload. The holder's consent (a grant for the case's
 * department) and every read are the licenses module's; this file keeps which license stands in
 * for which material of a case, and lets staff in reach read it, verified.
 */

/** A license as the case detail names it (no personal fields: those come only through a logged read). */
export interface LicenseMaterialView {
  licenseId: string
  number: string
  type: string
  typeName: string
  attachedAt: Date
}

/** One field of a license as its reader sees it. */
export interface LicenseField {
  key: string
  label: string
  value: string
}

type Instant = string | Date

/** A license read for a case by staff: its content and the verification (status and SM2 seal signature). */
export interface CaseLicense {
  id: string
  number: string
  type: string
  typeName: string
  holderName: string
  maskedHolderId: string
  issuerName: string
  issuedAt: Instant
  validFrom: string
  validUntil: string | null
  status: string
  fields: LicenseField[]
  verification: {
    outcome: string
    signatureValid: boolean
    checkedAt: Instant
    license: { seal: { name: string; imageUrl: string } } | null
  }
}

/** A license read for a case, times as ISO strings, with the material it stands in for. */
export type ReadLicense = Omit<CaseLicense, 'issuedAt' | 'verification'> & {
  issuedAt: string
  verification: Omit<CaseLicense['verification'], 'checkedAt'> & { checkedAt: string }
  materialCode: string
  attachedAt: Date
}

/** What cases needs from licenses: the holder's consent to use a license for a case, and the department's read of it. */
export interface LicensesPort {
  useForCase(
    by: Principal,
    input: { licenseId: string; licenseType: string; applicationId: string; departmentId: string; materialCode: string; purpose: string },
    meta?: RequestMeta,
  ): Promise<{ licenseId: string; grantId: string; number: string; type: string; typeName: string }>
  readForCase(by: Principal, input: { licenseId: string; applicationId: string; departmentId: string; purpose: string }, meta?: RequestMeta, locale?: Locale): Promise<CaseLicense>
  /** The holder takes a consent back (when the license no longer stands in for anything of the case). */
  withdrawGrant?(by: Principal, grantId: string, meta?: RequestMeta): Promise<unknown>
}

export interface LicenseMaterialRow {
  application_id: string
  material_code: string
  license_id: string
  license_number: string
  license_type: string
  license_name: string
  grant_id: string | null
  attached_by: string
  attached_at: Date
}

interface Tables {
  'cases.license_material': LicenseMaterialRow
}

/** SQL of cases.license_material, on the handle it is given (the database or a transaction). */
export function createLicenseMaterialStore(handle: Db) {
  const db = scoped<Tables>(handle)
  return {
    async of(applicationId: string): Promise<LicenseMaterialRow[]> {
      return (await db.selectFrom('cases.license_material').selectAll().where('application_id', '=', applicationId).orderBy('material_code').execute()) as LicenseMaterialRow[]
    },
    async get(applicationId: string, materialCode: string): Promise<LicenseMaterialRow | undefined> {
      return (await db
        .selectFrom('cases.license_material')
        .selectAll()
        .where('application_id', '=', applicationId)
        .where('material_code', '=', materialCode)
        .executeTakeFirst()) as LicenseMaterialRow | undefined
    },
    async put(row: LicenseMaterialRow): Promise<void> {
      await db
        .insertInto('cases.license_material')
        .values(row)
        .onConflict((oc) =>
          oc.columns(['application_id', 'material_code']).doUpdateSet({
            license_id: row.license_id,
            license_number: row.license_number,
            license_type: row.license_type,
            license_name: row.license_name,
            grant_id: row.grant_id,
            attached_by: row.attached_by,
            attached_at: row.attached_at,
          }),
        )
        .execute()
    },
    async remove(applicationId: string, materialCode: string): Promise<boolean> {
      const r = await db.deleteFrom('cases.license_material').where('application_id', '=', applicationId).where('material_code', '=', materialCode).executeTakeFirst()
      return Number(r.numDeletedRows) > 0
    },
  }
}

/** A stored row as the case detail shows it. */
export const licenseMaterialView = (r: LicenseMaterialRow): LicenseMaterialView => ({
  licenseId: r.license_id,
  number: r.license_number,
  type: r.license_type,
  typeName: r.license_name,
  attachedAt: new Date(r.attached_at),
})

export interface LicenseMaterialDeps {
  db: Db
  clock: Clock
  audit: Audit
  licenses: LicensesPort | undefined
  getApplication(id: string): Promise<ApplicationRow | undefined>
  getApplicationForUpdate(trx: Db, id: string): Promise<ApplicationRow | undefined>
  versionById(id: string): Promise<ServiceItemVersion | null>
  /** The case as the caller may see it (404 otherwise), with whether it is theirs. */
  visible(by: Principal, row: ApplicationRow | undefined): Promise<{ row: ApplicationRow; own: boolean; roles: Set<string> }>
  actorOf(by: Principal | null, meta: RequestMeta): AuditActor
}

/** Materials of a case satisfied by e-licenses: attach (with the holder's consent), detach, staff read. */
export function createLicenseMaterials(deps: LicenseMaterialDeps) {
  const { db, clock, audit } = deps

  function port(): LicensesPort {
    if (!deps.licenses) throw new Error('the cases service was built without the licenses port')
    return deps.licenses
  }

  /** The applicant's own case, still open for materials, and the catalog's license type of the material. */
  async function ownOpenCase(by: Principal, id: string, materialCode: string): Promise<{ row: ApplicationRow; licenseType: string }> {
    const row = await deps.getApplication(id)
    if (!row || row.applicant_id !== by.accountId) throw new CaseNotFoundError()
    if (!row.materials.some((m) => m.code === materialCode)) throw new UnknownMaterialError(materialCode)
    if (row.status !== 'draft' && row.status !== 'supplement_requested') throw new FilesLockedError(row.status)
    const version = await deps.versionById(row.item_version_id)
    const licenseType = version?.guide.materials.find((m) => m.code === materialCode)?.licenseType ?? null
    if (!licenseType) throw new NotLicenseMaterialError(materialCode)
    return { row, licenseType }
  }

  return {
    /** Codes of the materials a license stands in for, inside the caller's transaction. */
    async codesIn(trx: Db, applicationId: string): Promise<string[]> {
      return (await createLicenseMaterialStore(trx).of(applicationId)).map((r) => r.material_code)
    },

    /**
     * Applicant: lets their valid e-license stand in for a material. The licenses module checks the
     * license is theirs, of the material's type and usable, and records the consent (a standing
     * grant for the case's department and this case) in the holder's use log.
     * @throws CaseNotFoundError, UnknownMaterialError, FilesLockedError, NotLicenseMaterialError, and the licenses module's errors
     */
    async attachLicense(by: Principal, id: string, materialCode: string, input: { licenseId: string }, meta: RequestMeta = {}): Promise<LicenseMaterialView> {
      const { row: pre, licenseType } = await ownOpenCase(by, id, materialCode)
      // The licenses module writes in its own transaction: before ours (PGlite has one connection).
      const used = await port().useForCase(
        by,
        {
          licenseId: input.licenseId,
          licenseType,
          applicationId: pre.id,
          departmentId: pre.department_id,
          materialCode,
          purpose: t('zh-CN', 'cases.license.purpose', { itemName: pre.item_name }),
        },
        meta,
      )
      const row: LicenseMaterialRow = {
        application_id: pre.id,
        material_code: materialCode,
        license_id: used.licenseId,
        license_number: used.number,
        license_type: used.type,
        license_name: used.typeName,
        grant_id: used.grantId,
        attached_by: by.accountId,
        attached_at: clock.now(),
      }
      await db.transaction().execute(async (trx) => {
        const r = await deps.getApplicationForUpdate(trx, pre.id)
        if (!r || r.applicant_id !== by.accountId) throw new CaseNotFoundError()
        if (r.status !== 'draft' && r.status !== 'supplement_requested') throw new FilesLockedError(r.status)
        await createLicenseMaterialStore(trx).put(row)
        await audit.record(trx, deps.actorOf(by, meta), {
          action: 'cases.license.attached',
          targetType: 'application',
          targetId: r.id,
          divisionCode: r.division_code,
          detail: { materialCode, licenseId: row.license_id, licenseType: row.license_type, grantId: row.grant_id },
        })
      })
      return licenseMaterialView(row)
    },

    /**
     * Applicant: stops using the license for the material (draft or 补正 only); an upload is needed again.
     * @throws CaseNotFoundError, UnknownMaterialError, FilesLockedError, NoLicenseMaterialError
     */
    async detachLicense(by: Principal, id: string, materialCode: string, meta: RequestMeta = {}): Promise<void> {
      const removed = await db.transaction().execute(async (trx) => {
        const r = await deps.getApplicationForUpdate(trx, id)
        if (!r || r.applicant_id !== by.accountId) throw new CaseNotFoundError()
        if (!r.materials.some((m) => m.code === materialCode)) throw new UnknownMaterialError(materialCode)
        if (r.status !== 'draft' && r.status !== 'supplement_requested') throw new FilesLockedError(r.status)
        const lm = createLicenseMaterialStore(trx)
        const link = await lm.get(r.id, materialCode)
        if (!link || !(await lm.remove(r.id, materialCode))) throw new NoLicenseMaterialError()
        await audit.record(trx, deps.actorOf(by, meta), {
          action: 'cases.license.detached',
          targetType: 'application',
          targetId: r.id,
          divisionCode: r.division_code,
          detail: { materialCode, licenseId: link.license_id, grantId: link.grant_id },
        })
        const stillUsed = (await lm.of(r.id)).some((o) => o.grant_id === link.grant_id)
        return { grantId: stillUsed ? null : link.grant_id }
      })
      // The consent was for this case only: take it back once nothing of the case relies on it
      // (the licenses module writes in its own transaction, after ours).
      if (removed.grantId && deps.licenses?.withdrawGrant) await deps.licenses.withdrawGrant(by, removed.grantId, meta)
    },

    /**
     * Staff in reach (or the applicant): the license standing in for a material, read through the
     * licenses module under the holder's grant (logged in the holder's use log and on the ledger)
     * and verified there: status and SM2 seal signature.
     * @throws CaseNotFoundError, NoLicenseMaterialError, and the licenses module's errors (e.g. licenses/no-grant)
     */
    async readLicense(by: Principal, id: string, materialCode: string, meta: RequestMeta = {}): Promise<ReadLicense> {
      const { row } = await deps.visible(by, await deps.getApplication(id))
      const link = await createLicenseMaterialStore(db).get(row.id, materialCode)
      if (!link) throw new NoLicenseMaterialError()
      const license = await port().readForCase(
        by,
        { licenseId: link.license_id, applicationId: row.id, departmentId: row.department_id, purpose: t('zh-CN', 'cases.license.purpose', { itemName: row.item_name }) },
        meta,
        meta.locale,
      )
      const iso = (v: Instant) => (v instanceof Date ? v.toISOString() : v)
      return {
        ...license,
        issuedAt: iso(license.issuedAt),
        verification: { ...license.verification, checkedAt: iso(license.verification.checkedAt) },
        materialCode,
        attachedAt: new Date(link.attached_at),
      }
    },
  }
}

export type LicenseMaterials = ReturnType<typeof createLicenseMaterials>
