import crypto from 'node:crypto'
import type { Db } from '../../db/database.js'
import { systemActor, type AuditActor } from '../../platform/audit.js'
import type { Core } from '../../platform/core.js'
import { AppError } from '../../platform/errors.js'
import { sm3Hex } from '../../platform/gm.js'
import { t, type Locale } from '../../platform/i18n.js'
import { newId } from '../../platform/ids.js'
import type { Principal } from '../../platform/roles.js'
import { MAX_FILES_PER_MATERIAL, type CaseGroups, type CasesService, type FillStats, type GroupDetail, type GroupSummary, type SatisfiedMaterial, type StoredFile } from '../cases/index.js'
import type { CatalogService, ServiceItemVersion } from '../catalog/index.js'
import { maskPhone, type IdentityService } from '../identity/index.js'
import {
  BundleItemUnavailableError,
  BundleNotApplicableError,
  BundleNotFoundError,
  ConsentWithdrawnError,
  DraftClosedError,
  DraftNotFoundError,
  InvalidAnswerError,
  InvitationNotFoundError,
  LicenseUnavailableError,
  MaterialsUnsatisfiedError,
  MissingFieldsError,
  NoApplicableItemsError,
  NotInviteeError,
  NotOwnerError,
  NotYourFieldError,
  NotYourMaterialError,
  TooManyUploadsError,
  UnknownBundleMaterialError,
  UploadNotFoundError,
  PartiesNotConfirmedError,
  StaleDraftError,
  UnknownPartyError,
} from './errors.js'
import { applicableItems, bundleDefinitionSchema, type BundleDefinition, type BundleDefinitionInput, type ResolvedField } from './model.js'
import { PREFILL_PURPOSE, resolvePrefill, type LicenseRef, type LicensesPort, type RegistriesPort } from './prefill.js'
import { createOnethingStore, type BundleTable, type DraftTable, type FieldTable, type MaterialTable, type PartyStatus, type PartyTable, type UploadTable } from './store.js'

export type { LicensesPort, RegistriesPort } from './prefill.js'

/** License types the population registry can confirm in place of the document (数据共享核验). */
const registryConfirmable: Record<string, 'person' | 'household'> = { resident_id_card: 'person', household_register: 'household' }

export interface OnethingDeps extends Pick<Core, 'db' | 'clock' | 'audit' | 'outbox' | 'logger' | 'config'> {
  catalog: Pick<CatalogService, 'getPublishedVersion'>
  registries: RegistriesPort & Pick<import('../registries/index.js').RegistriesService, 'householdForAccount'>
  identity: Pick<IdentityService, 'getMe' | 'revealIdNumber' | 'phoneDigest' | 'accountPhoneMatches' | 'textPhone'>
  /** getApplication for fill figures; storeFile / discardStoredFile check and keep a draft's uploads (same rules as case uploads). */
  cases: Pick<CasesService, 'getApplication' | 'storeFile' | 'discardStoredFile'>
  groups: CaseGroups
  /** The licenses module, once wired; without it no material is satisfied by a license. */
  licenses?: LicensesPort | null
}

export interface RequestMeta {
  ip?: string | null
  userAgent?: string | null
  locale?: Locale
}

export interface BundleView {
  id: string
  code: string
  name: string
  summary: string
  applicableTo: 'person' | 'legal'
  questions: BundleDefinition['questions']
  parties: BundleDefinition['parties']
  items: { code: string; name: string; departmentName: string; promisedDays: number; conditional: boolean }[]
  version: number
}

export interface DraftField {
  name: string
  label: string
  widget: ResolvedField['widget']
  options: string[] | null
  required: boolean
  party: string
  section: string | null
  value: unknown
  source: 'prefill' | 'typed' | 'produced' | null
  sourceLabel: string | null
  version: number
  editable: boolean
}

export interface DraftMaterial {
  itemCode: string
  itemName: string
  code: string
  name: string
  licenseType: string | null
  /** Whose license or record provides it: 'applicant' (the first applicant) or a party role. */
  party: string
  /** upload: provided by files uploaded to the draft (`files`). */
  status: 'license' | 'registry' | 'bundle' | 'upload' | 'available' | 'missing'
  label: string | null
  /** Files uploaded for it (no license or shared data provides it, or its holder chose to upload). */
  files: DraftUpload[]
  /** The caller's valid licenses that could stand in for it (when licenses are available). */
  licenses: LicenseRef[]
}

export interface DraftUpload {
  id: string
  itemCode: string
  materialCode: string
  party: string
  fileName: string
  contentType: string
  sizeBytes: number
  uploadedAt: Date
}

const uploadView = (u: UploadTable): DraftUpload => ({
  id: u.id, itemCode: u.item_code, materialCode: u.material_code, party: u.party, fileName: u.file_name, contentType: u.content_type, sizeBytes: u.size_bytes, uploadedAt: new Date(u.created_at),
})

export interface DraftView {
  id: string
  version: number
  status: DraftTable['status']
  bundle: { code: string; name: string }
  ownerName: string
  you: { role: string; isOwner: boolean; status: PartyStatus }
  answers: Record<string, string>
  questions: BundleDefinition['questions']
  items: { code: string; name: string; departmentName: string; applies: boolean }[]
  fields: DraftField[]
  materials: DraftMaterial[]
  parties: { role: string; label: string; required: boolean; status: PartyStatus | 'not_invited'; accountName: string | null; invitedPhone: string | null }[]
  counts: { prefilled: number; typed: number; materialsFromLicenses: number; materialsShared: number }
  group: { id: string; number: string } | null
  createdAt: Date
  updatedAt: Date
}

export interface FieldChange {
  field: string
  value: string | number | null
  /** The field version the caller saw (0 for a field never written). */
  baseVersion: number
}

export interface FieldConflict {
  field: string
  value: unknown
  version: number
  updatedBy: string
}

export type OnethingService = ReturnType<typeof createOnethingService>

const empty = (v: unknown) => v === null || v === undefined || (typeof v === 'string' && v.trim() === '')

/**
 * 一件事一次办: bundles across departments with situation questions, one merged form prefilled
 * from the base registries and e-licenses, materials satisfied without uploads, shared drafts
 * that several applicants fill and confirm with field-level versions, and one submission that
 * creates the case group (parent + one case per applicable item) all or nothing.
 */
