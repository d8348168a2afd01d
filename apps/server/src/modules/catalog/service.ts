import { isDeepStrictEqual } from 'node:util'
import { sql } from 'kysely'
import type { Db } from '../../db/database.js'
import { isUniqueViolation } from '../../db/pg-errors.js'
import type { AuditActor } from '../../platform/audit.js'
import type { Core } from '../../platform/core.js'
import { AppError } from '../../platform/errors.js'
import { t, type Locale } from '../../platform/i18n.js'
import { newId } from '../../platform/ids.js'
import { divisionCovers } from '../../platform/roles.js'
import type { OrgService } from '../org/index.js'
import {
  BadWorkbookError,
  CodesExhaustedError,
  CodeTakenError,
  DivisionOutsideDepartmentError,
  DraftExistsError,
  ImportRejectedError,
  InvalidGuideError,
  issueReason,
  ItemNotFoundError,
  NoDraftError,
  StaleDraftError,
  UnknownDepartmentError,
  UnknownDivisionError,
  type ImportError,
} from './errors.js'
import { catalogEvents, type VersionRef } from './events.js'
import { buildWorkbook, readWorkbook, type ExportEntry, type RawImportError } from './excel.js'
import {
  guideSchema,
  itemCodeSchema,
  itemTypePrefix,
  normalizeGuide,
  themeAudience,
  themeCodes,
  toGuideIssues,
  type GuideInput,
  type GuideIssue,
  type ServiceItemGuide,
} from './model.js'
import { createPopularity } from './popularity.js'
import { createCatalogStore, type ItemRow, type Projection, type SearchPage, type SearchRow, type SynonymSnapshot, type VersionRow, type VersionWithCode } from './store.js'
import { asPinyinQuery, highlightRanges, indexTokens, phraseWords, pinyinHighlight, pinyinKeys, pinyinOf, queryTerms, tsqueryLiteral, tsvectorLiteral } from './text.js'
import type {
  DepartmentCount,
  EditableItem,
  EditableQuery,
  EditorScope,
  ImportResult,
  Paginated,
  SearchHit,
  SearchQuery,
  ServiceItemSummary,
  ServiceItemVersion,
  Synonym,
  ThemeCount,
  VersionSummary,
} from './types.js'

/** The catalog module's public service. */
export type CatalogService = ReturnType<typeof createCatalogService>

/** Whose items a write touches: the implementing department and division. */
export interface ItemScope {
  departmentId: string
  divisionCode: string
}

/**
 * Options of every write. `authorize` is called with each scope the write touches (the item's
 * current one and, when it moves, the new one) and throws to refuse; routes pass the caller's
 * check, the demo seeder and other trusted callers pass nothing.
 */
export interface EditOptions {
  authorize?: (scope: ItemScope) => void
}

/** A new item: a guide, and its code when the editor has one (else the next free one of its type). */
export type NewServiceItem = GuideInput & { code?: string | null }

/** A draft edit: the revision the editor read, and only the elements to change. */
export type GuideChanges = Partial<GuideInput> & { revision: number }

/** One item for `importGuides`: its code and whole guide. */
export interface ImportEntry {
  code: string
  guide: GuideInput
}

/** Ranking weight of a synonym's expansions by position: the first is what the term most likely means. */
const phraseWeights = [1.5, 1.2, 1.0, 0.8]

/** Search words of a theme beyond its label (a citizen types 上学 for 入学). */
const themeWords: Record<(typeof themeCodes)[number], string[]> = {
  birth: ['出生', '新生儿'],
  schooling: ['入学', '上学'],
  employment: ['就业'],
  marriage_childbirth: ['婚育', '结婚', '生育'],
  housing: ['住房'],
  retirement: ['退休', '养老'],
  posthumous: ['身后', '死亡'],
  business_startup: ['企业开办', '开办'],
  business_change: ['企业变更', '变更'],
  business_operation: ['企业经营', '经营'],
  business_closure: ['企业注销', '注销'],
}

function ref(itemId: string, code: string, versionId: string, version: number, g: ServiceItemGuide): VersionRef {
  return { itemId, code, versionId, version, name: g.name, departmentId: g.departmentId, divisionCode: g.divisionCode }
}

function toSummary(r: ItemRow, names: Map<string, string>): ServiceItemSummary {
  return {
    id: r.id,
    code: r.code,
    versionId: r.published_version_id!,
    name: r.name!,
    type: r.type as ServiceItemSummary['type'],
    departmentId: r.department_id!,
    departmentName: names.get(r.department_id!) ?? r.department_name ?? '',
    divisionCode: r.division_code!,
    applicableTo: r.applicable_to as ServiceItemSummary['applicableTo'],
    handlingClass: r.handling_class as ServiceItemSummary['handlingClass'],
    mode: r.mode as ServiceItemSummary['mode'],
    visits: Number(r.visits),
    legalDays: r.legal_days,
    promisedDays: Number(r.promised_days),
    isFree: !!r.is_free,
    summary: r.summary,
    themes: r.themes as ServiceItemSummary['themes'],
    publishedAt: new Date(r.published_at!),
    views: Number(r.view_count),
    applications: Number(r.apply_count),
  }
}

function toVersionSummary(r: VersionRow): VersionSummary {
  return {
    id: r.id,
    version: r.version,
    status: r.status,
    revision: r.revision,
    name: r.guide.name,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
    createdBy: r.created_by,
    publishedAt: r.published_at ? new Date(r.published_at) : null,
    publishedBy: r.published_by,
    supersededAt: r.superseded_at ? new Date(r.superseded_at) : null,
  }
}

