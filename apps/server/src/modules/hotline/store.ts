import { sql, type Insertable, type RawBuilder, type Updateable } from 'kysely'
import { scoped, type Db } from '../../db/database.js'
import { isNotNullViolation } from '../../db/pg-errors.js'
import type { Light } from '../cases/index.js'
import type { Channel, CloseKind, Satisfaction, TicketStatus, TicketType } from './state.js'

export interface TicketTable {
  id: string
  number: string
  type: TicketType
  channel: Channel
  status: TicketStatus
  category_code: string
  title: string
  content: string
  tokens: string[]
  address: string | null
  division_code: string | null
  lat: number | null
  lng: number | null
  reporter_name: string | null
  reporter_phone: string | null
  reporter_email: string | null
  reporter_account_id: string | null
  anonymous: boolean
  api_key_id: string | null
  department_id: string | null
  department_name: string | null
  assist_department_ids: string[]
  dispatched_at: Date | null
  sign_due_at: Date | null
  signed_at: Date | null
  limit_days: number | null
  extension_days: number
  due_at: Date | null
  yellow_at: Date | null
  light: Light | null
  extension: ExtensionRecord | null
  reply: ReplyRecord | null
  replied_at: Date | null
  callback: CallbackRecord | null
  satisfaction: Satisfaction | null
  resolved: boolean | null
  close_kind: CloseKind | null
  closed_at: Date | null
  merged_into: string | null
  kb_article_id: string | null
  reopen_count: number
  version: number
  created_at: Date
  updated_at: Date
  /** Open311 `media_url` (http/https link posted by the client; shown to staff, never fetched). */
  media_url: string | null
  /** Each 协办 department's part, by department id; emptied on (re)dispatch and return. */
  assist_progress: Record<string, AssistRecord>
}
export type TicketRow = TicketTable

export interface AssistRecord {
  signedAt: string | null
  signedBy: string | null
  opinion: string | null
  opinionAt: string | null
  opinionBy: string | null
}

export interface ExtensionRecord {
  days: number
  reason: string
  requestedAt: string
  requestedBy: string
  decided: boolean
  approved: boolean | null
  opinion: string | null
}
export interface ReplyRecord {
  content: string
  at: string
  by: string
  departmentId: string
}
export interface CallbackRecord {
  satisfaction: Satisfaction
  resolved: boolean
  note: string | null
  at: string
  by: string
  reopened: boolean
}

export interface TimelineTable {
  id: string
  ticket_id: string
  action: string
  from_status: TicketStatus | null
  to_status: TicketStatus
  actor_id: string | null
  actor_name: string | null
  actor_role: string | null
  department_id: string | null
  opinion: string | null
  at: Date
}

export interface PhotoTable {
  id: string
  ticket_id: string
  file_name: string
  content_type: string
  size_bytes: number
  sm3: string
  storage_key: string
  uploaded_by: string | null
  uploaded_at: Date
}

export interface CategoryTable {
  code: string
  name: string
  name_en: string
  grp: string
  default_type: TicketType
  description: string
  created_at: Date
}

export interface ArticleTable {
  id: string
  title: string
  body: string
  keywords: string[]
  tokens: string[]
  department_id: string
  department_name: string
  category_code: string | null
  status: 'published' | 'archived'
  version: number
  created_by: string | null
  created_at: Date
  updated_at: Date
}

export interface RuleTable {
  id: string
  category_code: string | null
  division_prefix: string | null
  department_id: string
  department_name: string
  assist_department_ids: string[]
  version: number
  created_at: Date
  updated_at: Date
}

export interface SettingsTable {
  id: number
  city_code: string
  deadline_days: Record<TicketType, number>
  sign_hours: number
  duplicate_window_days: number
  duplicate_radius_m: number
  version: number
  updated_at: Date
}

export interface ApiKeyTable {
  id: string
  name: string
  key_hash: string
  created_by: string | null
  created_at: Date
  revoked_at: Date | null
}

interface Tables {
  'hotline.ticket': TicketTable
  'hotline.timeline': TimelineTable
  'hotline.photo': PhotoTable
  'hotline.category': CategoryTable
  'hotline.kb_article': ArticleTable
  'hotline.dispatch_rule': RuleTable
  'hotline.settings': SettingsTable
  'hotline.api_key': ApiKeyTable
}

/** Statuses a department works on, and the order of its queue. */
export const departmentQueues = {
  to_sign: ['dispatched'],
  processing: ['processing'],
  all: ['dispatched', 'processing', 'replied', 'callback', 'closed', 'returned'],
} as const satisfies Record<string, readonly TicketStatus[]>

