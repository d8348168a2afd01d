import { sql, type ExpressionBuilder, type Expression, type Insertable, type RawBuilder, type SqlBool, type Updateable } from 'kysely'
import { scoped, type Db } from '../../db/database.js'
import { isNotNullViolation } from '../../db/pg-errors.js'
import type { Role } from '../../platform/roles.js'
import type { HandlingClass, Light } from './deadline.js'
import type { LicenseMaterialRow } from './license-materials.js'
import type { ReviewStep, Status } from './state.js'

export interface ApplicationTable {
  id: string
  number: string | null
  applicant_id: string
  applicant_kind: 'person' | 'legal'
  applicant_name: string
  item_id: string
  item_version_id: string
  item_code: string
  item_name: string
  department_id: string
  department_name: string
  division_code: string
  handling_class: HandlingClass
  promised_days: number
  legal_days: number | null
  review_steps: ReviewStep[]
  materials: MaterialRef[]
  status: Status
  review_step: number | null
  awaiting_role: Role | null
  resume_status: Status | null
  resume_step: number | null
  form_data: Record<string, unknown>
  supplement: SupplementNotice | null
  decision: DecisionRecord | null
  result: ResultRecord | null
  delivery: DeliveryRecord | null
  accepted_at: Date | null
  limit_days: number | null
  paused_days: number
  paused_at: Date | null
  clock_stopped_at: Date | null
  due_at: Date | null
  yellow_at: Date | null
  light: Light | null
  submitted_at: Date | null
  decided_at: Date | null
  closed_at: Date | null
  version: number
  created_at: Date
  updated_at: Date
}

/** The columns of a case nothing has happened to yet: no step, clock, decision, result or delivery. */
export const untouchedCase = {
  review_step: null, resume_status: null, resume_step: null, supplement: null, decision: null, result: null, delivery: null,
  accepted_at: null, limit_days: null, paused_days: 0, paused_at: null, clock_stopped_at: null, due_at: null, yellow_at: null, light: null,
  decided_at: null, closed_at: null, version: 1,
} satisfies Partial<ApplicationTable>
export type ApplicationRow = ApplicationTable

/** A material of the item version, as a case keeps it. */
export interface MaterialRef {
  code: string
  name: string
  requirement: 'required' | 'conditional'
}

/** 一次性告知: everything missing, listed at once. */
export interface SupplementNotice {
  items: { materialCode: string | null; field: string | null; description: string }[]
  message: string | null
  requestedAt: string
  requestedBy: string
  respondedAt: string | null
  note: string | null
}

export interface DecisionRecord {
  outcome: 'not_accepted' | 'approved' | 'denied'
  reason: string | null
  legalBasis: string | null
  at: string
  by: string
}

export interface ResultRecord {
  documentNumber: string | null
  summary: string | null
  at: string
  by: string
}

export interface DeliveryRecord {
  method: 'electronic' | 'mail' | 'pickup'
  trackingNumber: string | null
  at: string
  by: string
}

export interface TransitionRow {
  id: string
  application_id: string
  action: string
  from_status: Status
  to_status: Status
  review_step: number | null
  step_name: string | null
  actor_id: string | null
  actor_name: string | null
  actor_role: string | null
  opinion: string | null
  detail: Record<string, unknown>
  at: Date
}

export interface FileRow {
  id: string
  application_id: string
  material_key: string
  file_name: string
  content_type: string
  size_bytes: number
  sm3: string
  storage_key: string
  uploaded_by: string
  created_at: Date
  removed_at: Date | null
}

interface CounterTable {
  division_code: string
  day: string
  last: number
}

export interface NotificationRow {
  id: string
  account_id: string
  application_id: string
  kind: string
  params: Record<string, unknown>
  created_at: Date
  read_at: Date | null
}

/** The cases schema's tables; the store sees nothing else. */
export interface CasesTables {
  'cases.application': ApplicationTable
  'cases.transition': TransitionRow
  'cases.file': FileRow
  'cases.number_counter': CounterTable
  'cases.notification': NotificationRow
}

/** One slice of a staff member's reach: a role, within a division prefix (or one exact division), optionally one department. */
export interface ScopeClause {
  role: Role
  divisionPrefix: string
  divisionExact: string | null
  departmentId: string | null
}

export type QueueFilter =
  | { kind: 'awaiting'; statuses: Status[]; finalStep?: boolean }
  | { kind: 'scope'; statuses: Status[] }
  | { kind: 'due_soon'; now: Date }
  | { kind: 'overdue'; now: Date }

const jsonb = (v: unknown) => sql<never>`${JSON.stringify(v)}::jsonb`
const jsonColumns = ['review_steps', 'materials', 'form_data', 'supplement', 'decision', 'result', 'delivery'] as const

