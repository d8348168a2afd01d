import path from 'node:path'
import type { RawBuilder } from 'kysely'
import { oneStatement } from '../../db/commit-hooks.js'
import type { Db } from '../../db/database.js'
import { auditLedgerEntry, systemActor, type AuditActor } from '../../platform/audit.js'
import { chinaDate } from '../../platform/calendar.js'
import type { Core } from '../../platform/core.js'
import { AppError } from '../../platform/errors.js'
import { hasMessage, t, type Locale } from '../../platform/i18n.js'
import { newId } from '../../platform/ids.js'
import type { NewEvent } from '../../platform/outbox.js'
import { divisionPrefix, type Principal, type Role } from '../../platform/roles.js'
import { validateFormData, type CatalogService, type ServiceItemVersion } from '../catalog/index.js'
import { maskIdNumber, maskPhone, type IdentityService } from '../identity/index.js'
import type { LedgerService } from '../ledger/index.js'
import type { OrgService } from '../org/index.js'
import { deadlineOf, lightAt, limitDaysFor, pausedWorkingDays, progressOf, type ClockState, type Light } from './deadline.js'
import {
  CaseNotFoundError,
  FileNotFoundError,
  FilesLockedError,
  FileTooLargeError,
  InvalidFormError,
  InvalidTransitionError,
  ItemVersionNotPublishedError,
  MissingMaterialsError,
  NotApplicableError,
  NotificationNotFoundError,
  NotYourStepError,
  StaleCaseError,
  TooManyFilesError,
  UnknownItemError,
  UnknownMaterialError,
} from './errors.js'
import { casesEvents, type ApplicationEventData } from './events.js'
import { cleanFileName, createDiskStorage, MAX_FILE_BYTES, MAX_FILES_PER_MATERIAL, verifyFileType, type FileStorage, type StoredFile } from './files.js'
import { createLicenseMaterials, licenseMaterialView, type LicensesPort } from './license-materials.js'
import { actions, awaitedRole, awaitedStep, isPlan, plan, type Action, type Plan, type Position, type Status } from './state.js'
import {
  createCasesStore,
  isStaleTransition,
  untouchedCase,
  type ApplicationRow,
  type ApplicationTable,
  type DetailParts,
  type FileRow,
  type NotificationRow,
  type QueueFilter,
  type ScopeClause,
  type SupplementNotice,
  type TransitionRow,
} from './store.js'
import type {
  ApplicationDetail,
  ApplicationSummary,
  BatchResult,
  DeliveryMethod,
  FileView,
  Notification,
  Paginated,
  Queue,
  RequestMeta,
  SupplementItem,
  TimelineEntry,
} from './types.js'

/** What cases needs from the catalog: item versions by id, the published one by item id or code. */
export type CatalogPort = Pick<CatalogService, 'getVersion' | 'getPublishedVersion' | 'recordApplication'>
/** What cases needs from org: a department's kind (service centres accept for every department). */
export type OrgPort = Pick<OrgService, 'getDepartment'>
/** What cases needs from identity: the applicant's masked ID number and phone for staff. */
export type IdentityPort = Pick<IdentityService, 'maskedContact'>

export interface CasesDeps extends Pick<Core, 'db' | 'clock' | 'calendar' | 'audit' | 'outbox' | 'config' | 'logger'> {
  catalog: CatalogPort
  org: OrgPort
  identity: IdentityPort
  /** E-licenses standing in for materials (免提交); wired in services.ts. */
  licenses?: LicensesPort
  /** Where uploads go; defaults to DATA_DIR/files. */
  storage?: FileStorage
  /**
   * The ledger, for decisions to put their entry in the statement of the change itself
   * (appendWith); without it they go through the audit log's ledger in a transaction.
   */
  ledger?: Pick<LedgerService, 'appendWith' | 'append'>
}

/** Roles that work on cases; each sees the cases of its division (and department). */
const caseStaffRoles: readonly Role[] = ['window_clerk', 'reviewer', 'department_head', 'leader']
/** Statuses staff lists show (drafts belong to the applicant alone). */
const staffVisible: Status[] = ['submitted', 'accepted', 'not_accepted', 'supplement_requested', 'under_review', 'approved', 'denied', 'result_issued', 'delivered', 'closed', 'withdrawn']

/** Decisions and results are also written to the ledger (security: true). */
const ledgered = new Set<Action>(['reject', 'approve', 'deny', 'issue_result'])

const pastTense: Record<Action, string> = {
  submit: 'submitted',
  accept: 'accepted',
  reject: 'not-accepted',
  request_supplement: 'supplement-requested',
  supplement: 'supplemented',
  review: 'reviewed',
  return: 'returned',
  approve: 'approved',
  deny: 'denied',
  issue_result: 'result-issued',
  deliver: 'delivered',
  close: 'closed',
  withdraw: 'withdrawn',
}

/** Extra input of a transition, by action. */
export interface TransitionInput {
  version: number
  opinion?: string | null
  reason?: string | null
  legalBasis?: string | null
  items?: SupplementItem[]
  message?: string | null
  note?: string | null
  formData?: Record<string, unknown>
  documentNumber?: string | null
  summary?: string | null
  method?: DeliveryMethod
  trackingNumber?: string | null
}

const ID_NUMBER = /^\d{17}[\dXx]$/
const MOBILE = /^1[3-9]\d{9}$/

function toPosition(r: ApplicationRow): Position {
  return { status: r.status, reviewStep: r.review_step, resumeStatus: r.resume_status, resumeStep: r.resume_step }
}

function clockOf(r: ApplicationRow): ClockState {
  return {
    acceptedAt: r.accepted_at ? new Date(r.accepted_at) : null,
    limitDays: r.limit_days ?? 0,
    pausedDays: r.paused_days,
    pausedAt: r.paused_at ? new Date(r.paused_at) : null,
    stoppedAt: r.clock_stopped_at ? new Date(r.clock_stopped_at) : null,
  }
}

const date = (v: Date | null) => (v ? new Date(v) : null)

/** Masks values that are ID numbers or phones (by widget, or by shape when the form is unknown). */
function maskFormData(data: Record<string, unknown>, sensitive: Map<string, 'idNumber' | 'phone'>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(data)) {
    if (typeof v !== 'string') {
      out[k] = v
      continue
    }
    const kind = sensitive.get(k) ?? (ID_NUMBER.test(v) ? 'idNumber' : MOBILE.test(v) ? 'phone' : null)
    out[k] = kind === 'idNumber' ? maskIdNumber(v) : kind === 'phone' ? maskPhone(v) : v
  }
  return out
}

/** Page arithmetic shared by the lists. */
function paging(q: { page?: number; pageSize?: number }) {
  const page = q.page ?? 1
  const pageSize = q.pageSize ?? 20
  return { page, pageSize, limit: pageSize, offset: (page - 1) * pageSize }
}

/** The cases module's public service. */
export type CasesService = ReturnType<typeof createCasesService>