export const centreQueues = {
  to_dispatch: ['registered'],
  returned: ['returned'],
  to_review: ['replied'],
  to_callback: ['callback'],
} as const satisfies Record<string, readonly TicketStatus[]>

export interface TicketFilter {
  statuses?: readonly TicketStatus[]
  type?: TicketType
  departmentId?: string
  light?: Light
  extensionPending?: boolean
  overdue?: Date
  q?: string
  /** The query's words (text.ts `words`), as the tickets' `tokens` hold them. */
  words?: string[]
  limit: number
  offset: number
}

const arr = (v: readonly string[]) => sql<string[]>`${sql.val(v)}::text[]`

/**
 * Queue totals stop counting here: a count over tens of thousands of rows on every page request
 * costs more than the page. The answer says `totalCapped` and the desk shows "10,000+".
 */
export const COUNT_CAP = 10_000

const jsonColumns = new Set(['extension', 'reply', 'callback', 'assist_progress'])
const arrayColumns = new Set(['tokens', 'assist_department_ids'])
/** A column's value for raw SQL: jsonb and text[] typed explicitly (pg and PGlite alike). */
function value(column: string, v: unknown): RawBuilder<unknown> {
  if (v === null || v === undefined) return sql`null`
  if (jsonColumns.has(column)) return sql`${JSON.stringify(v)}::jsonb`
  if (arrayColumns.has(column)) return arr(v as string[])
  return sql`${v}`
}
function insertSql(table: string, row: Record<string, unknown>): RawBuilder<unknown> {
  const cols = Object.keys(row).filter((c) => row[c] !== undefined)
  return sql`insert into ${sql.table(table)} (${sql.join(cols.map((c) => sql.ref(c)))}) values (${sql.join(cols.map((c) => value(c, row[c])))})`
}
/** Further data-modifying CTEs (the platform's audit record and events) after the statement's own. */
const alsoSql = (also: RawBuilder<unknown>[]) => sql.join(also.map((a, i) => sql`, ${sql.ref(`also${i}`)} as (${a})`), sql``)

/** A ticket's photos and timeline as two JSON columns (`prefix`photos, `prefix`timeline), for a select list. */
const detailPartsSql = (ticketId: string, prefix = '') => sql`
  coalesce((select json_agg(p order by p.uploaded_at, p.id) from hotline.photo p where p.ticket_id = ${ticketId}), '[]') as ${sql.ref(`${prefix}photos`)},
  coalesce((select json_agg(tl order by tl.at, tl.id) from hotline.timeline tl where tl.ticket_id = ${ticketId}), '[]') as ${sql.ref(`${prefix}timeline`)}`

/** The error `applyChange` fails with when the ticket is no longer at the expected version. */
export const isStaleChange = (err: unknown): boolean => isNotNullViolation(err, 'timeline', 'ticket_id')

