import crypto from 'node:crypto'
import path from 'node:path'
import { oneStatement } from '../../db/commit-hooks.js'
import type { Db } from '../../db/database.js'
import { systemActor, type AuditActor } from '../../platform/audit.js'
import { chinaDate } from '../../platform/calendar.js'
import type { Core } from '../../platform/core.js'
import { ForbiddenError } from '../../platform/errors.js'
import { sm3Hex } from '../../platform/gm.js'
import { newId } from '../../platform/ids.js'
import { createReadCache } from '../../platform/read-cache.js'
import { divisionPrefix, hasRole, type Principal } from '../../platform/roles.js'
import { createDiskStorage, type FileStorage } from '../cases/index.js'
import type { OrgService } from '../org/index.js'
import { actorsOn, centreRoles, departmentsOf, hasCentreRole, isAdmin, isCentre } from './access.js'
import { deadlineOf, lightAt, progressOf, signDueOf } from './deadline.js'
import {
  ActionNotAllowedError, ApiKeyNotFoundError, ArticleNotFoundError, CategoryExistsError, MergeSelfError, NoDispatchRuleError, NotCentreError, NotYourDepartmentError,
  AssistNotSignedError, PhotoNotFoundError, ReporterHiddenError, RuleExistsError, RuleNotFoundError, StaleArticleError, StaleRuleError, StaleSettingsError, StaleTicketError,
  TicketNotFoundError, TooManyPhotosError, TypeNotConsultError, UnknownCategoryError, UnknownDepartmentError,
} from './errors.js'
import { hotlineEventTypes, ticketEvent, type TicketEventData } from './events.js'
import { createLocator, distanceM, type GeoPort } from './location.js'
import { cleanMediaUrl } from './media.js'
import { cleanName, MAX_PHOTOS, verifyPhoto } from './photos.js'
import { actionsFor, allowedFrom, rules as actionRules, type Actor, type Channel, type TicketAction, type TicketStatus, type TicketType } from './state.js'
import { centreQueues, createHotlineStore, departmentQueues, isStaleChange, type ArticleTable, type AssistRecord, type PhotoTable, type RuleTable, type TicketRow, type TicketTable, type TimelineTable } from './store.js'
import { maskPhone } from '../identity/index.js'
import { similarity, words } from './text.js'
import type {
  ActionInput, ApiKeyView, Article, AssistView, District, ArticleHit, Category, DispatchRule, DuplicateHint, Metrics, NewTicket, Paginated, PhotoView, Reporter, RequestMeta, Settings,
  TicketDetail, TicketSummary,
} from './types.js'

export type HotlineOrgPort = Pick<OrgService, 'getDepartment' | 'divisionExists' | 'listChildren'>

export interface HotlineDeps extends Pick<Core, 'db' | 'clock' | 'calendar' | 'audit' | 'outbox' | 'config' | 'logger'> {
  org: HotlineOrgPort
  registries: GeoPort
  /** Where photos go; defaults to DATA_DIR/hotline. */
  storage?: FileStorage
}

export type CentreQueue = keyof typeof centreQueues | 'extensions' | 'overdue' | 'all'
export type DepartmentQueue = keyof typeof departmentQueues | 'assisting' | 'overdue'

const past: Record<TicketAction, string> = {
  'direct-close': 'closed', dispatch: 'dispatched', sign: 'signed', return: 'returned', 'request-extension': 'extension-requested',
  'decide-extension': 'extension-decided', reply: 'replied', 'assist-opinion': 'assist-opinion', review: 'reviewed', callback: 'callback-recorded', merge: 'merged', 'assist-sign': 'assist-signed',
}
const eventOf: Record<TicketAction, string> = {
  'direct-close': hotlineEventTypes.closed, dispatch: hotlineEventTypes.dispatched, sign: hotlineEventTypes.signed, return: hotlineEventTypes.returned,
  'request-extension': hotlineEventTypes.extensionRequested, 'decide-extension': hotlineEventTypes.extensionDecided, reply: hotlineEventTypes.replied,
  'assist-opinion': hotlineEventTypes.assistOpinion, review: hotlineEventTypes.reviewed, callback: hotlineEventTypes.callbackRecorded, merge: hotlineEventTypes.merged,
  'assist-sign': hotlineEventTypes.assistSigned,
}

const date = (v: Date | string | null) => (v === null ? null : new Date(v))
const finished = (s: TicketStatus) => s === 'closed' || s === 'merged'

function paging(q: { page?: number; pageSize?: number }) {
  const page = Math.max(1, q.page ?? 1)
  const pageSize = Math.min(100, Math.max(1, q.pageSize ?? 20))
  return { page, pageSize, limit: pageSize, offset: (page - 1) * pageSize }
}

function auditActor(by: Principal | null, meta: RequestMeta): AuditActor {
  if (!by) return { ...systemActor, ip: meta.ip ?? null, userAgent: meta.userAgent?.slice(0, 300) ?? null }
  return { actorId: by.accountId, actorKind: by.kind, actorName: by.name, ip: meta.ip ?? null, userAgent: meta.userAgent?.slice(0, 300) ?? null }
}

/**
 * The 12345 hotline: tickets (工单) from the phone, the web and Open311; dispatch by rules to the
 * main (主办) and assisting (协办) departments; sign, return, extension, reply, the centre's review
 * and callback; deadlines on the working-day calendar with lights; duplicate hints and merging;
 * the knowledge base; 三率 metrics. Every change commits with its timeline entry, audit row and event.
 */
