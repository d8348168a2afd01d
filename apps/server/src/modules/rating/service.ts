import type { Db } from '../../db/database.js'
import { systemActor, type AuditActor } from '../../platform/audit.js'
import { chinaDate } from '../../platform/calendar.js'
import type { Core } from '../../platform/core.js'
import { OutOfScopeError } from '../../platform/errors.js'
import { t, type Locale } from '../../platform/i18n.js'
import { newId } from '../../platform/ids.js'
import { divisionCovers, divisionPrefix, type Principal, type Role } from '../../platform/roles.js'
import type { ApplicationEventData } from '../cases/index.js'
import type { CatalogService } from '../catalog/index.js'
import { maskPhone, type IdentityService } from '../identity/index.js'
import type { OrgService } from '../org/index.js'
import {
  AlreadyRatedError,
  InvalidPeriodError,
  InvalidRectificationStateError,
  InvalidTokenError,
  NotRaterError,
  NotYourDepartmentError,
  RectificationNotFoundError,
  StaleRectificationError,
  SubjectNotFoundError,
  UnknownTagError,
  WindowClosedError,
} from './errors.js'
import { ratingEvents, type RectificationEventData } from './events.js'
import { allTags, tagsByLevel } from './tags.js'
import { createRatingStore, type RatingRow, type RectificationJoined, type RectificationRow, type ScopeClause, type StatsRow, type SubjectRow } from './store.js'
import { hashLinkToken, LINK_TOKEN, newLinkToken, phoneRaterId, signToken, verifyToken } from './token.js'
import {
  isBadLevel,
  type CallbackMethod,
  type Channel,
  type Figures,
  type GroupFigures,
  type Level,
  type Paginated,
  type RaterSatisfaction,
  type RatingView,
  type RectificationOutcome,
  type RectificationStatus,
  type RectificationView,
  type RequestMeta,
  type Statistics,
  type SubjectInput,
  type SubjectKind,
  type SubjectView,
} from './types.js'

/** What rating needs from identity: names and masked phones for the centre, and texting raters. */
export type IdentityPort = Pick<IdentityService, 'getMe' | 'textAccount' | 'textPhone'>
/** What rating needs from hotline: the phone of a reporter without an account (for their one-time link). */
export interface TicketPort {
  ratingSubject(ticketId: string): Promise<{ reporterPhone: string | null } | null>
}
/** What rating needs from org: department names. */
export type OrgPort = Pick<OrgService, 'getDepartment'>
/** What rating needs from catalog: the item's name for a closed case. */
export type CatalogPort = Pick<CatalogService, 'getVersion'>

export interface RatingDeps extends Pick<Core, 'db' | 'clock' | 'calendar' | 'audit' | 'outbox' | 'config' | 'logger'> {
  identity: IdentityPort
  org: OrgPort
  catalog: CatalogPort
  /** Hotline, for phone-only reporters' SMS links; without it they are not invited. */
  tickets?: TicketPort
  /**
   * Natural days the rater has to rate, from the close. Counted in natural days as the one
   * sourced rule does (Guangdong: 7 natural days); 15 by default, as the issue suggests.
   */
  windowDays?: number
  /** Working days a department has to answer a 差评 (a Sichuan city: 15 working days). */
  rectificationDays?: number
}

/**
 * Departments answer their own rectifications: a department head whose grant names the
 * department. A grant on a division alone names no department, so it does not count.
 */
export const departmentRoles: readonly Role[] = ['department_head']
/**
 * The centre calls raters back: the 12345 centre (hotline operators and admins, who already do
 * 回访 for tickets) and data admins (政务服务和数据管理局, which runs 好差评 for service items),
 * within their divisions.
 */
export const centreRoles: readonly Role[] = ['hotline_operator', 'hotline_admin', 'data_admin']
/** Who reads the statistics: the centre, leaders, platform admins anywhere; department heads for their departments. */
export const statsRoles: readonly Role[] = [...centreRoles, 'leader', 'platform_admin', 'department_head']

const DAY_MS = 86_400_000
const MAX_PERIOD_DAYS = 366