export function createOnethingService(deps: OnethingDeps) {
  const { db, clock, audit, catalog, registries, identity, cases, groups, logger } = deps
  const licenses = deps.licenses ?? null
  const store = createOnethingStore(db)

  const actorOf = (by: Principal, meta: RequestMeta): AuditActor => ({
    actorId: by.accountId, actorKind: by.kind, actorName: by.name, ip: meta.ip ?? null, userAgent: meta.userAgent?.slice(0, 300) ?? null,
  })

  async function published(code: string): Promise<ServiceItemVersion | null> {
    try {
      const v = await catalog.getPublishedVersion(code)
      return v && v.status === 'published' ? v : null
    } catch (err) {
      if (err instanceof AppError && err.status === 404) return null
      throw err
    }
  }

  async function versionsOf(def: BundleDefinition): Promise<Map<string, ServiceItemVersion>> {
    const out = new Map<string, ServiceItemVersion>()
    for (const i of def.items) {
      const v = await published(i.code)
      if (v) out.set(i.code, v)
    }
    return out
  }

  async function bundleRow(code: string): Promise<BundleTable> {
    const b = await store.bundleByCode(code)
    if (!b || b.status !== 'published') throw new BundleNotFoundError()
    return b
  }

  /** Merged fields with label, widget, required and prefill resolved from the items' forms. */
  function resolveFields(def: BundleDefinition, versions: Map<string, ServiceItemVersion>, applicable: Set<string>): ResolvedField[] {
    const out: ResolvedField[] = []
    for (const f of def.fields) {
      const targets = f.to.map((tg) => {
        const [itemCode, field] = tg.split('.') as [string, string]
        return { itemCode, field }
      })
      const live = targets.filter((tg) => applicable.has(tg.itemCode))
      if (live.length === 0) continue
      let label = f.label ?? null
      let widget = f.widget ?? null
      let options = f.options ?? null
      let required = f.required ?? false
      let prefill = f.prefill ? { source: f.prefill.source } : null
      let section: string | null = null
      for (const tg of live) {
        const form = versions.get(tg.itemCode)?.guide.form
        const entry = form?.layout.find((l) => l.field === tg.field)
        if (!form || !entry) continue
        label ??= entry.label
        widget ??= entry.widget === 'file' ? 'string' : entry.widget
        section ??= entry.section ?? null
        const prop = form.schema.properties[tg.field]
        if (!options && prop?.enum) options = prop.enum.map(String)
        if (f.required === undefined && form.schema.required?.includes(tg.field)) required = true
        // An item field's prefill names whose record it reads (default: the applicant's); it fits only that party's field.
        if (!prefill && entry.prefill && (entry.prefill.party ?? 'applicant') === f.party) prefill = { source: entry.prefill.source }
      }
      const produced = f.producedBy && applicable.has(f.producedBy) ? (f.producedValue ?? '') : null
      out.push({ name: f.name, party: f.party, label: label ?? f.name, widget: widget ?? 'string', options, required, prefill, produced, section, targets: live })
    }
    return out
  }

  function validateAnswers(def: BundleDefinition, answers: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {}
    for (const [k, v] of Object.entries(answers)) {
      const q = def.questions.find((x) => x.key === k)
      if (!q || !q.options.some((o) => o.value === v)) throw new InvalidAnswerError(k)
      out[k] = v
    }
    for (const q of def.questions) {
      if (!(q.key in out) && q.default) out[q.key] = q.default
    }
    if (applicableItems(def, out).length === 0) throw new NoApplicableItemsError()
    return out
  }

  interface Access {
    draft: DraftTable
    bundle: BundleTable
    parties: PartyTable[]
    role: string
    isOwner: boolean
    status: PartyStatus
  }

  /** The draft as the caller may reach it: its owner, or a party who joined and did not decline. */
  async function access(by: Principal, id: string, h?: Db): Promise<Access> {
    const s = h ? createOnethingStore(h) : store
    const draft = h ? await s.draftForUpdate(id) : await s.draft(id)
    if (!draft) throw new DraftNotFoundError()
    const parties = await s.parties(id)
    const bundle = (await s.bundleById(draft.bundle_id))!
    if (draft.owner_id === by.accountId) return { draft, bundle, parties, role: 'applicant', isOwner: true, status: 'owner' }
    const p = parties.find((x) => x.account_id === by.accountId && (x.status === 'joined' || x.status === 'confirmed'))
    if (!p) throw new DraftNotFoundError()
    return { draft, bundle, parties, role: p.role, isOwner: false, status: p.status }
  }

  /** Whose license or record provides a material: a party named by the bundle, else the first applicant. */
  function holderRole(def: BundleDefinition, itemCode: string, materialCode: string): string {
    const rule = def.items.find((i) => i.code === itemCode)?.materials[materialCode]
    return rule?.via === 'party' && rule.party ? rule.party : 'applicant'
  }

  /** The account behind each role that takes part now (the owner, parties who joined or confirmed). */
  function holdersOf(a: Access): Map<string, string> {
    const out = new Map<string, string>([['applicant', a.draft.owner_id]])
    for (const p of a.parties) if (p.account_id && (p.status === 'joined' || p.status === 'confirmed')) out.set(p.role, p.account_id)
    return out
  }

  /**
   * Materials of the applicable items and how each is provided. The caller is offered their own
   * valid licenses only for the materials they hold (another party's wallet is never listed).
   */
  async function materialsOf(
    def: BundleDefinition,
    versions: Map<string, ServiceItemVersion>,
    applicable: Set<string>,
    rows: MaterialTable[],
    holders: Map<string, string>,
    callerRole: string,
    uploads: UploadTable[] = [],
  ): Promise<DraftMaterial[]> {
    const out: DraftMaterial[] = []
    const walletCache = new Map<string, LicenseRef[]>()
    const wallet = async (role: string, type: string) => {
      const accountId = holders.get(role)
      if (!licenses || role !== callerRole || !accountId) return []
      if (!walletCache.has(type)) walletCache.set(type, await licenses.validLicensesOf(accountId, type).catch((err: unknown) => {
        logger.warn({ err }, 'licenses lookup failed')
        return []
      }))
      return walletCache.get(type)!
    }
    for (const item of def.items) {
      if (!applicable.has(item.code)) continue
      const v = versions.get(item.code)
      if (!v) continue
      for (const m of v.guide.materials) {
        if (m.requirement !== 'required') continue
        const rule = item.materials[m.code]
        const party = holderRole(def, item.code, m.code)
        const base = { itemCode: item.code, itemName: v.guide.name, code: m.code, name: m.name, licenseType: m.licenseType ?? null, party }
        if (rule && (rule.via === 'form' || (rule.via === 'bundle' && rule.from && applicable.has(rule.from)))) {
          out.push({ ...base, status: 'bundle', label: rule.label, licenses: [], files: [] })
          continue
        }
        const mine = uploads.filter((u) => u.item_code === item.code && u.material_code === m.code && u.party === party)
        // Another party's files (e.g. their medical record) are theirs to see; the others see only that it is provided.
        const files = party === callerRole ? mine.map(uploadView) : []
        const row = rows.find((r) => r.item_code === item.code && r.material_code === m.code && r.party === party)
        const available = m.licenseType ? await wallet(party, m.licenseType) : []
        if (row?.kind === 'license') out.push({ ...base, status: 'license', label: row.label, licenses: available, files })
        else if (row?.kind === 'registry') out.push({ ...base, status: 'registry', label: row.label, licenses: available, files })
        else if (mine.length) out.push({ ...base, status: 'upload', label: null, licenses: available, files })
        else out.push({ ...base, status: available.length ? 'available' : 'missing', label: rule?.via === 'party' ? rule.label : null, licenses: available, files })
      }
    }
    return out
  }

  function countsOf(fields: DraftField[], materials: DraftMaterial[]) {
    return {
      prefilled: fields.filter((f) => f.source === 'prefill' && !empty(f.value)).length,
      typed: fields.filter((f) => f.source === 'typed' && !empty(f.value)).length,
      materialsFromLicenses: materials.filter((m) => m.status === 'license').length,
      materialsShared: materials.filter((m) => m.status === 'registry' || m.status === 'bundle').length,
    }
  }

  async function view(by: Principal, a: Access): Promise<DraftView> {
    const def = a.bundle.definition
    const versions = await versionsOf(def)
    const applicable = new Set(applicableItems(def, a.draft.answers))
    const resolved = resolveFields(def, versions, applicable)
    const [rows, materialRows, uploads] = await Promise.all([store.fields(a.draft.id), store.materials(a.draft.id), store.uploads(a.draft.id)])
    const byName = new Map(rows.map((r) => [r.field, r]))
    const open = a.draft.status === 'open'
    const fields: DraftField[] = resolved.map((f) => {
      const r = byName.get(f.name)
      return {
        name: f.name, label: f.label, widget: f.widget, options: f.options, required: f.required && f.produced === null, party: f.party, section: f.section,
        value: f.produced !== null ? f.produced : (r?.value ?? null),
        source: f.produced !== null ? 'produced' : (r?.source ?? null),
        sourceLabel: f.produced !== null ? null : (r?.source_label ?? null),
        version: r?.version ?? 0,
        editable: open && f.produced === null && f.party === a.role,
      }
    })
    const materials = await materialsOf(def, versions, applicable, materialRows, holdersOf(a), a.role, uploads)
    return {
      id: a.draft.id,
      version: a.draft.version,
      status: a.draft.status,
      bundle: { code: a.bundle.code, name: a.bundle.name },
      ownerName: a.draft.owner_name,
      you: { role: a.role, isOwner: a.isOwner, status: a.status },
      answers: a.draft.answers,
      questions: def.questions,
      items: def.items.map((i) => ({ code: i.code, name: versions.get(i.code)?.guide.name ?? i.code, departmentName: versions.get(i.code)?.departmentName ?? '', applies: applicable.has(i.code) })),
      fields,
      materials,
      parties: def.parties.map((p) => {
        const row = a.parties.find((x) => x.role === p.role)
        return { role: p.role, label: p.label, required: p.required, status: row?.status ?? 'not_invited', accountName: row?.account_name ?? null, invitedPhone: row?.invited_phone_masked ?? null }
      }),
      counts: countsOf(fields, materials),
      group: a.draft.group_id ? { id: a.draft.group_id, number: a.draft.group_number! } : null,
      createdAt: new Date(a.draft.created_at),
      updatedAt: new Date(a.draft.updated_at),
    }
  }

  /** Prefilled values for the fields of `role`, for the signed-in party (read before any transaction). */
  async function prefillFor(by: Principal, def: BundleDefinition, role: string, locale: Locale = 'zh-CN') {
    const versions = await versionsOf(def)
    const all = new Set(def.items.map((i) => i.code))
    const mine = resolveFields(def, versions, all).filter((f) => f.party === role && f.prefill && f.produced === null)
    const values = await resolvePrefill(by, mine.map((f) => f.prefill!.source), { registries, licenses }, locale)
    return mine.flatMap((f) => {
      const v = values.get(f.prefill!.source)
      return v ? [{ field: f.name, value: v.value, label: v.label }] : []
    })
  }

  async function writePrefill(trx: Db, draftId: string, role: string, by: Principal, values: { field: string; value: string; label: string }[]) {
    const s = createOnethingStore(trx)
    const existing = new Map((await s.fieldsForUpdate(draftId)).map((r) => [r.field, r]))
    const now = clock.now()
    for (const v of values) {
      const cur = existing.get(v.field)
      // Never overwrite what someone typed.
      if (cur && cur.source === 'typed') continue
      await s.putField({ draft_id: draftId, field: v.field, value: v.value, source: 'prefill', source_label: v.label, party: role, version: (cur?.version ?? 0) + 1, updated_by: by.name, updated_at: now })
    }
  }

  /**
   * The registry confirmations (数据共享, no upload) of the ID card and household register of the
   * materials `role` holds, from the signed-in holder's own population-registry records.
   */
  async function registryConfirmations(by: Principal, def: BundleDefinition, role = 'applicant'): Promise<Omit<MaterialTable, 'draft_id'>[]> {
    if (by.kind !== 'person') return []
    const all = await versionsOf(def)
    // Only the materials this role holds, and of those only the ones no other rule provides.
    const versions = new Map([...all].map(([code, v]) => [code, { ...v, guide: { ...v.guide, materials: v.guide.materials.filter((m) => holderRole(def, code, m.code) === role) } }] as const))
    const meta = { via: 'onething' }
    const quiet = <T>(p: Promise<T>) => p.catch((err: unknown) => (err instanceof AppError && err.status < 500 ? null : Promise.reject(err)))
    const kinds = new Set<string>()
    for (const v of versions.values()) for (const m of v.guide.materials) if (m.licenseType && registryConfirmable[m.licenseType]) kinds.add(registryConfirmable[m.licenseType]!)
    const person = kinds.size ? await quiet(registries.getPersonForAccount(by.accountId, '一件事一次办：核验身份证明材料（免提交）', by, meta)) : null
    const household = kinds.has('household') && person?.householdId ? await quiet(registries.householdForAccount(by.accountId, '一件事一次办：核验户口簿材料（免提交）', by, meta)) : null
    const out: Omit<MaterialTable, 'draft_id'>[] = []
    const now = clock.now()
    for (const [code, v] of versions) {
      for (const m of v.guide.materials) {
        const k = m.licenseType ? registryConfirmable[m.licenseType] : undefined
        if (!k || (k === 'person' && !person) || (k === 'household' && !household)) continue
        out.push({ item_code: code, material_code: m.code, kind: 'registry', label: t('zh-CN', 'onething.material.registry'), party: role, license_id: null, license_number: null, license_type: m.licenseType ?? null, license_name: null, grant_id: null, created_at: now })
      }
    }
    return out
  }

  /**
   * The holder role of a material a file may be uploaded for: a material of an applicable item
   * that the bundle does not provide (form or another item), held by the caller.
   * @throws UnknownBundleMaterialError, NotYourMaterialError
   */
  async function uploadTarget(a: Access, itemCode: string, materialCode: string): Promise<string> {
    const def = a.bundle.definition
    const applicable = new Set(applicableItems(def, a.draft.answers))
    const material = applicable.has(itemCode) ? (await published(itemCode))?.guide.materials.find((m) => m.code === materialCode) : undefined
    const rule = def.items.find((i) => i.code === itemCode)?.materials[materialCode]
    const provided = rule && (rule.via === 'form' || (rule.via === 'bundle' && rule.from && applicable.has(rule.from)))
    if (!material || provided) throw new UnknownBundleMaterialError(itemCode, materialCode)
    const party = holderRole(def, itemCode, materialCode)
    if (party !== a.role) throw new NotYourMaterialError(materialCode)
    return party
  }

  const service = {
    // --- bundles ------------------------------------------------------------------------------

    /** Published bundles, optionally for one kind of applicant. */
    async listBundles(applicableTo?: 'person' | 'legal'): Promise<BundleView[]> {
      const rows = await store.listBundles(applicableTo)
      return Promise.all(rows.map((r) => service.bundleView(r)))
    },

    async bundleView(r: BundleTable): Promise<BundleView> {
      const def = r.definition
      const versions = await versionsOf(def)
      return {
        id: r.id, code: r.code, name: r.name, summary: def.summary, applicableTo: r.applicable_to, questions: def.questions, parties: def.parties, version: r.version,
        items: def.items.filter((i) => versions.has(i.code)).map((i) => {
          const v = versions.get(i.code)!
          return { code: i.code, name: v.guide.name, departmentName: v.departmentName ?? '', promisedDays: v.guide.promisedDays, conditional: i.when.length > 0 }
        }),
      }
    },

    /** @throws BundleNotFoundError */
    async getBundle(code: string): Promise<BundleView> {
      return service.bundleView(await bundleRow(code))
    },

    /**
     * Creates or replaces a bundle (by code). Every item must be published and every merged
     * field must target one of the bundle's items.
     * @throws BundleItemUnavailableError
     */
    async putBundle(by: Principal | 'system', input: BundleDefinitionInput, meta: RequestMeta = {}): Promise<BundleView> {
      const def = bundleDefinitionSchema.parse(input)
      const codes = new Set(def.items.map((i) => i.code))
      for (const i of def.items) if (!(await published(i.code))) throw new BundleItemUnavailableError(i.code)
      for (const f of def.fields) for (const tg of f.to) if (!codes.has(tg.split('.')[0]!)) throw new BundleItemUnavailableError(tg.split('.')[0]!)
      const now = clock.now()
      const row = await db.transaction().execute(async (trx) => {
        const r = await createOnethingStore(trx).upsertBundle({ id: newId('otb'), code: def.code, name: def.name, applicable_to: def.applicableTo, definition: def, status: 'published', version: 1, created_at: now, updated_at: now })
        await audit.record(trx, by === 'system' ? systemActor : actorOf(by, meta), { action: 'onething.bundle.saved', targetType: 'onething_bundle', targetId: r.id, detail: { code: def.code, items: [...codes] } })
        return r
      })
      return service.bundleView(row)
    },

    // --- drafts -------------------------------------------------------------------------------

    /**
     * Starts a shared draft of a bundle for the caller (the first applicant), prefilled from
     * their registry records and licenses; the ID card and household register are confirmed from
     * the population registry when it holds them.
     * @throws BundleNotFoundError, BundleNotApplicableError, InvalidAnswerError, NoApplicableItemsError
     */
    async startDraft(by: Principal, code: string, input: { answers?: Record<string, string> } = {}, meta: RequestMeta = {}): Promise<DraftView> {
      const b = await bundleRow(code)
      const def = b.definition
      const kind = by.kind === 'person' || by.kind === 'legal' ? by.kind : null
      if (kind !== def.applicableTo) throw new BundleNotApplicableError(def.applicableTo)
      const answers = validateAnswers(def, input.answers ?? {})
      const prefill = await prefillFor(by, def, 'applicant', meta.locale)
      const confirmations = await registryConfirmations(by, def)
      const now = clock.now()
      const id = newId('otd')
      await db.transaction().execute(async (trx) => {
        const s = createOnethingStore(trx)
        await s.insertDraft({ id, bundle_id: b.id, bundle_version: b.version, owner_id: by.accountId, owner_kind: kind, owner_name: by.name, answers, status: 'open', group_id: null, group_number: null, version: 1, created_at: now, updated_at: now, submitted_at: null })
        await s.upsertParty({ id: newId('otp'), draft_id: id, role: 'applicant', invited_phone_hash: null, invited_phone_masked: null, token_hash: null, account_id: by.accountId, account_name: by.name, status: 'owner', updated_at: now })
        await writePrefill(trx, id, 'applicant', by, prefill)
        for (const m of confirmations) await s.putMaterial({ ...m, draft_id: id })
        await audit.record(trx, actorOf(by, meta), { action: 'onething.draft.created', targetType: 'onething_draft', targetId: id, detail: { bundle: code, prefilled: prefill.map((p) => p.field), registryMaterials: confirmations.length } })
      })
      return view(by, await access(by, id))
    },

    /** @throws DraftNotFoundError */
    async getDraft(by: Principal, id: string): Promise<DraftView> {
      return view(by, await access(by, id))
    },

    /** Drafts the caller owns or takes part in, newest first. */
    async listMyDrafts(by: Principal, page: { page?: number; pageSize?: number } = {}) {
      const p = page.page ?? 1
      const size = page.pageSize ?? 20
      const { rows, total } = await store.draftsOf(by.accountId, size, (p - 1) * size)
      const bundles = new Map<string, BundleTable>()
      const items = []
      for (const r of rows) {
        if (!bundles.has(r.bundle_id)) bundles.set(r.bundle_id, (await store.bundleById(r.bundle_id))!)
        const b = bundles.get(r.bundle_id)!
        items.push({ id: r.id, bundleCode: b.code, bundleName: b.name, status: r.status, ownerName: r.owner_name, isOwner: r.owner_id === by.accountId, groupId: r.group_id, groupNumber: r.group_number, updatedAt: new Date(r.updated_at) })
      }
      return { items, total, page: p, pageSize: size }
    },

    /**
     * The first applicant answers the situation questions (情形引导).
     * @throws DraftNotFoundError, NotOwnerError, StaleDraftError, DraftClosedError, InvalidAnswerError, NoApplicableItemsError
     */
    async setAnswers(by: Principal, id: string, input: { version: number; answers: Record<string, string> }, meta: RequestMeta = {}): Promise<DraftView> {
      await db.transaction().execute(async (trx) => {
        const a = await access(by, id, trx)
        if (!a.isOwner) throw new NotOwnerError()
        if (a.draft.status !== 'open') throw new DraftClosedError(a.draft.status)
        if (a.draft.version !== input.version) throw new StaleDraftError(a.draft.version)
        const answers = validateAnswers(a.bundle.definition, input.answers)
        await createOnethingStore(trx).updateDraft(id, { answers, version: a.draft.version + 1, updated_at: clock.now() })
        await audit.record(trx, actorOf(by, meta), { action: 'onething.draft.answered', targetType: 'onething_draft', targetId: id, detail: { answers } })
      })
      return view(by, await access(by, id))
    },

    /**
     * Writes the caller's own fields. Each change names the field version it saw: a change on a
     * field someone else changed since is not applied but returned as a conflict with the current
     * value, so no one's edit is lost; the other changes apply. A change to a confirmed party's
     * field resets that confirmation.
     * @throws DraftNotFoundError, DraftClosedError, NotYourFieldError
     */
    async putFields(by: Principal, id: string, changes: FieldChange[], meta: RequestMeta = {}): Promise<{ draft: DraftView; conflicts: FieldConflict[] }> {
      const pre = await access(by, id)
      const def = pre.bundle.definition
      const versions = await versionsOf(def)
      const fields = resolveFields(def, versions, new Set(def.items.map((i) => i.code)))
      const conflicts: FieldConflict[] = []
      await db.transaction().execute(async (trx) => {
        const a = await access(by, id, trx)
        if (a.draft.status !== 'open') throw new DraftClosedError(a.draft.status)
        const s = createOnethingStore(trx)
        const current = new Map((await s.fieldsForUpdate(id)).map((r) => [r.field, r]))
        const now = clock.now()
        const written: string[] = []
        for (const c of changes) {
          const f = fields.find((x) => x.name === c.field)
          if (!f || f.party !== a.role || f.produced !== null) throw new NotYourFieldError(c.field)
          const cur: FieldTable | undefined = current.get(c.field)
          if ((cur?.version ?? 0) !== c.baseVersion) {
            conflicts.push({ field: c.field, value: cur?.value ?? null, version: cur?.version ?? 0, updatedBy: cur?.updated_by ?? '' })
            continue
          }
          if (cur && JSON.stringify(cur.value) === JSON.stringify(c.value)) continue
          await s.putField({ draft_id: id, field: c.field, value: c.value, source: 'typed', source_label: null, party: a.role, version: (cur?.version ?? 0) + 1, updated_by: by.name, updated_at: now })
          written.push(c.field)
        }
        if (written.length && a.status === 'confirmed') await s.setPartyStatus(id, a.role, 'joined', now)
        if (written.length) {
          await s.updateDraft(id, { updated_at: now })
          await audit.record(trx, actorOf(by, meta), { action: 'onething.draft.fields-written', targetType: 'onething_draft', targetId: id, detail: { fields: written, conflicts: conflicts.map((x) => x.field) } })
        }
      })
      return { draft: await view(by, await access(by, id)), conflicts }
    },

    /**
     * A participant (the first applicant, or a party for the materials the bundle says they hold)
     * consents to using one of their own valid e-licenses for every such material of its type (免提交).
     * @throws DraftNotFoundError, DraftClosedError, LicenseUnavailableError
     */
    async useLicense(by: Principal, id: string, input: { licenseType: string; licenseId: string }, meta: RequestMeta = {}): Promise<DraftView> {
      const pre = await access(by, id)
      const def = pre.bundle.definition
      const versions = await versionsOf(def)
      const lic = licenses ? (await licenses.validLicensesOf(by.accountId, input.licenseType)).find((l) => l.id === input.licenseId) : undefined
      if (!lic) throw new LicenseUnavailableError(input.licenseType)
      const targets = [...versions].flatMap(([code, v]) => v.guide.materials.filter((m) => m.licenseType === input.licenseType && holderRole(def, code, m.code) === pre.role).map((m) => ({ code, material: m.code })))
      // No material of this type is the caller's to provide: nothing to consent to.
      if (targets.length === 0) throw new LicenseUnavailableError(input.licenseType)
      await db.transaction().execute(async (trx) => {
        const a = await access(by, id, trx)
        if (a.draft.status !== 'open') throw new DraftClosedError(a.draft.status)
        const s = createOnethingStore(trx)
        const now = clock.now()
        for (const tg of targets) {
          await s.putMaterial({
            draft_id: id, item_code: tg.code, material_code: tg.material, kind: 'license', label: t('zh-CN', 'onething.material.license', { name: `${lic.typeName} ${lic.number}` }), party: a.role,
            license_id: lic.id, license_number: lic.number, license_type: lic.type, license_name: lic.typeName, grant_id: null, created_at: now,
          })
        }
        await audit.record(trx, actorOf(by, meta), { action: 'onething.draft.license-consented', targetType: 'onething_draft', targetId: id, detail: { licenseType: input.licenseType, licenseId: lic.id, role: a.role, materials: targets.length } })
      })
      return view(by, await access(by, id))
    },

    /**
     * A participant withdraws consent to a license type of theirs; registry confirmations come back.
     * @throws DraftNotFoundError, DraftClosedError
     */
    async withdrawLicense(by: Principal, id: string, licenseType: string, meta: RequestMeta = {}): Promise<DraftView> {
      const pre = await access(by, id)
      const confirmations = (await registryConfirmations(by, pre.bundle.definition, pre.role)).filter((m) => m.license_type === licenseType)
      await db.transaction().execute(async (trx) => {
        const a = await access(by, id, trx)
        if (a.draft.status !== 'open') throw new DraftClosedError(a.draft.status)
        const s = createOnethingStore(trx)
        const removed = await s.removeLicenseMaterials(id, licenseType, a.role)
        for (const m of confirmations) await s.putMaterial({ ...m, draft_id: id })
        await audit.record(trx, actorOf(by, meta), { action: 'onething.draft.license-withdrawn', targetType: 'onething_draft', targetId: id, detail: { licenseType, removed } })
      })
      return view(by, await access(by, id))
    },

    // --- parties ------------------------------------------------------------------------------

    /**
     * The first applicant invites a party by phone number; the answer carries the link's secret
     * (shown once). Inviting a role again replaces the earlier invitation.
     * @throws DraftNotFoundError, NotOwnerError, DraftClosedError, UnknownPartyError
     */
    async invite(by: Principal, id: string, input: { role: string; phone?: string | null }, meta: RequestMeta = {}): Promise<{ token: string; path: string; draft: DraftView }> {
      const token = crypto.randomBytes(24).toString('base64url')
      const path = `/m/onething/join/${token}`
      const invited = await db.transaction().execute(async (trx) => {
        const a = await access(by, id, trx)
        if (!a.isOwner) throw new NotOwnerError()
        if (a.draft.status !== 'open') throw new DraftClosedError(a.draft.status)
        const party = a.bundle.definition.parties.find((p) => p.role === input.role)
        if (!party) throw new UnknownPartyError(input.role)
        const now = clock.now()
        const s = createOnethingStore(trx)
        // Whatever the earlier invitee of this role provided goes with them.
        await s.removePartyMaterials(id, input.role)
        await s.upsertParty({
          // A keyed digest (identity's server key): only the holder of that exact number can match it later.
          id: newId('otp'), draft_id: id, role: input.role, invited_phone_hash: input.phone ? identity.phoneDigest(input.phone) : null, invited_phone_masked: input.phone ? maskPhone(input.phone) : null,
          token_hash: sm3Hex(token), account_id: null, account_name: null, status: 'invited', updated_at: now,
        })
        await audit.record(trx, actorOf(by, meta), { action: 'onething.party.invited', targetType: 'onething_draft', targetId: id, detail: { role: input.role, byPhone: !!input.phone } })
        return { bundleName: a.bundle.name, roleLabel: party.label }
      })
      if (input.phone) {
        // The link by text message (zh-CN, the SMS language here): names, the item and the link, no ID numbers.
        const text = t('zh-CN', 'onething.sms.invite', { owner: by.name, bundle: invited.bundleName, role: invited.roleLabel, link: `${deps.config.publicUrl}${path}` })
        await identity.textPhone(input.phone, text).catch((err: unknown) => logger.warn({ err, draftId: id }, 'invitation text not sent (the link is still shown to the first applicant)'))
      }
      return { token, path, draft: await view(by, await access(by, id)) }
    },

    /**
     * A party accepts an invitation: checked to be the person invited (the phone invited, and the
     * first applicant's spouse in the population registry when the bundle says so); their own
     * part is then prefilled from their own records.
     * @throws InvitationNotFoundError, NotInviteeError, DraftClosedError
     */
    async acceptInvitation(by: Principal, token: string, meta: RequestMeta = {}): Promise<DraftView> {
      const hash = sm3Hex(token)
      const pre = await db.transaction().execute(async (trx) => {
        const p = await createOnethingStore(trx).partyByToken(hash)
        if (!p) throw new InvitationNotFoundError()
        const draft = (await createOnethingStore(trx).draft(p.draft_id))!
        return { p, draft, bundle: (await createOnethingStore(trx).bundleById(draft.bundle_id))! }
      })
      const { p, draft, bundle } = pre
      if (draft.status !== 'open') throw new DraftClosedError(draft.status)
      if (p.account_id === by.accountId && (p.status === 'joined' || p.status === 'confirmed')) return view(by, await access(by, draft.id))
      if (draft.owner_id === by.accountId || (p.account_id && p.account_id !== by.accountId) || p.status === 'declined') throw new NotInviteeError()
      const def = bundle.definition
      const partyDef = def.parties.find((x) => x.role === p.role)
      // Invited by phone: the caller's own mobile number must be exactly that number (identity answers yes or no).
      if (p.invited_phone_hash && !(await identity.accountPhoneMatches(by.accountId, p.invited_phone_hash))) throw new NotInviteeError()
      if (partyDef?.relation === 'spouse') {
        const [household, mine] = await Promise.all([
          registries.householdForAccount(draft.owner_id, '一件事一次办：核验共同申请人（配偶）身份', 'system', { via: 'onething' }).catch(() => null),
          identity.revealIdNumber(by.accountId),
        ])
        const ownerId = await identity.revealIdNumber(draft.owner_id)
        const owner = household?.members.find((m) => m.idNumber === ownerId)
        const partner = household?.members.find((m) => m.idNumber !== ownerId && (owner?.relation === 'head' ? m.relation === 'spouse' : owner?.relation === 'spouse' ? m.relation === 'head' : false))
        if (!partner || !mine || partner.idNumber !== mine) throw new NotInviteeError()
      }
      const prefill = await prefillFor(by, def, p.role, meta.locale)
      const confirmations = await registryConfirmations(by, def, p.role)
      await db.transaction().execute(async (trx) => {
        const s = createOnethingStore(trx)
        const cur = await s.partyByToken(hash)
        if (!cur || cur.status !== 'invited' || (cur.account_id && cur.account_id !== by.accountId)) throw new NotInviteeError()
        await s.setPartyStatus(draft.id, p.role, 'joined', clock.now(), { id: by.accountId, name: by.name })
        await writePrefill(trx, draft.id, p.role, by, prefill)
        for (const m of confirmations) await s.putMaterial({ ...m, draft_id: draft.id })
        await audit.record(trx, actorOf(by, meta), { action: 'onething.party.joined', targetType: 'onething_draft', targetId: draft.id, detail: { role: p.role, prefilled: prefill.map((x) => x.field), registryMaterials: confirmations.length } })
      })
      return view(by, await access(by, draft.id))
    },

    /**
     * A party confirms their part (every required field of theirs filled).
     * @throws DraftNotFoundError, NotOwnerError (the first applicant confirms by submitting), MissingFieldsError, DraftClosedError
     */
    async confirm(by: Principal, id: string, meta: RequestMeta = {}): Promise<DraftView> {
      const pre = await view(by, await access(by, id))
      if (pre.you.isOwner) throw new NotOwnerError()
      const missing = pre.fields.filter((f) => f.party === pre.you.role && f.required && empty(f.value))
      if (missing.length) throw new MissingFieldsError(missing.map((f) => ({ name: f.name, label: f.label, party: f.party })))
      const unsatisfied = pre.materials.filter((m) => m.party === pre.you.role && (m.status === 'available' || m.status === 'missing'))
      if (unsatisfied.length) throw new MaterialsUnsatisfiedError(unsatisfied.map((m) => ({ itemCode: m.itemCode, code: m.code, name: `${m.itemName}：${m.name}` })))
      await db.transaction().execute(async (trx) => {
        const a = await access(by, id, trx)
        if (a.draft.status !== 'open') throw new DraftClosedError(a.draft.status)
        await createOnethingStore(trx).setPartyStatus(id, a.role, 'confirmed', clock.now())
        await audit.record(trx, actorOf(by, meta), { action: 'onething.party.confirmed', targetType: 'onething_draft', targetId: id, detail: { role: a.role } })
      })
      return view(by, await access(by, id))
    },

    /**
     * A party declines: the draft returns to the first applicant (who may invite again) and the
     * party no longer sees it.
     * @throws DraftNotFoundError, NotOwnerError, DraftClosedError
     */
    async decline(by: Principal, id: string, meta: RequestMeta = {}): Promise<{ declined: true }> {
      await db.transaction().execute(async (trx): Promise<UploadTable[]> => {
        const a = await access(by, id, trx)
        if (a.isOwner) throw new NotOwnerError()
        if (a.draft.status !== 'open') throw new DraftClosedError(a.draft.status)
        const s = createOnethingStore(trx)
        await s.setPartyStatus(id, a.role, 'declined', clock.now())
        await s.removePartyMaterials(id, a.role)
        const files = await s.deletePartyUploads(id, a.role)
        await s.updateDraft(id, { updated_at: clock.now() })
        await audit.record(trx, actorOf(by, meta), { action: 'onething.party.declined', targetType: 'onething_draft', targetId: id, detail: { role: a.role, filesRemoved: files.length } })
        return files
      }).then(async (files) => {
        // A leaving party's files go with them (after commit, so a rollback keeps them).
        for (const f of files) await cases.discardStoredFile(f.storage_key)
      })
      return { declined: true }
    },

    // --- uploads -------------------------------------------------------------------------------

    /**
     * Uploads a file for a material no license or shared data provides, to an open draft, by the
     * party who holds the material. The cases module checks and stores the bytes (size, sniffed
     * type, SM3, DATA_DIR); at submission the file becomes a file of that item's case.
     * @throws DraftNotFoundError, DraftClosedError, UnknownBundleMaterialError, NotYourMaterialError, TooManyUploadsError,
     *   and the cases module's EmptyFileError, FileTypeNotAllowedError, FileTypeMismatchError, FileTooLargeError
     */
    async uploadFile(
      by: Principal,
      id: string,
      target: { itemCode: string; materialCode: string },
      file: { bytes: Buffer; contentType: string; fileName?: string },
      meta: RequestMeta = {},
    ): Promise<DraftUpload> {
      const pre = await access(by, id)
      if (pre.draft.status !== 'open') throw new DraftClosedError(pre.draft.status)
      const party = await uploadTarget(pre, target.itemCode, target.materialCode)
      const stored = await cases.storeFile(id, target.materialCode, file)
      const row: UploadTable = {
        id: newId('otf'), draft_id: id, item_code: target.itemCode, material_code: target.materialCode, party, file_name: stored.fileName, content_type: stored.contentType,
        size_bytes: stored.sizeBytes, sm3: stored.sm3, storage_key: stored.storageKey, uploaded_by: by.accountId, created_at: clock.now(),
      }
      await db.transaction().execute(async (trx) => {
        const a = await access(by, id, trx)
        if (a.draft.status !== 'open') throw new DraftClosedError(a.draft.status)
        if (a.role !== party) throw new NotYourMaterialError(target.materialCode)
        const s = createOnethingStore(trx)
        const same = (await s.uploads(id)).filter((u) => u.item_code === target.itemCode && u.material_code === target.materialCode)
        if (same.length >= MAX_FILES_PER_MATERIAL) throw new TooManyUploadsError(MAX_FILES_PER_MATERIAL)
        await s.insertUpload(row)
        await s.updateDraft(id, { updated_at: row.created_at })
        await audit.record(trx, actorOf(by, meta), {
          action: 'onething.file.uploaded', targetType: 'onething_draft', targetId: id,
          detail: { fileId: row.id, itemCode: row.item_code, materialCode: row.material_code, contentType: row.content_type, sizeBytes: row.size_bytes, sm3: row.sm3 },
        })
      }).catch(async (err: unknown) => {
        // The bytes were stored before the row; without the row nobody can reach them.
        await cases.discardStoredFile(stored.storageKey)
        throw err
      })
      return uploadView(row)
    },

    /**
     * The files the caller uploaded to the draft (for the materials they hold).
     * @throws DraftNotFoundError
     */
    async listUploads(by: Principal, id: string): Promise<DraftUpload[]> {
      const a = await access(by, id)
      return (await store.uploads(id)).filter((u) => u.party === a.role).map(uploadView)
    },

    /**
     * Removes a file the caller uploaded, while the draft is open; its bytes go too (no case has them yet).
     * @throws DraftNotFoundError, DraftClosedError, UploadNotFoundError
     */
    async removeUpload(by: Principal, id: string, fileId: string, meta: RequestMeta = {}): Promise<void> {
      const removed = await db.transaction().execute(async (trx) => {
        const a = await access(by, id, trx)
        const s = createOnethingStore(trx)
        const u = (await s.uploads(id)).find((x) => x.id === fileId && x.party === a.role)
        if (!u) throw new UploadNotFoundError()
        if (a.draft.status !== 'open') throw new DraftClosedError(a.draft.status)
        await s.deleteUpload(id, fileId)
        await s.updateDraft(id, { updated_at: clock.now() })
        await audit.record(trx, actorOf(by, meta), { action: 'onething.file.removed', targetType: 'onething_draft', targetId: id, detail: { fileId, itemCode: u.item_code, materialCode: u.material_code } })
        return u
      })
      await cases.discardStoredFile(removed.storage_key)
    },

    // --- submission ---------------------------------------------------------------------------

    /**
     * Submits the draft: every required party confirmed, every required field filled, every
     * required material provided, every license consent still standing. Records each license
     * consent in the license use log, then creates the case group in one transaction.
     * @throws DraftNotFoundError, NotOwnerError, StaleDraftError, DraftClosedError, NoApplicableItemsError,
     *   PartiesNotConfirmedError, MissingFieldsError, MaterialsUnsatisfiedError, ConsentWithdrawnError, BundleItemUnavailableError
     */
    async submit(by: Principal, id: string, input: { version: number }, meta: RequestMeta = {}): Promise<{ draft: DraftView; group: GroupDetail }> {
      const a = await access(by, id)
      if (!a.isOwner) throw new NotOwnerError()
      if (a.draft.status !== 'open') throw new DraftClosedError(a.draft.status)
      if (a.draft.version !== input.version) throw new StaleDraftError(a.draft.version)
      const def = a.bundle.definition
      const applicable = applicableItems(def, a.draft.answers)
      if (applicable.length === 0) throw new NoApplicableItemsError()
      const versions = await versionsOf(def)
      for (const code of applicable) if (!versions.has(code)) throw new BundleItemUnavailableError(code)
      const v = await view(by, a)

      const unconfirmed = def.parties.filter((p) => p.required && a.parties.find((x) => x.role === p.role)?.status !== 'confirmed')
      if (unconfirmed.length) throw new PartiesNotConfirmedError(unconfirmed.map((p) => p.label))
      const missing = v.fields.filter((f) => f.required && empty(f.value))
      if (missing.length) throw new MissingFieldsError(missing.map((f) => ({ name: f.name, label: f.label, party: f.party })))
      const unsatisfied = v.materials.filter((m) => m.status === 'available' || m.status === 'missing')
      if (unsatisfied.length) throw new MaterialsUnsatisfiedError(unsatisfied.map((m) => ({ itemCode: m.itemCode, code: m.code, name: `${m.itemName}：${m.name}` })))

      // Consents still standing: each license chosen must still be one of its holder's valid ones.
      const [rows, uploads] = await Promise.all([store.materials(id), store.uploads(id)])
      const licensed = rows.filter((r) => r.kind === 'license' && applicable.includes(r.item_code) && v.materials.some((m) => m.itemCode === r.item_code && m.code === r.material_code && m.party === r.party))
      const holders = holdersOf(a)
      // The consent of a party was given in their own session (useLicense, audited); the grant is
      // recorded in their name, as the holder, when the cases are made.
      const holderPrincipal = async (role: string): Promise<Principal> => {
        if (role === 'applicant') return by
        const row = a.parties.find((x) => x.role === role)!
        const me = await identity.getMe(row.account_id!)
        return { accountId: row.account_id!, sessionId: by.sessionId, kind: me?.kind === 'legal' ? 'legal' : 'person', name: row.account_name ?? '', grants: [] }
      }
      for (const key of new Set(licensed.map((r) => `${r.party}\u0000${r.license_type!}`))) {
        const [role, type] = key.split('\u0000') as [string, string]
        const holder = holders.get(role)
        const valid = licenses && holder ? await licenses.validLicensesOf(holder, type) : []
        if (licensed.some((r) => r.party === role && r.license_type === type && !valid.some((l) => l.id === r.license_id))) throw new ConsentWithdrawnError(type)
      }

      // The children, with ids assigned now so consents can name their case.
      const resolved = resolveFields(def, versions, new Set(applicable))
      const valueOf = new Map(v.fields.map((f) => [f.name, f]))
      const children = applicable.map((code) => {
        const ver = versions.get(code)!
        const form = ver.guide.form
        const formData: Record<string, unknown> = {}
        let prefilled = 0
        let typed = 0
        // Licenses whose fields were prefilled into this case's form, by holder role and type.
        const licenseFields = new Map<string, { role: string; type: string; fields: string[] }>()
        for (const f of resolved) {
          const fv = valueOf.get(f.name)
          if (!fv || empty(fv.value)) continue
          let counted = false
          for (const tg of f.targets.filter((x) => x.itemCode === code)) {
            const prop = form?.schema.properties[tg.field]
            if (form && !prop) continue
            formData[tg.field] = prop && (prop.type === 'number' || prop.type === 'integer') ? Number(fv.value) : fv.value
            counted = true
          }
          if (counted && fv.source === 'prefill') prefilled++
          if (counted && fv.source === 'typed') typed++
          const [kind, type] = f.prefill?.source.split('.') ?? []
          if (counted && fv.source === 'prefill' && kind === 'license' && type) {
            const k = `${f.party}.${type}`
            if (!licenseFields.has(k)) licenseFields.set(k, { role: f.party, type, fields: [] })
            licenseFields.get(k)!.fields.push(f.name)
          }
        }
        // Uploaded files go to the case, except for a material a license or shared data now provides.
        const providedOtherwise = new Set(v.materials.filter((m) => m.itemCode === code && (m.status === 'license' || m.status === 'registry' || m.status === 'bundle')).map((m) => m.code))
        const files = uploads
          .filter((u) => u.item_code === code && !providedOtherwise.has(u.material_code))
          .map((u) => ({ materialCode: u.material_code, fileName: u.file_name, contentType: u.content_type as StoredFile['contentType'], sizeBytes: u.size_bytes, sm3: u.sm3, storageKey: u.storage_key, uploadedBy: u.uploaded_by, uploadedAt: new Date(u.created_at) }))
        const materials: (SatisfiedMaterial & { holder?: string })[] = v.materials
          .filter((m) => m.itemCode === code && m.status !== 'upload')
          .map((m) => {
            const r = licensed.find((x) => x.item_code === code && x.material_code === m.code)
            return r
              ? { code: m.code, kind: 'license' as const, label: m.label ?? '', holder: r.party, license: { id: r.license_id!, number: r.license_number!, type: r.license_type!, name: r.license_name!, grantId: null as string | null } }
              : { code: m.code, kind: m.status === 'registry' ? ('registry' as const) : ('bundle' as const), label: m.label ?? '' }
          })
        return {
          id: newId('case'),
          itemVersionId: ver.id,
          departmentId: ver.guide.departmentId,
          formData,
          materials,
          files,
          licenseFields: [...licenseFields.values()],
          fill: { prefilled, typed, materialsFromLicenses: materials.filter((m) => m.kind === 'license').length, materialsShared: materials.filter((m) => m.kind !== 'license').length } satisfies FillStats,
        }
      })

      // The holder's consent for each license use, in the license use log (licenses module).
      const grants: { grantId: string; holder: Principal }[] = []
      const undo = async () => {
        // Nothing was created: the consents made for these cases go too (best effort; the use log keeps the attempt).
        for (const g of grants) await licenses?.withdrawGrant?.(g.holder, g.grantId, meta).catch((e: unknown) => logger.warn({ err: e, grantId: g.grantId }, 'could not withdraw the grant of a failed submission'))
      }
      if (licenses) {
        for (const c of children) {
          for (const m of c.materials) {
            if (m.kind !== 'license' || !m.license) continue
            const holder = await holderPrincipal(m.holder ?? 'applicant')
            const used = await licenses.useForCase(holder, { licenseId: m.license.id, licenseType: m.license.type, applicationId: c.id, departmentId: c.departmentId, materialCode: m.code, purpose: `一件事一次办：${a.bundle.name}` }, meta).catch(async (err: unknown) => {
              await undo()
              if (err instanceof AppError && err.status < 500) throw new ConsentWithdrawnError(m.license!.type)
              throw err
            })
            m.license.grantId = used.grantId
            grants.push({ grantId: used.grantId, holder })
          }
          // License data prefilled into the form reaches the department under the same rule as a
          // material: the holder's license must still be valid, and the use is in their log.
          for (const lf of c.licenseFields) {
            const holder = await holderPrincipal(lf.role)
            const [current] = await licenses.validLicensesOf(holder.accountId, lf.type)
            const used = current
              ? await licenses.useForCase(holder, { licenseId: current.id, licenseType: lf.type, applicationId: c.id, departmentId: c.departmentId, materialCode: `form:${lf.fields.join(',')}`, purpose: `一件事一次办：${a.bundle.name}（表单预填）` }, meta).catch(async (err: unknown) => {
                if (err instanceof AppError && err.status < 500) return null
                await undo()
                throw err
              })
              : null
            if (!used) {
              await undo()
              throw new ConsentWithdrawnError(lf.type)
            }
            grants.push({ grantId: used.grantId, holder })
          }
        }
      }

      const counts = v.counts
      const parties = a.parties.filter((p) => p.status === 'confirmed' && p.account_id).map((p) => ({ accountId: p.account_id!, name: p.account_name ?? '', role: p.role }))
      const group = await groups.createGroup(
        by,
        {
          title: a.bundle.name,
          source: `onething:${a.bundle.code}`,
          parties,
          fill: { prefilled: counts.prefilled, typed: counts.typed, materialsFromLicenses: counts.materialsFromLicenses, materialsShared: counts.materialsShared },
          children: children.map(({ departmentId: _d, licenseFields: _l, ...c }) => ({ ...c, materials: c.materials.map(({ holder: _h, ...m }) => m) })),
        },
        meta,
      ).catch(async (err: unknown) => {
        await undo()
        throw err
      })
      await db.transaction().execute(async (trx) => {
        const now = clock.now()
        await createOnethingStore(trx).updateDraft(id, { status: 'submitted', group_id: group.id, group_number: group.number, version: a.draft.version + 1, submitted_at: now, updated_at: now })
        await audit.record(trx, actorOf(by, meta), { action: 'onething.draft.submitted', targetType: 'onething_draft', targetId: id, detail: { groupId: group.id, groupNumber: group.number, items: applicable, counts } })
      })
      return { draft: await view(by, await access(by, id)), group }
    },

    // --- the one case, and figures --------------------------------------------------------------

    /** @throws CaseNotFoundError */
    getApplication: (by: Principal, groupId: string): Promise<GroupDetail> => groups.getGroup(by, groupId),
    listApplications: (by: Principal, page: { page?: number; pageSize?: number }): Promise<{ items: GroupSummary[]; total: number; page: number; pageSize: number }> => groups.listMyGroups(by, page),

    /**
     * How a case's form was filled, for its applicant or staff who may see the case.
     * @throws CaseNotFoundError
     */
    async fillOfCase(by: Principal, caseId: string) {
      await cases.getApplication(by, caseId)
      return groups.fillOf(caseId)
    },

    /** Fill counts per item over every case created through a bundle. */
    metrics: () => groups.fillMetrics(),

    /** For tests and the demo: the prefill the signed-in party would get for a role. */
    prefillFor: (by: Principal, code: string, role: string) => bundleRow(code).then((b) => prefillFor(by, b.definition, role)),
    purpose: PREFILL_PURPOSE,
  }
  return service
}