/** JSON columns go in as jsonb literals (both drivers would otherwise guess the type). */
function encode<T extends Record<string, unknown>>(values: T): T {
  const out: Record<string, unknown> = { ...values }
  for (const c of jsonColumns) if (c in out && out[c] !== null && out[c] !== undefined) out[c] = jsonb(out[c])
  return out as T
}

/** The error `applyTransition` fails with when the case is no longer at the expected version. */
/**
 * A case's files (not removed), timeline and licences standing in for materials as three JSON
 * columns (`prefix`files, `prefix`transitions, `prefix`licenses), for a select list.
 */
const detailPartsSql = (applicationId: string, prefix = '') => sql`
  coalesce((select json_agg(f order by f.created_at, f.id) from cases.file f where f.application_id = ${applicationId} and f.removed_at is null), '[]') as ${sql.ref(`${prefix}files`)},
  coalesce((select json_agg(t order by t.at, t.id) from cases.transition t where t.application_id = ${applicationId}), '[]') as ${sql.ref(`${prefix}transitions`)},
  coalesce((select json_agg(l order by l.material_code) from cases.license_material l where l.application_id = ${applicationId}), '[]') as ${sql.ref(`${prefix}licenses`)}`

export const isStaleTransition = (err: unknown): boolean => isNotNullViolation(err, 'transition', 'application_id')

type AppEb = ExpressionBuilder<CasesTables, 'cases.application'>

/** Escapes LIKE wildcards so user text matches literally. */
function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, '\\$&')
}

function scopeExpr(eb: AppEb, clauses: ScopeClause[], byRole: boolean): Expression<SqlBool> {
  if (clauses.length === 0) return sql<boolean>`false`
  return eb.or(
    clauses.map((c) => {
      const parts: Expression<SqlBool>[] = [
        c.divisionExact !== null ? eb('division_code', '=', c.divisionExact) : eb('division_code', 'like', `${likeEscape(c.divisionPrefix)}%`),
      ]
      if (c.departmentId) parts.push(eb('department_id', '=', c.departmentId))
      if (byRole) parts.push(eb('awaiting_role', '=', c.role))
      return eb.and(parts)
    }),
  )
}

/** A case's rows besides the application: files (not removed), timeline, licenses standing in for materials. */
export interface DetailParts {
  files: FileRow[]
  transitions: TransitionRow[]
  licenses: LicenseMaterialRow[]
}