/** The search projection of a published guide: jieba tokens by weight, pinyin of the name and keywords. */
function projectionOf(versionId: string, g: ServiceItemGuide, departmentName: string, at: Date): Projection {
  const themeTokens = g.themes.flatMap((theme) => themeWords[theme].flatMap(indexTokens))
  const departmentTokens = indexTokens(departmentName)
  return {
    published_version_id: versionId,
    name: g.name,
    type: g.type,
    department_id: g.departmentId,
    department_name: departmentName,
    division_code: g.divisionCode,
    applicable_to: g.applicableTo,
    handling_class: g.handlingClass,
    mode: g.mode,
    visits: g.visits,
    legal_days: g.legalDays,
    promised_days: g.promisedDays,
    is_free: g.fees.length === 0 || g.fees.every((f) => f.amount === 0),
    summary: g.summary,
    themes: g.themes,
    keywords: g.keywords,
    search_tsv: tsvectorLiteral([
      { weight: 'A', tokens: indexTokens(g.name) },
      { weight: 'B', tokens: g.keywords.flatMap(indexTokens) },
      { weight: 'C', tokens: themeTokens },
      { weight: 'D', tokens: [...departmentTokens, ...(g.summary ? indexTokens(g.summary).slice(0, 60) : [])] },
    ]),
    pinyin: pinyinKeys([g.name, ...g.keywords]),
    initials: pinyinOf(g.name).initials,
    published_at: at,
  }
}

/** Whether two guides say the same (as stored: JSON, so undefined members and Date objects compare as the database keeps them). */
function sameGuide(a: ServiceItemGuide, b: ServiceItemGuide): boolean {
  return isDeepStrictEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)))
}

/**
 * Service items (事项): versioned 办事指南, themes, Chinese search, Excel import/export.
 * Every write runs in one transaction with its audit record and outbox event; publishing is also
 * written to the ledger (catalog actions are on the ledger, design.md).
 */
