import { sql } from 'kysely'
import type { Db } from '../../db/database.js'
import { systemActor, type AuditActor } from '../../platform/audit.js'
import { chinaDate } from '../../platform/calendar.js'
import type { Core } from '../../platform/core.js'
import { ForbiddenError } from '../../platform/errors.js'
import { sm2GenerateKeyPair, SM2_DEFAULT_USER_ID } from '../../platform/gm.js'
import { t, type Locale } from '../../platform/i18n.js'
import { newId } from '../../platform/ids.js'
import type { Principal } from '../../platform/roles.js'
import type { ServiceItemVersion } from '../catalog/index.js'
import { maskIdNumber, type IdentityService } from '../identity/index.js'
import type { OrgService } from '../org/index.js'
import { actorOf, actsFor, assertActsFor, departmentStaffRoles, issuerAdminRoles, pageOf, typeOrThrow } from './access.js'
import { createLicenseConsent } from './consent.js'
import {
  InvalidFieldsError,
  InvalidHolderError,
  InvalidImageError,
  InvalidStatusChangeError,
  LicenseNotFoundError,
  NoActiveSealError,
  SealNotFoundError,
  UnknownDepartmentError,
  UnknownFieldError,
} from './errors.js'
import { licensesEvents, licensesEventTypes } from './events.js'
import { createLicenseHolders, derivedFromIdNumber, type HolderInput } from './holders.js'
import { fieldSchemaOf, licenseTypeOf, licenseTypes, validUntilOf, type LicenseTypeDef } from './license-types.js'
import { readLicenseTable } from './imports.js'
import { renderLicensePdf } from './pdf.js'
import { createVcIssuer, licenseCredential, type VcIssuer } from './vc.js'
import { generateSealSvg, isPng, MAX_SEAL_PNG_BYTES } from './seal-image.js'
import { deriveLicenseKeys, randomCode, signContent } from './signing.js'
import { createLicensesStore, type LicenseRow, type SealRow, type StoredStatus } from './store.js'
import type { LicenseContent, LicenseDetail, LicenseStatus, LicenseSummary, Paginated, RequestMeta, SealView, SignedLicenseDocument } from './types.js'
import { createLicenseUseLog } from './use-log.js'
import { createLicenseVerification } from './verification.js'
import { createLicenseViews } from './views.js'

export type OrgPort = Pick<OrgService, 'getDepartment'>
export type IdentityPort = Pick<IdentityService, 'getMe' | 'revealIdNumber'>

export interface LicensesDeps extends Pick<Core, 'db' | 'clock' | 'audit' | 'outbox' | 'config' | 'logger'> {
  org: OrgPort
  identity: IdentityPort
}

/** What issuing from a case needs from the cases and catalog modules (passed by services.ts). */
export interface CaseSource {
  findApplication(id: string): Promise<{ id: string; number: string | null; itemVersionId: string; departmentId: string; applicantId: string; applicantKind: 'person' | 'legal'; applicantName: string; formData: Record<string, unknown> } | null>
  getVersion(id: string): Promise<ServiceItemVersion | null>
}

export type { HolderInput } from './holders.js'
export { maskName } from './views.js'

export interface IssueInput {
  type: string
  departmentId: string
  sealId?: string
  holder: HolderInput
  fields: Record<string, string>
  validFrom?: string
  validUntil?: string | null
}

const TOKEN_TTL_DEFAULT = 300

export type LicensesService = ReturnType<typeof createLicensesService>

/**
 * The licenses service: seals, issuance, status changes, the holder's wallet and exports here;
 * views, holders, the use log, public verification and consent in their own files, composed below.
 */