export function createHotlineStore(db: Db) {
  const k = scoped<Tables>(db)
  return {
    // ---- categories, settings --------------------------------------------------------------------
    categories: () => k.selectFrom('hotline.category').selectAll().orderBy('grp').orderBy('code').execute(),
    category: (code: string) => k.selectFrom('hotline.category').selectAll().where('code', '=', code).executeTakeFirst(),
    insertCategory: (row: Insertable<CategoryTable>) => k.insertInto('hotline.category').values(row).onConflict((oc) => oc.column('code').doNothing()).returningAll().executeTakeFirst(),
    settings: () => k.selectFrom('hotline.settings').selectAll().where('id', '=', 1).executeTakeFirstOrThrow(),
    updateSettings: (version: number, changes: Updateable<SettingsTable>) =>
      k.updateTable('hotline.settings').set({ ...changes, version: version + 1 }).where('id', '=', 1).where('version', '=', version).returningAll().executeTakeFirst(),

    // ---- tickets ---------------------------------------------------------------------------------
    async nextNumber(day: string): Promise<string> {
      const { rows } = await sql<{ n: number }>`select nextval('hotline.ticket_number_seq') as n`.execute(db)
      return `RX${day.replaceAll('-', '')}${String(rows[0]!.n).padStart(7, '0')}`
    },
    insertTicket: (row: Insertable<TicketTable>) =>
      k.insertInto('hotline.ticket').values({ ...row, tokens: arr(row.tokens ?? []), assist_department_ids: arr(row.assist_department_ids ?? []) } as never).execute(),
    ticket: (id: string) => k.selectFrom('hotline.ticket').selectAll().where((eb) => eb.or([eb('id', '=', id), eb('number', '=', id)])).executeTakeFirst(),
    ticketsByIds: (ids: string[]) => (ids.length ? k.selectFrom('hotline.ticket').selectAll().where('id', 'in', ids).execute() : Promise.resolve([])),
    updateTicket: (id: string, changes: Updateable<TicketTable>) => {
      const set: Record<string, unknown> = { ...changes }
      if (changes.assist_department_ids) set.assist_department_ids = arr(changes.assist_department_ids as string[])
      return k.updateTable('hotline.ticket').set(set as never).where('id', '=', id).returningAll().executeTakeFirstOrThrow()
    },
    insertTimeline: (row: Insertable<TimelineTable>) => k.insertInto('hotline.timeline').values(row).execute(),
    /** A new ticket, its first timeline entry and `also` (audit, events) in one statement. */
    async insertTicketWith(row: TicketTable, entry: TimelineTable, also: RawBuilder<unknown>[]): Promise<void> {
      await sql`with t as (${insertSql('hotline.ticket', row as never)}), e as (${insertSql('hotline.timeline', entry as never)})${alsoSql(also)} select 1`.execute(db)
    },
    /**
     * An action's writes in one statement (one round trip, no row lock held between statements, no
     * BEGIN/COMMIT needed): the change, applied only if the ticket is still at `expected`
     * (optimistic: the caller checked that version), its timeline entry and `also`. The entry takes
     * its ticket id from the update, so a stale version (no row updated) fails the whole statement
     * with `isStaleChange` and nothing is written. Returns the row and what its detail shows besides
     * (photos; the timeline before this entry, as the statement's snapshot saw it).
     */
    async applyChange(id: string, expected: number, changes: Partial<TicketTable>, entry: TimelineTable, also: RawBuilder<unknown>[]): Promise<{ row: TicketRow; photos: PhotoTable[]; timelineBefore: TimelineTable[] }> {
      const sets = Object.entries(changes)
        .filter(([, v]) => v !== undefined)
        .map(([c, v]) => sql`${sql.ref(c)} = ${value(c, v)}`)
      const r = await sql<TicketRow & { detail_photos: PhotoTable[]; detail_timeline: TimelineTable[] }>`
        with upd as (update hotline.ticket set ${sql.join(sets)} where id = ${id} and version = ${expected} returning *),
        e as (${insertSql('hotline.timeline', { ...entry, ticket_id: sql`(select upd.id from upd)` })})${alsoSql(also)}
        select upd.*, ${detailPartsSql(id, 'detail_')} from upd`.execute(db)
      const { detail_photos: photos, detail_timeline: timelineBefore, ...row } = r.rows[0]!
      return { row: row as TicketRow, photos, timelineBefore }
    },
    /** What a ticket's detail shows besides the row, in one round trip (JSON timestamps arrive as strings). */
    async detailParts(ticketId: string): Promise<{ photos: PhotoTable[]; timeline: TimelineTable[] }> {
      const r = await sql<{ photos: PhotoTable[]; timeline: TimelineTable[] }>`
        select ${detailPartsSql(ticketId)}`.execute(db)
      return r.rows[0]!
    },

    /** The centre's lists (and the department's, with departmentId): newest first except queues by deadline. */
    async list(f: TicketFilter & { assistOf?: string; ownerAccountId?: string; phone?: string }): Promise<{ rows: TicketRow[]; total: number; capped: boolean }> {
      let q = k.selectFrom('hotline.ticket')
      if (f.statuses) q = q.where('status', 'in', [...f.statuses])
      if (f.type) q = q.where('type', '=', f.type)
      if (f.departmentId) q = q.where('department_id', '=', f.departmentId)
      if (f.assistOf) q = q.where(sql<boolean>`assist_department_ids @> ${arr([f.assistOf])}`)
      if (f.ownerAccountId) q = q.where('reporter_account_id', '=', f.ownerAccountId)
      if (f.phone) q = q.where('reporter_phone', '=', f.phone)
      if (f.light) q = q.where('light', '=', f.light)
      if (f.extensionPending) q = q.where(sql<boolean>`(extension->>'decided')::boolean is false`)
      if (f.overdue) q = q.where('status', 'in', ['dispatched', 'processing']).where('due_at', '<', f.overdue)
      if (f.q) {
        // The ticket number, or every word of the query among the ticket's words (GIN index, 0026);
        // a query without a word of two characters falls back to a substring of the title.
        const text = f.q.trim()
        const like = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
        q = q.where((eb) => eb.or([eb('number', '=', text), f.words?.length ? sql<boolean>`tokens @> ${arr(f.words)}` : eb('title', 'like', like)]))
      }
      const byDeadline = f.departmentId !== undefined || f.assistOf !== undefined
      // Counted up to the cap only (an index-only scan stops there), not over the whole queue; the
      // count rides in the page's statement (an uncorrelated subquery runs once), one round trip.
      const counted = () => q.select(sql.lit(1).as('one')).limit(COUNT_CAP + 1).as('capped')
      const page = await (byDeadline ? q.selectAll().orderBy(sql`due_at asc nulls last`).orderBy('created_at') : q.selectAll().orderBy('created_at', 'desc'))
        .select((eb) => eb.selectFrom(counted()).select(eb.fn.countAll<number>().as('n')).as('list_total'))
        .orderBy('id')
        .limit(f.limit)
        .offset(f.offset)
        .execute()
      const rows = page.map(({ list_total: _, ...r }) => r as TicketRow)
      // Past the last page there is no row to carry the count.
      const n = page.length ? Number(page[0]!.list_total) : f.offset === 0 ? 0 : Number((await k.selectFrom(counted()).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)
      return { rows, total: Math.min(n, COUNT_CAP), capped: n > COUNT_CAP }
    },

    /**
     * Earlier tickets at the same place about the same thing (category) within the window, sharing
     * at least one word (duplicate candidates): a range of `ticket_place_category`, newest first.
     */
    duplicateCandidates: (t: { id: string; division_code: string | null; tokens: string[]; category_code: string }, since: Date) =>
      t.division_code && t.tokens.length
        ? k
            .selectFrom('hotline.ticket')
            .selectAll()
            .where('division_code', '=', t.division_code)
            .where('category_code', '=', t.category_code)
            .where('created_at', '>=', since)
            .where('id', '<>', t.id)
            .where('status', '<>', 'merged')
            .where(sql<boolean>`tokens && ${arr(t.tokens)}`)
            .orderBy('created_at', 'desc')
            .limit(50)
            .execute()
        : Promise.resolve([]),

    /** Open311 listing: by ids, or by date window, category and open/closed. */
    async open311(f: { numbers?: string[]; categoryCode?: string; from: Date; to: Date; closed?: boolean; limit: number }): Promise<TicketRow[]> {
      let q = k.selectFrom('hotline.ticket').selectAll()
      if (f.numbers) {
        // `in ()` is not SQL: no number asked for, no request found.
        if (!f.numbers.length) return []
        q = q.where('number', 'in', f.numbers)
      }
      else q = q.where('created_at', '>=', f.from).where('created_at', '<=', f.to)
      if (f.categoryCode) q = q.where('category_code', '=', f.categoryCode)
      if (f.closed !== undefined) q = f.closed ? q.where('status', 'in', ['closed', 'merged']) : q.where('status', 'not in', ['closed', 'merged'])
      return q.orderBy('created_at', 'desc').limit(f.limit).execute()
    },

    lightsToMark: (now: Date, limit: number) =>
      k
        .selectFrom('hotline.ticket')
        .selectAll()
        .where('status', 'in', ['dispatched', 'processing'])
        .where((eb) =>
          eb.or([
            eb.and([eb('due_at', '<', now), eb.or([eb('light', 'is', null), eb('light', '<>', 'red')])]),
            eb.and([eb('yellow_at', '<=', now), eb.or([eb('light', 'is', null), eb('light', '=', 'green')])]),
          ]),
        )
        .limit(limit)
        .execute(),

    // ---- photos ----------------------------------------------------------------------------------
    insertPhoto: (row: Insertable<PhotoTable>) => k.insertInto('hotline.photo').values(row).execute(),
    photos: (ticketId: string) => k.selectFrom('hotline.photo').selectAll().where('ticket_id', '=', ticketId).orderBy('uploaded_at').execute(),
    photo: (ticketId: string, id: string) => k.selectFrom('hotline.photo').selectAll().where('ticket_id', '=', ticketId).where('id', '=', id).executeTakeFirst(),

    // ---- knowledge base --------------------------------------------------------------------------
    insertArticle: (row: Insertable<ArticleTable>) =>
      k.insertInto('hotline.kb_article').values({ ...row, tokens: arr(row.tokens ?? []), keywords: arr(row.keywords ?? []) } as never).returningAll().executeTakeFirstOrThrow(),
    article: (id: string) => k.selectFrom('hotline.kb_article').selectAll().where('id', '=', id).executeTakeFirst(),
    updateArticle: (id: string, version: number, changes: Updateable<ArticleTable>) => {
      const set: Record<string, unknown> = { ...changes, version: version + 1 }
      if (changes.tokens) set.tokens = arr(changes.tokens as string[])
      if (changes.keywords) set.keywords = arr(changes.keywords as string[])
      return k.updateTable('hotline.kb_article').set(set as never).where('id', '=', id).where('version', '=', version).returningAll().executeTakeFirst()
    },
    /** Published articles sharing words with the query, most shared words first. */
    async searchArticles(terms: string[], f: { departmentId?: string; limit: number; offset: number }) {
      let q = k.selectFrom('hotline.kb_article').where('status', '=', 'published')
      if (terms.length) q = q.where(sql<boolean>`tokens && ${arr(terms)}`)
      if (f.departmentId) q = q.where('department_id', '=', f.departmentId)
      const score = sql<number>`(select count(*) from unnest(tokens) w where w = any(${arr(terms)}))::int`
      const [rows, count] = await Promise.all([
        q.selectAll().select(score.as('score')).orderBy(sql`score desc`).orderBy('updated_at', 'desc').orderBy('id').limit(f.limit).offset(f.offset).execute(),
        q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ])
      return { rows, total: Number(count.n) }
    },

    // ---- dispatch rules --------------------------------------------------------------------------
    rules: () => k.selectFrom('hotline.dispatch_rule').selectAll().orderBy('category_code').orderBy('division_prefix').execute(),
    rule: (id: string) => k.selectFrom('hotline.dispatch_rule').selectAll().where('id', '=', id).executeTakeFirst(),
    insertRule: (row: Insertable<RuleTable>) =>
      k.insertInto('hotline.dispatch_rule').values({ ...row, assist_department_ids: arr(row.assist_department_ids ?? []) } as never).returningAll().executeTakeFirstOrThrow(),
    updateRule: (id: string, version: number, changes: Updateable<RuleTable>) => {
      const set: Record<string, unknown> = { ...changes, version: version + 1 }
      if (changes.assist_department_ids) set.assist_department_ids = arr(changes.assist_department_ids as string[])
      return k.updateTable('hotline.dispatch_rule').set(set as never).where('id', '=', id).where('version', '=', version).returningAll().executeTakeFirst()
    },
    deleteRule: (id: string) => k.deleteFrom('hotline.dispatch_rule').where('id', '=', id).executeTakeFirst(),

    // ---- API keys --------------------------------------------------------------------------------
    apiKeys: () => k.selectFrom('hotline.api_key').selectAll().orderBy('created_at', 'desc').execute(),
    apiKeyByHash: (hash: string) => k.selectFrom('hotline.api_key').selectAll().where('key_hash', '=', hash).where('revoked_at', 'is', null).executeTakeFirst(),
    insertApiKey: (row: Insertable<ApiKeyTable>) => k.insertInto('hotline.api_key').values(row).execute(),
    revokeApiKey: (id: string, at: Date) => k.updateTable('hotline.api_key').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst(),

    // ---- metrics ---------------------------------------------------------------------------------
    async departmentMetrics(from: Date, to: Date) {
      const { rows } = await sql<{
        department_id: string; department_name: string; dispatched: number; signed_in_time: number; replied: number; resolved: number; callbacks: number; satisfied: number
      }>`
        select department_id, max(department_name) as department_name,
          count(*)::int as dispatched,
          count(*) filter (where signed_at is not null and signed_at <= sign_due_at)::int as signed_in_time,
          count(*) filter (where replied_at is not null)::int as replied,
          count(*) filter (where resolved)::int as resolved,
          count(*) filter (where satisfaction is not null)::int as callbacks,
          count(*) filter (where satisfaction in ('satisfied', 'basically_satisfied'))::int as satisfied
        from hotline.ticket
        where department_id is not null and dispatched_at >= ${from} and dispatched_at < ${to} and status <> 'merged'
        group by department_id
        order by department_id`.execute(db)
      return rows
    },
    async centreMetrics(from: Date, to: Date) {
      const { rows } = await sql<{ total: number; consults: number; direct: number }>`
        select count(*)::int as total,
          count(*) filter (where type = 'consult')::int as consults,
          count(*) filter (where close_kind = 'direct')::int as direct
        from hotline.ticket where created_at >= ${from} and created_at < ${to} and status <> 'merged'`.execute(db)
      return rows[0]!
    },
  }
}
export type HotlineStore = ReturnType<typeof createHotlineStore>
