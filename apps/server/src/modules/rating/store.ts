import { sql, type Insertable, type RawBuilder, type Updateable } from 'kysely'
import { scoped, type Db } from '../../db/database.js'
import type { CallbackMethod, Channel, Level, RaterSatisfaction, RectificationStatus, SubjectKind } from './types.js'

export interface SubjectTable {
  id: string
  kind: SubjectKind
  ref_id: string
  label: string
  rater_id: string
  department_id: string
  department_name: string
  division_code: string
  item_id: string | null
  item_name: string | null
  rateable_from: Date
  rateable_until: Date
  rated_at: Date | null
  created_at: Date
}

export interface RatingTable {
  id: string
  subject_id: string
  rater_id: string
  level: Level
  tags: string[]
  comment: string | null
  channel: Channel
  subject_kind: SubjectKind
  department_id: string
  department_name: string
  division_code: string
  item_id: string | null
  item_name: string | null
  created_at: Date
}

export interface CallbackRecord {
  at: string
  by: string
  byName: string
  method: CallbackMethod
  reached: boolean
  note: string | null
}

export interface RectificationTable {
  id: string
  rating_id: string
  subject_id: string
  rater_id: string
  department_id: string
  department_name: string
  division_code: string
  status: RectificationStatus
  due_date: string
  answer: string | null
  answered_at: Date | null
  answered_by: string | null
  answered_by_name: string | null
  answered_on_time: boolean | null
  callbacks: CallbackRecord[]
  outcome: string | null
  rater_satisfaction: RaterSatisfaction | null
  closed_at: Date | null
  version: number
  created_at: Date
  updated_at: Date
}

/** A one-time SMS rating link for a rater without an account: only the token's SM3 hash is kept. */
export interface LinkTokenTable {
  token_hash: string
  subject_id: string
  expires_at: Date
  used_at: Date | null
  created_at: Date
}

interface RatingTables {
  'rating.link_token': LinkTokenTable
  'rating.subject': SubjectTable
  'rating.rating': RatingTable
  'rating.rectification': RectificationTable
}

export type SubjectRow = SubjectTable
export type RatingRow = RatingTable
export type RectificationRow = RectificationTable

/** A rectification joined with what its queue shows of the rating and the subject. */
export interface RectificationJoined extends RectificationRow {
  level: Level
  tags: string[]
  comment: string | null
  rated_at: Date
  subject_kind: SubjectKind
  subject_ref_id: string
  subject_label: string
  item_name: string | null
}

/** Who may see a rectification: one of the clauses matches (a department, or a division prefix). */
export interface ScopeClause {
  departmentId: string | null
  divisionPrefix: string | null
}

export interface StatsRow {
  key: string | null
  name: string | null
  total: number
  l5: number
  l4: number
  l3: number
  l2: number
  l1: number
  bad: number
  closed: number
  answered: number
  on_time: number
}

const jsonb = (v: unknown) => sql<never>`${JSON.stringify(v)}::jsonb`
const like = (prefix: string) => `${prefix.replace(/[\\%_]/g, '\\$&')}%`

