import crypto from 'node:crypto'
import type { Db } from '../../db/database.js'
import { systemActor, type AuditActor } from '../../platform/audit.js'
import type { Core } from '../../platform/core.js'
import { AppError } from '../../platform/errors.js'
import { sm3Hex } from '../../platform/gm.js'
import { t, type Locale } from '../../platform/i18n.js'
import { newId } from '../../platform/ids.js'
import type { Principal } from '../../platform/roles.js'
import type { CaseGroups, CasesService, FillStats, GroupDetail, GroupSummary, SatisfiedMaterial } from '../cases/index.js'
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
  PartiesNotConfirmedError,
  StaleDraftError,
  UnknownPartyError,
} from './errors.js'
import { applicableItems, bundleDefinitionSchema, type BundleDefinition, type BundleDefinitionInput, type ResolvedField } from './model.js'
import { PREFILL_PURPOSE, resolvePrefill, type LicenseRef, type LicensesPort, type RegistriesPort } from './prefill.js'
import { createOnethingStore, type BundleTable, type DraftTable, type FieldTable, type MaterialTable, type PartyStatus, type PartyTable } from './store.js'

export type { LicensesPort, RegistriesPort } from './prefill.js'

/** License types the population registry can confirm in place of the document (数据共享核验). */
const registryConfirmable: Record<string, 'person' | 'household'> = { resident_id_card: 'person', household_register: 'household' }