/**
 * Applications (办件): drafts, submission with a readable number, the state machine with role and
 * division checks and optimistic versions, working-day deadlines with 补正 pauses and traffic
 * lights, material files, and the applicant's inbox. Every change commits with its timeline
 * entry, audit record, outbox event and notice atomically (one statement, or one transaction).
 */
export function createCasesService(deps: CasesDeps) {
  const { db, clock, calendar, audit, outbox, catalog, org, identity, logger, ledger } = deps
  const store = createCasesStore(db)
  const storage = deps.storage ?? createDiskStorage(path.join(deps.config.DATA_DIR, 'files'))
  /**
   * Cases as this process last wrote them (committed), by id, so that the next transition of a
   * case at that version needs no read before its one statement: every change to a case's row
   * moves its version, except the deadline light (`setLight`), which no transition reads. A row
   * another process changed since fails the statement's version check and is read again.
   */
  const lastWritten = new Map<string, ApplicationRow>()
  function remember(r: ApplicationRow): void {
    lastWritten.delete(r.id)
    if (lastWritten.size >= 2000) lastWritten.delete(lastWritten.keys().next().value!)
    lastWritten.set(r.id, r)
  }
  /** Department kinds seen so far: a department's kind does not change in practice. */
  const serviceCentres = new Map<string, boolean>()

  async function withEvents<T>(fn: (trx: Db) => Promise<T>): Promise<T> {
    const result = await db.transaction().execute(fn)
    outbox.nudge()
    return result
  }

  function actorOf(by: Principal | null, meta: RequestMeta): AuditActor {
    if (!by) return systemActor
    return { actorId: by.accountId, actorKind: by.kind, actorName: by.name, ip: meta.ip ?? null, userAgent: meta.userAgent?.slice(0, 300) ?? null }
  }

  // --- catalog ------------------------------------------------------------------------------

  /**
   * The content of a published or superseded version never changes (the catalog's database
   * refuses it), so it is cached for form checks and masking. Its status does change (published →
   * superseded): whoever needs the status asks `fresh`.
   */
  const versionCache = new Map<string, ServiceItemVersion>()

  async function versionById(id: string, opts: { fresh?: boolean } = {}): Promise<ServiceItemVersion | null> {
    const cached = opts.fresh ? undefined : versionCache.get(id)
    if (cached) return cached
    let v: ServiceItemVersion | null
    try {
      v = (await catalog.getVersion(id)) ?? null
    } catch (err) {
      if (err instanceof AppError && err.status === 404) return null
      throw err
    }
    if (v && v.status !== 'draft') {
      if (versionCache.size >= 2000) versionCache.clear()
      versionCache.set(id, v)
    }
    return v
  }

  async function publishedVersion(itemIdOrCode: string): Promise<ServiceItemVersion | null> {
    try {
      return (await catalog.getPublishedVersion(itemIdOrCode)) ?? null
    } catch (err) {
      if (err instanceof AppError && err.status === 404) return null
      throw err
    }
  }

  // --- reach: who may see and act on which case ----------------------------------------------

  async function isServiceCentre(departmentId: string): Promise<boolean> {
    const known = serviceCentres.get(departmentId)
    if (known !== undefined) return known
    let centre = false
    try {
      centre = (await org.getDepartment(departmentId))?.kind === 'service_center'
    } catch (err) {
      if (!(err instanceof AppError && err.status === 404)) throw err
    }
    serviceCentres.set(departmentId, centre)
    return centre
  }

  /**
   * The caller's reach as scope clauses. A grant reaches cases of its division (and beneath) and
   * of its department; a grant without a department reaches every department there. A clerk of a
   * government service centre (政务服务中心, 一窗受理) receives for every department of the centre's
   * own division, not those beneath it.
   */
  async function reachOf(p: Principal): Promise<ScopeClause[]> {
    const clauses: ScopeClause[] = []
    for (const g of p.grants) {
      if (!caseStaffRoles.includes(g.role)) continue
      const prefix = g.divisionCode === null ? '' : divisionPrefix(g.divisionCode)
      if (g.role === 'window_clerk' && g.departmentId && (await isServiceCentre(g.departmentId))) {
        clauses.push({ role: g.role, divisionPrefix: prefix, departmentId: null, divisionExact: g.divisionCode })
      } else {
        clauses.push({ role: g.role, divisionPrefix: prefix, departmentId: g.departmentId, divisionExact: null })
      }
    }
    return clauses
  }

  function clauseCovers(c: ScopeClause, r: ApplicationRow): boolean {
    if (c.divisionExact !== null && r.division_code !== c.divisionExact) return false
    if (!r.division_code.startsWith(c.divisionPrefix)) return false
    return c.departmentId === null || c.departmentId === r.department_id
  }

  /** Roles with which the caller reaches the case (empty: the case is invisible to them). */
  function rolesOver(reach: ScopeClause[], r: ApplicationRow): Set<Role> {
    return new Set(reach.filter((c) => clauseCovers(c, r)).map((c) => c.role))
  }

  const isApplicant = (p: Principal, r: ApplicationRow) => r.applicant_id === p.accountId

  /**
   * Loads a case the caller may see: their own, or one in reach (drafts never). Anything else is
   * "not found", so a clerk of another district learns nothing of its existence. The reach is
   * computed before any transaction: PGlite has one connection, so nothing may read outside the
   * transaction while it is open.
   */
  function visibleIn(p: Principal, reach: ScopeClause[], r: ApplicationRow | undefined): { row: ApplicationRow; roles: Set<Role>; own: boolean } {
    if (!r) throw new CaseNotFoundError()
    const own = isApplicant(p, r)
    const roles = r.status === 'draft' ? new Set<Role>() : rolesOver(reach, r)
    if (!own && roles.size === 0) throw new CaseNotFoundError()
    return { row: r, roles, own }
  }

  async function visible(p: Principal, r: ApplicationRow | undefined) {
    return visibleIn(p, await reachOf(p), r)
  }

  function allowedFor(p: Plan, own: boolean, roles: Set<Role>): boolean {
    return p.performer.kind === 'applicant' ? own : p.performer.roles.some((r) => roles.has(r))
  }

  // --- mapping ------------------------------------------------------------------------------

  function toSummary(r: ApplicationRow, now: Date): ApplicationSummary {
    const pos = toPosition(r)
    const step = awaitedStep(pos, r.review_steps)
    return {
      id: r.id,
      number: r.number,
      status: r.status,
      itemId: r.item_id,
      itemVersionId: r.item_version_id,
      itemCode: r.item_code,
      itemName: r.item_name,
      departmentId: r.department_id,
      departmentName: r.department_name,
      divisionCode: r.division_code,
      applicantKind: r.applicant_kind,
      applicantName: r.applicant_name,
      handlingClass: r.handling_class,
      promisedDays: r.promised_days,
      reviewStep: step ? step.index : null,
      stepName: step ? (r.review_steps[step.index]?.name ?? null) : null,
      awaitingRole: r.awaiting_role,
      progress: progressOf(clockOf(r), now, calendar),
      submittedAt: date(r.submitted_at),
      createdAt: new Date(r.created_at),
      updatedAt: new Date(r.updated_at),
      version: r.version,
    }
  }

  function toFileView(f: FileRow): FileView {
    return {
      id: f.id,
      materialCode: f.material_key,
      fileName: f.file_name,
      contentType: f.content_type,
      sizeBytes: f.size_bytes,
      sm3: f.sm3,
      uploadedAt: new Date(f.created_at),
    }
  }

  function toTimeline(tr: TransitionRow): TimelineEntry {
    return {
      id: tr.id,
      action: tr.action as TimelineEntry['action'],
      fromStatus: tr.from_status,
      toStatus: tr.to_status,
      stepName: tr.step_name,
      actorName: tr.actor_name,
      actorRole: tr.actor_role,
      opinion: tr.opinion,
      at: new Date(tr.at),
    }
  }

  function eventData(r: ApplicationRow, from: Status, actorId: string | null): ApplicationEventData {
    return {
      applicationId: r.id,
      number: r.number,
      itemId: r.item_id,
      itemVersionId: r.item_version_id,
      itemCode: r.item_code,
      divisionCode: r.division_code,
      departmentId: r.department_id,
      applicantId: r.applicant_id,
      status: r.status,
      fromStatus: from,
      reviewStep: r.review_step,
      actorId,
    }
  }

  function noticeText(n: Pick<NotificationRow, 'kind' | 'params'>, locale: Locale): string {
    const params = { ...n.params }
    if (typeof params.method === 'string') params.method = t(locale, `cases.delivery.${params.method}`)
    if (params.number == null) params.number = ''
    return t(locale, `cases.notice.${n.kind}`, params)
  }

  /** A notice to the applicant about case `r` (not yet written). */
  function noticeFor(r: Pick<ApplicationRow, 'id' | 'applicant_id' | 'number' | 'item_name'>, kind: string, params: Record<string, unknown>): NotificationRow {
    return {
      id: newId('ntf'),
      account_id: r.applicant_id,
      application_id: r.id,
      kind,
      params: { number: r.number, itemName: r.item_name, ...params },
      created_at: clock.now(),
      read_at: null,
    }
  }

  /** The event an SMS adapter sends a notice on. */
  function noticeEvent(n: NotificationRow) {
    return casesEvents.notificationCreated({ notificationId: n.id, accountId: n.account_id, applicationId: n.application_id, kind: n.kind, text: noticeText(n, 'zh-CN') })
  }

  /** A notice to the applicant, in the same transaction, plus an event an SMS adapter can send on. */
  async function notify(trx: Db, r: ApplicationRow, kind: string, params: Record<string, unknown>): Promise<void> {
    const row = noticeFor(r, kind, params)
    await createCasesStore(trx).insertNotification(row)
    await outbox.add(trx, noticeEvent(row))
  }

  function formIssues(version: ServiceItemVersion, data: Record<string, unknown>, locale: Locale = 'zh-CN') {
    if (!version.guide.form) return []
    return validateFormData(version.guide.form, data).map((i) => ({
      field: i.field,
      code: i.code,
      reason: t(locale, hasMessage(`cases.form.${i.code}`) ? `cases.form.${i.code}` : 'cases.form.other'),
    }))
  }

  /** Required materials without a file. */
  async function missingMaterials(trx: Db, r: ApplicationRow): Promise<{ code: string; name: string }[]> {
    // Nothing required (most items): nothing to read.
    if (!r.materials.some((m) => m.requirement === 'required')) return []
    const files = await createCasesStore(trx).filesOf(r.id)
    const have = new Set(files.map((f) => f.material_key))
    for (const code of await licenseMaterials.codesIn(trx, r.id)) have.add(code)
    return r.materials.filter((m) => m.requirement === 'required' && !have.has(m.code)).map((m) => ({ code: m.code, name: m.name }))
  }

  /** The deadline columns for a clock. */
  function deadlineColumns(c: ClockState, now: Date): Pick<ApplicationTable, 'due_at' | 'yellow_at' | 'light'> {
    const d = deadlineOf(c, calendar)
    if (!d) return { due_at: null, yellow_at: null, light: null }
    return { due_at: d.dueAt, yellow_at: d.yellowAt, light: lightAt(d, c.stoppedAt ?? now) }
  }

  // --- the one transition routine ----------------------------------------------------------

  const caseNumber = (divisionCode: string, day: string, seq: number) => `${divisionCode}${day.replaceAll('-', '')}${String(seq).padStart(6, '0')}`

  /**
   * The case number for a submission that will pass, taken before its transaction in a statement
   * of its own: the division's day counter is one row every submission of that division updates,
   * and inside the transaction its lock was held until commit, which made submissions queue on it.
   * A submission that would fail anyway takes none; one that fails after all (a race with another
   * change to the case) leaves a gap in the day's numbers, and the transaction numbers it itself
   * when the day turned in between.
   */
  async function numberAhead(by: Principal, pre: ApplicationRow, version: ServiceItemVersion, input: TransitionInput, meta: RequestMeta): Promise<{ day: string; number: string } | null> {
    if (pre.number || pre.status !== 'draft' || pre.version !== input.version || !isApplicant(by, pre)) return null
    if (formIssues(version, pre.form_data, meta.locale).length) return null
    if ((await missingMaterials(db, pre)).length) return null
    const day = chinaDate(clock.now())
    return { day, number: caseNumber(pre.division_code, day, await store.nextSequence(pre.division_code, day)) }
  }

  interface Outcome {
    row: ApplicationRow
    /** The case's other rows as of the change (its new timeline entry included), for the answer. */
    parts: DetailParts
  }

  /**
   * Runs `action` on a case: visibility (404), version (409), the machine (422), the performer
   * (403), then the change with its timeline entry, audit record, event and notice, in one
   * statement applied only if the case is still at the version checked (a race answers 409).
   */
  async function transition(by: Principal, id: string, action: Action, input: TransitionInput, meta: RequestMeta, reachIn?: ScopeClause[]): Promise<Outcome> {
    // Everything read from other modules is read before the transaction (see visibleIn).
    const reach = reachIn ?? (await reachOf(by))
    // The case as it is now, read without a lock (or as this process last wrote it, at the version
    // the caller names): the change is applied only if the case is still at that version
    // (optimistic), so nothing is held between statements.
    const cached = lastWritten.get(id)
    const pre = cached?.version === input.version ? cached : await store.getApplication(id)
    let itemVersion: ServiceItemVersion | null = null
    let numbered: { day: string; number: string } | null = null
    const materialsChecked = (action === 'submit' || action === 'supplement') && !!pre?.materials.some((m) => m.requirement === 'required')
    if (action === 'submit' || action === 'supplement') {
      if (pre) itemVersion = await versionById(pre.item_version_id)
      if (action === 'submit' && pre && itemVersion) numbered = await numberAhead(by, pre, itemVersion, input, meta)
    }
    /** Checks `row` and builds the change, its timeline entry, notice, audit record and events. */
    const prepare = async (handle: Db, row0: ApplicationRow | undefined) => {
      const s = createCasesStore(handle)
      const { row, roles, own } = visibleIn(by, reach, row0)
      if (row.version !== input.version) throw new StaleCaseError(row.version)
      const p = plan(toPosition(row), action, row.review_steps)
      if (!isPlan(p)) throw new InvalidTransitionError(row.status, action)
      if (!allowedFor(p, own, roles)) throw new NotYourStepError()
      const now = clock.now()
      const changes: Partial<ApplicationTable> = {
        status: p.to.status,
        review_step: p.to.reviewStep,
        resume_status: p.to.resumeStatus,
        resume_step: p.to.resumeStep,
        awaiting_role: awaitedRole(p.to, row.review_steps),
        updated_at: now,
      }
      const detail: Record<string, unknown> = {}
      const notice: Record<string, unknown> = {}

      // Clock effects.
      const c = clockOf(row)
      if (p.clock === 'start') {
        const started: ClockState = { acceptedAt: now, limitDays: limitDaysFor(row.handling_class, row.promised_days), pausedDays: 0, pausedAt: null, stoppedAt: null }
        Object.assign(changes, { accepted_at: now, limit_days: started.limitDays, paused_days: 0, paused_at: null }, deadlineColumns(started, now))
        notice.dueDate = deadlineOf(started, calendar)!.dueDate
      } else if (p.clock === 'pause' && c.acceptedAt) {
        changes.paused_at = now
      } else if ((p.clock === 'resume' || p.clock === 'stop') && c.acceptedAt) {
        const pausedDays = c.pausedDays + (c.pausedAt ? pausedWorkingDays(c.pausedAt, now, calendar) : 0)
        const next: ClockState = { ...c, pausedDays, pausedAt: null, stoppedAt: p.clock === 'stop' ? now : null }
        Object.assign(changes, { paused_days: pausedDays, paused_at: null }, deadlineColumns(next, now))
        if (p.clock === 'stop') changes.clock_stopped_at = now
        if (c.pausedAt) detail.pausedWorkingDays = pausedDays - c.pausedDays
      }

      // What each action records.
      switch (action) {
        case 'submit': {
          const version = itemVersion
          if (!version) throw new UnknownItemError()
          const issues = formIssues(version, row.form_data, meta.locale)
          if (issues.length) throw new InvalidFormError(issues)
          const missing = await missingMaterials(handle, row)
          if (missing.length) throw new MissingMaterialsError(missing)
          changes.submitted_at = now
          if (!row.number) {
            const day = chinaDate(now)
            changes.number = numbered?.day === day ? numbered.number : caseNumber(row.division_code, day, await s.nextSequence(row.division_code, day))
          }
          break
        }
        case 'reject':
        case 'approve':
        case 'deny':
          changes.decision = {
            outcome: action === 'reject' ? 'not_accepted' : action === 'approve' ? 'approved' : 'denied',
            reason: input.reason ?? null,
            legalBasis: input.legalBasis ?? null,
            at: now.toISOString(),
            by: by.name,
          }
          changes.decided_at = now
          if (action === 'reject') changes.closed_at = now
          notice.reason = input.reason ?? ''
          detail.reason = input.reason ?? null
          detail.legalBasis = input.legalBasis ?? null
          break
        case 'request_supplement': {
          const items = (input.items ?? []).map((i) => ({ materialCode: i.materialCode ?? null, field: i.field ?? null, description: i.description }))
          for (const i of items) if (i.materialCode && !row.materials.some((m) => m.code === i.materialCode)) throw new UnknownMaterialError(i.materialCode)
          const letter: SupplementNotice = { items, message: input.message ?? null, requestedAt: now.toISOString(), requestedBy: by.name, respondedAt: null, note: null }
          changes.supplement = letter
          detail.items = items.length
          break
        }
        case 'supplement': {
          const formData = input.formData ?? row.form_data
          const version = itemVersion
          if (!version) throw new UnknownItemError()
          const issues = formIssues(version, formData, meta.locale)
          if (issues.length) throw new InvalidFormError(issues)
          const missing = await missingMaterials(handle, row)
          if (missing.length) throw new MissingMaterialsError(missing)
          if (input.formData) changes.form_data = input.formData
          if (row.supplement) changes.supplement = { ...row.supplement, respondedAt: now.toISOString(), note: input.note ?? null }
          detail.formChanged = !!input.formData
          break
        }
        case 'issue_result':
          changes.result = { documentNumber: input.documentNumber ?? null, summary: input.summary ?? null, at: now.toISOString(), by: by.name }
          break
        case 'deliver':
          changes.delivery = { method: input.method ?? 'electronic', trackingNumber: input.trackingNumber ?? null, at: now.toISOString(), by: by.name }
          notice.method = input.method ?? 'electronic'
          detail.method = notice.method
          break
        case 'close':
          changes.closed_at = now
          break
        case 'withdraw':
          changes.closed_at = now
          detail.reason = input.reason ?? null
          break
        default:
          break
      }

      const actorRole = p.performer.kind === 'applicant' ? (by.kind === 'legal' ? 'enterprise_agent' : 'citizen') : (p.performer.roles.find((r) => roles.has(r)) ?? null)
      // One statement: the change, its timeline entry, the notice, the events, the audit record and
      // a decision's ledger entry (see below for when that takes a transaction).
      const number = changes.number ?? row.number
      const toStatus = p.to.status
      // A case of a group (一件事) is announced by the group (groups.ts), once, not per department
      // (a transition never changes the group).
      const grouped = !!(row as { group_id?: string | null }).group_id
      const notification = toStatus !== row.status && !grouped ? noticeFor({ ...row, number }, action === 'supplement' ? 'supplemented' : toStatus, notice) : null
      // The events and the audit record ride in the same statement as the change (data-modifying
      // CTEs): what they say of the case is known before it is written.
      const after = { ...row, number, status: toStatus, review_step: p.to.reviewStep }
      const events: NewEvent[] = [casesEvents.transitioned(action, eventData(after, row.status, by.accountId))]
      if (notification) events.push(noticeEvent(notification))
      const audited = audit.prepare(actorOf(by, meta), {
        action: `cases.application.${pastTense[action]}`,
        targetType: 'application',
        targetId: row.id,
        divisionCode: row.division_code,
        detail: { number, from: row.status, to: toStatus, step: p.step, role: actorRole, ...detail },
        // With the ledger at hand, the entry goes in the change's statement (below), not through the audit log.
        security: ledgered.has(action) && !ledger,
      })
      const ledgerEntry = ledgered.has(action) && ledger ? auditLedgerEntry(audited.record) : null
      const evented = outbox.prepareAll(events)
      const entry: TransitionRow = {
        id: newId('ctr'),
        application_id: row.id,
        action,
        from_status: row.status,
        to_status: toStatus,
        review_step: p.step,
        step_name: p.step !== null ? (row.review_steps[p.step]?.name ?? null) : null,
        actor_id: by.accountId,
        actor_name: by.name,
        actor_role: actorRole,
        opinion: input.opinion ?? input.note ?? input.message ?? null,
        detail,
        at: now,
      }
      const also = evented.insert ? [evented.insert, audited.insert] : [audited.insert]
      /** The change with everything that goes with it, in one statement on `ex`. */
      const write = async (ex: Db, ledgerCtes: RawBuilder<unknown> | null = null): Promise<Outcome> => {
        const done = await createCasesStore(ex).applyTransition(row.id, row.version, changes, entry, notification, also, ledgerCtes)
        // Without the ledger at hand, a decision's entry goes through the audit log here, last: it
        // holds the ledger head's lock until commit (every other decision waits on that lock).
        await audited.written(ex)
        // The new entry is the latest: its time and (time-ordered) id sort last.
        return { row: done.row, parts: { ...done.parts, transitions: [...done.parts.transitions, entry] } }
      }
      return { row, write, writesMore: audited.writesMore, ledgerEntry }
    }
    let outcome: Outcome
    try {
      if (materialsChecked) {
        // Whether the required materials are there depends on files and licenses, which change
        // without the case's version: they are checked with the case locked (uploads and removals lock it too).
        outcome = await db.transaction().execute(async (trx) => {
          const { write, ledgerEntry } = await prepare(trx, await createCasesStore(trx).getApplicationForUpdate(id))
          const done = await write(trx)
          if (ledgerEntry) await ledger!.append(trx, ledgerEntry)
          return done
        })
      } else {
        let prepared: Awaited<ReturnType<typeof prepare>>
        try {
          prepared = await prepare(db, pre)
        } catch (err) {
          // A remembered row is the case as it is unless another process changed it since: a
          // refusal is judged on the row as it is now (409 before 422, as a read would answer).
          if (pre !== cached || !(err instanceof AppError)) throw err
          lastWritten.delete(id)
          prepared = await prepare(db, await store.getApplication(id))
        }
        const { write, writesMore, ledgerEntry } = prepared
        // One statement: no BEGIN/COMMIT round trips unless more must commit with it; a decision's
        // ledger entry rides in it too (the ledger's head is locked for that statement only).
        outcome = await (ledgerEntry
          ? ledger!.appendWith(ledgerEntry, write)
          : writesMore
            ? db.transaction().execute((trx) => write(trx))
            : oneStatement(db, (ex) => write(ex)))
      }
    } catch (err) {
      // Someone changed the case since it was read: nothing was written; say which version is current.
      if (isStaleTransition(err)) {
        lastWritten.delete(id)
        const now = await store.getApplication(id)
        throw now ? new StaleCaseError(now.version) : new CaseNotFoundError()
      }
      throw err
    }
    remember(outcome.row)
    outbox.nudge()
    return outcome
  }

  async function detailOf(by: Principal, r: ApplicationRow, own: boolean, roles: Set<Role>, reveal: boolean, known?: DetailParts): Promise<ApplicationDetail> {
    // Two round trips at most, side by side: this module's rows in one statement (none when the
    // caller read them already), the applicant's masked contact for staff (the item version is cached).
    const [parts, version, applicant] = await Promise.all([
      known ?? store.detailParts(r.id),
      own ? Promise.resolve(null) : versionById(r.item_version_id),
      own ? Promise.resolve(null) : identity.maskedContact(r.applicant_id),
    ])
    const { files, transitions } = parts
    const licensed = new Map(parts.licenses.map((l) => [l.material_code, licenseMaterialView(l)]))
    const sensitive = new Map<string, 'idNumber' | 'phone'>()
    for (const l of version?.guide.form?.layout ?? []) if (l.widget === 'idNumber' || l.widget === 'phone') sensitive.set(l.field, l.widget)
    const now = clock.now()
    const pos = toPosition(r)
    const allowedActions = actions.filter((a) => {
      const p = plan(pos, a, r.review_steps)
      return isPlan(p) && allowedFor(p, own, roles)
    })
    return {
      ...toSummary(r, now),
      view: own ? 'applicant' : 'staff',
      applicantId: r.applicant_id,
      applicantMaskedIdNumber: applicant?.maskedIdNumber ?? null,
      applicantMaskedPhone: applicant?.maskedPhone ?? null,
      revealed: !own && reveal,
      formData: own || reveal ? r.form_data : maskFormData(r.form_data, sensitive),
      reviewSteps: r.review_steps,
      materials: r.materials.map((m) => ({ ...m, files: files.filter((f) => f.material_key === m.code).map(toFileView), license: licensed.get(m.code) ?? null })),
      supplement: r.supplement,
      decision: r.decision,
      result: r.result,
      delivery: r.delivery,
      acceptedAt: date(r.accepted_at),
      decidedAt: date(r.decided_at),
      closedAt: date(r.closed_at),
      timeline: transitions.map(toTimeline),
      allowedActions,
    }
  }

  function queueFilter(queue: Queue, now: Date): QueueFilter {
    switch (queue) {
      case 'to_accept':
        return { kind: 'awaiting', statuses: ['submitted'] }
      case 'to_supplement':
        return { kind: 'scope', statuses: ['supplement_requested'] }
      case 'to_review':
        return { kind: 'awaiting', statuses: ['accepted', 'under_review'], finalStep: false }
      case 'to_decide':
        return { kind: 'awaiting', statuses: ['accepted', 'under_review'], finalStep: true }
      case 'to_issue':
        return { kind: 'awaiting', statuses: ['approved', 'denied'] }
      case 'to_deliver':
        return { kind: 'awaiting', statuses: ['result_issued'] }
      case 'to_close':
        return { kind: 'awaiting', statuses: ['delivered'] }
      case 'due_soon':
        return { kind: 'due_soon', now }
      case 'overdue':
        return { kind: 'overdue', now }
    }
  }

  async function ownDraft(by: Principal, trx: Db, id: string): Promise<ApplicationRow> {
    const row = await createCasesStore(trx).getApplicationForUpdate(id)
    if (!row || !isApplicant(by, row)) throw new CaseNotFoundError()
    return row
  }

  const licenseMaterials = createLicenseMaterials({
    db,
    clock,
    audit,
    licenses: deps.licenses,
    getApplication: (id) => store.getApplication(id),
    getApplicationForUpdate: (trx, id) => createCasesStore(trx).getApplicationForUpdate(id),
    versionById: (id) => versionById(id),
    visible,
    actorOf,
  })

  const service = {
    /** 免提交: an e-license stands in for a material (license-materials.ts). */
    attachLicense: licenseMaterials.attachLicense,
    detachLicense: licenseMaterials.detachLicense,
    readLicense: licenseMaterials.readLicense,

    /**
     * Starts a draft for the published version of an item (by version id, item id or code).
     * @throws UnknownItemError, ItemVersionNotPublishedError, NotApplicableError
     */
    async createDraft(
      by: Principal,
      input: { itemVersionId?: string; itemId?: string; formData?: Record<string, unknown> },
      meta: RequestMeta = {},
    ): Promise<ApplicationDetail> {
      const version = input.itemVersionId ? await versionById(input.itemVersionId, { fresh: true }) : input.itemId ? await publishedVersion(input.itemId) : null
      if (!version) throw new UnknownItemError()
      if (version.status !== 'published') throw new ItemVersionNotPublishedError()
      const g = version.guide
      const kind = by.kind === 'legal' ? 'legal' : by.kind === 'person' ? 'person' : null
      if (!kind || (g.applicableTo !== 'both' && g.applicableTo !== kind)) throw new NotApplicableError(g.applicableTo)
      const departmentName = version.departmentName ?? (await org.getDepartment(g.departmentId).catch(() => null))?.name ?? ''
      const now = clock.now()
      const id = newId('case')
      // The audit record rides in the insert's statement.
      const audited = audit.prepare(actorOf(by, meta), {
        action: 'cases.application.drafted',
        targetType: 'application',
        targetId: id,
        divisionCode: g.divisionCode,
        detail: { itemCode: version.code, itemVersionId: version.id },
      })
      const write = async (trx: Db) => {
        const r = await createCasesStore(trx).insertApplication({
          id,
          number: null,
          applicant_id: by.accountId,
          applicant_kind: kind,
          applicant_name: by.name,
          item_id: version.itemId,
          item_version_id: version.id,
          item_code: version.code,
          item_name: g.name,
          department_id: g.departmentId,
          department_name: departmentName,
          division_code: g.divisionCode,
          handling_class: g.handlingClass,
          promised_days: g.promisedDays,
          legal_days: g.legalDays,
          review_steps: g.reviewSteps.map((st) => ({ name: st.name, role: st.role })),
          materials: g.materials.map((m) => ({ code: m.code, name: m.name, requirement: m.requirement })),
          status: 'draft',
          ...untouchedCase,
          awaiting_role: null,
          form_data: input.formData ?? {},
          submitted_at: null,
          created_at: now,
          updated_at: now,
        }, [audited.insert])
        await audited.written(trx)
        return r
      }
      // One statement: no BEGIN/COMMIT round trips unless more must commit with it.
      // (A draft emits no event: nothing for the outbox to deliver.)
      const row = await (audited.writesMore ? db.transaction().execute(write) : oneStatement(db, write))
      remember(row)
      // A new case has no files, timeline or licenses yet: nothing more to read.
      return detailOf(by, row, true, new Set(), false, { files: [], transitions: [], licenses: [] })
    },

    /**
     * Replaces a draft's form data (validated in full on submit).
     * @throws CaseNotFoundError, StaleCaseError, InvalidTransitionError (not a draft)
     */
    async updateDraft(by: Principal, id: string, input: { version: number; formData: Record<string, unknown> }, meta: RequestMeta = {}): Promise<ApplicationDetail> {
      const row = await withEvents(async (trx) => {
        const r = await ownDraft(by, trx, id)
        if (r.version !== input.version) throw new StaleCaseError(r.version)
        if (r.status !== 'draft') throw new InvalidTransitionError(r.status, 'edit')
        const updated = await createCasesStore(trx).updateApplication(r.id, r.version, { form_data: input.formData, updated_at: clock.now() })
        if (!updated) throw new StaleCaseError(r.version + 1)
        await audit.record(trx, actorOf(by, meta), {
          action: 'cases.application.draft-updated',
          targetType: 'application',
          targetId: r.id,
          divisionCode: r.division_code,
          detail: { fields: Object.keys(input.formData) },
        })
        return updated
      })
      remember(row)
      return detailOf(by, row, true, new Set(), false)
    },

    /**
     * An application as the caller may see it: the applicant in full; staff in reach with ID
     * numbers and phones masked, unless `reveal` (audited, ledgered).
     * @throws CaseNotFoundError (also for a case out of the caller's reach)
     */
    async getApplication(by: Principal, id: string, opts: { reveal?: boolean } = {}, meta: RequestMeta = {}): Promise<ApplicationDetail> {
      const { row, roles, own } = await visible(by, await store.getApplication(id))
      const reveal = !own && !!opts.reveal
      if (reveal) {
        await db.transaction().execute((trx) =>
          audit.record(trx, actorOf(by, meta), {
            action: 'cases.application.revealed',
            targetType: 'application',
            targetId: row.id,
            divisionCode: row.division_code,
            detail: { number: row.number },
            security: true,
          }),
        )
      }
      return detailOf(by, row, own, roles, reveal)
    },

    /**
     * An item version by id for trusted callers, from the cache when it is published or superseded
     * (its content never changes then; its status may, so do not rely on that).
     */
    itemVersion: (id: string): Promise<ServiceItemVersion | null> => versionById(id),

    /** The full record for trusted callers (other modules, e.g. licenses on approval); no checks, no masking. */
    async findApplication(id: string): Promise<(ApplicationSummary & { applicantId: string; formData: Record<string, unknown> }) | null> {
      const r = await store.getApplication(id)
      return r ? { ...toSummary(r, clock.now()), applicantId: r.applicant_id, formData: r.form_data } : null
    },

    /** The caller's own applications, newest first. */
    async listMine(by: Principal, query: { statuses?: Status[]; page?: number; pageSize?: number } = {}): Promise<Paginated<ApplicationSummary>> {
      const pg = paging(query)
      const { rows, total } = await store.listByApplicant(by.accountId, { statuses: query.statuses, limit: pg.limit, offset: pg.offset })
      const now = clock.now()
      return { items: rows.map((r) => toSummary(r, now)), total, page: pg.page, pageSize: pg.pageSize }
    },

    /**
     * A staff work queue within the caller's reach: to_accept/to_review/to_decide/… list cases
     * awaiting one of the caller's roles; to_supplement, due_soon and overdue every case in reach.
     */
    async listQueue(by: Principal, queue: Queue, query: { q?: string; page?: number; pageSize?: number } = {}): Promise<Paginated<ApplicationSummary>> {
      const pg = paging(query)
      const now = clock.now()
      const { rows, total } = await store.listQueue(queueFilter(queue, now), await reachOf(by), { q: query.q, limit: pg.limit, offset: pg.offset })
      return { items: rows.map((r) => toSummary(r, now)), total, page: pg.page, pageSize: pg.pageSize }
    },

    /** Every case in the caller's reach, optionally by status or number/name, newest first by submission. */
    async listInReach(by: Principal, query: { statuses?: Status[]; q?: string; page?: number; pageSize?: number } = {}): Promise<Paginated<ApplicationSummary>> {
      const pg = paging(query)
      const now = clock.now()
      const statuses = query.statuses?.length ? query.statuses.filter((st) => st !== 'draft') : staffVisible
      if (statuses.length === 0) return { items: [], total: 0, page: pg.page, pageSize: pg.pageSize }
      const { rows, total } = await store.listQueue({ kind: 'scope', statuses }, await reachOf(by), { q: query.q, limit: pg.limit, offset: pg.offset })
      return { items: rows.map((r) => toSummary(r, now)), total, page: pg.page, pageSize: pg.pageSize }
    },

    /** How many cases each queue holds for the caller (the workbench's badges). */
    async queueCounts(by: Principal): Promise<Record<Queue, number>> {
      const reach = await reachOf(by)
      const now = clock.now()
      const out = {} as Record<Queue, number>
      for (const q of ['to_accept', 'to_supplement', 'to_review', 'to_decide', 'to_issue', 'to_deliver', 'to_close', 'due_soon', 'overdue'] as const) {
        out[q] = await store.countQueue(queueFilter(q, now), reach)
      }
      return out
    },

    /**
     * Applicant: submits a draft. Validates the form against the version's JSON Schema and the
     * required materials, then numbers the case.
     * @throws CaseNotFoundError, StaleCaseError, InvalidTransitionError, InvalidFormError, MissingMaterialsError
     */
    submit: (by: Principal, id: string, input: { version: number }, meta?: RequestMeta) => act(by, id, 'submit', input, meta),
    /** Window: accepts (受理); the deadline clock starts. */
    accept: (by: Principal, id: string, input: { version: number; opinion?: string | null }, meta?: RequestMeta) => act(by, id, 'accept', input, meta),
    /** Window: 不予受理 with reason and legal basis (ledgered). */
    reject: (by: Principal, id: string, input: { version: number; reason: string; legalBasis: string; opinion?: string | null }, meta?: RequestMeta) =>
      act(by, id, 'reject', input, meta),
    /** Window (before acceptance) or the step awaited: 一次性告知 of everything to supplement; pauses a running clock. */
    requestSupplement: (by: Principal, id: string, input: { version: number; items: SupplementItem[]; message?: string | null }, meta?: RequestMeta) =>
      act(by, id, 'request_supplement', input, meta),
    /** Applicant: answers a 补正 (new files uploaded before; optionally new form data). */
    supplement: (by: Principal, id: string, input: { version: number; formData?: Record<string, unknown>; note?: string | null }, meta?: RequestMeta) =>
      act(by, id, 'supplement', input, meta),
    /** The step awaited passes the case on ('pass') or sends it back a step ('return'). */
    review: (by: Principal, id: string, input: { version: number; outcome: 'pass' | 'return'; opinion?: string | null }, meta?: RequestMeta) =>
      act(by, id, input.outcome === 'pass' ? 'review' : 'return', input, meta),
    /** The deciding step: 准予 (ledgered). */
    approve: (by: Principal, id: string, input: { version: number; opinion?: string | null }, meta?: RequestMeta) => act(by, id, 'approve', input, meta),
    /** The deciding step: 不予许可 with reason (ledgered). */
    deny: (by: Principal, id: string, input: { version: number; reason: string; legalBasis?: string | null; opinion?: string | null }, meta?: RequestMeta) =>
      act(by, id, 'deny', input, meta),
    /** Window: issues the result document (ledgered). */
    issueResult: (by: Principal, id: string, input: { version: number; documentNumber?: string | null; summary?: string | null; opinion?: string | null }, meta?: RequestMeta) =>
      act(by, id, 'issue_result', input, meta),
    /** Window: records delivery (electronic, mail, pickup). */
    deliver: (by: Principal, id: string, input: { version: number; method: DeliveryMethod; trackingNumber?: string | null; opinion?: string | null }, meta?: RequestMeta) =>
      act(by, id, 'deliver', input, meta),
    /** Window: closes (办结) a delivered case. */
    close: (by: Principal, id: string, input: { version: number; opinion?: string | null }, meta?: RequestMeta) => act(by, id, 'close', input, meta),
    /** Applicant: withdraws before a decision. */
    withdraw: (by: Principal, id: string, input: { version: number; reason?: string | null }, meta?: RequestMeta) => act(by, id, 'withdraw', input, meta),

    /**
     * Accepts several cases, each in its own transaction: one stale or out-of-reach case does not
     * hold back the others. Answers per case.
     */
    async batchAccept(by: Principal, cases: { id: string; version: number }[], opts: { opinion?: string | null } = {}, meta: RequestMeta = {}): Promise<BatchResult[]> {
      const results: BatchResult[] = []
      const reach = await reachOf(by)
      for (const c of cases) {
        try {
          const { row } = await transition(by, c.id, 'accept', { version: c.version, opinion: opts.opinion }, meta, reach)
          results.push({ id: c.id, ok: true, version: row.version })
        } catch (err) {
          if (!(err instanceof AppError)) throw err
          results.push({ id: c.id, ok: false, error: { type: err.type, status: err.status } })
        }
      }
      outbox.nudge()
      return results
    },

    // --- materials ----------------------------------------------------------------------------

    /**
     * Applicant: uploads a file for a material while the case is a draft or in 补正. The content
     * is sniffed against the declared type and stored with its SM3 digest.
     * @throws CaseNotFoundError, UnknownMaterialError, FilesLockedError, TooManyFilesError,
     *   EmptyFileError, FileTypeNotAllowedError, FileTypeMismatchError
     */
    async uploadFile(
      by: Principal,
      id: string,
      materialCode: string,
      file: { bytes: Buffer; contentType: string; fileName?: string },
      meta: RequestMeta = {},
    ): Promise<FileView> {
      const pre = await store.getApplication(id)
      if (!pre || !isApplicant(by, pre)) throw new CaseNotFoundError()
      if (!pre.materials.some((m) => m.code === materialCode)) throw new UnknownMaterialError(materialCode)
      if (pre.status !== 'draft' && pre.status !== 'supplement_requested') throw new FilesLockedError(pre.status)
      const type = await verifyFileType(file.bytes, file.contentType)
      const stored = await storage.put(pre.id, file.bytes)
      const discard = () => storage.remove(stored.key).catch((err: unknown) => logger.warn({ err, key: stored.key }, 'could not remove an unrecorded upload'))
      const ext = { 'application/pdf': 'pdf', 'image/jpeg': 'jpg', 'image/png': 'png', 'application/ofd': 'ofd' }[type]
      const row: FileRow = {
        id: newId('file'),
        application_id: pre.id,
        material_key: materialCode,
        file_name: cleanFileName(file.fileName, `${materialCode}.${ext}`),
        content_type: type,
        size_bytes: file.bytes.length,
        sm3: stored.sm3,
        storage_key: stored.key,
        uploaded_by: by.accountId,
        created_at: clock.now(),
        removed_at: null,
      }
      await db.transaction().execute(async (trx) => {
        const s = createCasesStore(trx)
        const r = await ownDraft(by, trx, id)
        if (r.status !== 'draft' && r.status !== 'supplement_requested') throw new FilesLockedError(r.status)
        if ((await s.filesOf(r.id)).filter((f) => f.material_key === materialCode).length >= MAX_FILES_PER_MATERIAL) throw new TooManyFilesError(MAX_FILES_PER_MATERIAL)
        await s.insertFile(row)
        await audit.record(trx, actorOf(by, meta), {
          action: 'cases.file.uploaded',
          targetType: 'application',
          targetId: r.id,
          divisionCode: r.division_code,
          detail: { fileId: row.id, materialCode, contentType: type, sizeBytes: row.size_bytes, sm3: row.sm3 },
        })
      }).catch(async (err: unknown) => {
        // The bytes are stored before the row; without the row nobody can reach them.
        await discard()
        throw err
      })
      return toFileView(row)
    },

    /**
     * Checks and stores a file that is not a case's yet (a bundle draft's upload, 一件事): the same
     * size, type sniffing, name cleaning, SM3 and storage as uploadFile. The caller records it and,
     * if that fails, calls discardStoredFile; at submission it becomes a case file (groups.createGroup).
     * @throws EmptyFileError, FileTypeNotAllowedError, FileTypeMismatchError, FileTooLargeError
     */
    async storeFile(owner: string, materialCode: string, file: { bytes: Buffer; contentType: string; fileName?: string }): Promise<StoredFile> {
      if (file.bytes.length > MAX_FILE_BYTES) throw new FileTooLargeError(MAX_FILE_BYTES)
      const type = await verifyFileType(file.bytes, file.contentType)
      const stored = await storage.put(owner, file.bytes)
      const ext = { 'application/pdf': 'pdf', 'image/jpeg': 'jpg', 'image/png': 'png', 'application/ofd': 'ofd' }[type]
      return { fileName: cleanFileName(file.fileName, `${materialCode}.${ext}`), contentType: type, sizeBytes: file.bytes.length, sm3: stored.sm3, storageKey: stored.key }
    },

    /** Removes stored bytes that never got (or no longer have) a record; failures are logged, not thrown. */
    async discardStoredFile(key: string): Promise<void> {
      await storage.remove(key).catch((err: unknown) => logger.warn({ err, key }, 'could not remove an unrecorded upload'))
    },

    /**
     * Applicant: removes a file while the case is a draft or in 补正 (the bytes are kept for the record).
     * @throws CaseNotFoundError, FileNotFoundError, FilesLockedError
     */
    async removeFile(by: Principal, id: string, fileId: string, meta: RequestMeta = {}): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const s = createCasesStore(trx)
        const r = await ownDraft(by, trx, id)
        const f = await s.getFile(r.id, fileId)
        if (!f) throw new FileNotFoundError()
        if (r.status !== 'draft' && r.status !== 'supplement_requested') throw new FilesLockedError(r.status)
        await s.removeFile(f.id, clock.now())
        await audit.record(trx, actorOf(by, meta), {
          action: 'cases.file.removed',
          targetType: 'application',
          targetId: r.id,
          divisionCode: r.division_code,
          detail: { fileId: f.id, materialCode: f.material_key },
        })
      })
    },

    /**
     * A file's bytes for its applicant or staff in reach; staff downloads are audited.
     * @throws CaseNotFoundError, FileNotFoundError
     */
    async readFile(by: Principal, id: string, fileId: string, meta: RequestMeta = {}): Promise<{ file: FileView; bytes: Buffer }> {
      const { row, own } = await visible(by, await store.getApplication(id))
      const f = await store.getFile(row.id, fileId)
      if (!f) throw new FileNotFoundError()
      const bytes = await storage.get(f.storage_key)
      if (!own) {
        await db.transaction().execute((trx) =>
          audit.record(trx, actorOf(by, meta), {
            action: 'cases.file.downloaded',
            targetType: 'application',
            targetId: row.id,
            divisionCode: row.division_code,
            detail: { fileId: f.id, materialCode: f.material_key },
          }),
        )
      }
      return { file: toFileView(f), bytes }
    },

    // --- inbox --------------------------------------------------------------------------------

    /** The caller's notices, newest first, in the reader's language. */
    async listInbox(by: Principal, query: { unreadOnly?: boolean; page?: number; pageSize?: number } = {}, locale: Locale = 'zh-CN'): Promise<Paginated<Notification> & { unread: number }> {
      const pg = paging(query)
      const { rows, total, unread } = await store.listNotifications(by.accountId, { unreadOnly: !!query.unreadOnly, limit: pg.limit, offset: pg.offset })
      return {
        items: rows.map((n) => ({ id: n.id, applicationId: n.application_id, kind: n.kind, text: noticeText(n, locale), createdAt: new Date(n.created_at), readAt: date(n.read_at) })),
        total,
        page: pg.page,
        pageSize: pg.pageSize,
        unread,
      }
    },

    /**
     * Marks one notice read (idempotent).
     * @throws NotificationNotFoundError
     */
    async markRead(by: Principal, notificationId: string): Promise<void> {
      if (!(await store.notificationExists(by.accountId, notificationId))) throw new NotificationNotFoundError()
      await store.markRead(by.accountId, notificationId, clock.now())
    },

    /** Marks every notice of the caller read; returns how many changed. */
    async markAllRead(by: Principal): Promise<number> {
      return store.markRead(by.accountId, null, clock.now())
    },

    // --- deadlines ----------------------------------------------------------------------------

    /**
     * Marks the lights of running cases as of `now`: yellow from 80 % of the limit, red once
     * overdue. Each change emits cases.application.deadline-approaching / overdue. Several
     * processes may run it at once (rows are claimed with SKIP LOCKED). Returns how many changed.
     */
    async markDeadlines(now: Date = clock.now()): Promise<number> {
      let total = 0
      for (;;) {
        const n = await withEvents(async (trx) => {
          const s = createCasesStore(trx)
          const rows = await s.lightsToMark(now, 200)
          for (const r of rows) {
            const light: Light = r.due_at && now.getTime() > new Date(r.due_at).getTime() ? 'red' : 'yellow'
            await s.setLight(r.id, light)
            await audit.record(trx, systemActor, {
              action: light === 'red' ? 'cases.application.overdue' : 'cases.application.deadline-approaching',
              targetType: 'application',
              targetId: r.id,
              divisionCode: r.division_code,
              detail: { number: r.number, dueAt: r.due_at ? new Date(r.due_at).toISOString() : null },
            })
            await outbox.add(trx, casesEvents.light(light, eventData(r, r.status, null)))
          }
          return rows.length
        })
        total += n
        if (n < 200) return total
      }
    },

    /**
     * Runs `markDeadlines` every `intervalMs` (unref'd, so it never keeps the process alive).
     * Returns the function that stops it.
     */
    startDeadlineJob(intervalMs = 60_000): () => void {
      const timer = setInterval(() => {
        service.markDeadlines().catch((err) => logger.error({ err }, 'marking case deadlines failed'))
      }, intervalMs)
      timer.unref()
      return () => clearInterval(timer)
    },
  }

  async function act(by: Principal, id: string, action: Action, input: TransitionInput, meta: RequestMeta = {}): Promise<ApplicationDetail> {
    const { row, parts } = await transition(by, id, action, input, meta)
    // Popularity for catalog search; a counter, so losing one to an error is not worth failing the submission.
    if (action === 'submit') await catalog.recordApplication(row.item_id).catch((err: unknown) => logger.warn({ err }, 'catalog application count failed'))
    const { roles, own } = await visible(by, row).catch(() => ({ roles: new Set<Role>(), own: isApplicant(by, row) }))
    return detailOf(by, row, own, roles, false, parts)
  }

  return service
}