export function createCatalogService(deps: Pick<Core, 'db' | 'clock' | 'audit' | 'outbox'> & Partial<Pick<Core, 'logger'>> & { org: OrgService }) {
  const { db, clock, audit, outbox, org } = deps
  const store = createCatalogStore(db)
  const popularity = createPopularity({
    logger: deps.logger,
    write: (counts) => store.addCounts([...counts].map(([id, c]) => ({ id, ...c }))),
  })

  /**
   * The synonym table (a few hundred short entries at most) with each expansion's words, read once
   * and again whenever a search reports a different signature (store.search) or this process
   * changes it. Searches then match synonyms without a query of their own.
   */
  type Synonyms = SynonymSnapshot & { words: Map<string, string[]> }
  let synonymCache: Synonyms | undefined
  let synonymLoad: Promise<Synonyms> | undefined
  async function synonyms(): Promise<Synonyms> {
    if (synonymCache) return synonymCache
    synonymLoad ??= store
      .synonymSnapshot()
      .then((snapshot) => {
        const words = new Map<string, string[]>()
        for (const e of snapshot.entries) for (const x of e.expansions) if (!words.has(x)) words.set(x, phraseWords(x))
        synonymCache = { ...snapshot, words }
        return synonymCache
      })
      .finally(() => {
        synonymLoad = undefined
      })
    return synonymLoad
  }

  /** Query words by query string (segmentation is the costly part of a search in this process); bounded. */
  const termCache = new Map<string, string[]>()
  function termsOf(q: string): string[] {
    let terms = termCache.get(q)
    if (!terms) {
      terms = queryTerms(q)
      if (termCache.size >= 2000) termCache.clear()
      termCache.set(q, terms)
    }
    return terms
  }

  /**
   * Department names, as org has them now (display and spreadsheets must follow renames). Kept
   * briefly per department; org's update event drops an entry at once. The handler stays off the
   * database: an in-process handler runs inside the outbox's transaction, and on PGlite's single
   * connection a query of its own would wait for that transaction forever.
   */
  const names = new Map<string, { name: string | null; at: number }>()
  const NAME_TTL_MS = 60_000
  outbox.subscribe('org.department.updated', (event) => {
    const id = (event.data as { id?: unknown }).id
    if (typeof id === 'string') names.delete(id)
  })

  async function write<T>(fn: (trx: Db) => Promise<T>, onDuplicate?: () => Error): Promise<T> {
    try {
      const result = await db.transaction().execute(fn)
      outbox.nudge()
      return result
    } catch (err) {
      if (onDuplicate && isUniqueViolation(err)) throw onDuplicate()
      throw err
    }
  }

  async function departmentName(id: string): Promise<string | null> {
    const cached = names.get(id)
    if (cached && Date.now() - cached.at < NAME_TTL_MS) return cached.name
    const name = (await org.getDepartment(id))?.name ?? null
    names.set(id, { name, at: Date.now() })
    return name
  }

  /** Current names of the departments of some rows (the projection's copy as fallback). */
  async function namesFor(rows: { department_id: string | null; department_name: string | null }[]): Promise<Map<string, string>> {
    const out = new Map<string, string>()
    for (const r of rows) {
      if (!r.department_id || out.has(r.department_id)) continue
      out.set(r.department_id, (await departmentName(r.department_id)) ?? r.department_name ?? '')
    }
    return out
  }

  async function toVersion(r: VersionWithCode): Promise<ServiceItemVersion> {
    return {
      id: r.id,
      itemId: r.item_id,
      code: r.code,
      version: r.version,
      status: r.status,
      revision: r.revision,
      departmentName: await departmentName(r.guide.departmentId),
      guide: r.guide,
      createdAt: new Date(r.created_at),
      updatedAt: new Date(r.updated_at),
      publishedAt: r.published_at ? new Date(r.published_at) : null,
      supersededAt: r.superseded_at ? new Date(r.superseded_at) : null,
    }
  }

  /** Checks a guide's shape and rules. @throws InvalidGuideError */
  function parseGuide(input: unknown): ReturnType<typeof guideSchema.parse> {
    const parsed = guideSchema.safeParse(input)
    if (!parsed.success) throw new InvalidGuideError(toGuideIssues(parsed.error))
    return parsed.data
  }

  /**
   * The implementing division: the department's own when none is given, else one at or beneath it.
   * @throws UnknownDepartmentError, UnknownDivisionError, DivisionOutsideDepartmentError
   */
  async function resolveDivision(departmentId: string, divisionCode: string | null | undefined): Promise<{ divisionCode: string; departmentName: string }> {
    const department = await org.getDepartment(departmentId)
    if (!department) throw new UnknownDepartmentError(departmentId)
    if (!divisionCode) return { divisionCode: department.divisionCode, departmentName: department.name }
    if (!(await org.divisionExists(divisionCode))) throw new UnknownDivisionError(divisionCode)
    if (!divisionCovers(department.divisionCode, divisionCode)) throw new DivisionOutsideDepartmentError(divisionCode)
    return { divisionCode, departmentName: department.name }
  }

  /** A whole, valid, normalised guide from editor input. */
  async function prepare(input: unknown): Promise<{ guide: ServiceItemGuide; departmentName: string }> {
    const parsed = parseGuide(input)
    const { divisionCode, departmentName } = await resolveDivision(parsed.departmentId, parsed.divisionCode)
    return { guide: normalizeGuide(parsed, divisionCode), departmentName }
  }

  function scopeOf(g: ServiceItemGuide): ItemScope {
    return { departmentId: g.departmentId, divisionCode: g.divisionCode }
  }

  /** The next free code of a type prefix; serialised per prefix by an advisory lock. */
  async function nextCode(trx: Db, prefix: string): Promise<string> {
    await sql`select pg_advisory_xact_lock(hashtext(${`catalog.code.${prefix}`}))`.execute(trx)
    const main = (await createCatalogStore(trx).lastMainNumber(prefix)) + 1
    if (main > 99_999) throw new CodesExhaustedError(prefix)
    return `${prefix}${String(main).padStart(5, '0')}000`
  }

  /** Publishes a draft in the caller's transaction: supersedes the current version, refreshes the projection. */
  async function publishIn(trx: Db, actor: AuditActor, item: ItemRow, draft: VersionRow, departmentNameNow: string, via: 'edit' | 'import') {
    const tx = createCatalogStore(trx)
    const now = clock.now()
    const previous = await tx.versionWithStatus(item.id, 'published')
    if (previous) await tx.markSuperseded(previous.id, now)
    await tx.markPublished(draft.id, now, actor.actorId)
    await tx.setProjection(item.id, projectionOf(draft.id, draft.guide, departmentNameNow, now))
    const g = draft.guide
    await audit.record(trx, actor, {
      action: 'catalog.item.published',
      targetType: 'service_item',
      targetId: item.id,
      divisionCode: g.divisionCode,
      detail: { code: item.code, versionId: draft.id, version: draft.version, supersededVersionId: previous?.id ?? null, via },
      security: true,
    })
    const r = ref(item.id, item.code, draft.id, draft.version, g)
    if (previous) await outbox.add(trx, catalogEvents.superseded({ ...ref(item.id, item.code, previous.id, previous.version, previous.guide), byVersionId: draft.id }))
    await outbox.add(trx, catalogEvents.published({ ...r, supersededVersionId: previous?.id ?? null, via }))
  }

  async function itemOf(idOrCode: string): Promise<ItemRow | undefined> {
    return itemCodeSchema.safeParse(idOrCode).success ? store.itemByCode(idOrCode) : store.getItem(idOrCode)
  }

  async function publishedEntries(): Promise<ExportEntry[]> {
    const rows = await store.allPublished()
    const current = await namesFor(rows.map((r) => ({ department_id: r.guide.departmentId, department_name: r.department_name })))
    return rows.map((r) => ({ code: r.code, departmentName: current.get(r.guide.departmentId) ?? '', guide: r.guide }))
  }

  /**
   * Writes prepared items in one transaction: new codes become items with a published version 1;
   * known codes whose guide differs get a new published version; equal ones are left alone.
   */
  async function applyImport(actor: AuditActor, entries: { code: string; guide: ServiceItemGuide; departmentName: string }[]): Promise<ImportResult> {
    return write(async (trx) => {
      const tx = createCatalogStore(trx)
      const existing = new Map((await tx.itemsByCodes(entries.map((e) => e.code))).map((i) => [i.code, i]))
      const published = new Map((await tx.publishedOf([...existing.values()].map((i) => i.id))).map((v) => [v.item_id, v]))
      const result: ImportResult = { created: 0, updated: 0, unchanged: 0 }
      const now = clock.now()
      for (const e of entries) {
        let item = existing.get(e.code)
        const current = item ? published.get(item.id) : undefined
        if (current && sameGuide(current.guide, e.guide)) {
          result.unchanged++
          continue
        }
        if (!item) {
          item = { id: newId('item'), code: e.code, created_at: now } as ItemRow
          await tx.insertItem({ id: item.id, code: item.code, created_at: now })
          result.created++
        } else {
          item = await tx.lockItem(item.id)
          result.updated++
        }
        const draft: VersionRow = {
          id: newId('itv'),
          item_id: item!.id,
          version: await tx.nextVersionNumber(item!.id),
          status: 'draft',
          revision: 1,
          guide: e.guide,
          created_at: now,
          updated_at: now,
          created_by: actor.actorId,
          published_at: null,
          published_by: null,
          superseded_at: null,
        }
        await tx.insertVersion(draft)
        await publishIn(trx, actor, item!, draft, e.departmentName, 'import')
      }
      await audit.record(trx, actor, {
        action: 'catalog.import.completed',
        targetType: 'catalog',
        detail: { ...result, items: entries.length },
        security: true,
      })
      await outbox.add(trx, catalogEvents.imported(result))
      return result
    }, () => new CodeTakenError(entries.map((e) => e.code).join(',')))
  }

  const service = {
    // ---- reading ------------------------------------------------------------------------------

    /**
     * Published items: searched when `q` is given (jieba words, synonyms, pinyin, item code;
     * ranked by relevance, then popularity), else browsed (most used first). Filters narrow both.
     */
    async search(query: SearchQuery = {}): Promise<Paginated<SearchHit>> {
      const page = query.page ?? 1
      const pageSize = query.pageSize ?? 20
      const filter = {
        theme: query.theme,
        departmentId: query.departmentId,
        type: query.type,
        applicableTo: query.applicableTo,
        divisionCode: query.divisionCode,
      }
      const paging = { limit: pageSize, offset: (page - 1) * pageSize }
      // Counts recorded so far rank and show in this answer.
      if (popularity.size) await popularity.flush()
      const q = query.q?.trim() ?? ''
      if (!q) {
        const rows = await store.browse(filter, paging)
        const total = rows[0] ? Number(rows[0].total) : await store.countPublished(filter)
        const current = await namesFor(rows)
        return { items: rows.map((r) => ({ ...toSummary(r, current), score: 0, matchedTerms: [], highlights: [] })), total, page, pageSize }
      }
      const terms = termsOf(q)
      const codePrefix = /^[a-z]{2}\d{1,8}$/i.test(q) ? q.toUpperCase() : null
      const pinyin = asPinyinQuery(q)
      let page_: SearchPage
      let phrases: string[]
      // The synonyms as last read; the search reports the table's signature, and when it differs
      // (changed meanwhile, here or by another process) the table is read again and the search repeated.
      for (let attempt = 0; ; attempt++) {
        const snapshot = await synonyms()
        const lower = q.toLowerCase()
        // A synonym lists what it most likely means first (生孩子 → 出生, 新生儿, 生育).
        const weights = new Map<string, number>()
        for (const s of snapshot.entries) {
          if (!lower.includes(s.term)) continue
          s.expansions.forEach((e, i) => weights.set(e, Math.max(weights.get(e) ?? 0, phraseWeights[i] ?? 0.6)))
        }
        phrases = [...weights.keys()]
        const params = {
          q,
          tsquery: tsqueryLiteral(terms, phrases.map((p) => snapshot.words.get(p) ?? phraseWords(p))),
          phrases: phrases.map((phrase) => ({ phrase, weight: weights.get(phrase)! })),
          pinyin,
          codePrefix,
        }
        page_ = await store.search(params, filter, paging)
        if (page_.synonyms === snapshot.signature || attempt >= 2) break
        if (synonymCache === snapshot) synonymCache = undefined
      }
      const rows: SearchRow[] = page_.rows
      const total = page_.total
      const candidates = [...new Set([...phrases, ...terms])].sort((a, b) => b.length - a.length)
      const current = await namesFor(rows)
      return {
        items: rows.map((r) => {
          const haystack = [r.name!, ...r.keywords].map((s) => s.toLowerCase())
          const matched = candidates.filter((c) => haystack.some((h) => h.includes(c.toLowerCase())))
          // A shorter term inside a longer matched one adds nothing.
          const matchedTerms = matched.filter((c, i) => !matched.slice(0, i).some((longer) => longer.includes(c)))
          const initialsAt = pinyin && matchedTerms.length === 0 ? pinyinHighlight(r.name!, pinyin) : null
          return {
            ...toSummary(r, current),
            score: Number(r.score),
            matchedTerms: initialsAt ? [pinyin!] : matchedTerms,
            highlights: initialsAt ? [initialsAt] : highlightRanges(r.name!, matchedTerms.map((m) => m.toLowerCase())),
          }
        }),
        total: Number(total),
        page,
        pageSize,
      }
    },

    /** The published version of an item (by id or code), or null; this is what a new application is filed under. */
    async getPublishedVersion(itemIdOrCode: string): Promise<ServiceItemVersion | null> {
      const item = await itemOf(itemIdOrCode)
      if (!item?.published_version_id) return null
      const row = await store.getVersion(item.published_version_id)
      return row ? toVersion(row) : null
    },

    /** Any version by id (drafts included: callers decide who may see one), or null. */
    async getVersion(versionId: string): Promise<ServiceItemVersion | null> {
      const row = await store.getVersion(versionId)
      return row ? toVersion(row) : null
    },

    /** The item's draft, or null. @throws ItemNotFoundError */
    async getDraft(itemId: string): Promise<ServiceItemVersion | null> {
      const item = await itemOf(itemId)
      if (!item) throw new ItemNotFoundError()
      const row = await store.versionWithStatus(item.id, 'draft')
      return row ? toVersion(row) : null
    },

    /** Every version of an item, newest first. @throws ItemNotFoundError */
    async listVersions(itemId: string): Promise<VersionSummary[]> {
      const item = await itemOf(itemId)
      if (!item) throw new ItemNotFoundError()
      return (await store.listVersions(item.id)).map(toVersionSummary)
    },

    /** The scope of an item (its latest version's department and division), for authorization; null when unknown. */
    async itemScope(itemId: string): Promise<(ItemScope & { itemId: string }) | null> {
      const item = await itemOf(itemId)
      if (!item) return null
      const row = (await store.versionWithStatus(item.id, 'draft')) ?? (await store.versionWithStatus(item.id, 'published'))
      return row ? { itemId: item.id, ...scopeOf(row.guide) } : null
    },

    /**
     * Items the caller may edit (`scopes`, null for everywhere), drafts of items never published
     * included (the public search knows only published ones), most recently changed first.
     */
    async listEditable(scopes: EditorScope[] | null, query: EditableQuery = {}): Promise<Paginated<EditableItem>> {
      const page = query.page ?? 1
      const pageSize = query.pageSize ?? 20
      const q = query.q?.trim()
      const rows = await store.listEditable(scopes, { q: q || undefined, status: query.status, departmentId: query.departmentId }, { limit: pageSize, offset: (page - 1) * pageSize })
      const total = rows[0] ? Number(rows[0].total) : page > 1 ? ((await store.listEditable(scopes, { q: q || undefined, status: query.status, departmentId: query.departmentId }, { limit: 1, offset: 0 }))[0]?.total ?? 0) : 0
      const current = await namesFor(rows)
      return {
        items: rows.map((r) => ({
          id: r.id,
          code: r.code,
          name: r.name,
          type: r.type as EditableItem['type'],
          departmentId: r.department_id,
          departmentName: current.get(r.department_id) ?? r.department_name ?? '',
          divisionCode: r.division_code,
          publishedVersion: r.published_version,
          draft: r.draft_id ? { versionId: r.draft_id, version: r.draft_version!, revision: r.draft_revision!, updatedAt: new Date(r.draft_updated_at!) } : null,
          updatedAt: new Date(r.updated_at),
        })),
        total: Number(total),
        page,
        pageSize,
      }
    },

    /** Every theme with how many published items it has (filters as in search). */
    async listThemes(filter: Pick<SearchQuery, 'applicableTo' | 'divisionCode'> = {}): Promise<ThemeCount[]> {
      const counts = new Map((await store.themeCounts(filter)).map((c) => [c.theme, c.n]))
      return themeCodes.map((code) => ({ code, audience: themeAudience[code], count: counts.get(code) ?? 0 }))
    },

    /** Departments that have published items, with their counts. */
    async listDepartments(filter: Pick<SearchQuery, 'divisionCode' | 'applicableTo'> = {}): Promise<DepartmentCount[]> {
      const counts = await store.departmentCounts(filter)
      const current = await namesFor(counts)
      return counts.map((d) => ({
        departmentId: d.department_id,
        departmentName: current.get(d.department_id) ?? d.department_name,
        divisionCode: d.division_code,
        count: d.n,
      }))
    },

    /** Counts a reading of an item's guide (popularity). */
    async recordView(itemId: string): Promise<void> {
      popularity.add(itemId, 'views')
    },

    /**
     * Counts an application filed for an item (popularity); the cases module calls it on
     * submission. Written in batches (popularity.ts); searches see it at once.
     */
    async recordApplication(itemId: string): Promise<void> {
      popularity.add(itemId, 'applications')
    },

    /** Writes popularity counts still held in memory (searches do this themselves; shutdown and tests may). */
    flushPopularity: () => popularity.flush(),

    // ---- editing ------------------------------------------------------------------------------

    /**
     * Creates an item with a draft version 1. Without a code it gets the next free one of its type.
     * @throws InvalidGuideError, UnknownDepartmentError, UnknownDivisionError, DivisionOutsideDepartmentError, CodeTakenError
     */
    async createItem(actor: AuditActor, input: NewServiceItem, opts: EditOptions = {}): Promise<ServiceItemVersion> {
      const { code: givenCode, ...guideInput } = input
      const { guide } = await prepare(guideInput)
      const prefix = itemTypePrefix[guide.type]
      if (givenCode) {
        const issues: GuideIssue[] = []
        if (!itemCodeSchema.safeParse(givenCode).success) issues.push({ path: ['code'], code: 'invalid_format' })
        else if (!givenCode.startsWith(prefix)) issues.push({ path: ['code'], code: 'custom', key: 'catalog.validation.code-prefix', params: { prefix } })
        if (issues.length) throw new InvalidGuideError(issues)
      }
      opts.authorize?.(scopeOf(guide))
      const row = await write(
        async (trx) => {
          const tx = createCatalogStore(trx)
          const code = givenCode || (await nextCode(trx, prefix))
          if (givenCode && (await tx.itemByCode(code))) throw new CodeTakenError(code)
          const now = clock.now()
          const itemId = newId('item')
          await tx.insertItem({ id: itemId, code, created_at: now })
          const version: VersionRow = {
            id: newId('itv'),
            item_id: itemId,
            version: 1,
            status: 'draft',
            revision: 1,
            guide,
            created_at: now,
            updated_at: now,
            created_by: actor.actorId,
            published_at: null,
            published_by: null,
            superseded_at: null,
          }
          await tx.insertVersion(version)
          await audit.record(trx, actor, {
            action: 'catalog.item.created',
            targetType: 'service_item',
            targetId: itemId,
            divisionCode: guide.divisionCode,
            detail: { code, name: guide.name, versionId: version.id },
          })
          await outbox.add(trx, catalogEvents.drafted(ref(itemId, code, version.id, 1, guide)))
          return { ...version, code }
        },
        () => new CodeTakenError(givenCode ?? ''),
      )
      return toVersion(row)
    },

    /**
     * Starts a draft from the published version (the only way to change a published guide).
     * @throws ItemNotFoundError, DraftExistsError
     */
    async startDraft(actor: AuditActor, itemId: string, opts: EditOptions = {}): Promise<ServiceItemVersion> {
      const found = await itemOf(itemId)
      if (!found) throw new ItemNotFoundError()
      const row = await write(async (trx) => {
        const tx = createCatalogStore(trx)
        const item = (await tx.lockItem(found.id))!
        const published = await tx.versionWithStatus(item.id, 'published')
        if (!published) throw new ItemNotFoundError()
        opts.authorize?.(scopeOf(published.guide))
        if (await tx.versionWithStatus(item.id, 'draft')) throw new DraftExistsError()
        const now = clock.now()
        const version: VersionRow = {
          id: newId('itv'),
          item_id: item.id,
          version: await tx.nextVersionNumber(item.id),
          status: 'draft',
          revision: 1,
          guide: published.guide,
          created_at: now,
          updated_at: now,
          created_by: actor.actorId,
          published_at: null,
          published_by: null,
          superseded_at: null,
        }
        await tx.insertVersion(version)
        await audit.record(trx, actor, {
          action: 'catalog.item.drafted',
          targetType: 'service_item',
          targetId: item.id,
          divisionCode: published.guide.divisionCode,
          detail: { code: item.code, versionId: version.id, version: version.version, from: published.id },
        })
        await outbox.add(trx, catalogEvents.drafted(ref(item.id, item.code, version.id, version.version, version.guide)))
        return { ...version, code: item.code }
      }, () => new DraftExistsError())
      return toVersion(row)
    },

    /**
     * Changes the given elements of the draft if `revision` is still current; the merged guide
     * must pass every rule. Moving the item to another department re-derives the division unless given.
     * @throws ItemNotFoundError, NoDraftError, StaleDraftError, InvalidGuideError, UnknownDepartmentError, …
     */
    async updateDraft(actor: AuditActor, itemId: string, changes: GuideChanges, opts: EditOptions = {}): Promise<ServiceItemVersion> {
      const found = await itemOf(itemId)
      if (!found) throw new ItemNotFoundError()
      const { revision, ...fields } = changes
      // Read and check outside the transaction: the org lookups cannot run inside it on PGlite's
      // single connection. The revision check under the lock below makes this safe.
      const current = await store.versionWithStatus(found.id, 'draft')
      if (!current) throw new NoDraftError()
      opts.authorize?.(scopeOf(current.guide))
      if (current.revision !== revision) throw new StaleDraftError()
      const merged: Record<string, unknown> = { ...current.guide, ...fields }
      if (fields.departmentId !== undefined && fields.departmentId !== current.guide.departmentId && fields.divisionCode === undefined) merged.divisionCode = null
      const { guide } = await prepare(merged)
      const changed = (Object.keys(guide) as (keyof ServiceItemGuide)[]).filter((k) => !isDeepStrictEqual(guide[k], current.guide[k]))
      if (changed.length === 0) return toVersion(current)
      if (changed.includes('departmentId') || changed.includes('divisionCode')) opts.authorize?.(scopeOf(guide))
      const row = await write(async (trx) => {
        const tx = createCatalogStore(trx)
        const item = (await tx.lockItem(found.id))!
        const draft = await tx.versionWithStatus(item.id, 'draft')
        if (!draft) throw new NoDraftError()
        if (draft.id !== current.id || draft.revision !== revision) throw new StaleDraftError()
        const now = clock.now()
        await tx.updateDraft(draft.id, { guide, revision: draft.revision + 1, updated_at: now })
        await audit.record(trx, actor, {
          action: 'catalog.item.draft-updated',
          targetType: 'service_item',
          targetId: item.id,
          divisionCode: guide.divisionCode,
          detail: { code: item.code, versionId: draft.id, revision: draft.revision + 1, changed },
        })
        return { ...draft, guide, revision: draft.revision + 1, updated_at: now }
      })
      return toVersion(row)
    },

    /**
     * Throws the draft away; an item never published goes with it (its code is free again).
     * @throws ItemNotFoundError, NoDraftError, StaleDraftError
     */
    async discardDraft(actor: AuditActor, itemId: string, input: { revision: number }, opts: EditOptions = {}): Promise<void> {
      const found = await itemOf(itemId)
      if (!found) throw new ItemNotFoundError()
      await write(async (trx) => {
        const tx = createCatalogStore(trx)
        const item = (await tx.lockItem(found.id))!
        const draft = await tx.versionWithStatus(item.id, 'draft')
        if (!draft) throw new NoDraftError()
        opts.authorize?.(scopeOf(draft.guide))
        if (draft.revision !== input.revision) throw new StaleDraftError()
        await tx.deleteDraft(draft.id)
        const orphan = !item.published_version_id
        if (orphan) await sql`delete from catalog.item where id = ${item.id}`.execute(trx)
        await audit.record(trx, actor, {
          action: 'catalog.item.draft-discarded',
          targetType: 'service_item',
          targetId: item.id,
          divisionCode: draft.guide.divisionCode,
          detail: { code: item.code, versionId: draft.id, version: draft.version, itemRemoved: orphan },
        })
        await outbox.add(trx, catalogEvents.draftDiscarded(ref(item.id, item.code, draft.id, draft.version, draft.guide)))
      })
    },

    /**
     * Publishes the draft (at the revision the caller reviewed); the previously published version
     * becomes superseded in the same transaction. Published versions never change again.
     * @throws ItemNotFoundError, NoDraftError, StaleDraftError, UnknownDepartmentError
     */
    async publish(actor: AuditActor, itemId: string, input: { revision: number }, opts: EditOptions = {}): Promise<ServiceItemVersion> {
      const found = await itemOf(itemId)
      if (!found) throw new ItemNotFoundError()
      const current = await store.versionWithStatus(found.id, 'draft')
      if (!current) throw new NoDraftError()
      opts.authorize?.(scopeOf(current.guide))
      if (current.revision !== input.revision) throw new StaleDraftError()
      // The department's name for the search projection, read before the transaction (see updateDraft).
      const name = await departmentName(current.guide.departmentId)
      if (name === null) throw new UnknownDepartmentError(current.guide.departmentId)
      await write(async (trx) => {
        const tx = createCatalogStore(trx)
        const item = (await tx.lockItem(found.id))!
        const draft = await tx.versionWithStatus(item.id, 'draft')
        if (!draft) throw new NoDraftError()
        if (draft.id !== current.id || draft.revision !== input.revision) throw new StaleDraftError()
        const previous = await tx.versionWithStatus(item.id, 'published')
        if (previous) opts.authorize?.(scopeOf(previous.guide))
        await publishIn(trx, actor, item, draft, name, 'edit')
      })
      return toVersion((await store.getVersion(current.id))!)
    },

    // ---- spreadsheets -------------------------------------------------------------------------

    /** Every published guide with its code and department name, by code. */
    exportEntries: publishedEntries,

    /** The whole published catalog as an .xlsx workbook. */
    async exportWorkbook(): Promise<Buffer> {
      return buildWorkbook(await publishedEntries(), clock.now())
    },

    /**
     * Imports a workbook: all of it or nothing. Every row is read and checked first (cell values,
     * guide rules, departments by name within the division, the caller's scope, pending drafts);
     * any error rejects the whole workbook with row-level errors in the caller's language.
     * @throws BadWorkbookError, ImportRejectedError
     */
    async importWorkbook(actor: AuditActor, buffer: Buffer, opts: EditOptions & { locale?: Locale } = {}): Promise<ImportResult> {
      const locale = opts.locale ?? 'zh-CN'
      let parsed: Awaited<ReturnType<typeof readWorkbook>>
      try {
        parsed = await readWorkbook(buffer)
      } catch {
        throw new BadWorkbookError()
      }
      const raw: RawImportError[] = [...parsed.errors]
      const itemsSheet = t('zh-CN', 'catalog.excel.sheet.items')
      if (parsed.items.length === 0 && raw.length === 0) raw.push({ sheet: itemsSheet, row: null, column: null, field: null, key: 'catalog.import.empty', params: {} })

      const localized: ImportError[] = []
      const existing = new Map((await store.itemsByCodes(parsed.items.map((i) => i.code).filter((c) => itemCodeSchema.safeParse(c).success))).map((i) => [i.code, i]))
      const departments = new Map<string, Awaited<ReturnType<OrgService['listDepartments']>>['items']>()
      const ready: { code: string; guide: ServiceItemGuide; departmentName: string }[] = []
      for (const item of parsed.items) {
        const at = (path: (string | number)[]) => item.locate(path)
        const failAt = (path: (string | number)[], key: string, params: Record<string, unknown> = {}) => raw.push({ ...at(path), key, params })
        if (!itemCodeSchema.safeParse(item.code).success) {
          localized.push({ ...at(['code']), code: item.code ? 'invalid_format' : 'required', message: issueReason(locale, { path: ['code'], code: item.code ? 'invalid_format' : 'required' }) })
          continue
        }
        // The department, by name: the nearest one at or above the implementing division.
        let departmentId: string | undefined
        if (!item.departmentName) localized.push({ ...at(['departmentId']), code: 'required', message: issueReason(locale, { path: ['departmentId'], code: 'required' }) })
        else {
          if (!departments.has(item.departmentName)) {
            const page = await org.listDepartments({ q: item.departmentName }, { page: 1, pageSize: 100 })
            departments.set(item.departmentName, page.items.filter((d) => d.name === item.departmentName))
          }
          const division = typeof item.guide.divisionCode === 'string' ? item.guide.divisionCode : null
          const candidates = departments
            .get(item.departmentName)!
            .filter((d) => !division || divisionCovers(d.divisionCode, division))
            .sort((a, b) => b.divisionCode.length - a.divisionCode.length || (a.divisionCode < b.divisionCode ? 1 : -1))
          departmentId = candidates[0]?.id
          if (!departmentId) failAt(['departmentId'], 'catalog.import.unknown-department', { name: item.departmentName, divisionCode: division ?? '—' })
        }
        const check = guideSchema.safeParse({ ...item.guide, departmentId: departmentId ?? 'unknown' })
        if (!check.success) {
          for (const issue of toGuideIssues(check.error).filter((i) => !item.failed.has(String(i.path[0])))) localized.push({ ...at(issue.path), code: issue.key?.replace(/^catalog\.validation\./, '') ?? issue.code, message: issueReason(locale, issue) })
          continue
        }
        if (!departmentId) continue
        let resolved: { divisionCode: string; departmentName: string }
        try {
          resolved = await resolveDivision(departmentId, check.data.divisionCode)
        } catch (err) {
          if (err instanceof UnknownDivisionError) failAt(['divisionCode'], 'catalog.import.unknown-division', { code: check.data.divisionCode })
          else if (err instanceof DivisionOutsideDepartmentError) failAt(['divisionCode'], 'catalog.import.division-outside-department', { code: check.data.divisionCode })
          else throw err
          continue
        }
        const guide = normalizeGuide(check.data, resolved.divisionCode)
        const prefix = itemTypePrefix[guide.type]
        const known = existing.get(item.code)
        if (!known && !item.code.startsWith(prefix)) {
          localized.push({ ...at(['code']), code: 'code-prefix', message: t(locale, 'catalog.validation.code-prefix', { prefix }) })
          continue
        }
        try {
          opts.authorize?.(scopeOf(guide))
          if (known) {
            const current = await store.versionWithStatus(known.id, 'draft') ?? (await store.versionWithStatus(known.id, 'published'))
            if (current) opts.authorize?.(scopeOf(current.guide))
          }
        } catch (err) {
          if (err instanceof AppError && err.status === 403) {
            // A department head re-importing the whole city's export: rows of other departments
            // pass when they are exactly what is published (they change nothing); only a changed
            // row outside the caller's scope is an error.
            const published = known ? await store.versionWithStatus(known.id, 'published') : undefined
            if (published && sameGuide(published.guide, guide)) ready.push({ code: item.code, guide, departmentName: resolved.departmentName })
            else failAt(['code'], 'catalog.import.out-of-scope')
            continue
          }
          throw err
        }
        if (known && (await store.versionWithStatus(known.id, 'draft'))) {
          const published = await store.versionWithStatus(known.id, 'published')
          if (!published || !sameGuide(published.guide, guide)) {
            failAt(['code'], 'catalog.import.draft-pending')
            continue
          }
        }
        ready.push({ code: item.code, guide, departmentName: resolved.departmentName })
      }
      for (const e of raw) localized.push({ sheet: e.sheet, row: e.row, column: e.column, field: e.field, code: e.key.replace(/^catalog\.import\./, ''), message: t(locale, e.key, e.params) })
      if (localized.length > 0) {
        localized.sort((a, b) => (a.sheet === b.sheet ? (a.row ?? 0) - (b.row ?? 0) || (a.column ?? '').localeCompare(b.column ?? '') : a.sheet === itemsSheet ? -1 : b.sheet === itemsSheet ? 1 : 0))
        throw new ImportRejectedError(localized)
      }
      return applyImport(actor, ready)
    },

    /**
     * Imports guides given as data (the demo seeder, other trusted callers): the same all-or-nothing
     * publish as the workbook import, without the spreadsheet.
     * @throws InvalidGuideError (paths start with the entry's index), UnknownDepartmentError, …
     */
    async importGuides(actor: AuditActor, entries: ImportEntry[], opts: EditOptions = {}): Promise<ImportResult> {
      const ready: { code: string; guide: ServiceItemGuide; departmentName: string }[] = []
      const codes = new Set<string>()
      for (const [i, e] of entries.entries()) {
        if (!itemCodeSchema.safeParse(e.code).success || codes.has(e.code)) throw new InvalidGuideError([{ path: [i, 'code'], code: 'invalid_format' }])
        codes.add(e.code)
        let prepared: Awaited<ReturnType<typeof prepare>>
        try {
          prepared = await prepare(e.guide)
        } catch (err) {
          if (err instanceof InvalidGuideError) throw new InvalidGuideError(err.issues.map((x) => ({ ...x, path: [i, ...x.path] })))
          throw err
        }
        opts.authorize?.(scopeOf(prepared.guide))
        ready.push({ code: e.code, ...prepared })
      }
      return applyImport(actor, ready)
    },

    // ---- synonyms -----------------------------------------------------------------------------

    async listSynonyms(): Promise<Synonym[]> {
      return (await store.listSynonyms()).map((s) => ({ term: s.term, expansions: s.expansions, updatedAt: new Date(s.updated_at) }))
    },

    /** Adds or replaces a colloquial term and what it stands for. */
    async setSynonym(actor: AuditActor, term: string, expansions: string[]): Promise<Synonym> {
      const clean = [...new Set(expansions.map((e) => e.trim()).filter(Boolean))]
      const now = clock.now()
      await write(async (trx) => {
        await createCatalogStore(trx).upsertSynonym(term.trim(), clean, now)
        await audit.record(trx, actor, { action: 'catalog.synonym.set', targetType: 'synonym', targetId: term.trim(), detail: { expansions: clean }, security: true })
      })
      synonymCache = undefined
      return { term: term.trim(), expansions: clean, updatedAt: now }
    },

    /** Removes a colloquial term; false when there was none. */
    async deleteSynonym(actor: AuditActor, term: string): Promise<boolean> {
      const removed = await write(async (trx) => {
        const removed = await createCatalogStore(trx).deleteSynonym(term)
        if (removed) await audit.record(trx, actor, { action: 'catalog.synonym.deleted', targetType: 'synonym', targetId: term, security: true })
        return removed
      })
      synonymCache = undefined
      return removed
    },
  }
  return service
}