export function createLicensesService(deps: LicensesDeps) {
  const { db, clock, audit, outbox, config, org, identity } = deps
  const store = createLicensesStore(db)
  // Bootstrap always resolves SECRET_KEY (generated and kept in DATA_DIR when not configured).
  const secret = config.SECRET_KEY!
  const keys = deriveLicenseKeys(secret)
  const publicUrl = config.publicUrl.replace(/\/$/, '')

  async function withEvents<T>(fn: (trx: Db) => Promise<T>): Promise<T> {
    const result = await db.transaction().execute(fn)
    outbox.nudge()
    return result
  }

  async function departmentOrThrow(id: string) {
    const d = await org.getDepartment(id)
    if (!d) throw new UnknownDepartmentError()
    return d
  }

  const views = createLicenseViews({ clock, keys, store, publicUrl })
  const { effectiveStatus, summaryOf, verifyUrlOf, contentOf, detailOf, sealView } = views
  const holders = createLicenseHolders({ clock, identity, keys, store })
  const { checkedHolder, holderOfAccount, walletOf, ownLicense } = holders
  const useLog = createLicenseUseLog({ clock, audit, outbox, store, holders })

  // --- issuance -------------------------------------------------------------------------------

  function validateFields(def: LicenseTypeDef, fields: Record<string, unknown>, lenient: boolean): Record<string, string> {
    const schema = fieldSchemaOf(def)
    const known = Object.fromEntries(Object.entries(fields).filter(([k, v]) => def.fields.some((d) => d.key === k) && v !== undefined && v !== null && v !== ''))
    if (lenient) {
      // From a case: keep what the case established that fits the schema, drop the rest.
      const out: Record<string, string> = {}
      for (const [k, v] of Object.entries(known)) {
        const one = (schema as unknown as { shape: Record<string, { safeParse(v: unknown): { success: boolean; data?: unknown } }> }).shape[k]
        const r = one?.safeParse(String(v))
        if (r?.success) out[k] = String(r.data)
      }
      return out
    }
    const r = schema.safeParse(known)
    if (!r.success) throw new InvalidFieldsError(r.error.issues.map((i) => ({ field: String(i.path[0] ?? ''), message: i.message })))
    return r.data
  }

  async function ensureSeal(trx: Db, dept: { id: string; name: string; divisionCode: string }, sealId: string | undefined, createIfMissing: boolean): Promise<SealRow> {
    if (sealId) {
      const s = await store.sealById(sealId, trx)
      if (!s || s.department_id !== dept.id || s.status !== 'active') throw new NoActiveSealError()
      return s
    }
    const s = await store.activeSealOf(dept.id, trx)
    if (s) return s
    if (!createIfMissing) throw new NoActiveSealError()
    return insertSeal(trx, dept, `${dept.name}电子证照专用章`, null, systemActor)
  }

  async function insertSeal(trx: Db, dept: { id: string; name: string; divisionCode: string }, name: string, png: Buffer | null, actor: AuditActor): Promise<SealRow> {
    const kp = sm2GenerateKeyPair()
    const now = clock.now()
    const row: SealRow = {
      id: newId('seal'),
      department_id: dept.id,
      department_name: dept.name,
      division_code: dept.divisionCode,
      name,
      status: 'active',
      public_key_hex: kp.publicKeyHex,
      private_key_sealed: keys.sealPrivateKey(kp.publicKeyHex, kp.privateKeyHex),
      image_source: png ? 'uploaded' : 'generated',
      image_svg: png ? null : generateSealSvg(dept.name),
      image_png: png,
      version: 1,
      created_at: now,
      updated_at: now,
    }
    await store.q(trx).insertInto('licenses.seal').values(row).execute()
    await audit.record(trx, actor, {
      action: 'licenses.seal.created', targetType: 'seal', targetId: row.id, divisionCode: dept.divisionCode,
      detail: { departmentId: dept.id, name, publicKeyHex: kp.publicKeyHex, image: row.image_source }, security: true,
    })
    await outbox.add(trx, licensesEvents.seal(licensesEventTypes.sealCreated, { sealId: row.id, departmentId: dept.id, status: 'active' }))
    return row
  }

  /**
   * Signs and stores one license inside `trx`: number, verification code, status-list slot,
   * canonical content sealed at rest, SM3 digest and SM2 signature by the department's seal.
   */
  async function issueInTrx(
    trx: Db,
    input: {
      def: LicenseTypeDef
      dept: { id: string; name: string; divisionCode: string }
      seal: SealRow
      holder: HolderInput
      fields: Record<string, string>
      validFrom: string
      validUntil: string | null
      source: 'case' | 'import'
      applicationId: string | null
      applicationNumber: string | null
      importId: string | null
      actor: AuditActor
    },
  ): Promise<LicenseRow> {
    const now = clock.now()
    const { n } = (await sql<{ n: string }>`select nextval('licenses.license_number_seq')::text as n`.execute(trx)).rows[0]!
    const number = `${input.def.abbr}${input.dept.divisionCode.slice(0, 6)}${chinaDate(now).slice(0, 4)}${n.padStart(8, '0')}`
    const id = newId('lic')
    const verificationCode = randomCode('L', 16)
    const slot = await store.allocateStatusEntry(trx, () => newId('sl'), now)
    const content: LicenseContent = {
      format: 'yiwang-license/1',
      number,
      type: input.def.code,
      typeName: input.def.name['zh-CN'],
      issuer: { departmentId: input.dept.id, name: input.dept.name, divisionCode: input.dept.divisionCode },
      seal: { id: input.seal.id, publicKeyHex: input.seal.public_key_hex },
      holder: { kind: input.holder.kind, name: input.holder.name, id: input.holder.id },
      fields: input.fields,
      validFrom: input.validFrom,
      validUntil: input.validUntil,
      issuedAt: now.toISOString(),
      verificationCode,
      applicationNumber: input.applicationNumber,
    }
    const signed = signContent(content, keys.openPrivateKey(input.seal.public_key_hex, input.seal.private_key_sealed))
    const row: LicenseRow = {
      id,
      number,
      type: input.def.code,
      holder_kind: input.holder.kind,
      holder_key: keys.holderKey(input.holder.kind, input.holder.id),
      holder_name: input.holder.name,
      holder_masked_id: input.holder.kind === 'person' ? maskIdNumber(input.holder.id) : input.holder.id,
      issuer_department_id: input.dept.id,
      issuer_name: input.dept.name,
      issuer_division_code: input.dept.divisionCode,
      seal_id: input.seal.id,
      content_sealed: keys.sealContent(id, signed.canonical),
      content_digest: signed.digest,
      signature: signed.signature,
      verification_code: verificationCode,
      status: 'valid',
      status_changed_at: null,
      valid_from: input.validFrom,
      valid_until: input.validUntil,
      issued_at: now,
      source: input.source,
      application_id: input.applicationId,
      import_id: input.importId,
      status_list_id: slot.listId,
      status_list_index: slot.index,
      created_at: now,
      updated_at: now,
    }
    await store.q(trx).insertInto('licenses.license').values(row).execute()
    await store.q(trx).insertInto('licenses.status_change').values({ id: newId('lsc'), license_id: id, status: 'valid', reason: null, actor_id: input.actor.actorId, actor_name: input.actor.actorName, at: now }).execute()
    // The ledger gets the digest of this audit row; the content digest binds the signed license to it.
    await audit.record(trx, input.actor, {
      action: 'licenses.license.issued', targetType: 'license', targetId: id, divisionCode: input.dept.divisionCode,
      detail: { type: input.def.code, number, sealId: input.seal.id, contentDigest: signed.digest, source: input.source, applicationId: input.applicationId },
      security: true,
    })
    await outbox.add(trx, licensesEvents.license(licensesEventTypes.issued, { licenseId: id, type: input.def.code, issuerDepartmentId: input.dept.id, status: 'valid', applicationId: input.applicationId }))
    return row
  }

  // --- status changes -------------------------------------------------------------------------

  const transitions: Record<'revoke' | 'suspend' | 'reinstate', { from: LicenseStatus[]; to: StoredStatus; event: string }> = {
    revoke: { from: ['valid', 'suspended', 'expired'], to: 'revoked', event: licensesEventTypes.revoked },
    suspend: { from: ['valid'], to: 'suspended', event: licensesEventTypes.suspended },
    reinstate: { from: ['suspended'], to: 'valid', event: licensesEventTypes.reinstated },
  }

  /** Forgets cached public answers about a license whose status changed (this process). */
  const statusListeners: ((licenseId: string, code: string) => void)[] = []

  let issuerPromise: Promise<VcIssuer> | undefined
  const vcIssuer = () => (issuerPromise ??= createVcIssuer(secret))

  const verification = createLicenseVerification({ db, clock, audit, store, keys, views, publicUrl, vcIssuer, withEvents, recordUse: useLog.recordUse })
  statusListeners.push((_id, code) => verification.forgetAnswers(code))
  const consent = createLicenseConsent({
    clock, audit, outbox, store, keys, views, holders, withEvents, departmentOrThrow, recordUse: useLog.recordUse, verifyStored: verification.verifyStored,
  })

  const service = {
    // --- types and seals ------------------------------------------------------------------------

    listTypes(locale: Locale) {
      return licenseTypes.map((d) => ({
        code: d.code,
        name: d.name[locale],
        holderKind: d.holderKind,
        issuerKind: d.issuerKind[locale],
        validity: { years: d.validityYears },
        fields: d.fields.map((f) => ({ key: f.key, label: f.label[locale], type: f.type, required: f.required, ...(f.options ? { options: [...f.options] } : {}) })),
        defaultDisclosure: d.defaultDisclosure,
        layout: d.layout,
      }))
    },

    async createSeal(by: Principal, input: { departmentId: string; name: string; imagePngBase64?: string | null }, meta: RequestMeta = {}): Promise<SealView> {
      const dept = await departmentOrThrow(input.departmentId)
      assertActsFor(by, dept, issuerAdminRoles)
      let png: Buffer | null = null
      if (input.imagePngBase64) {
        png = Buffer.from(input.imagePngBase64, 'base64')
        if (png.length === 0 || png.length > MAX_SEAL_PNG_BYTES || !(await isPng(png))) throw new InvalidImageError()
      }
      const row = await withEvents((trx) => insertSeal(trx, dept, input.name, png, actorOf(by, meta)))
      return sealView(row)
    },

    /** The department's active seal, made (generated image) when it has none: for the demo and fixtures. */
    async ensureSeal(departmentId: string): Promise<SealView> {
      const dept = await departmentOrThrow(departmentId)
      return sealView(await withEvents((trx) => ensureSeal(trx, dept, undefined, true)))
    },

    async listSeals(by: Principal, query: { departmentId?: string; page?: number; pageSize?: number }): Promise<Paginated<SealView>> {
      const { page, pageSize, offset } = pageOf(query)
      let q = store.q().selectFrom('licenses.seal')
      if (query.departmentId) q = q.where('department_id', '=', query.departmentId)
      const rows = await q.selectAll().orderBy('created_at', 'desc').execute()
      const visible = rows.filter((s) => actsFor(by, { id: s.department_id, divisionCode: s.division_code }, issuerAdminRoles))
      return { items: visible.slice(offset, offset + pageSize).map(sealView), total: visible.length, page, pageSize }
    },

    async getSeal(by: Principal, id: string): Promise<SealView> {
      const s = await store.sealById(id)
      if (!s || !actsFor(by, { id: s.department_id, divisionCode: s.division_code }, issuerAdminRoles)) throw new SealNotFoundError()
      return sealView(s)
    },

    async updateSeal(by: Principal, id: string, changes: { name?: string; status?: 'active' | 'disabled' }, meta: RequestMeta = {}): Promise<SealView> {
      const s = await store.sealById(id)
      if (!s || !actsFor(by, { id: s.department_id, divisionCode: s.division_code }, issuerAdminRoles)) throw new SealNotFoundError()
      const row = await withEvents(async (trx) => {
        const updated = await store.q(trx).updateTable('licenses.seal')
          .set({ name: changes.name ?? s.name, status: changes.status ?? s.status, version: s.version + 1, updated_at: clock.now() })
          .where('id', '=', id).returningAll().executeTakeFirstOrThrow()
        await audit.record(trx, actorOf(by, meta), { action: 'licenses.seal.updated', targetType: 'seal', targetId: id, divisionCode: s.division_code, detail: { ...changes }, security: true })
        await outbox.add(trx, licensesEvents.seal(licensesEventTypes.sealUpdated, { sealId: id, departmentId: s.department_id, status: updated.status }))
        return updated
      })
      return sealView(row)
    },

    /** The seal picture for the public page and the PDF; null when there is no such seal. */
    async sealImage(id: string, format: 'svg' | 'png'): Promise<{ type: string; body: string | Buffer } | null> {
      const s = await store.sealById(id)
      if (!s) return null
      if (format === 'png') return s.image_png ? { type: 'image/png', body: s.image_png } : null
      if (s.image_svg) return { type: 'image/svg+xml', body: s.image_svg }
      // An uploaded PNG, wrapped so the page can ask for one format.
      return { type: 'image/svg+xml', body: `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200"><image width="200" height="200" href="data:image/png;base64,${s.image_png!.toString('base64')}"/></svg>` }
    },

    /** The seal row for the PDF (image and name); internal to the module. */
    sealRow: (id: string) => store.sealById(id),

    // --- issuance -------------------------------------------------------------------------------

    /**
     * Issues one license by the department (manual issuance and the demo; imports go through
     * `importLicenses`). The holder's ID number or credit code is checked; fields follow the type.
     */
    async issue(by: Principal | 'system', input: IssueInput, meta: RequestMeta = {}): Promise<LicenseSummary> {
      const def = typeOrThrow(input.type)
      const dept = await departmentOrThrow(input.departmentId)
      if (by !== 'system') assertActsFor(by, dept, issuerAdminRoles)
      const holder = checkedHolder(input.holder)
      if (holder.kind !== def.holderKind) throw new InvalidHolderError('kind')
      const fields = validateFields(def, input.fields, false)
      const validFrom = input.validFrom ?? chinaDate(clock.now())
      const validUntil = input.validUntil === undefined ? validUntilOf(def, validFrom) : input.validUntil
      const row = await withEvents(async (trx) => {
        const seal = await ensureSeal(trx, dept, input.sealId, by === 'system')
        return issueInTrx(trx, { def, dept, seal, holder, fields, validFrom, validUntil, source: 'import', applicationId: null, applicationNumber: null, importId: null, actor: by === 'system' ? systemActor : actorOf(by, meta) })
      })
      return summaryOf(row, 'zh-CN')
    },

    /** Rows already validated by the import reader, all in one transaction (nothing half-imported). */
    async issueBatch(
      by: Principal,
      input: { departmentId: string; type: string; sealId?: string; fileName: string; rows: { holder: HolderInput; fields: Record<string, string>; validFrom: string; validUntil: string | null }[] },
      meta: RequestMeta = {},
    ): Promise<{ importId: string; licenseIds: string[] }> {
      const def = typeOrThrow(input.type)
      const dept = await departmentOrThrow(input.departmentId)
      assertActsFor(by, dept, issuerAdminRoles)
      const actor = actorOf(by, meta)
      return withEvents(async (trx) => {
        const seal = await ensureSeal(trx, dept, input.sealId, false)
        const importId = newId('limp')
        await store.q(trx).insertInto('licenses.import_batch').values({ id: importId, department_id: dept.id, type: def.code, file_name: input.fileName, row_count: input.rows.length, actor_id: by.accountId, created_at: clock.now() }).execute()
        const ids: string[] = []
        for (const r of input.rows) {
          const row = await issueInTrx(trx, { def, dept, seal, holder: r.holder, fields: r.fields, validFrom: r.validFrom, validUntil: r.validUntil, source: 'import', applicationId: null, applicationNumber: null, importId, actor })
          ids.push(row.id)
        }
        await audit.record(trx, actor, { action: 'licenses.import.completed', targetType: 'import', targetId: importId, divisionCode: dept.divisionCode, detail: { type: def.code, count: ids.length, fileName: input.fileName } })
        await outbox.add(trx, licensesEvents.importCompleted({ importId, departmentId: dept.id, type: def.code, count: ids.length }))
        return { importId, licenseIds: ids }
      })
    },

    /** Aggregation: reads and checks the whole table, then issues every row in one transaction. */
    async importLicenses(by: Principal, input: { departmentId: string; type: string; sealId?: string; format: 'csv' | 'xlsx'; content: string; fileName?: string }, meta: RequestMeta = {}) {
      const def = typeOrThrow(input.type)
      const dept = await departmentOrThrow(input.departmentId)
      assertActsFor(by, dept, issuerAdminRoles)
      const rows = await readLicenseTable(def, { format: input.format, content: input.content }, chinaDate(clock.now()), clock.now())
      const r = await service.issueBatch(by, { departmentId: dept.id, type: def.code, sealId: input.sealId, fileName: input.fileName ?? `import.${input.format}`, rows }, meta)
      return { importId: r.importId, imported: r.licenseIds.length, licenseIds: r.licenseIds }
    },

    /**
     * Issues the license a case produces, on `cases.application.approved`: the decision is what
     * entitles the applicant to it (the result-issued step is the delivery of the paper). Reads the
     * case, item version and applicant before its own transaction; once per case (the
     * application id is unique among licenses), so a redelivered event adds nothing.
     */
    async issueForCase(applicationId: string, source: CaseSource): Promise<LicenseSummary | null> {
      const existing = await store.q().selectFrom('licenses.license').selectAll().where('application_id', '=', applicationId).executeTakeFirst()
      if (existing) return summaryOf(existing, 'zh-CN')
      const app = await source.findApplication(applicationId)
      if (!app) return null
      const version = await source.getVersion(app.itemVersionId)
      const typeCode = version?.guide.producesLicenseType
      if (!typeCode) return null
      const def = licenseTypeOf(typeCode)
      if (!def) {
        deps.logger.warn({ applicationId, licenseType: typeCode }, 'licenses: the item produces an unknown license type')
        return null
      }
      const holder = await holderOfAccount(app.applicantId)
      if (!holder || holder.kind !== def.holderKind) {
        deps.logger.warn({ applicationId, licenseType: typeCode }, 'licenses: the applicant cannot hold this license type')
        return null
      }
      const dept = await departmentOrThrow(app.departmentId)
      const derived = holder.kind === 'person' ? derivedFromIdNumber(holder.id) : {}
      const fields = validateFields(def, { ...derived, ...app.formData }, true)
      const validFrom = chinaDate(clock.now())
      try {
        const row = await withEvents(async (trx) => {
          const seal = await ensureSeal(trx, dept, undefined, true)
          return issueInTrx(trx, {
            def, dept, seal, holder: { kind: holder.kind, id: holder.id, name: holder.name }, fields, validFrom, validUntil: validUntilOf(def, validFrom),
            source: 'case', applicationId, applicationNumber: app.number, importId: null, actor: systemActor,
          })
        })
        return summaryOf(row, 'zh-CN')
      } catch (e) {
        // A concurrent delivery of the same event won the unique application id: that one stands.
        const again = await store.q().selectFrom('licenses.license').selectAll().where('application_id', '=', applicationId).executeTakeFirst()
        if (again) return summaryOf(again, 'zh-CN')
        throw e
      }
    },

    // --- issuer's view and status ----------------------------------------------------------------

    async listIssued(by: Principal, query: { departmentId?: string; type?: string; status?: LicenseStatus; q?: string; page?: number; pageSize?: number }, locale: Locale = 'zh-CN'): Promise<Paginated<LicenseSummary>> {
      const { page, pageSize, offset } = pageOf(query)
      const today = chinaDate(clock.now())
      let q = store.q().selectFrom('licenses.license')
      if (!by.grants.some((g) => g.role === 'platform_admin' && g.divisionCode === null)) {
        // Reach: the departments named by grants, and the divisions of division-wide grants.
        const grants = by.grants.filter((g) => departmentStaffRoles.includes(g.role) || g.role === 'platform_admin')
        if (grants.length === 0) throw new ForbiddenError()
        q = q.where((eb) =>
          eb.or(grants.map((g) => (g.departmentId && g.role !== 'platform_admin' ? eb('issuer_department_id', '=', g.departmentId) : g.divisionCode ? eb('issuer_division_code', 'like', `${g.divisionCode.replace(/(00)+$/, '')}%`) : eb.val(true)))),
        )
      }
      if (query.departmentId) q = q.where('issuer_department_id', '=', query.departmentId)
      if (query.type) q = q.where('type', '=', query.type)
      if (query.q) q = q.where((eb) => eb.or([eb('number', '=', query.q!), eb('holder_name', 'like', `%${query.q!.replace(/[%_\\]/g, '\\$&')}%`)]))
      if (query.status === 'expired') q = q.where('status', '=', 'valid').where('valid_until', '<', today)
      else if (query.status === 'valid') q = q.where('status', '=', 'valid').where((eb) => eb.or([eb('valid_until', 'is', null), eb('valid_until', '>=', today)]))
      else if (query.status) q = q.where('status', '=', query.status)
      const [rows, count] = await Promise.all([
        q.selectAll().orderBy('issued_at', 'desc').orderBy('id', 'desc').limit(pageSize).offset(offset).execute(),
        q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
      ])
      return { items: rows.map((r) => summaryOf(r, locale)), total: Number(count.n), page, pageSize }
    },

    async getIssued(by: Principal, id: string, locale: Locale = 'zh-CN', meta: RequestMeta = {}): Promise<LicenseDetail> {
      const r = await store.licenseById(id)
      if (!r || !actsFor(by, { id: r.issuer_department_id, divisionCode: r.issuer_division_code }, departmentStaffRoles)) throw new LicenseNotFoundError()
      // Staff of the issuing department see what they issued: the look is audited.
      await audit.record(db, actorOf(by, meta), { action: 'licenses.license.viewed', targetType: 'license', targetId: id, divisionCode: r.issuer_division_code })
      return detailOf(r, locale)
    },

    async changeStatus(by: Principal, id: string, action: 'revoke' | 'suspend' | 'reinstate', reason: string, meta: RequestMeta = {}, locale: Locale = 'zh-CN'): Promise<LicenseDetail> {
      const r0 = await store.licenseById(id)
      if (!r0 || !actsFor(by, { id: r0.issuer_department_id, divisionCode: r0.issuer_division_code }, departmentStaffRoles)) throw new LicenseNotFoundError()
      assertActsFor(by, { id: r0.issuer_department_id, divisionCode: r0.issuer_division_code }, issuerAdminRoles)
      const rule = transitions[action]
      const row = await withEvents(async (trx) => {
        const r = await store.q(trx).selectFrom('licenses.license').selectAll().where('id', '=', id).forUpdate().executeTakeFirstOrThrow()
        const from = effectiveStatus(r)
        if (!rule.from.includes(from)) throw new InvalidStatusChangeError(from, rule.to)
        const now = clock.now()
        const updated = await store.q(trx).updateTable('licenses.license').set({ status: rule.to, status_changed_at: now, updated_at: now }).where('id', '=', id).returningAll().executeTakeFirstOrThrow()
        await store.q(trx).insertInto('licenses.status_change').values({ id: newId('lsc'), license_id: id, status: rule.to, reason, actor_id: by.accountId, actor_name: by.name, at: now }).execute()
        await audit.record(trx, actorOf(by, meta), {
          action: rule.event, targetType: 'license', targetId: id, divisionCode: r.issuer_division_code,
          detail: { from, to: rule.to, reason, contentDigest: r.content_digest }, security: true,
        })
        await outbox.add(trx, licensesEvents.license(rule.event, { licenseId: id, type: r.type, issuerDepartmentId: r.issuer_department_id, status: rule.to, applicationId: r.application_id }))
        return updated
      })
      for (const l of statusListeners) l(row.id, row.verification_code)
      return detailOf(row, locale)
    },

    onStatusChange(listener: (licenseId: string, code: string) => void): void {
      statusListeners.push(listener)
    },

    // --- wallet ----------------------------------------------------------------------------------

    async listMine(by: Principal, query: { type?: string; status?: LicenseStatus; page?: number; pageSize?: number }, locale: Locale = 'zh-CN'): Promise<Paginated<LicenseSummary>> {
      const h = await walletOf(by)
      const { page, pageSize, offset } = pageOf(query)
      let q = store.q().selectFrom('licenses.license').selectAll().where('holder_key', '=', h.key)
      if (query.type) q = q.where('type', '=', query.type)
      const rows = (await q.orderBy('issued_at', 'desc').orderBy('id', 'desc').execute()).map((r) => summaryOf(r, locale))
      const filtered = query.status ? rows.filter((r) => r.status === query.status) : rows
      return { items: filtered.slice(offset, offset + pageSize), total: filtered.length, page, pageSize }
    },

    async getMine(by: Principal, id: string, locale: Locale = 'zh-CN'): Promise<LicenseDetail> {
      return detailOf(await ownLicense(by, id), locale, true)
    },

    /** The signed content as a file the holder can keep and anyone can check (POST /verify). */
    async documentOf(by: Principal, id: string): Promise<SignedLicenseDocument> {
      const r = await ownLicense(by, id)
      const seal = (await store.sealById(r.seal_id))!
      return { content: contentOf(r), signature: { algorithm: 'SM2-SM3', userId: SM2_DEFAULT_USER_ID, digest: r.content_digest, value: r.signature, publicKeyHex: seal.public_key_hex } }
    },

    /** For the PDF and the VC: the license row, content and seal of the caller's own license. */
    async ownForExport(by: Principal, id: string) {
      const r = await ownLicense(by, id)
      return { row: r, content: contentOf(r), seal: (await store.sealById(r.seal_id))!, status: effectiveStatus(r), verifyUrl: verifyUrlOf(r.verification_code) }
    },

    /** A short-lived QR token carrying the fields the holder chose to show. */
    async issueToken(by: Principal, id: string, input: { disclose: string[]; ttlSeconds?: number }, meta: RequestMeta = {}): Promise<{ token: string; verifyUrl: string; expiresAt: Date }> {
      const r = await ownLicense(by, id)
      const def = licenseTypeOf(r.type)
      for (const k of input.disclose) if (!def?.fields.some((f) => f.key === k)) throw new UnknownFieldError(k)
      const ttl = Math.min(600, Math.max(60, input.ttlSeconds ?? TOKEN_TTL_DEFAULT))
      const token = randomCode('T', 24)
      const now = clock.now()
      const expiresAt = new Date(now.getTime() + ttl * 1000)
      await withEvents(async (trx) => {
        // Tokens a day past their expiry only tell "expired" to nobody any more.
        await store.q(trx).deleteFrom('licenses.token').where('expires_at', '<', new Date(now.getTime() - 86_400_000)).execute()
        await store.q(trx).insertInto('licenses.token').values({ token_hash: keys.tokenHash(token), license_id: r.id, disclose: JSON.stringify([...new Set(input.disclose)]) as unknown as string[], expires_at: expiresAt, created_at: now }).execute()
        await audit.record(trx, actorOf(by, meta), { action: 'licenses.token.issued', targetType: 'license', targetId: r.id, detail: { disclose: input.disclose, ttl } })
      })
      return { token, verifyUrl: verifyUrlOf(token), expiresAt }
    },

    // --- the cases integration (免提交) --------------------------------------------------------

    /** The holder's licenses of a type that can stand in for a material now (valid, not expired). */
    async validLicensesOf(accountId: string, type: string, locale: Locale = 'zh-CN'): Promise<LicenseSummary[]> {
      const h = await holderOfAccount(accountId)
      if (!h) return []
      const rows = await store.q().selectFrom('licenses.license').selectAll().where('holder_key', '=', h.key).where('type', '=', type).where('status', '=', 'valid').orderBy('issued_at', 'desc').execute()
      return rows.map((r) => summaryOf(r, locale)).filter((s) => s.status === 'valid')
    },

    async getSummary(licenseId: string, locale: Locale = 'zh-CN'): Promise<LicenseSummary | null> {
      const r = await store.licenseById(licenseId)
      return r ? summaryOf(r, locale) : null
    },

    // --- exports: PDF, Verifiable Credential --------------------------------------------------------

    async pdfOf(by: Principal, id: string, locale: Locale = 'zh-CN'): Promise<{ bytes: Uint8Array; fileName: string }> {
      const r = await ownLicense(by, id)
      const seal = (await store.sealById(r.seal_id))!
      const status = effectiveStatus(r)
      const bytes = await renderLicensePdf({ content: contentOf(r), status, statusLabel: t(locale, `licenses.status.${status}`), verifyUrl: verifyUrlOf(r.verification_code), seal })
      return { bytes, fileName: `${r.number}.pdf` }
    },

    async credentialOf(by: Principal, id: string): Promise<Record<string, unknown>> {
      const r = await ownLicense(by, id)
      const seal = (await store.sealById(r.seal_id))!
      const issuer = await vcIssuer()
      const canonical = keys.unsealContent(r.id, r.content_sealed)
      const unsigned = licenseCredential(
        { content: JSON.parse(canonical) as LicenseContent, canonical, signature: r.signature, digest: r.content_digest, publicKeyHex: seal.public_key_hex, statusListId: r.status_list_id, statusListIndex: r.status_list_index, licenseId: r.id },
        issuer.did,
        publicUrl,
      )
      return issuer.signCredential(unsigned, clock.now())
    },

    /** Status label in a language, for the PDF. */
    statusLabel: (s: LicenseStatus, locale: Locale) => t(locale, `licenses.status.${s}`),

    // --- public verification, the use log, consent (their own files) ------------------------------

    ...verification.methods,
    ...useLog.methods,
    ...consent.methods,
  }
  return service
}