/** SQL of the rating schema only. */
export function createRatingStore(handle: Db) {
  const db = scoped<RatingTables>(handle)

  const joined = () =>
    db
      .selectFrom('rating.rectification as r')
      .innerJoin('rating.rating as g', 'g.id', 'r.rating_id')
      .innerJoin('rating.subject as s', 's.id', 'r.subject_id')
      .selectAll('r')
      .select(['g.level', 'g.tags', 'g.comment', 'g.created_at as rated_at', 's.kind as subject_kind', 's.ref_id as subject_ref_id', 's.label as subject_label', 's.item_name'])

  return {
    /** Inserts unless the (kind, ref) is known; returns the new row, or undefined when it existed. */
    async insertSubject(row: Insertable<SubjectTable>): Promise<SubjectRow | undefined> {
      return (await db
        .insertInto('rating.subject')
        .values(row)
        .onConflict((oc) => oc.columns(['kind', 'ref_id']).doNothing())
        .returningAll()
        .executeTakeFirst()) as SubjectRow | undefined
    },

    async subjectByRef(kind: SubjectKind, refId: string, opts: { lock?: boolean } = {}): Promise<SubjectRow | undefined> {
      let q = db.selectFrom('rating.subject').selectAll().where('kind', '=', kind).where('ref_id', '=', refId)
      if (opts.lock) q = q.forUpdate()
      return (await q.executeTakeFirst()) as SubjectRow | undefined
    },

    async subjectById(id: string, opts: { lock?: boolean } = {}): Promise<SubjectRow | undefined> {
      let q = db.selectFrom('rating.subject').selectAll().where('id', '=', id)
      if (opts.lock) q = q.forUpdate()
      return (await q.executeTakeFirst()) as SubjectRow | undefined
    },

    insertLinkToken: (row: LinkTokenTable) => db.insertInto('rating.link_token').values(row).execute(),
    linkToken: (hash: string) => db.selectFrom('rating.link_token').selectAll().where('token_hash', '=', hash).executeTakeFirst(),
    /** Spends a link: true when it was unused and unexpired (in the rating's transaction). */
    async useLinkToken(hash: string, at: Date): Promise<boolean> {
      const r = await db.updateTable('rating.link_token').set({ used_at: at }).where('token_hash', '=', hash).where('used_at', 'is', null).where('expires_at', '>=', at).executeTakeFirst()
      return Number(r.numUpdatedRows) === 1
    },

    /**
     * Marks the subject rated unless it already was, and returns it as it now is: the row lock and
     * the check in one statement. Undefined when unknown or already rated (the caller tells which).
     */
    async claimForRating(subjectId: string, at: Date): Promise<SubjectRow | undefined> {
      return (await db.updateTable('rating.subject').set({ rated_at: at }).where('id', '=', subjectId).where('rated_at', 'is', null).returningAll().executeTakeFirst()) as SubjectRow | undefined
    },

    /** The rating and `also` (the platform's audit record and events, as data-modifying CTEs) in one statement. */
    async insertRatingWith(row: RatingRow, also: RawBuilder<unknown>[]): Promise<RatingRow> {
      const r = await sql<RatingRow>`
        with g as (
          insert into rating.rating (id, subject_id, rater_id, level, tags, comment, channel, subject_kind, department_id, department_name, division_code, item_id, item_name, created_at)
          values (${row.id}, ${row.subject_id}, ${row.rater_id}, ${row.level}, ${jsonb(row.tags)}, ${row.comment}, ${row.channel}, ${row.subject_kind}, ${row.department_id},
            ${row.department_name}, ${row.division_code}, ${row.item_id}, ${row.item_name}, ${row.created_at})
          returning *
        )${sql.join(also.map((a, i) => sql`, ${sql.ref(`also${i}`)} as (${a})`), sql``)}
        select * from g`.execute(handle)
      return r.rows[0]!
    },

    async subjectsOfRater(raterId: string, page: { limit: number; offset: number }): Promise<{ rows: SubjectRow[]; total: number }> {
      const rows = (await db
        .selectFrom('rating.subject')
        .selectAll()
        .where('rater_id', '=', raterId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(page.limit)
        .offset(page.offset)
        .execute()) as SubjectRow[]
      const { n } = await db.selectFrom('rating.subject').select((eb) => eb.fn.countAll<number>().as('n')).where('rater_id', '=', raterId).executeTakeFirstOrThrow()
      return { rows, total: Number(n) }
    },

    async insertRating(row: Insertable<RatingTable>): Promise<RatingRow> {
      return (await db
        .insertInto('rating.rating')
        .values({ ...row, tags: jsonb(row.tags) })
        .returningAll()
        .executeTakeFirstOrThrow()) as RatingRow
    },

    async ratingsOfSubjects(subjectIds: string[]): Promise<RatingRow[]> {
      if (subjectIds.length === 0) return []
      return (await db.selectFrom('rating.rating').selectAll().where('subject_id', 'in', subjectIds).execute()) as RatingRow[]
    },

    async insertRectification(row: Insertable<RectificationTable>): Promise<RectificationRow> {
      const r = await db
        .insertInto('rating.rectification')
        .values({ ...row, callbacks: jsonb(row.callbacks ?? []) })
        .returningAll()
        .executeTakeFirstOrThrow()
      return r as RectificationRow
    },

    async rectificationsOfSubjects(subjectIds: string[]): Promise<RectificationRow[]> {
      if (subjectIds.length === 0) return []
      const rows = await db.selectFrom('rating.rectification').selectAll().where('subject_id', 'in', subjectIds).execute()
      return rows as RectificationRow[]
    },

    async rectification(id: string, opts: { lock?: boolean } = {}): Promise<RectificationJoined | undefined> {
      let q = joined().where('r.id', '=', id)
      if (opts.lock) q = q.forUpdate()
      const r = await q.executeTakeFirst()
      return r as RectificationJoined | undefined
    },

    /** Writes the change only if the version is still `expected`; false when someone was first. */
    async updateRectification(id: string, expected: number, set: Updateable<RectificationTable>): Promise<RectificationRow | undefined> {
      const values = { ...set, ...(set.callbacks ? { callbacks: jsonb(set.callbacks) } : {}) }
      const r = await db
        .updateTable('rating.rectification')
        .set({ ...values, version: expected + 1 })
        .where('id', '=', id)
        .where('version', '=', expected)
        .returningAll()
        .executeTakeFirst()
      return r as RectificationRow | undefined
    },

    async listRectifications(
      scope: ScopeClause[] | null,
      filter: { statuses?: RectificationStatus[]; departmentId?: string },
      page: { limit: number; offset: number },
    ): Promise<{ rows: RectificationJoined[]; total: number }> {
      if (scope && scope.length === 0) return { rows: [], total: 0 }
      let base = joined()
      let count = db.selectFrom('rating.rectification as r').select((eb) => eb.fn.countAll<number>().as('n'))
      if (filter.statuses?.length) {
        base = base.where('r.status', 'in', filter.statuses)
        count = count.where('r.status', 'in', filter.statuses)
      }
      if (filter.departmentId) {
        base = base.where('r.department_id', '=', filter.departmentId)
        count = count.where('r.department_id', '=', filter.departmentId)
      }
      if (scope) {
        base = base.where((eb) => eb.or(scope.map((c) => (c.departmentId ? eb('r.department_id', '=', c.departmentId) : eb('r.division_code', 'like', like(c.divisionPrefix ?? ''))))))
        count = count.where((eb) => eb.or(scope.map((c) => (c.departmentId ? eb('r.department_id', '=', c.departmentId) : eb('r.division_code', 'like', like(c.divisionPrefix ?? ''))))))
      }
      const rows = await base.orderBy('r.due_date', 'asc').orderBy('r.id', 'asc').limit(page.limit).offset(page.offset).execute()
      const { n } = await count.executeTakeFirstOrThrow()
      return { rows: rows as RectificationJoined[], total: Number(n) }
    },

    /** Counts per level and rectification figures, grouped by department or item (or not at all). */
    async stats(q: { from: Date; to: Date; divisionPrefix: string | null; departmentId?: string; groupBy: 'department' | 'item' | 'none' }): Promise<StatsRow[]> {
      const keyCol = q.groupBy === 'department' ? sql`g.department_id` : q.groupBy === 'item' ? sql`g.item_id` : sql`null`
      const nameCol = q.groupBy === 'department' ? sql`max(g.department_name)` : q.groupBy === 'item' ? sql`max(g.item_name)` : sql`null`
      const division = q.divisionPrefix === null ? sql`true` : sql`g.division_code like ${like(q.divisionPrefix)}`
      const department = q.departmentId ? sql`g.department_id = ${q.departmentId}` : sql`true`
      const r = await sql<StatsRow>`
        select ${keyCol} as key, ${nameCol} as name,
          count(*)::int as total,
          count(*) filter (where g.level = 5)::int as l5,
          count(*) filter (where g.level = 4)::int as l4,
          count(*) filter (where g.level = 3)::int as l3,
          count(*) filter (where g.level = 2)::int as l2,
          count(*) filter (where g.level = 1)::int as l1,
          count(*) filter (where g.level <= 2)::int as bad,
          count(r.id) filter (where r.status = 'closed')::int as closed,
          count(r.id) filter (where r.answered_at is not null)::int as answered,
          count(r.id) filter (where r.answered_on_time)::int as on_time
        from rating.rating g left join rating.rectification r on r.rating_id = g.id
        where g.created_at >= ${q.from} and g.created_at < ${q.to} and ${division} and ${department}
        group by 1
        order by 3 desc, 1
        limit 500`.execute(handle)
      return r.rows.map((x) => ({ ...x, total: Number(x.total) }))
    },
  }
}

export type RatingStore = ReturnType<typeof createRatingStore>