function paging(q: { page?: number; pageSize?: number }) {
  const page = q.page ?? 1
  const pageSize = q.pageSize ?? 20
  return { page, pageSize, limit: pageSize, offset: (page - 1) * pageSize }
}

const rate = (n: number, of: number) => (of === 0 ? null : Math.round((n / of) * 10_000) / 10_000)

function figuresOf(r: StatsRow): Figures {
  return {
    total: r.total,
    byLevel: { '5': r.l5, '4': r.l4, '3': r.l3, '2': r.l2, '1': r.l1 },
    satisfactionRate: rate(r.l5 + r.l4 + r.l3, r.total),
    bad: r.bad,
    rectifiedRate: rate(r.closed, r.bad),
    onTimeRate: rate(r.on_time, r.answered),
  }
}

const emptyRow: StatsRow = { key: null, name: null, total: 0, l5: 0, l4: 0, l3: 0, l2: 0, l1: 0, bad: 0, closed: 0, answered: 0, on_time: 0 }

function ratingView(r: RatingRow): RatingView {
  return { id: r.id, level: r.level, tags: r.tags, comment: r.comment, channel: r.channel, createdAt: new Date(r.created_at) }
}

function outcomeOf(r: RectificationRow): RectificationOutcome {
  return {
    id: r.id,
    status: r.status,
    departmentName: r.department_name,
    dueDate: r.due_date,
    answer: r.answer,
    answeredAt: r.answered_at ? new Date(r.answered_at) : null,
    contacted: r.callbacks.some((c) => c.reached),
    outcome: r.outcome,
    closedAt: r.closed_at ? new Date(r.closed_at) : null,
  }
}

/** The rating module's public service. */
export type RatingService = ReturnType<typeof createRatingService>

/**
 * 好差评: subjects become rateable when a case closes or a ticket is called back; the applicant
 * rates once within the window (web, mobile, or an SMS link without signing in); a 差评 opens a
 * rectification the department answers and the centre closes by calling the rater back.
 */