export interface OnethingDeps extends Pick<Core, 'db' | 'clock' | 'audit' | 'outbox' | 'logger'> {
  catalog: Pick<CatalogService, 'getPublishedVersion'>
  registries: RegistriesPort & Pick<import('../registries/index.js').RegistriesService, 'householdForAccount'>
  identity: Pick<IdentityService, 'getMe' | 'revealIdNumber'>
  cases: Pick<CasesService, 'getApplication'>
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
  status: 'license' | 'registry' | 'bundle' | 'available' | 'missing'
  label: string | null
  /** The caller's valid licenses that could stand in for it (when licenses are available). */
  licenses: LicenseRef[]
}

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

  /** Materials of the applicable items and how each is provided. */
  async function materialsOf(
    def: BundleDefinition,
    versions: Map<string, ServiceItemVersion>,
    applicable: Set<string>,
    rows: MaterialTable[],
    ownerId: string,
    forCaller: boolean,
  ): Promise<DraftMaterial[]> {
    const out: DraftMaterial[] = []
    const walletCache = new Map<string, LicenseRef[]>()
    const wallet = async (type: string) => {
      if (!licenses || !forCaller) return []
      if (!walletCache.has(type)) walletCache.set(type, await licenses.validLicensesOf(ownerId, type).catch((err: unknown) => {
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
        const base = { itemCode: item.code, itemName: v.guide.name, code: m.code, name: m.name, licenseType: m.licenseType ?? null }
        if (rule && (rule.via === 'form' || (rule.from && applicable.has(rule.from)))) {
          out.push({ ...base, status: 'bundle', label: rule.label, licenses: [] })
          continue
        }
        const row = rows.find((r) => r.item_code === item.code && r.material_code === m.code)
        const available = m.licenseType ? await wallet(m.licenseType) : []
        if (row?.kind === 'license') out.push({ ...base, status: 'license', label: row.label, licenses: available })
        else if (row?.kind === 'registry') out.push({ ...base, status: 'registry', label: row.label, licenses: available })
        else out.push({ ...base, status: available.length ? 'available' : 'missing', label: null, licenses: available })
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
    const [rows, materialRows] = await Promise.all([store.fields(a.draft.id), store.materials(a.draft.id)])
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
    const materials = await materialsOf(def, versions, applicable, materialRows, a.draft.owner_id, a.isOwner)
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

  /** Records the registry confirmations of the owner's ID card and household register (数据共享, no upload). */
  async function registryConfirmations(by: Principal, def: BundleDefinition): Promise<Omit<MaterialTable, 'draft_id'>[]> {
    if (by.kind !== 'person') return []
    const versions = await versionsOf(def)
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
        out.push({ item_code: code, material_code: m.code, kind: 'registry', label: t('zh-CN', 'onething.material.registry'), party: 'applicant', license_id: null, license_number: null, license_type: m.licenseType ?? null, license_name: null, grant_id: null, created_at: now })
      }
    }
    return out
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
     * The first applicant consents to using one of their valid e-licenses for every material of
     * its type in the bundle (免提交).
     * @throws DraftNotFoundError, NotOwnerError, DraftClosedError, LicenseUnavailableError
     */
    async useLicense(by: Principal, id: string, input: { licenseType: string; licenseId: string }, meta: RequestMeta = {}): Promise<DraftView> {
      const pre = await access(by, id)
      if (!pre.isOwner) throw new NotOwnerError()
      const def = pre.bundle.definition
      const versions = await versionsOf(def)
      const lic = licenses ? (await licenses.validLicensesOf(by.accountId, input.licenseType)).find((l) => l.id === input.licenseId) : undefined
      if (!lic) throw new LicenseUnavailableError(input.licenseType)
      await db.transaction().execute(async (trx) => {
        const a = await access(by, id, trx)
        if (a.draft.status !== 'open') throw new DraftClosedError(a.draft.status)
        const s = createOnethingStore(trx)
        const now = clock.now()
        let n = 0
        for (const [code, v] of versions) {
          for (const m of v.guide.materials) {
            if (m.licenseType !== input.licenseType) continue
            n++
            await s.putMaterial({
              draft_id: id, item_code: code, material_code: m.code, kind: 'license', label: t('zh-CN', 'onething.material.license', { name: `${lic.typeName} ${lic.number}` }), party: 'applicant',
              license_id: lic.id, license_number: lic.number, license_type: lic.type, license_name: lic.typeName, grant_id: null, created_at: now,
            })
          }
        }
        await audit.record(trx, actorOf(by, meta), { action: 'onething.draft.license-consented', targetType: 'onething_draft', targetId: id, detail: { licenseType: input.licenseType, licenseId: lic.id, materials: n } })
      })
      return view(by, await access(by, id))
    },

    /**
     * The first applicant withdraws consent to a license type; registry confirmations come back.
     * @throws DraftNotFoundError, NotOwnerError, DraftClosedError
     */
    async withdrawLicense(by: Principal, id: string, licenseType: string, meta: RequestMeta = {}): Promise<DraftView> {
      const pre = await access(by, id)
      if (!pre.isOwner) throw new NotOwnerError()
      const confirmations = (await registryConfirmations(by, pre.bundle.definition)).filter((m) => m.license_type === licenseType)
      await db.transaction().execute(async (trx) => {
        const a = await access(by, id, trx)
        if (a.draft.status !== 'open') throw new DraftClosedError(a.draft.status)
        const s = createOnethingStore(trx)
        const removed = await s.removeLicenseMaterials(id, licenseType)
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
      await db.transaction().execute(async (trx) => {
        const a = await access(by, id, trx)
        if (!a.isOwner) throw new NotOwnerError()
        if (a.draft.status !== 'open') throw new DraftClosedError(a.draft.status)
        if (!a.bundle.definition.parties.some((p) => p.role === input.role)) throw new UnknownPartyError(input.role)
        const now = clock.now()
        await createOnethingStore(trx).upsertParty({
          id: newId('otp'), draft_id: id, role: input.role, invited_phone_hash: input.phone ? sm3Hex(`phone:${input.phone}`) : null, invited_phone_masked: input.phone ? maskPhone(input.phone) : null,
          token_hash: sm3Hex(token), account_id: null, account_name: null, status: 'invited', updated_at: now,
        })
        await audit.record(trx, actorOf(by, meta), { action: 'onething.party.invited', targetType: 'onething_draft', targetId: id, detail: { role: input.role, byPhone: !!input.phone } })
      })
      return { token, path: `/m/onething/join/${token}`, draft: await view(by, await access(by, id)) }
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
      if (p.invited_phone_masked) {
        const me = await identity.getMe(by.accountId)
        if (!me || me.maskedPhone !== p.invited_phone_masked) throw new NotInviteeError()
      }
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
      await db.transaction().execute(async (trx) => {
        const s = createOnethingStore(trx)
        const cur = await s.partyByToken(hash)
        if (!cur || cur.status !== 'invited' || (cur.account_id && cur.account_id !== by.accountId)) throw new NotInviteeError()
        await s.setPartyStatus(draft.id, p.role, 'joined', clock.now(), { id: by.accountId, name: by.name })
        await writePrefill(trx, draft.id, p.role, by, prefill)
        await audit.record(trx, actorOf(by, meta), { action: 'onething.party.joined', targetType: 'onething_draft', targetId: draft.id, detail: { role: p.role, prefilled: prefill.map((x) => x.field) } })
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
      await db.transaction().execute(async (trx) => {
        const a = await access(by, id, trx)
        if (a.isOwner) throw new NotOwnerError()
        if (a.draft.status !== 'open') throw new DraftClosedError(a.draft.status)
        const s = createOnethingStore(trx)
        await s.setPartyStatus(id, a.role, 'declined', clock.now())
        await s.updateDraft(id, { updated_at: clock.now() })
        await audit.record(trx, actorOf(by, meta), { action: 'onething.party.declined', targetType: 'onething_draft', targetId: id, detail: { role: a.role } })
      })
      return { declined: true }
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

      // Consents still standing: each license chosen must still be one of the holder's valid ones.
      const rows = await store.materials(id)
      const licensed = rows.filter((r) => r.kind === 'license' && applicable.includes(r.item_code) && v.materials.some((m) => m.itemCode === r.item_code && m.code === r.material_code))
      for (const type of new Set(licensed.map((r) => r.license_type!))) {
        const valid = licenses ? await licenses.validLicensesOf(by.accountId, type) : []
        if (licensed.some((r) => r.license_type === type && !valid.some((l) => l.id === r.license_id))) throw new ConsentWithdrawnError(type)
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
        }
        const materials: SatisfiedMaterial[] = v.materials
          .filter((m) => m.itemCode === code)
          .map((m) => {
            const r = licensed.find((x) => x.item_code === code && x.material_code === m.code)
            return r
              ? { code: m.code, kind: 'license' as const, label: m.label ?? '', license: { id: r.license_id!, number: r.license_number!, type: r.license_type!, name: r.license_name!, grantId: null as string | null } }
              : { code: m.code, kind: m.status === 'registry' ? ('registry' as const) : ('bundle' as const), label: m.label ?? '' }
          })
        return {
          id: newId('case'),
          itemVersionId: ver.id,
          departmentId: ver.guide.departmentId,
          formData,
          materials,
          fill: { prefilled, typed, materialsFromLicenses: materials.filter((m) => m.kind === 'license').length, materialsShared: materials.filter((m) => m.kind !== 'license').length } satisfies FillStats,
        }
      })

      // The holder's consent for each license use, in the license use log (licenses module).
      if (licenses) {
        for (const c of children) {
          for (const m of c.materials) {
            if (m.kind !== 'license' || !m.license) continue
            const used = await licenses.useForCase(by, { licenseId: m.license.id, licenseType: m.license.type, applicationId: c.id, departmentId: c.departmentId, materialCode: m.code, purpose: `一件事一次办：${a.bundle.name}` }, meta).catch((err: unknown) => {
              if (err instanceof AppError && err.status < 500) throw new ConsentWithdrawnError(m.license!.type)
              throw err
            })
            m.license.grantId = used.grantId
          }
        }
      }

      const counts = v.counts
      const parties = a.parties.filter((p) => p.status === 'confirmed' && p.account_id).map((p) => ({ accountId: p.account_id!, name: p.account_name ?? '', role: p.role }))
      const grants = children.flatMap((c) => c.materials.flatMap((m) => (m.license?.grantId ? [m.license.grantId] : [])))
      const group = await groups.createGroup(
        by,
        {
          title: a.bundle.name,
          source: `onething:${a.bundle.code}`,
          parties,
          fill: { prefilled: counts.prefilled, typed: counts.typed, materialsFromLicenses: counts.materialsFromLicenses, materialsShared: counts.materialsShared },
          children: children.map(({ departmentId: _d, ...c }) => c),
        },
        meta,
      ).catch(async (err: unknown) => {
        // Nothing was created: the consents made for these cases go too (best effort; the use log keeps the attempt).
        for (const g of grants) await licenses?.withdrawGrant?.(by, g, meta).catch((e: unknown) => logger.warn({ err: e, grantId: g }, 'could not withdraw the grant of a failed submission'))
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