export function createHotlineService(deps: HotlineDeps) {
  const { db, clock, calendar, audit, outbox, logger, org } = deps
  const store = createHotlineStore(db)
  const storage = deps.storage ?? createDiskStorage(path.join(deps.config.DATA_DIR, 'hotline'))
  const locator = createLocator({ registries: deps.registries, org })

  async function withEvents<T>(fn: (trx: Db) => Promise<T>): Promise<T> {
    const result = await db.transaction().execute(fn)
    outbox.nudge()
    return result
  }

  // Categories are read by every intake, list and Open311 call and only ever added (a minute's memory;
  // this process's additions at once).
  const categoryCache = createReadCache<'all', { list: Category[]; names: Map<string, string> }>({ ttlMs: 60_000 })
  const allCategories = () =>
    categoryCache.get('all', async () => {
      const list = (await store.categories()).map((c) => ({ code: c.code, name: c.name, nameEn: c.name_en, group: c.grp, defaultType: c.default_type, description: c.description }))
      return { list, names: new Map(list.map((c) => [c.code, c.name])) }
    })
  const categoryNames = async () => (await allCategories()).names
  // Every Open311 POST presents its key: a few seconds' memory of live keys (revoking here clears it).
  const apiKeyCache = createReadCache<string, string | null>({ ttlMs: 5_000 })

  // Read on every intake and action; kept for a few seconds (another process's change shows within that time).
  let settingsCache: { at: number; value: Settings } | undefined
  async function settings(): Promise<Settings> {
    if (settingsCache && Date.now() - settingsCache.at < 5_000) return settingsCache.value
    const s = await store.settings()
    const value = { cityCode: s.city_code, deadlineDays: s.deadline_days, signHours: s.sign_hours, duplicateWindowDays: s.duplicate_window_days, duplicateRadiusM: s.duplicate_radius_m, version: s.version }
    settingsCache = { at: Date.now(), value }
    return value
  }

  // Read on every dispatch; kept a few seconds like the settings (this process's rule changes clear it).
  let rulesCache: { at: number; rows: Promise<RuleTable[]> } | undefined
  function dispatchRules(): Promise<RuleTable[]> {
    if (!rulesCache || Date.now() - rulesCache.at > 5_000) {
      const rows = store.rules()
      rulesCache = { at: Date.now(), rows }
      rows.catch(() => (rulesCache = undefined))
    }
    return rulesCache.rows
  }

  // The city's districts for the /m picker: public, read often, change rarely (10 minutes).
  let districtCache: { at: number; city: string; value: District[] } | undefined
  async function districts(): Promise<District[]> {
    const { cityCode } = await settings()
    if (districtCache && districtCache.city === cityCode && Date.now() - districtCache.at < 600_000) return districtCache.value
    const [children, features] = await Promise.all([
      org.listChildren(cityCode),
      deps.registries.boundaries({ within: cityCode }, '12345热线市民端选择区县', 'system').catch((err: unknown) => {
        logger.warn({ err }, 'district outlines unavailable')
        return []
      }),
    ])
    // Only surveyed outlines are passed on: generated (approximate) demo shapes are not geography.
    const surveyed = new Map(features.filter((f) => !f.properties.approximate).map((f) => [f.properties.divisionCode, f]))
    // County-level divisions only: NBS codes 7x under a city are functional zones (e.g. 140971 五台山风景名胜区),
    // not 区/县/市; a point or address in one is still placed server-side.
    const value = children.filter((c) => !/^\d{4}7\d$/.test(c.code)).map((c) => {
      const f = surveyed.get(c.code)
      return { code: c.code, name: c.name, center: f ? { lng: f.properties.center[0], lat: f.properties.center[1] } : null, outline: f?.geometry ?? null }
    })
    districtCache = { at: Date.now(), city: cityCode, value }
    return value
  }

  // ---- views ---------------------------------------------------------------------------------

  function summaryOf(r: TicketRow, names: Map<string, string>, now: Date): TicketSummary {
    const running = r.due_at && r.yellow_at
    const asOf = r.status === 'dispatched' || r.status === 'processing' ? now : (date(r.replied_at) ?? date(r.closed_at) ?? now)
    return {
      id: r.id,
      number: r.number,
      type: r.type,
      channel: r.channel,
      status: r.status,
      categoryCode: r.category_code,
      categoryName: names.get(r.category_code) ?? r.category_code,
      title: r.title,
      divisionCode: r.division_code,
      address: r.address,
      location: r.lat !== null && r.lng !== null ? { lat: r.lat, lng: r.lng } : null,
      departmentId: r.department_id,
      departmentName: r.department_name,
      assistDepartmentIds: r.assist_department_ids,
      progress: running ? progressOf({ dueAt: new Date(r.due_at!), yellowAt: new Date(r.yellow_at!) }, asOf, calendar) : null,
      signDueAt: date(r.sign_due_at),
      signedAt: date(r.signed_at),
      extensionPending: !!r.extension && !r.extension.decided,
      reopenCount: r.reopen_count,
      closeKind: r.close_kind,
      satisfaction: r.satisfaction,
      createdAt: new Date(r.created_at),
      updatedAt: new Date(r.updated_at),
      version: r.version,
    }
  }

  async function summaries(rows: TicketRow[]): Promise<TicketSummary[]> {
    const names = await categoryNames()
    const now = clock.now()
    return rows.map((r) => summaryOf(r, names, now))
  }

  /** Whether the caller may see who reported: never the departments on a 举报 (report) ticket. */
  function reporterVisible(by: Principal, r: TicketRow, as: Set<Actor>): boolean {
    if (as.has('centre') || r.reporter_account_id === by.accountId) return true
    return r.type !== 'report'
  }

  /** The reporter with the phone masked (138****5678) unless `full`: the full number is the reporter's own, or revealed by the centre (audited). */
  function reporterOf(r: TicketRow, full = false): Reporter {
    const phone = r.reporter_phone && !full ? maskPhone(r.reporter_phone) : r.reporter_phone
    return { name: r.reporter_name, phone, email: r.reporter_email, accountId: r.reporter_account_id, anonymous: r.anonymous }
  }

  /** The caller's 协办 department on this ticket, if any. */
  const assistDepartmentOf = (by: Principal, r: TicketRow) => [...departmentsOf(by)].find((d) => r.assist_department_ids.includes(d)) ?? null

  async function assistsOf(r: TicketRow): Promise<AssistView[]> {
    return Promise.all(
      r.assist_department_ids.map(async (id) => {
        const p = r.assist_progress?.[id]
        const name = (await org.getDepartment(id).catch(() => null))?.name ?? id
        return { departmentId: id, departmentName: name, signedAt: p?.signedAt ?? null, signedBy: p?.signedBy ?? null, opinion: p?.opinion ?? null, opinionAt: p?.opinionAt ?? null, opinionBy: p?.opinionBy ?? null }
      }),
    )
  }

  /** Server-side allowed actions, narrowed by the caller's own 协办 part: sign first, then opinions. */
  function allowedActionsOf(by: Principal, r: TicketRow, as: Set<Actor>): TicketAction[] {
    const all = actionsFor(r.status, as, r.type, !!r.extension && !r.extension.decided)
    if (!as.has('assist')) return all
    const mine = assistDepartmentOf(by, r)
    const signed = !!(mine && r.assist_progress?.[mine]?.signedAt)
    return all.filter((a) => (a === 'assist-sign' ? !signed : a === 'assist-opinion' ? signed : true))
  }

  async function duplicatesOf(r: TicketRow): Promise<DuplicateHint[]> {
    const s = await settings()
    const since = new Date(new Date(r.created_at).getTime() - s.duplicateWindowDays * 86_400_000)
    const candidates = await store.duplicateCandidates(r, since)
    const hints: DuplicateHint[] = []
    for (const c of candidates) {
      if (new Date(c.created_at).getTime() > new Date(r.created_at).getTime() + s.duplicateWindowDays * 86_400_000) continue
      const d = r.lat !== null && r.lng !== null && c.lat !== null && c.lng !== null ? distanceM({ lat: r.lat, lng: r.lng }, { lat: c.lat, lng: c.lng }) : null
      if (d !== null && d > s.duplicateRadiusM) continue
      const score = Math.round(similarity(r.tokens, c.tokens) * 100) / 100
      if (score >= 0.3) hints.push({ id: c.id, number: c.number, title: c.title, status: c.status, score, distanceM: d === null ? null : Math.round(d), createdAt: new Date(c.created_at) })
    }
    return hints.sort((a, b) => b.score - a.score).slice(0, 10)
  }

  /** `parts` when the caller knows them (a ticket just filed: no photos, one entry); else one read for both. */
  async function detailOf(by: Principal, r: TicketRow, as: Set<Actor>, parts?: { photos: PhotoTable[]; timeline: TimelineTable[] }): Promise<TicketDetail> {
    const [[summary], { photos, timeline }, assists] = await Promise.all([summaries([r]), parts ?? store.detailParts(r.id), assistsOf(r)])
    const showReporter = reporterVisible(by, r, as)
    return {
      ...summary!,
      content: r.content,
      reporter: showReporter ? reporterOf(r, r.reporter_account_id === by.accountId) : null,
      reporterHidden: !showReporter,
      photos: photos.map(toPhoto),
      reply: r.reply,
      extension: r.extension ? { days: r.extension.days, reason: r.extension.reason, requestedAt: r.extension.requestedAt, decided: r.extension.decided, approved: r.extension.approved, opinion: r.extension.opinion } : null,
      callback: r.callback,
      mergedInto: r.merged_into,
      kbArticleId: r.kb_article_id,
      mediaUrl: r.media_url ?? null,
      assists,
      // Merging makes sense before the departments work on it.
      duplicates: as.has('centre') && (r.status === 'registered' || r.status === 'returned' || r.status === 'dispatched') ? await duplicatesOf(r) : [],
      timeline: timeline.map((e) => ({
        action: e.action, fromStatus: e.from_status, toStatus: e.to_status, actorName: e.actor_name, actorRole: e.actor_role, departmentId: e.department_id, opinion: e.opinion, at: new Date(e.at),
      })),
      allowedActions: allowedActionsOf(by, r, as),
    }
  }

  const toPhoto = (p: { id: string; file_name: string; content_type: string; size_bytes: number; sm3: string; uploaded_at: Date }): PhotoView => ({
    id: p.id, fileName: p.file_name, contentType: p.content_type, sizeBytes: p.size_bytes, sm3: p.sm3, uploadedAt: new Date(p.uploaded_at),
  })

  /** The ticket as the caller may see it: the centre of its place, its departments, its reporter. Anyone else: not found. */
  function visible(by: Principal, r: TicketRow | undefined): { row: TicketRow; as: Set<Actor> } {
    if (!r) throw new TicketNotFoundError()
    const as = actorsOn(by, r)
    if (as.size === 0 && r.reporter_account_id !== by.accountId) throw new TicketNotFoundError()
    return { row: r, as }
  }

  function eventData(r: TicketRow, extra: Record<string, unknown> = {}): TicketEventData {
    return { ticketId: r.id, number: r.number, type: r.type, status: r.status, departmentId: r.department_id, divisionCode: r.division_code, at: new Date(r.updated_at).toISOString(), ...extra }
  }

  function roleName(by: Principal | null, as: Set<Actor>, action: TicketAction): string | null {
    if (!by) return null
    const who = actionRules[action].by
    if (who === 'admin') return 'hotline_admin'
    if (who === 'centre') return by.grants.find((g) => centreRoles.includes(g.role))?.role ?? null
    return by.grants.find((g) => g.departmentId && (g.role === 'window_clerk' || g.role === 'department_head'))?.role ?? (as.has('centre') ? 'hotline_operator' : null)
  }

  // ---- intake --------------------------------------------------------------------------------

  async function create(by: Principal | null, input: NewTicket, channel: Channel, extra: { accountId?: string | null; apiKeyId?: string | null; requireLocation?: boolean }, meta: RequestMeta): Promise<{ row: TicketRow; entry: TimelineTable }> {
    // Other modules first (PGlite has one connection), then the transaction. Categories are only
    // ever added: a cached code is known; one not cached yet is looked up.
    const known = (await categoryNames()).has(input.categoryCode) || !!(await store.category(input.categoryCode))
    if (!known) throw new UnknownCategoryError()
    const s = await settings()
    const hasPlace = !!(input.address?.trim() || input.location || input.divisionCode)
    const place = hasPlace || extra.requireLocation ? await locator.locate(s.cityCode, input) : null
    const now = clock.now()
    const title = input.title?.trim() || input.content.trim().replace(/\s+/g, ' ').slice(0, 40)
    const anonymous = !!input.reporter?.anonymous
    const row: TicketTable = {
      id: newId('tkt'),
      number: '',
      type: input.type,
      channel,
      status: 'registered',
      category_code: input.categoryCode,
      title,
      content: input.content.trim(),
      tokens: words(`${title} ${input.content}`),
      address: place?.address ?? null,
      division_code: place?.divisionCode ?? null,
      lat: place?.lat ?? null,
      lng: place?.lng ?? null,
      reporter_name: anonymous ? null : (input.reporter?.name?.trim() || null),
      reporter_phone: input.reporter?.phone?.trim() || null,
      reporter_email: input.reporter?.email?.trim() || null,
      reporter_account_id: extra.accountId ?? null,
      anonymous,
      api_key_id: extra.apiKeyId ?? null,
      department_id: null,
      department_name: null,
      assist_department_ids: [],
      dispatched_at: null, sign_due_at: null, signed_at: null, limit_days: null, extension_days: 0, due_at: null, yellow_at: null, light: null,
      extension: null, reply: null, replied_at: null, callback: null, satisfaction: null, resolved: null, close_kind: null, closed_at: null,
      merged_into: null, kb_article_id: null, reopen_count: 0, version: 1, created_at: now, updated_at: now,
      media_url: input.mediaUrl ? cleanMediaUrl(input.mediaUrl) : null, assist_progress: {},
    }
    // A sequence is not transactional anyway: its number is drawn before, so the ticket, its first
    // entry, the audit record and the event go in one statement.
    row.number = await store.nextNumber(chinaDate(now))
    const entry: TimelineTable = { id: newId('htl'), ticket_id: row.id, action: 'create', from_status: null, to_status: 'registered', actor_id: by?.accountId ?? null, actor_name: by?.name ?? (channel === 'open311' ? 'Open311' : null), actor_role: by ? roleName(by, new Set(hasCentreRole(by) ? ['centre'] : []), 'dispatch') : null, department_id: null, opinion: null, at: now }
    const audited = audit.prepare(auditActor(by, meta), { action: 'hotline.ticket.created', targetType: 'ticket', targetId: row.id, divisionCode: row.division_code, detail: { number: row.number, type: row.type, channel, categoryCode: row.category_code } })
    const evented = outbox.prepareAll([ticketEvent(hotlineEventTypes.created, eventData(row, { channel, categoryCode: row.category_code }))])
    const write = async (ex: Db) => {
      await createHotlineStore(ex).insertTicketWith(row, entry, [evented.insert!, audited.insert])
      await audited.written(ex)
    }
    // One statement: no BEGIN/COMMIT round trips unless more than it must commit with it.
    await (audited.writesMore ? db.transaction().execute(write) : oneStatement(db, write))
    outbox.nudge()
    return { row, entry }
  }

  // ---- transitions ---------------------------------------------------------------------------

  /** The department a ticket goes to: named, or by the most specific rule for its category and place. */
  async function resolveDispatch(r: TicketRow, input: ActionInput): Promise<{ id: string; name: string; assist: string[] }> {
    let id = input.departmentId ?? null
    let assist = input.assistDepartmentIds ?? null
    if (!id) {
      const rule = pickRule(await dispatchRules(), r.category_code, r.division_code)
      if (!rule) throw new NoDispatchRuleError()
      id = rule.department_id
      assist ??= rule.assist_department_ids
    }
    const d = await org.getDepartment(id)
    if (!d) throw new UnknownDepartmentError()
    const others = [...new Set((assist ?? []).filter((a) => a !== id))]
    for (const a of others) if (!(await org.getDepartment(a))) throw new UnknownDepartmentError()
    return { id: d.id, name: d.name, assist: others }
  }

  async function act(by: Principal, id: string, action: TicketAction, input: ActionInput, meta: RequestMeta = {}): Promise<TicketDetail> {
    // Optimistic: every check runs on this read, and the write applies only while the ticket is
    // still at the version checked (no row lock, no second read inside the transaction).
    const { row: t, as } = visible(by, await store.ticket(id))
    if (t.version !== input.version) throw new StaleTicketError(t.version)
    // Every read before the write: the write is then one statement (no transaction; see applyChange).
    const target = action === 'dispatch' ? await resolveDispatch(t, input) : null
    const s = await settings()
    if (!allowedFrom(action, t.status)) throw new ActionNotAllowedError()
    const who = actionRules[action].by
    if (!as.has(who)) throw who === 'department' || who === 'assist' ? new NotYourDepartmentError() : new NotCentreError()
    const now = clock.now()
    const nowIso = now.toISOString()
    const c: Partial<TicketTable> = { updated_at: now, version: t.version + 1 }
    let to: TicketStatus = actionRules[action].to ?? t.status
    let opinion = input.opinion ?? null
    const extra: Record<string, unknown> = {}
    let closed = false
    let reopened = false
    let mergedIn: TimelineTable | null = null
    switch (action) {
      case 'direct-close': {
        if (t.type !== 'consult') throw new TypeNotConsultError()
        if (input.articleId && !(await store.article(input.articleId))) throw new ArticleNotFoundError()
        Object.assign(c, { close_kind: 'direct', closed_at: now, kb_article_id: input.articleId ?? null, reply: { content: input.answer ?? '', at: nowIso, by: by.name, departmentId: '' } })
        opinion = input.answer ?? null
        closed = true
        break
      }
      case 'dispatch': {
        const limit = s.deadlineDays[t.type]
        const d = deadlineOf(now, limit, calendar)
        Object.assign(c, {
          department_id: target!.id, department_name: target!.name, assist_department_ids: target!.assist, dispatched_at: now, sign_due_at: signDueOf(now, s.signHours),
          signed_at: null, limit_days: limit, extension_days: 0, extension: null, due_at: d.dueAt, yellow_at: d.yellowAt, light: 'green', assist_progress: {},
        })
        extra.assistDepartmentIds = target!.assist
        break
      }
      case 'sign':
        c.signed_at = now
        break
      case 'return':
        opinion = input.reason ?? null
        extra.reason = opinion
        extra.fromDepartmentId = t.department_id
        Object.assign(c, { department_id: null, department_name: null, assist_department_ids: [], due_at: null, yellow_at: null, light: null, extension: null, assist_progress: {} })
        break
      case 'request-extension':
        if (t.extension && !t.extension.decided) throw new ActionNotAllowedError()
        c.extension = { days: input.days!, reason: input.reason ?? '', requestedAt: nowIso, requestedBy: by.name, decided: false, approved: null, opinion: null }
        opinion = input.reason ?? null
        extra.days = input.days
        break
      case 'decide-extension': {
        if (!t.extension || t.extension.decided) throw new ActionNotAllowedError()
        const approved = !!input.approve
        c.extension = { ...t.extension, decided: true, approved, opinion: input.opinion ?? null }
        if (approved && t.dispatched_at && t.limit_days !== null) {
          const days = t.extension_days + t.extension.days
          const d = deadlineOf(new Date(t.dispatched_at), t.limit_days + days, calendar)
          Object.assign(c, { extension_days: days, due_at: d.dueAt, yellow_at: d.yellowAt, light: lightAt(d, now) })
        }
        extra.approved = approved
        break
      }
      case 'reply':
        Object.assign(c, { reply: { content: input.content ?? '', at: nowIso, by: by.name, departmentId: t.department_id ?? '' }, replied_at: now })
        opinion = input.content ?? null
        break
      case 'assist-sign':
      case 'assist-opinion': {
        // The caller's own 协办 part: signed once, then opinions (the latest is kept; all are on the timeline).
        const mine = assistDepartmentOf(by, t)!
        const part: AssistRecord = t.assist_progress?.[mine] ?? { signedAt: null, signedBy: null, opinion: null, opinionAt: null, opinionBy: null }
        if (action === 'assist-sign') {
          if (part.signedAt) throw new ActionNotAllowedError()
          Object.assign(part, { signedAt: nowIso, signedBy: by.name })
        } else {
          if (!part.signedAt) throw new AssistNotSignedError()
          Object.assign(part, { opinion: input.content ?? null, opinionAt: nowIso, opinionBy: by.name })
          opinion = input.content ?? null
        }
        c.assist_progress = { ...t.assist_progress, [mine]: part }
        extra.assistDepartmentId = mine
        break
      }
      case 'review': {
        const approved = !!input.approve
        extra.approved = approved
        if (!approved) {
          to = 'processing'
          Object.assign(c, { reply: null, replied_at: null })
        } else if (t.type === 'praise') {
          to = 'closed'
          Object.assign(c, { close_kind: 'no_callback', closed_at: now })
          closed = true
        } else to = 'callback'
        break
      }
      case 'callback': {
        const satisfaction = input.satisfaction!
        const resolved = input.resolved ?? satisfaction !== 'unsatisfied'
        reopened = satisfaction === 'unsatisfied' && !!input.reopen
        c.callback = { satisfaction, resolved, note: input.note ?? null, at: nowIso, by: by.name, reopened }
        Object.assign(c, { satisfaction, resolved })
        opinion = input.note ?? null
        extra.satisfaction = satisfaction
        extra.reopened = reopened
        if (reopened) {
          // Handled again by the same department, on a fresh clock.
          to = 'processing'
          const limit = s.deadlineDays[t.type]
          const d = deadlineOf(now, limit, calendar)
          Object.assign(c, { reopen_count: t.reopen_count + 1, reply: null, replied_at: null, dispatched_at: now, limit_days: limit, extension_days: 0, extension: null, due_at: d.dueAt, yellow_at: d.yellowAt, light: 'green' })
        } else {
          to = 'closed'
          Object.assign(c, { close_kind: 'callback', closed_at: now })
          closed = true
        }
        break
      }
      case 'merge': {
        const into = input.intoId ? await store.ticket(input.intoId) : undefined
        if (!into || into.id === t.id || finished(into.status)) throw new MergeSelfError()
        c.merged_into = into.id
        extra.intoId = into.id
        opinion = `→ ${into.number}`
        mergedIn = { id: newId('htl'), ticket_id: into.id, action: 'merged-in', from_status: into.status, to_status: into.status, actor_id: by.accountId, actor_name: by.name, actor_role: roleName(by, as, action), department_id: null, opinion: `← ${t.number}`, at: now }
        break
      }
    }
    c.status = to
    // The row as it will be: the events and the audit record ride in the update's statement.
    const after: TicketRow = { ...t, ...c }
    const events = []
    if (action !== 'direct-close') events.push(ticketEvent(eventOf[action], eventData(after, extra)))
    if (reopened) events.push(ticketEvent(hotlineEventTypes.reopened, eventData(after, { reopenCount: after.reopen_count })))
    if (closed) events.push(ticketEvent(hotlineEventTypes.closed, eventData(after, { closeKind: after.close_kind, satisfaction: after.satisfaction, reporterAccountId: after.reporter_account_id })))
    const audited = audit.prepare(auditActor(by, meta), {
      action: `hotline.ticket.${past[action]}`, targetType: 'ticket', targetId: t.id, divisionCode: t.division_code,
      detail: { number: t.number, from: t.status, to, ...extra },
    })
    const evented = outbox.prepareAll(events)
    const entry: TimelineTable = {
      id: newId('htl'), ticket_id: t.id, action, from_status: t.status, to_status: to, actor_id: by.accountId, actor_name: by.name, actor_role: roleName(by, as, action),
      department_id: who === 'department' || who === 'assist' ? ([...departmentsOf(by)].find((d) => d === t.department_id || t.assist_department_ids.includes(d)) ?? null) : null,
      opinion: opinion?.slice(0, 2000) ?? null, at: now,
    }
    const also = evented.insert ? [evented.insert, audited.insert] : [audited.insert]
    const write = async (ex: Db) => {
      const st = createHotlineStore(ex)
      if (mergedIn) await st.insertTimeline(mergedIn)
      const done = await st.applyChange(t.id, t.version, c, entry, also)
      await audited.written(ex)
      return done
    }
    let done: Awaited<ReturnType<typeof write>>
    try {
      done = mergedIn || audited.writesMore ? await db.transaction().execute(write) : await oneStatement(db, write)
    } catch (err) {
      // Someone changed it since it was read: nothing was written; say which version is current.
      if (isStaleChange(err)) throw new StaleTicketError((await store.ticket(t.id))?.version ?? t.version + 1)
      throw err
    }
    outbox.nudge()
    const row = done.row
    return detailOf(by, row, actorsOn(by, row), { photos: done.photos, timeline: [...done.timelineBefore, entry] })
  }

  // ---- the service ---------------------------------------------------------------------------

  const service = {
    settings,
    districts,

    async updateSettings(by: Principal, input: Omit<Settings, 'cityCode'> & { cityCode?: string }, meta: RequestMeta = {}): Promise<Settings> {
      if (!isAdmin(by, null)) throw new NotCentreError()
      await withEvents(async (trx) => {
        const st = createHotlineStore(trx)
        const before = await st.settings()
        const after = await st.updateSettings(input.version, {
          deadline_days: input.deadlineDays, sign_hours: input.signHours, duplicate_window_days: input.duplicateWindowDays, duplicate_radius_m: input.duplicateRadiusM,
          city_code: input.cityCode ?? before.city_code, updated_at: clock.now(),
        })
        if (!after) throw new StaleSettingsError()
        settingsCache = undefined
        await audit.record(trx, auditActor(by, meta), { action: 'hotline.settings.updated', targetType: 'settings', targetId: '1', detail: { deadlineDays: input.deadlineDays, signHours: input.signHours } })
      })
      return settings()
    },

    async categories(): Promise<Category[]> {
      return (await allCategories()).list.map((c) => ({ ...c }))
    },

    async createCategory(by: Principal, input: Category, meta: RequestMeta = {}): Promise<Category> {
      if (!isAdmin(by, null)) throw new NotCentreError()
      await withEvents(async (trx) => {
        const row = await createHotlineStore(trx).insertCategory({ code: input.code, name: input.name, name_en: input.nameEn, grp: input.group, default_type: input.defaultType, description: input.description ?? '', created_at: clock.now() })
        if (!row) throw new CategoryExistsError()
        await audit.record(trx, auditActor(by, meta), { action: 'hotline.category.created', targetType: 'category', targetId: input.code, detail: { name: input.name } })
      })
      categoryCache.clear()
      return { ...input, description: input.description ?? '' }
    },

    /** Operator intake of a phone call (channel phone). */
    async createByOperator(by: Principal, input: NewTicket, meta: RequestMeta = {}): Promise<TicketDetail> {
      if (!hasCentreRole(by)) throw new NotCentreError()
      const { row, entry } = await create(by, input, 'phone', {}, meta)
      if (!isCentre(by, row.division_code)) logger.info({ ticket: row.id }, 'operator registered a ticket outside their division')
      return detailOf(by, row, actorsOn(by, row), { photos: [], timeline: [entry] })
    },

    /** A citizen's own ticket from the web or the mobile face. */
    async createByCitizen(by: Principal, input: NewTicket, channel: 'web' | 'mobile', meta: RequestMeta = {}): Promise<TicketDetail> {
      const { row, entry } = await create(by, { ...input, reporter: { name: by.name, phone: input.reporter?.phone ?? null, anonymous: false } }, channel, { accountId: by.accountId }, meta)
      return detailOf(by, row, actorsOn(by, row), { photos: [], timeline: [entry] })
    },

    /** An Open311 client's request (the caller is the API key, not a person). */
    async createByOpen311(apiKeyId: string, input: NewTicket, meta: RequestMeta = {}): Promise<TicketRow> {
      return (await create(null, input, 'open311', { apiKeyId, requireLocation: true }, meta)).row
    },

    async get(by: Principal, id: string): Promise<TicketDetail> {
      const { row, as } = visible(by, await store.ticket(id))
      return detailOf(by, row, as)
    },

    /** Who reported: the centre always; the handling departments never on a 举报 ticket (audited either way). */
    async reporter(by: Principal, id: string, meta: RequestMeta = {}): Promise<Reporter> {
      const { row, as } = visible(by, await store.ticket(id))
      const ok = reporterVisible(by, row, as)
      await withEvents((trx) =>
        audit.record(trx, auditActor(by, meta), { action: 'hotline.reporter.read', targetType: 'ticket', targetId: row.id, divisionCode: row.division_code, outcome: ok ? 'success' : 'failure', detail: { number: row.number, type: row.type }, security: row.type === 'report' }),
      )
      if (!ok) throw new ReporterHiddenError()
      return reporterOf(row, row.reporter_account_id === by.accountId)
    },

    /**
     * The reporter's full phone number for the centre's callback (回访): a reason is required and the
     * reveal is audited as a security event. Departments never get it, on any ticket type.
     */
    async revealReporter(by: Principal, id: string, reason: string, meta: RequestMeta = {}): Promise<Reporter> {
      const { row, as } = visible(by, await store.ticket(id))
      const ok = as.has('centre')
      await withEvents((trx) =>
        audit.record(trx, auditActor(by, meta), {
          action: 'hotline.reporter.revealed', targetType: 'ticket', targetId: row.id, divisionCode: row.division_code, outcome: ok ? 'success' : 'failure',
          detail: { number: row.number, type: row.type, reason }, security: true,
        }),
      )
      if (!ok) throw new NotCentreError()
      return reporterOf(row, true)
    },

    act,

    async duplicates(by: Principal, id: string): Promise<DuplicateHint[]> {
      const { row, as } = visible(by, await store.ticket(id))
      if (!as.has('centre')) throw new NotCentreError()
      return duplicatesOf(row)
    },

    /** The centre's lists and queues. */
    async listForCentre(by: Principal, q: { queue?: CentreQueue; status?: TicketStatus; type?: TicketType; departmentId?: string; light?: 'green' | 'yellow' | 'red'; q?: string; page?: number; pageSize?: number }): Promise<Paginated<TicketSummary>> {
      if (!hasCentreRole(by)) throw new NotCentreError()
      const pg = paging(q)
      const queue = q.queue ?? 'all'
      const statuses = q.status ? [q.status] : queue in centreQueues ? centreQueues[queue as keyof typeof centreQueues] : undefined
      const { rows, total, capped } = await store.list({
        statuses, type: q.type, departmentId: q.departmentId, light: q.light, q: q.q, words: q.q ? words(q.q) : undefined, limit: pg.limit, offset: pg.offset,
        extensionPending: queue === 'extensions' || undefined, overdue: queue === 'overdue' ? clock.now() : undefined,
      })
      return { items: await summaries(rows), total, totalCapped: capped, page: pg.page, pageSize: pg.pageSize }
    },

    /** The department's work queue: tickets its staff must sign or handle, by deadline. */
    async listForDepartment(by: Principal, q: { queue?: DepartmentQueue; departmentId?: string; page?: number; pageSize?: number }): Promise<Paginated<TicketSummary>> {
      const mine = [...departmentsOf(by)]
      const departmentId = q.departmentId ?? mine[0]
      if (!departmentId || !mine.includes(departmentId)) throw new NotYourDepartmentError()
      const pg = paging(q)
      const queue = q.queue ?? 'to_sign'
      const { rows, total, capped } =
        queue === 'assisting'
          ? await store.list({ assistOf: departmentId, statuses: ['dispatched', 'processing'], limit: pg.limit, offset: pg.offset })
          : await store.list({
              departmentId,
              statuses: queue === 'overdue' ? undefined : departmentQueues[queue],
              overdue: queue === 'overdue' ? clock.now() : undefined,
              limit: pg.limit,
              offset: pg.offset,
            })
      return { items: await summaries(rows), total, totalCapped: capped, page: pg.page, pageSize: pg.pageSize }
    },

    async listMine(by: Principal, q: { page?: number; pageSize?: number }): Promise<Paginated<TicketSummary>> {
      const pg = paging(q)
      const { rows, total, capped } = await store.list({ ownerAccountId: by.accountId, limit: pg.limit, offset: pg.offset })
      return { items: await summaries(rows), total, totalCapped: capped, page: pg.page, pageSize: pg.pageSize }
    },

    /** Caller lookup by phone (centre): their earlier tickets, newest first. */
    async caller(by: Principal, phone: string, meta: RequestMeta = {}): Promise<{ phone: string; name: string | null; accountId: string | null; tickets: TicketSummary[]; total: number }> {
      if (!hasCentreRole(by)) throw new NotCentreError()
      const { rows, total } = await store.list({ phone, limit: 20, offset: 0 })
      await withEvents((trx) => audit.record(trx, auditActor(by, meta), { action: 'hotline.caller.looked-up', targetType: 'phone', targetId: sm3Hex(phone).slice(0, 16), detail: { found: total } }))
      const named = rows.find((r) => r.reporter_name)
      return { phone, name: named?.reporter_name ?? null, accountId: rows.find((r) => r.reporter_account_id)?.reporter_account_id ?? null, tickets: await summaries(rows), total }
    },

    // ---- photos ----------------------------------------------------------------------------

    async addPhoto(by: Principal, id: string, bytes: Buffer, contentType: string, fileName: string | undefined, meta: RequestMeta = {}): Promise<PhotoView> {
      const { row, as } = visible(by, await store.ticket(id))
      const mayAdd = as.has('centre') ? !finished(row.status) : row.reporter_account_id === by.accountId && row.status === 'registered'
      if (!mayAdd) throw as.has('centre') || row.reporter_account_id === by.accountId ? new ActionNotAllowedError() : new NotCentreError()
      const type = await verifyPhoto(bytes, contentType)
      if ((await store.photos(row.id)).length >= MAX_PHOTOS) throw new TooManyPhotosError()
      const { key, sm3 } = await storage.put(row.id, bytes)
      const photo = { id: newId('hph'), ticket_id: row.id, file_name: cleanName(fileName), content_type: type, size_bytes: bytes.length, sm3, storage_key: key, uploaded_by: by.accountId, uploaded_at: clock.now() }
      await withEvents(async (trx) => {
        await createHotlineStore(trx).insertPhoto(photo)
        await audit.record(trx, auditActor(by, meta), { action: 'hotline.photo.uploaded', targetType: 'ticket', targetId: row.id, divisionCode: row.division_code, detail: { photoId: photo.id, contentType: type, sizeBytes: bytes.length, sm3 } })
      }).catch(async (err: unknown) => {
        await storage.remove(key)
        throw err
      })
      return toPhoto(photo)
    },

    async readPhoto(by: Principal, id: string, photoId: string): Promise<{ photo: PhotoView; bytes: Buffer }> {
      const { row } = visible(by, await store.ticket(id))
      const p = await store.photo(row.id, photoId)
      if (!p) throw new PhotoNotFoundError()
      return { photo: toPhoto(p), bytes: await storage.get(p.storage_key) }
    },

    // ---- knowledge base --------------------------------------------------------------------

    async searchArticles(q: { q?: string; departmentId?: string; page?: number; pageSize?: number }): Promise<Paginated<ArticleHit>> {
      const pg = paging(q)
      const terms = q.q ? words(q.q) : []
      if (q.q && terms.length === 0) return { items: [], total: 0, page: pg.page, pageSize: pg.pageSize }
      const { rows, total } = await store.searchArticles(terms, { departmentId: q.departmentId, limit: pg.limit, offset: pg.offset })
      return {
        items: rows.map((r) => ({ id: r.id, title: r.title, departmentId: r.department_id, departmentName: r.department_name, categoryCode: r.category_code, snippet: snippetOf(r.body, terms), score: Number(r.score), updatedAt: new Date(r.updated_at), version: r.version })),
        total, page: pg.page, pageSize: pg.pageSize,
      }
    },

    async article(id: string): Promise<Article> {
      const r = await store.article(id)
      if (!r) throw new ArticleNotFoundError()
      return toArticle(r)
    },

    async createArticle(by: Principal, input: { title: string; body: string; keywords?: string[]; departmentId: string; categoryCode?: string | null }, meta: RequestMeta = {}): Promise<Article> {
      const d = await org.getDepartment(input.departmentId)
      if (!d) throw new UnknownDepartmentError()
      assertKbEditor(by, d.id, d.divisionCode)
      if (input.categoryCode && !(await store.category(input.categoryCode))) throw new UnknownCategoryError()
      const now = clock.now()
      const keywords = [...new Set(input.keywords ?? [])]
      const row = await withEvents(async (trx) => {
        const r = await createHotlineStore(trx).insertArticle({
          id: newId('hkb'), title: input.title, body: input.body, keywords, tokens: words(`${input.title} ${keywords.join(' ')} ${input.body}`), department_id: d.id, department_name: d.name,
          category_code: input.categoryCode ?? null, status: 'published', version: 1, created_by: by.accountId, created_at: now, updated_at: now,
        })
        await audit.record(trx, auditActor(by, meta), { action: 'hotline.kb.created', targetType: 'kb_article', targetId: r.id, divisionCode: d.divisionCode, detail: { title: input.title, departmentId: d.id } })
        return r
      })
      return toArticle(row)
    },

    async updateArticle(by: Principal, id: string, input: { version: number; title?: string; body?: string; keywords?: string[]; categoryCode?: string | null; status?: 'published' | 'archived' }, meta: RequestMeta = {}): Promise<Article> {
      const before = await store.article(id)
      if (!before) throw new ArticleNotFoundError()
      const d = await org.getDepartment(before.department_id)
      assertKbEditor(by, before.department_id, d?.divisionCode ?? null)
      if (input.categoryCode && !(await store.category(input.categoryCode))) throw new UnknownCategoryError()
      const title = input.title ?? before.title
      const body = input.body ?? before.body
      const keywords = input.keywords ? [...new Set(input.keywords)] : before.keywords
      const row = await withEvents(async (trx) => {
        const r = await createHotlineStore(trx).updateArticle(id, input.version, {
          title, body, keywords, tokens: words(`${title} ${keywords.join(' ')} ${body}`), ...(input.categoryCode !== undefined ? { category_code: input.categoryCode } : {}),
          ...(input.status ? { status: input.status } : {}), updated_at: clock.now(),
        })
        if (!r) throw new StaleArticleError()
        await audit.record(trx, auditActor(by, meta), { action: 'hotline.kb.updated', targetType: 'kb_article', targetId: id, divisionCode: d?.divisionCode ?? null, detail: { status: r.status, version: r.version } })
        return r
      })
      return toArticle(row)
    },

    // ---- dispatch rules --------------------------------------------------------------------

    async rules(by: Principal): Promise<DispatchRule[]> {
      if (!hasCentreRole(by)) throw new NotCentreError()
      return (await store.rules()).map(toRule)
    },

    /** The department a ticket of this category at this place would go to (for the operator's preview). */
    async resolveRule(categoryCode: string, divisionCode: string | null): Promise<DispatchRule | null> {
      const r = pickRule(await store.rules(), categoryCode, divisionCode)
      return r ? toRule(r) : null
    },

    async createRule(by: Principal, input: { categoryCode: string | null; divisionPrefix: string | null; departmentId: string; assistDepartmentIds?: string[] }, meta: RequestMeta = {}): Promise<DispatchRule> {
      if (!isAdmin(by, null)) throw new NotCentreError()
      const d = await checkRuleInput(input)
      const now = clock.now()
      const row = await withEvents(async (trx) => {
        const st = createHotlineStore(trx)
        const clash = (await st.rules()).find((r) => r.category_code === input.categoryCode && r.division_prefix === input.divisionPrefix)
        if (clash) throw new RuleExistsError()
        const r = await st.insertRule({ id: newId('hdr'), category_code: input.categoryCode, division_prefix: input.divisionPrefix, department_id: d.id, department_name: d.name, assist_department_ids: input.assistDepartmentIds ?? [], version: 1, created_at: now, updated_at: now })
        await audit.record(trx, auditActor(by, meta), { action: 'hotline.rule.created', targetType: 'dispatch_rule', targetId: r.id, detail: { categoryCode: input.categoryCode, divisionPrefix: input.divisionPrefix, departmentId: d.id } })
        return r
      })
      rulesCache = undefined
      return toRule(row)
    },

    async updateRule(by: Principal, id: string, input: { version: number; departmentId?: string; assistDepartmentIds?: string[] }, meta: RequestMeta = {}): Promise<DispatchRule> {
      if (!isAdmin(by, null)) throw new NotCentreError()
      const before = await store.rule(id)
      if (!before) throw new RuleNotFoundError()
      const d = await checkRuleInput({ departmentId: input.departmentId ?? before.department_id, assistDepartmentIds: input.assistDepartmentIds })
      const row = await withEvents(async (trx) => {
        const r = await createHotlineStore(trx).updateRule(id, input.version, {
          department_id: d.id, department_name: d.name, ...(input.assistDepartmentIds ? { assist_department_ids: input.assistDepartmentIds } : {}), updated_at: clock.now(),
        })
        if (!r) throw new StaleRuleError()
        await audit.record(trx, auditActor(by, meta), { action: 'hotline.rule.updated', targetType: 'dispatch_rule', targetId: id, detail: { departmentId: d.id } })
        return r
      })
      rulesCache = undefined
      return toRule(row)
    },

    async deleteRule(by: Principal, id: string, meta: RequestMeta = {}): Promise<void> {
      if (!isAdmin(by, null)) throw new NotCentreError()
      await withEvents(async (trx) => {
        const n = await createHotlineStore(trx).deleteRule(id)
        if (Number(n.numDeletedRows) === 0) throw new RuleNotFoundError()
        await audit.record(trx, auditActor(by, meta), { action: 'hotline.rule.deleted', targetType: 'dispatch_rule', targetId: id })
      })
      rulesCache = undefined
    },

    // ---- API keys (Open311 clients) --------------------------------------------------------

    async apiKeys(by: Principal): Promise<ApiKeyView[]> {
      if (!isAdmin(by, null)) throw new NotCentreError()
      return (await store.apiKeys()).map((k) => ({ id: k.id, name: k.name, createdAt: new Date(k.created_at), revokedAt: date(k.revoked_at) }))
    },

    async createApiKey(by: Principal | 'system', name: string, meta: RequestMeta = {}): Promise<ApiKeyView & { key: string }> {
      if (by !== 'system' && !isAdmin(by, null)) throw new NotCentreError()
      const key = `o311_${crypto.randomBytes(24).toString('base64url')}`
      const row = { id: newId('hak'), name, key_hash: sm3Hex(key), created_by: by === 'system' ? null : by.accountId, created_at: clock.now(), revoked_at: null }
      await withEvents(async (trx) => {
        await createHotlineStore(trx).insertApiKey(row)
        await audit.record(trx, by === 'system' ? systemActor : auditActor(by, meta), { action: 'hotline.api-key.created', targetType: 'api_key', targetId: row.id, detail: { name }, security: true })
      })
      apiKeyCache.clear()
      return { id: row.id, name, createdAt: row.created_at, revokedAt: null, key }
    },

    async revokeApiKey(by: Principal, id: string, meta: RequestMeta = {}): Promise<void> {
      if (!isAdmin(by, null)) throw new NotCentreError()
      await withEvents(async (trx) => {
        const n = await createHotlineStore(trx).revokeApiKey(id, clock.now())
        if (Number(n.numUpdatedRows) === 0) throw new ApiKeyNotFoundError()
        await audit.record(trx, auditActor(by, meta), { action: 'hotline.api-key.revoked', targetType: 'api_key', targetId: id, security: true })
      })
      apiKeyCache.clear()
    },

    /** The key's id when the presented key is live. */
    async checkApiKey(key: string): Promise<string | null> {
      if (!key || key.length > 200) return null
      const hash = sm3Hex(key)
      return apiKeyCache.get(hash, async () => (await store.apiKeyByHash(hash))?.id ?? null)
    },

    // ---- Open311 reads (public: no personal data) -------------------------------------------

    async open311List(f: { numbers?: string[]; categoryCode?: string; from: Date; to: Date; closed?: boolean; limit: number }): Promise<TicketRow[]> {
      return store.open311(f)
    },
    async open311Get(numberOrId: string): Promise<TicketRow | null> {
      return (await store.ticket(numberOrId)) ?? null
    },

    // ---- metrics ---------------------------------------------------------------------------

    /** 三率 per department for tickets dispatched in [from, to] (Beijing days), and the centre's 直接办结率. */
    async metrics(by: Principal, q: { from: string; to: string }): Promise<Metrics> {
      const allowed = hasCentreRole(by) || hasRole(by, 'leader', 'department_head')
      if (!allowed) throw new ForbiddenError()
      const from = new Date(`${q.from}T00:00:00+08:00`)
      const to = new Date(new Date(`${q.to}T00:00:00+08:00`).getTime() + 86_400_000)
      const [rows, centre] = await Promise.all([store.departmentMetrics(from, to), store.centreMetrics(from, to)])
      // A department head sees its own departments only; the centre and leaders see all.
      const own = hasCentreRole(by) || hasRole(by, 'leader') ? null : departmentsOf(by, ['department_head'])
      const rate = (n: number, d: number) => (d === 0 ? null : Math.round((n / d) * 10_000) / 10_000)
      return {
        from: q.from,
        to: q.to,
        departments: rows
          .filter((r) => !own || own.has(r.department_id))
          .map((r) => ({
            departmentId: r.department_id, departmentName: r.department_name, dispatched: r.dispatched, signedInTime: r.signed_in_time, responseRate: rate(r.signed_in_time, r.dispatched),
            replied: r.replied, resolved: r.resolved, resolutionRate: rate(r.resolved, r.callbacks), callbacks: r.callbacks, satisfied: r.satisfied, satisfactionRate: rate(r.satisfied, r.callbacks),
          })),
        centre: { total: centre.total, consults: centre.consults, directClosed: centre.direct, directCloseRate: rate(centre.direct, centre.total) },
      }
    },

    /** For the rating module: who may rate a closed ticket and which department it rates. No checks: trusted callers only. */
    async ratingSubject(ticketId: string): Promise<{ ticketId: string; number: string; type: TicketType; status: TicketStatus; departmentId: string | null; departmentName: string | null; divisionCode: string | null; reporterAccountId: string | null; reporterPhone: string | null; closedAt: Date | null } | null> {
      const r = await store.ticket(ticketId)
      if (!r) return null
      return { ticketId: r.id, number: r.number, type: r.type, status: r.status, departmentId: r.department_id, departmentName: r.department_name, divisionCode: r.division_code, reporterAccountId: r.reporter_account_id, reporterPhone: r.reporter_phone, closedAt: date(r.closed_at) }
    },

    // ---- deadlines -------------------------------------------------------------------------

    /** Marks yellow and red lights of running tickets as of `now`; returns how many changed. */
    async markDeadlines(now: Date = clock.now()): Promise<number> {
      let total = 0
      for (;;) {
        const n = await withEvents(async (trx) => {
          const st = createHotlineStore(trx)
          const rows = await st.lightsToMark(now, 200)
          for (const r of rows) {
            const light = r.due_at && now.getTime() > new Date(r.due_at).getTime() ? 'red' : 'yellow'
            const next = await st.updateTicket(r.id, { light })
            await audit.record(trx, systemActor, { action: light === 'red' ? 'hotline.ticket.overdue' : 'hotline.ticket.deadline-approaching', targetType: 'ticket', targetId: r.id, divisionCode: r.division_code, detail: { number: r.number, dueAt: r.due_at ? new Date(r.due_at).toISOString() : null } })
            await outbox.add(trx, ticketEvent(hotlineEventTypes.lightChanged, eventData(next, { light })))
          }
          return rows.length
        })
        total += n
        if (n < 200) return total
      }
    },

    startDeadlineJob(intervalMs = 60_000): () => void {
      const timer = setInterval(() => {
        service.markDeadlines().catch((err) => logger.error({ err }, 'marking hotline deadlines failed'))
      }, intervalMs)
      timer.unref()
      return () => clearInterval(timer)
    },
  }

  function assertKbEditor(by: Principal, departmentId: string, divisionCode: string | null) {
    if (isAdmin(by, divisionCode)) return
    if (departmentsOf(by, ['department_head']).has(departmentId)) return
    throw new NotYourDepartmentError()
  }

  async function checkRuleInput(input: { categoryCode?: string | null; departmentId: string; assistDepartmentIds?: string[] }) {
    if (input.categoryCode && !(await store.category(input.categoryCode))) throw new UnknownCategoryError()
    const d = await org.getDepartment(input.departmentId)
    if (!d) throw new UnknownDepartmentError()
    for (const a of input.assistDepartmentIds ?? []) if (!(await org.getDepartment(a))) throw new UnknownDepartmentError()
    return d
  }

  return service
}