export function createRatingService(deps: RatingDeps) {
  const { db, clock, calendar, audit, outbox, identity, org, catalog, logger, config } = deps
  const store = createRatingStore(db)
  const windowDays = deps.windowDays ?? 15
  const rectificationDays = deps.rectificationDays ?? 15
  if (!config.SECRET_KEY) throw new Error('rating needs SECRET_KEY for its SMS links (createCore resolves one)')
  const tokenKey = config.SECRET_KEY

  async function withEvents<T>(fn: (trx: Db) => Promise<T>): Promise<T> {
    const result = await db.transaction().execute(fn)
    outbox.nudge()
    return result
  }

  function actorOf(p: Principal | null, meta: RequestMeta): AuditActor {
    return {
      actorId: p?.accountId ?? null,
      actorKind: p?.kind ?? 'anonymous',
      actorName: p?.name ?? null,
      ip: meta.ip ?? null,
      userAgent: meta.userAgent?.slice(0, 300) ?? null,
    }
  }

  async function departmentName(id: string): Promise<string> {
    return (await org.getDepartment(id).catch(() => null))?.name ?? id
  }

  // --- subjects -------------------------------------------------------------------------------

  /**
   * Records that something may be rated; idempotent on (kind, refId), so redelivered events do
   * nothing. A new subject texts the rater a signed link that rates without signing in.
   */
  async function recordSubject(input: SubjectInput): Promise<{ created: boolean; subjectId: string }> {
    const until = new Date(input.at.getTime() + windowDays * DAY_MS)
    const row = await withEvents((trx) =>
      createRatingStore(trx).insertSubject({
        id: newId('rsub'),
        kind: input.kind,
        ref_id: input.refId,
        label: input.label,
        rater_id: input.raterId,
        department_id: input.departmentId,
        department_name: input.departmentName,
        division_code: input.divisionCode,
        item_id: input.itemId,
        item_name: input.itemName,
        rateable_from: input.at,
        rateable_until: until,
        rated_at: null,
        created_at: clock.now(),
      }),
    )
    if (!row) return { created: false, subjectId: (await store.subjectByRef(input.kind, input.refId))!.id }
    const url = `${config.publicUrl}/m/rate/sms/${signToken(tokenKey, row.id)}`
    const text = t('zh-CN', 'rating.sms.invite', { label: input.label, itemName: input.itemName ?? input.departmentName, url, days: windowDays })
    await identity.textAccount(input.raterId, text).catch((err: unknown) => logger.warn({ err, subjectId: row.id }, 'rating invitation not texted'))
    return { created: true, subjectId: row.id }
  }

  /** A closed case becomes rateable by its applicant (`cases.application.closed`). */
  async function onCaseClosed(data: ApplicationEventData, at: Date): Promise<void> {
    const version = await catalog.getVersion(data.itemVersionId).catch(() => null)
    await recordSubject({
      kind: 'case',
      refId: data.applicationId,
      label: data.number ?? data.applicationId,
      raterId: data.applicantId,
      departmentId: data.departmentId,
      departmentName: version?.departmentName ?? (await departmentName(data.departmentId)),
      divisionCode: data.divisionCode,
      itemId: data.itemId,
      itemName: version?.guide.name ?? data.itemCode,
      at,
    })
  }

  /**
   * A ticket closed after its callback becomes rateable by its reporter (`hotline.ticket.closed`,
   * see notes/hotline-contract.md). Tickets closed on the call (直接办结) or without a callback, and
   * reporters without an account (phone only, anonymous), are not rated here.
   */
  async function onTicketClosed(data: TicketClosedData): Promise<void> {
    if (data.closeKind !== 'callback' || !data.departmentId) return
    if (!data.reporterAccountId) return invitePhoneReporter(data, data.departmentId)
    await recordSubject({
      kind: 'ticket',
      refId: data.ticketId,
      label: data.number,
      raterId: data.reporterAccountId,
      departmentId: data.departmentId,
      departmentName: await departmentName(data.departmentId),
      divisionCode: data.divisionCode ?? (await org.getDepartment(data.departmentId).catch(() => null))?.divisionCode ?? '',
      itemId: null,
      itemName: null,
      at: data.at ? new Date(data.at) : clock.now(),
    })
  }

  /**
   * A reporter who only phoned (no account) is texted a one-time link after the callback: the
   * subject's rater is a pseudonym of the number, the link's hash is stored with the subject in one
   * transaction, and the number itself stays in hotline. Redelivered events find the subject and
   * text nothing.
   */
  async function invitePhoneReporter(data: TicketClosedData, departmentId: string): Promise<void> {
    const phone = (await deps.tickets?.ratingSubject(data.ticketId).catch(() => null))?.reporterPhone
    if (!phone || !/^1[3-9]\d{9}$/.test(phone)) return
    const department = await org.getDepartment(departmentId).catch(() => null)
    const at = data.at ? new Date(data.at) : clock.now()
    const until = new Date(at.getTime() + windowDays * DAY_MS)
    const { token, hash } = newLinkToken()
    const created = await withEvents(async (trx) => {
      const tx = createRatingStore(trx)
      const row = await tx.insertSubject({
        id: newId('rsub'), kind: 'ticket', ref_id: data.ticketId, label: data.number, rater_id: phoneRaterId(tokenKey, phone), department_id: departmentId,
        department_name: department?.name ?? departmentId, division_code: data.divisionCode ?? department?.divisionCode ?? '', item_id: null, item_name: null,
        rateable_from: at, rateable_until: until, rated_at: null, created_at: clock.now(),
      })
      if (!row) return null
      await tx.insertLinkToken({ token_hash: hash, subject_id: row.id, expires_at: until, used_at: null, created_at: clock.now() })
      await audit.record(trx, systemActor, { action: 'rating.link.issued', targetType: 'subject', targetId: row.id, divisionCode: row.division_code, detail: { subjectKind: 'ticket', subjectRefId: data.ticketId } })
      return row
    })
    if (!created) return
    const url = `${config.publicUrl}/m/rate/${token}`
    const text = t('zh-CN', 'rating.sms.link-invite', { label: data.number, departmentName: created.department_name, url, days: windowDays })
    await deps.identity.textPhone(phone, text).catch((err: unknown) => logger.warn({ err, subjectId: created.id }, 'rating link not texted'))
  }

  async function subjectView(s: SubjectRow): Promise<SubjectView> {
    const [rating] = await store.ratingsOfSubjects([s.id])
    const [rect] = await store.rectificationsOfSubjects([s.id])
    return toSubjectView(s, rating, rect)
  }

  function toSubjectView(s: SubjectRow, rating: RatingRow | undefined, rect: RectificationRow | undefined): SubjectView {
    const until = new Date(s.rateable_until)
    return {
      kind: s.kind,
      refId: s.ref_id,
      label: s.label,
      departmentName: s.department_name,
      itemName: s.item_name,
      rateableUntil: until,
      canRate: !s.rated_at && clock.now() <= until,
      rating: rating ? ratingView(rating) : null,
      rectification: rect ? outcomeOf(rect) : null,
    }
  }

  async function ownSubject(p: Principal, kind: SubjectKind, refId: string): Promise<SubjectRow> {
    const s = await store.subjectByRef(kind, refId)
    if (!s) throw new SubjectNotFoundError()
    if (s.rater_id !== p.accountId) throw new NotRaterError()
    return s
  }

  function checkTags(level: Level, tags: string[]) {
    const offered = tagsByLevel[level]
    const wrong = tags.filter((x) => !offered.includes(x))
    if (wrong.length) throw new UnknownTagError(wrong)
  }

  /** Writes the rating (and a rectification for a 差评) for a subject, in one transaction. */
  async function submit(subjectId: string, actor: AuditActor, input: RatingInput & { channel: Channel }, link?: string): Promise<SubjectView> {
    checkTags(input.level, input.tags)
    const now = clock.now()
    // Departments and the calendar are read before the transaction (PGlite has one connection).
    const dueDate = isBadLevel(input.level) ? calendar.addWorkingDays(now, rectificationDays) : null
    const view = await withEvents(async (trx) => {
      const tx = createRatingStore(trx)
      // Claimed and checked in one statement; a refusal below rolls the claim back.
      const s = await tx.claimForRating(subjectId, now)
      if (!s) throw (await tx.subjectById(subjectId)) ? new AlreadyRatedError() : new SubjectNotFoundError()
      if (now > new Date(s.rateable_until)) throw new WindowClosedError(new Date(s.rateable_until))
      // A one-time link is spent with the rating it carries (a concurrent second use finds it spent).
      if (link && !(await tx.useLinkToken(link, now))) throw new AlreadyRatedError()
      const comment = input.comment?.trim() || null
      const row: RatingRow = {
        id: newId('rat'),
        subject_id: s.id,
        rater_id: s.rater_id,
        level: input.level,
        tags: [...new Set(input.tags)],
        comment,
        channel: input.channel,
        subject_kind: s.kind,
        department_id: s.department_id,
        department_name: s.department_name,
        division_code: s.division_code,
        item_id: s.item_id,
        item_name: s.item_name,
        created_at: now,
      }
      // The audit record and the event ride in the rating's insert (one round trip).
      const audited = audit.prepare(actor, {
        action: 'rating.rating.submitted',
        targetType: 'rating',
        targetId: row.id,
        divisionCode: s.division_code,
        detail: { subjectKind: s.kind, subjectRefId: s.ref_id, level: input.level, channel: input.channel },
      })
      const evented = outbox.prepareAll([
        ratingEvents.submitted({
          ratingId: row.id,
          subjectKind: s.kind,
          subjectRefId: s.ref_id,
          level: input.level,
          channel: input.channel,
          departmentId: s.department_id,
          divisionCode: s.division_code,
          itemId: s.item_id,
        }),
      ])
      const rating = await tx.insertRatingWith(row, [evented.insert!, audited.insert])
      await audited.written(trx)
      let rect: RectificationRow | undefined
      if (dueDate) {
        rect = await tx.insertRectification({
          id: newId('rect'),
          rating_id: rating.id,
          subject_id: s.id,
          rater_id: s.rater_id,
          department_id: s.department_id,
          department_name: s.department_name,
          division_code: s.division_code,
          status: 'open',
          due_date: dueDate,
          callbacks: [],
          version: 1,
          created_at: now,
          updated_at: now,
        })
        await audit.record(trx, actor, { action: 'rating.rectification.opened', targetType: 'rectification', targetId: rect.id, divisionCode: s.division_code, detail: { dueDate } })
        await outbox.add(trx, ratingEvents.rectification('opened', eventData(rect, s.kind, s.ref_id)))
      }
      // Everything the answer shows was just written: no reads after the commit.
      return toSubjectView(s, rating, rect)
    })
    return view
  }

  function eventData(r: RectificationRow, kind: SubjectKind, refId: string): RectificationEventData {
    return {
      rectificationId: r.id,
      ratingId: r.rating_id,
      subjectKind: kind,
      subjectRefId: refId,
      departmentId: r.department_id,
      divisionCode: r.division_code,
      status: r.status,
      dueDate: r.due_date,
    }
  }

  // --- rectifications -------------------------------------------------------------------------

  const isCentreFor = (p: Principal, divisionCode: string) =>
    p.grants.some((g) => centreRoles.includes(g.role) && divisionCovers(g.divisionCode, divisionCode))
  const isDepartmentFor = (p: Principal, departmentId: string) => p.grants.some((g) => departmentRoles.includes(g.role) && g.departmentId === departmentId)

  /** Which rectifications the caller sees: their departments' and their centre divisions'. */
  function scopeOf(p: Principal): ScopeClause[] | null {
    const clauses: ScopeClause[] = []
    for (const g of p.grants) {
      if (centreRoles.includes(g.role)) {
        if (g.divisionCode === null) return null
        clauses.push({ departmentId: null, divisionPrefix: divisionPrefix(g.divisionCode) })
      } else if (departmentRoles.includes(g.role) && g.departmentId) {
        clauses.push({ departmentId: g.departmentId, divisionPrefix: null })
      }
    }
    return clauses
  }

  async function visibleRectification(p: Principal, id: string): Promise<RectificationJoined> {
    const r = await store.rectification(id)
    if (!r || !(isCentreFor(p, r.division_code) || isDepartmentFor(p, r.department_id))) throw new RectificationNotFoundError()
    return r
  }

  async function toView(p: Principal, r: RectificationJoined): Promise<RectificationView> {
    // Only the centre calls back, so only the centre sees who rated (a department never does).
    let rater: RectificationView['rater'] = null
    if (isCentreFor(p, r.division_code)) {
      if (r.rater_id.startsWith('tel_') && r.subject_kind === 'ticket') {
        // A phone caller has no account: the masked number comes from the ticket (hotline keeps it).
        const phone = (await deps.tickets?.ratingSubject(r.subject_ref_id).catch(() => null))?.reporterPhone
        rater = { name: '', maskedPhone: phone ? maskPhone(phone) : null }
      } else {
        const me = await identity.getMe(r.rater_id)
        rater = { name: me?.name ?? '', maskedPhone: me?.maskedPhone ?? null }
      }
    }
    return {
      ...outcomeOf(r),
      version: r.version,
      subjectKind: r.subject_kind,
      subjectRefId: r.subject_ref_id,
      subjectLabel: r.subject_label,
      itemName: r.item_name,
      departmentId: r.department_id,
      divisionCode: r.division_code,
      level: r.level,
      tags: r.tags,
      comment: r.comment,
      ratedAt: new Date(r.rated_at),
      answeredByName: r.answered_by_name,
      answeredOnTime: r.answered_on_time,
      callbacks: r.callbacks.map((c) => ({ at: c.at, byName: c.byName, method: c.method, reached: c.reached, note: c.note })),
      raterSatisfaction: r.rater_satisfaction,
      rater,
      createdAt: new Date(r.created_at),
      updatedAt: new Date(r.updated_at),
    }
  }

  async function change(
    p: Principal,
    id: string,
    version: number,
    meta: RequestMeta,
    step: (r: RectificationJoined) => { action: 'answered' | 'callback' | 'closed'; set: Partial<RectificationRow> },
  ): Promise<RectificationView> {
    await withEvents(async (trx) => {
      const tx = createRatingStore(trx)
      const r = await tx.rectification(id, { lock: true })
      if (!r) throw new RectificationNotFoundError()
      const { action, set } = step(r)
      if (r.version !== version) throw new StaleRectificationError(r.version)
      const updated = await tx.updateRectification(id, version, { ...set, updated_at: clock.now() })
      if (!updated) throw new StaleRectificationError(r.version)
      await audit.record(trx, actorOf(p, meta), {
        action: `rating.rectification.${action === 'callback' ? 'callback-recorded' : action}`,
        targetType: 'rectification',
        targetId: id,
        divisionCode: r.division_code,
        detail: { status: updated.status },
      })
      if (action !== 'callback') await outbox.add(trx, ratingEvents.rectification(action, eventData(updated, r.subject_kind, r.subject_ref_id)))
    })
    return toView(p, (await store.rectification(id))!)
  }

  return {
    recordSubject,
    onCaseClosed,
    onTicketClosed,

    /** The tag vocabulary per level, labelled in the locale. */
    tags(locale: Locale): { level: Level; code: string; label: string }[] {
      return ([5, 4, 3, 2, 1] as const).flatMap((level) => tagsByLevel[level].map((code) => ({ level, code, label: t(locale, `rating.tag.${code}`) })))
    },
    allTags,
    windowDays,

    /**
     * A subject of the caller (a case or ticket they may rate), with its rating and outcome.
     * @throws SubjectNotFoundError, NotRaterError
     */
    async getSubject(p: Principal, kind: SubjectKind, refId: string): Promise<SubjectView> {
      return subjectView(await ownSubject(p, kind, refId))
    },

    /** The caller's rateable and rated subjects, newest first, with rectification outcomes. */
    async listMine(p: Principal, q: { page?: number; pageSize?: number }): Promise<Paginated<SubjectView>> {
      const { page, pageSize, limit, offset } = paging(q)
      const { rows, total } = await store.subjectsOfRater(p.accountId, { limit, offset })
      const ids = rows.map((r) => r.id)
      const ratings = new Map((await store.ratingsOfSubjects(ids)).map((r) => [r.subject_id, r]))
      const rects = new Map((await store.rectificationsOfSubjects(ids)).map((r) => [r.subject_id, r]))
      return { items: rows.map((s) => toSubjectView(s, ratings.get(s.id), rects.get(s.id))), total, page, pageSize }
    },

    /**
     * Rates a subject of the caller once, within the window.
     * @throws SubjectNotFoundError, NotRaterError, AlreadyRatedError, WindowClosedError, UnknownTagError
     */
    async rate(p: Principal, kind: SubjectKind, refId: string, input: RatingInput & { channel: 'web' | 'mobile' }, meta: RequestMeta): Promise<SubjectView> {
      const s = await ownSubject(p, kind, refId)
      return submit(s.id, actorOf(p, meta), input)
    },

    /** The subject an SMS link names: no personal data, so it is safe to show without signing in. */
    async subjectByToken(token: string): Promise<SubjectView> {
      const s = await subjectOfToken(token)
      const view = await subjectView(s)
      // The link shows whether it was rated, not what was said (a forwarded link reveals nothing).
      return { ...view, rating: view.rating ? { ...view.rating, comment: null, tags: [] } : null, rectification: null }
    },

    /**
     * Rates through an SMS link. The token names one subject and lapses with its window.
     * @throws InvalidTokenError, AlreadyRatedError, UnknownTagError
     */
    async rateByToken(token: string, input: RatingInput, meta: RequestMeta): Promise<SubjectView> {
      const s = await subjectOfToken(token)
      const view = await submit(s.id, { actorId: s.rater_id, actorKind: 'sms-link', actorName: null, ip: meta.ip ?? null, userAgent: meta.userAgent?.slice(0, 300) ?? null }, {
        ...input,
        channel: 'sms',
      })
      return { ...view, rectification: null }
    },

    /** What a one-time link names (no personal data; a spent link still shows that it was rated). */
    async subjectByLink(token: string): Promise<SubjectView> {
      const { subject } = await linkOf(token)
      const view = await subjectView(subject)
      return { ...view, rating: view.rating ? { ...view.rating, comment: null, tags: [] } : null, rectification: null }
    },

    /**
     * Rates through a one-time link: once, within the window; the link is spent.
     * @throws InvalidTokenError (unknown, forged or expired), AlreadyRatedError (spent), UnknownTagError
     */
    async rateByLink(token: string, input: RatingInput, meta: RequestMeta): Promise<SubjectView> {
      const { subject, hash, used } = await linkOf(token)
      if (used) throw new AlreadyRatedError()
      const actor: AuditActor = { actorId: subject.rater_id, actorKind: 'sms-link', actorName: null, ip: meta.ip ?? null, userAgent: meta.userAgent?.slice(0, 300) ?? null }
      const view = await submit(subject.id, actor, { ...input, channel: 'sms' }, hash)
      return { ...view, rectification: null }
    },

    /** The signed SMS token of a subject (for tests and the demo). */
    tokenOf(subjectId: string): string {
      return signToken(tokenKey, subjectId)
    },

    /** Rectifications the caller may see: their departments' queue, or the centre's divisions. */
    async listRectifications(p: Principal, q: { status?: RectificationStatus; departmentId?: string; page?: number; pageSize?: number }): Promise<Paginated<RectificationView>> {
      const { page, pageSize, limit, offset } = paging(q)
      const { rows, total } = await store.listRectifications(scopeOf(p), { statuses: q.status ? [q.status] : undefined, departmentId: q.departmentId }, { limit, offset })
      return { items: await Promise.all(rows.map((r) => toView(p, r))), total, page, pageSize }
    },

    /** @throws RectificationNotFoundError (also when outside the caller's department and divisions) */
    async getRectification(p: Principal, id: string): Promise<RectificationView> {
      return toView(p, await visibleRectification(p, id))
    },

    /**
     * The department's answer (整改情况). Once, while open; its timeliness is kept for statistics.
     * @throws RectificationNotFoundError, NotYourDepartmentError, InvalidRectificationStateError, StaleRectificationError
     */
    async answer(p: Principal, id: string, input: { version: number; answer: string }, meta: RequestMeta): Promise<RectificationView> {
      // Ids are unguessable, so another department is told plainly that it is not theirs.
      const seen = await store.rectification(id)
      if (!seen) throw new RectificationNotFoundError()
      if (!isDepartmentFor(p, seen.department_id)) throw new NotYourDepartmentError()
      const now = clock.now()
      return change(p, id, input.version, meta, (r) => {
        if (r.status !== 'open') throw new InvalidRectificationStateError(r.status, 'answer')
        return {
          action: 'answered',
          set: {
            status: 'answered',
            answer: input.answer,
            answered_at: now,
            answered_by: p.accountId,
            answered_by_name: p.name,
            answered_on_time: chinaDate(now) <= r.due_date,
          },
        }
      })
    },

    /**
     * The centre's call back to the rater. An attempt that does not reach the rater is recorded
     * and leaves the loop open; one that reaches them closes it with the outcome.
     * @throws RectificationNotFoundError, OutOfScopeError, InvalidRectificationStateError, StaleRectificationError
     */
    async callback(
      p: Principal,
      id: string,
      input: { version: number; method: CallbackMethod; reached: boolean; note?: string | null; outcome?: string | null; raterSatisfaction?: RaterSatisfaction | null },
      meta: RequestMeta,
    ): Promise<RectificationView> {
      const seen = await visibleRectification(p, id)
      if (!isCentreFor(p, seen.division_code)) throw new OutOfScopeError()
      const now = clock.now()
      return change(p, id, input.version, meta, (r) => {
        if (r.status !== 'answered') throw new InvalidRectificationStateError(r.status, 'callback')
        const attempt = { at: now.toISOString(), by: p.accountId, byName: p.name, method: input.method, reached: input.reached, note: input.note ?? null }
        const callbacks = [...r.callbacks, attempt]
        if (!input.reached) return { action: 'callback', set: { callbacks } }
        return {
          action: 'closed',
          set: { callbacks, status: 'closed', outcome: input.outcome ?? null, rater_satisfaction: input.raterSatisfaction ?? null, closed_at: now },
        }
      })
    },

    /**
     * Figures per department or item for a period (Beijing dates, inclusive), within the caller's
     * divisions; department heads see their own departments only.
     * @throws InvalidPeriodError, OutOfScopeError, NotYourDepartmentError
     */
    async statistics(p: Principal, q: StatsQuery): Promise<Statistics> {
      const period = periodOf(q)
      const groupBy = q.groupBy ?? 'department'
      const wide = p.grants.filter((g) => statsRoles.includes(g.role) && g.role !== 'department_head')
      if (wide.length) {
        const division = q.divisionCode ?? (wide.some((g) => g.divisionCode === null) ? null : wide[0]!.divisionCode)
        if (division !== null && !wide.some((g) => divisionCovers(g.divisionCode, division))) throw new OutOfScopeError()
        return figures({ ...period, divisionPrefix: division ? divisionPrefix(division) : null, departmentId: q.departmentId, groupBy })
      }
      const own = p.grants.filter((g) => departmentRoles.includes(g.role) && g.departmentId).map((g) => g.departmentId as string)
      if (own.length === 0) throw new OutOfScopeError()
      if (q.departmentId && !own.includes(q.departmentId)) throw new NotYourDepartmentError()
      return figures({ ...period, divisionPrefix: null, departmentId: q.departmentId ?? own[0], groupBy })
    },

    /** Aggregated figures per department for anyone: counts and rates only, never comments or names of people. */
    async publicStatistics(q: { from?: string; to?: string; divisionCode?: string }): Promise<Statistics> {
      const period = periodOf(q)
      return figures({ ...period, divisionPrefix: q.divisionCode ? divisionPrefix(q.divisionCode) : null, groupBy: 'department' })
    },
  }

  function periodOf(q: { from?: string; to?: string }) {
    const today = chinaDate(clock.now())
    const to = q.to ?? today
    const from = q.from ?? `${to.slice(0, 4)}-01-01`
    const start = new Date(`${from}T00:00:00+08:00`)
    const end = new Date(new Date(`${to}T00:00:00+08:00`).getTime() + DAY_MS)
    if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime()) || end <= start || end.getTime() - start.getTime() > MAX_PERIOD_DAYS * DAY_MS) throw new InvalidPeriodError()
    return { from, to, start, end }
  }

  async function figures(q: { from: string; to: string; start: Date; end: Date; divisionPrefix: string | null; departmentId?: string; groupBy: 'department' | 'item' }): Promise<Statistics> {
    const base = { from: q.start, to: q.end, divisionPrefix: q.divisionPrefix, departmentId: q.departmentId }
    const [overall] = await store.stats({ ...base, groupBy: 'none' })
    const groups = await store.stats({ ...base, groupBy: q.groupBy })
    return {
      from: q.from,
      to: q.to,
      overall: figuresOf(overall ?? emptyRow),
      groups: groups.map((g): GroupFigures => ({ key: g.key ?? '', name: g.name ?? '', ...figuresOf(g) })),
    }
  }

  async function linkOf(token: string): Promise<{ subject: SubjectRow; hash: string; used: boolean }> {
    if (!LINK_TOKEN.test(token)) throw new InvalidTokenError()
    const hash = hashLinkToken(token)
    const link = await store.linkToken(hash)
    const subject = link && clock.now() <= new Date(link.expires_at) ? await store.subjectById(link.subject_id) : undefined
    if (!link || !subject) throw new InvalidTokenError()
    return { subject, hash, used: !!link.used_at }
  }

  async function subjectOfToken(token: string): Promise<SubjectRow> {
    const subjectId = verifyToken(tokenKey, token)
    const s = subjectId ? await store.subjectById(subjectId) : undefined
    // The token lapses with the window: afterwards the link simply no longer works.
    if (!s || clock.now() > new Date(s.rateable_until)) throw new InvalidTokenError()
    return s
  }
}

export interface RatingInput {
  level: Level
  tags: string[]
  comment?: string | null
}

export interface StatsQuery {
  from?: string
  to?: string
  divisionCode?: string
  departmentId?: string
  groupBy?: 'department' | 'item'
}

/** What rating reads from `hotline.ticket.closed` (notes/hotline-contract.md). */
export interface TicketClosedData {
  ticketId: string
  number: string
  closeKind: string | null
  departmentId: string | null
  divisionCode: string | null
  reporterAccountId: string | null
  at?: string | null
}
