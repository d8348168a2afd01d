import { sql, type Kysely } from 'kysely'

/**
 * Case groups (一件事): one parent the applicant sees, one ordinary application per department
 * beneath it. The parent is its own table rather than an application row, so the staff queues —
 * which list applications by status and reach — never show it and keep scoping unchanged. Each
 * child also records how its form was filled (prefilled / typed / materials from licenses).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table cases.application_group (
      id text primary key,
      number text not null unique,
      applicant_id text not null,
      applicant_kind text not null check (applicant_kind in ('person', 'legal')),
      applicant_name text not null,
      title text not null,
      -- Who created it, e.g. 'onething:BIRTH' (a bundle code): the group itself is module-neutral.
      source text not null,
      division_code text not null,
      -- Parties beside the applicant who confirmed the application (co-applicants), [{accountId, name, role}].
      parties jsonb not null default '[]',
      fill jsonb not null default '{}',
      results_notified_at timestamptz,
      created_at timestamptz not null
    )`.execute(db)
  await sql`create index application_group_applicant on cases.application_group (applicant_id, created_at desc)`.execute(db)
  await sql`alter table cases.application add column group_id text references cases.application_group (id)`.execute(db)
  await sql`alter table cases.application add column fill_stats jsonb`.execute(db)
  await sql`create index application_group_child on cases.application (group_id) where group_id is not null`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index cases.application_group_child`.execute(db)
  await sql`alter table cases.application drop column fill_stats`.execute(db)
  await sql`alter table cases.application drop column group_id`.execute(db)
  await sql`drop table cases.application_group`.execute(db)
}
