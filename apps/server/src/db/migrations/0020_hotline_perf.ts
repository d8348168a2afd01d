import { sql, type Kysely } from 'kysely'

/**
 * The hotline at a million tickets (bench/benchmarks/hotline.ts; EXPLAIN figures in docs/hotline.md).
 * - Duplicate hints look for the same place and category within a few days: one index range
 *   (division, category, newest first) instead of every ticket of the division in the window.
 * - A department's open queues (to sign, processing) in the order they show, from a partial index of
 *   the open tickets only; its full list by deadline from an index in that order, carrying the status
 *   so the capped count is an index-only scan (the old (department, status, due_at) index made "all"
 *   read and sort every ticket the department ever had: 1 s for 40,000).
 * - The centre's pending extension requests from a partial index (a scan of the whole table before).
 * The replaced indexes served nothing else: as many full indexes as before; the new partial ones take
 * only open tickets and pending extensions.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index ticket_place_category on hotline.ticket (division_code, category_code, created_at)`.execute(db)
  await sql`drop index hotline.ticket_place`.execute(db)
  await sql`create index ticket_department_open on hotline.ticket (department_id, status, due_at, created_at, id) where status in ('dispatched', 'processing')`.execute(db)
  await sql`create index ticket_department_deadline on hotline.ticket (department_id, due_at, created_at, id) include (status)`.execute(db)
  await sql`drop index hotline.ticket_department`.execute(db)
  await sql`create index ticket_extension_pending on hotline.ticket (created_at) where (extension->>'decided')::boolean is false`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index hotline.ticket_extension_pending`.execute(db)
  await sql`create index ticket_department on hotline.ticket (department_id, status, due_at)`.execute(db)
  await sql`drop index hotline.ticket_department_deadline`.execute(db)
  await sql`drop index hotline.ticket_department_open`.execute(db)
  await sql`create index ticket_place on hotline.ticket (division_code, created_at)`.execute(db)
  await sql`drop index hotline.ticket_place_category`.execute(db)
}