/** SQL of the cases module, on the handle it is given (the database or a transaction). */
export function createCasesStore(handle: Db) {
  const db = scoped<CasesTables>(handle)

  return {
    /** Inserts a case; `also`: more inserts run in the same statement (the platform's audit record). */
    async insertApplication(row: Insertable<ApplicationTable>, also: RawBuilder<unknown>[] = []): Promise<ApplicationRow> {
      if (also.length === 0) return (await db.insertInto('cases.application').values(encode(row)).returningAll().executeTakeFirstOrThrow()) as ApplicationRow
      const cols = Object.entries(encode(row as Record<string, unknown>)).filter(([, v]) => v !== undefined)
      const r = await sql<ApplicationRow>`
        with ${sql.join(also.map((a, i) => sql`${sql.ref(`also${i}`)} as (${a})`))}
        insert into cases.application (${sql.join(cols.map(([k]) => sql.ref(k)))}) values (${sql.join(cols.map(([, v]) => sql`${v}`))})
        returning *`.execute(db)
      return r.rows[0]!
    },

    async getApplication(id: string): Promise<ApplicationRow | undefined> {
      return (await db.selectFrom('cases.application').selectAll().where('id', '=', id).executeTakeFirst()) as ApplicationRow | undefined
    },

    /** Locks the row for the rest of the transaction; a concurrent writer waits, then sees the new version. */
    async getApplicationForUpdate(id: string): Promise<ApplicationRow | undefined> {
      return (await db.selectFrom('cases.application').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()) as ApplicationRow | undefined
    },

    /** Writes a change if the version is still `expected`; returns the new row, or undefined when stale. */
    async updateApplication(id: string, expected: number, changes: Updateable<ApplicationTable>): Promise<ApplicationRow | undefined> {
      return (await db
        .updateTable('cases.application')
        .set({ ...encode(changes as Record<string, unknown>), version: expected + 1 })
        .where('id', '=', id)
        .where('version', '=', expected)
        .returningAll()
        .executeTakeFirst()) as ApplicationRow | undefined
    },

    /**
     * A transition's writes in one statement (one round trip, no BEGIN/COMMIT needed for it): the
     * change, applied only if the case is still at `expected` (optimistic: the caller checked that
     * version), its timeline entry, the applicant's notice and `also`. The entry takes its case id
     * from the update, so a stale version (no row updated) fails the whole statement with
     * `isStaleTransition` and nothing is written. Returns the new row and the case's other rows as
     * the statement's snapshot saw them (the timeline before this entry), for the answer.
     */
    async applyTransition(
      id: string,
      expected: number,
      changes: Updateable<ApplicationTable>,
      entry: TransitionRow,
      notice: NotificationRow | null,
      /** More inserts to run in the same statement (the platform's audit record and events). */
      also: RawBuilder<unknown>[] = [],
      /** Named CTEs to run in it too (the ledger's entry, see LedgerService.appendWith). */
      ctes: RawBuilder<unknown> | null = null,
    ): Promise<{ row: ApplicationRow; parts: DetailParts }> {
      const sets = Object.entries(encode(changes as Record<string, unknown>))
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => sql`${sql.ref(k)} = ${v}`)
      sets.push(sql`version = ${expected + 1}`)
      const e = entry
      const r = await sql<ApplicationRow & { parts_files: FileRow[]; parts_transitions: TransitionRow[]; parts_licenses: LicenseMaterialRow[] }>`
        with upd as (
          update cases.application set ${sql.join(sets)} where id = ${id} and version = ${expected} returning *
        ), entry as (
          insert into cases.transition (id, application_id, action, from_status, to_status, review_step, step_name, actor_id, actor_name, actor_role, opinion, detail, at)
          values (${e.id}, (select upd.id from upd), ${e.action}, ${e.from_status}, ${e.to_status}, ${e.review_step}, ${e.step_name}, ${e.actor_id},
            ${e.actor_name}, ${e.actor_role}, ${e.opinion}, ${jsonb(e.detail)}, ${e.at})
        )${
          notice
            ? sql`, notice as (
          insert into cases.notification (id, account_id, application_id, kind, params, created_at, read_at)
          values (${notice.id}, ${notice.account_id}, ${notice.application_id}, ${notice.kind}, ${jsonb(notice.params)}, ${notice.created_at}, ${notice.read_at})
        )`
            : sql``
        }${sql.join(
          also.map((a, i) => sql`, ${sql.ref(`also${i}`)} as (${a})`),
          sql``,
        )}${ctes ? sql`, ${ctes}` : sql``}
        select upd.*, ${detailPartsSql(id, 'parts_')} from upd`.execute(db)
      const { parts_files: files, parts_transitions: transitions, parts_licenses: licenses, ...row } = r.rows[0]!
      return { row: row as ApplicationRow, parts: { files, transitions, licenses } }
    },

    /** The next number of a division's day, race-free: the upsert takes the counter row's lock. */
    async nextSequence(divisionCode: string, day: string): Promise<number> {
      const r = await sql<{ last: number }>`
        insert into cases.number_counter (division_code, day, last) values (${divisionCode}, ${day}, 1)
        on conflict (division_code, day) do update set last = cases.number_counter.last + 1
        returning last`.execute(db)
      return Number(r.rows[0]!.last)
    },

    async listByApplicant(applicantId: string, filter: { statuses?: Status[]; limit: number; offset: number }) {
      let q = db.selectFrom('cases.application').where('applicant_id', '=', applicantId)
      if (filter.statuses?.length) q = q.where('status', 'in', filter.statuses)
      const [rows, count] = await Promise.all([
        q.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit).offset(filter.offset).execute(),
        q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ])
      return { rows: rows as ApplicationRow[], total: Number(count.n) }
    },

    /** A staff queue within the caller's reach, oldest first (first come, first served). */
    async listQueue(filter: QueueFilter, clauses: ScopeClause[], page: { q?: string; limit: number; offset: number }) {
      let q = db.selectFrom('cases.application')
      switch (filter.kind) {
        case 'awaiting':
          q = q.where('status', 'in', filter.statuses).where((eb) => scopeExpr(eb, clauses, true))
          if (filter.finalStep !== undefined) {
            const last = sql<boolean>`review_step >= jsonb_array_length(review_steps) - 1`
            q = q.where(filter.finalStep ? last : sql<boolean>`not (${last})`)
          }
          break
        case 'scope':
          q = q.where('status', 'in', filter.statuses).where((eb) => scopeExpr(eb, clauses, false))
          break
        case 'due_soon':
          q = q
            .where('status', 'in', ['accepted', 'under_review'])
            .where('yellow_at', '<=', filter.now)
            .where('due_at', '>=', filter.now)
            .where((eb) => scopeExpr(eb, clauses, false))
          break
        case 'overdue':
          q = q.where('status', 'in', ['accepted', 'under_review']).where('due_at', '<', filter.now).where((eb) => scopeExpr(eb, clauses, false))
          break
      }
      if (page.q) {
        const like = `%${likeEscape(page.q)}%`
        q = q.where((eb) => eb.or([eb('number', 'like', like), eb('item_name', 'like', like), eb('applicant_name', 'like', like)]))
      }
      const order = filter.kind === 'due_soon' || filter.kind === 'overdue' ? 'due_at' : 'submitted_at'
      const [rows, count] = await Promise.all([
        q.selectAll().orderBy(order, 'asc').orderBy('created_at', 'asc').orderBy('id', 'asc').limit(page.limit).offset(page.offset).execute(),
        q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ])
      return { rows: rows as ApplicationRow[], total: Number(count.n) }
    },

    async countQueue(filter: QueueFilter, clauses: ScopeClause[]): Promise<number> {
      return (await this.listQueue(filter, clauses, { limit: 0, offset: 0 })).total
    },

    /**
     * Running cases whose light must change at `now`, locked; rows another process is marking
     * are skipped. Returns at most `limit`.
     */
    async lightsToMark(now: Date, limit: number): Promise<ApplicationRow[]> {
      return (await db
        .selectFrom('cases.application')
        .selectAll()
        .where('status', 'in', ['accepted', 'under_review'])
        .where((eb) =>
          eb.or([
            eb.and([eb('due_at', '<', now), eb.or([eb('light', 'is', null), eb('light', '<>', 'red')])]),
            eb.and([eb('yellow_at', '<=', now), eb('due_at', '>=', now), eb.or([eb('light', 'is', null), eb('light', '=', 'green')])]),
          ]),
        )
        .orderBy('due_at')
        .limit(limit)
        .forUpdate()
        .skipLocked()
        .execute()) as ApplicationRow[]
    },

    /** Sets the light without touching the version: the clock is not an edit a clerk could conflict with. */
    async setLight(id: string, light: Light): Promise<void> {
      await db.updateTable('cases.application').set({ light }).where('id', '=', id).execute()
    },

    async insertTransition(row: TransitionRow): Promise<void> {
      await db.insertInto('cases.transition').values({ ...row, detail: jsonb(row.detail) }).execute()
    },

    /**
     * What a case's detail view shows besides the row, in one round trip: its files (not removed),
     * its timeline and the licenses standing in for materials. JSON timestamps arrive as strings;
     * the mappers wrap them in Date.
     */
    async detailParts(applicationId: string): Promise<DetailParts> {
      const r = await sql<DetailParts>`
        select ${detailPartsSql(applicationId)}`.execute(db)
      return r.rows[0]!
    },

    async insertFile(row: FileRow): Promise<void> {
      await db.insertInto('cases.file').values(row).execute()
    },

    async filesOf(applicationId: string): Promise<FileRow[]> {
      return (await db
        .selectFrom('cases.file')
        .selectAll()
        .where('application_id', '=', applicationId)
        .where('removed_at', 'is', null)
        .orderBy('created_at')
        .orderBy('id')
        .execute()) as FileRow[]
    },

    async getFile(applicationId: string, fileId: string): Promise<FileRow | undefined> {
      return (await db
        .selectFrom('cases.file')
        .selectAll()
        .where('application_id', '=', applicationId)
        .where('id', '=', fileId)
        .where('removed_at', 'is', null)
        .executeTakeFirst()) as FileRow | undefined
    },

    async removeFile(fileId: string, at: Date): Promise<void> {
      await db.updateTable('cases.file').set({ removed_at: at }).where('id', '=', fileId).execute()
    },

    async insertNotification(row: NotificationRow): Promise<void> {
      await db.insertInto('cases.notification').values({ ...row, params: jsonb(row.params) }).execute()
    },

    async listNotifications(accountId: string, filter: { unreadOnly: boolean; limit: number; offset: number }) {
      let q = db.selectFrom('cases.notification').where('account_id', '=', accountId)
      if (filter.unreadOnly) q = q.where('read_at', 'is', null)
      const unread = db
        .selectFrom('cases.notification')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('account_id', '=', accountId)
        .where('read_at', 'is', null)
      const [rows, count, unreadCount] = await Promise.all([
        q.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit).offset(filter.offset).execute(),
        q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
        unread.executeTakeFirstOrThrow(),
      ])
      return { rows: rows as NotificationRow[], total: Number(count.n), unread: Number(unreadCount.n) }
    },

    /** Marks one (or, without id, every) notification of the account read; returns how many changed. */
    async markRead(accountId: string, id: string | null, at: Date): Promise<number> {
      let q = db.updateTable('cases.notification').set({ read_at: at }).where('account_id', '=', accountId).where('read_at', 'is', null)
      if (id) q = q.where('id', '=', id)
      const r = await q.executeTakeFirst()
      return Number(r.numUpdatedRows)
    },

    async notificationExists(accountId: string, id: string): Promise<boolean> {
      return !!(await db.selectFrom('cases.notification').select('id').where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst())
    },
  }
}

export type CasesStore = ReturnType<typeof createCasesStore>