/** The most specific rule: category and the longest division prefix, then category alone, then place alone, then the default. */
export function pickRule(all: RuleTable[], categoryCode: string, divisionCode: string | null): RuleTable | null {
  const fits = all.filter(
    (r) => (r.category_code === null || r.category_code === categoryCode) && (r.division_prefix === null || (divisionCode !== null && divisionCode.startsWith(divisionPrefix(r.division_prefix)))),
  )
  const rank = (r: RuleTable) => (r.category_code ? 1000 : 0) + (r.division_prefix ? divisionPrefix(r.division_prefix).length : 0)
  return fits.sort((a, b) => rank(b) - rank(a))[0] ?? null
}

function toRule(r: RuleTable): DispatchRule {
  return { id: r.id, categoryCode: r.category_code, divisionPrefix: r.division_prefix, departmentId: r.department_id, departmentName: r.department_name, assistDepartmentIds: r.assist_department_ids, version: r.version }
}

function toArticle(r: ArticleTable): Article {
  return { id: r.id, title: r.title, body: r.body, keywords: r.keywords, departmentId: r.department_id, departmentName: r.department_name, categoryCode: r.category_code, status: r.status, updatedAt: new Date(r.updated_at), version: r.version }
}

/** About 120 characters of the body around the first query word found. */
function snippetOf(body: string, terms: string[]): string {
  const at = terms.map((t) => body.toLowerCase().indexOf(t)).filter((i) => i >= 0).sort((a, b) => a - b)[0] ?? 0
  const start = Math.max(0, at - 30)
  return (start > 0 ? '…' : '') + body.slice(start, start + 120) + (start + 120 < body.length ? '…' : '')
}

export type HotlineService = ReturnType<typeof createHotlineService>
