import { sql, type Kysely } from 'kysely'

/**
 * Schema `cases`: applications (办件), their timeline, uploaded material files, the per-division
 * daily number counter and the applicants' in-app inbox. Item, department, division and account
 * ids are plain text owned by catalog, org and identity; foreign keys stay inside this schema.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create schema cases`.execute(db)
  await sql`
    create table cases.application (
      id text primary key,
      -- Division code + YYYYMMDD (Beijing) + per-division daily sequence; assigned on first submission.
      number text unique,
      applicant_id text not null,
      applicant_kind text not null check (applicant_kind in ('person', 'legal')),
      applicant_name text not null,
      item_id text not null,
      item_version_id text not null,
      item_code text not null,
      item_name text not null,
      department_id text not null,
      department_name text not null,
      division_code text not null,
      handling_class text not null check (handling_class in ('immediate', 'same_day', 'time_limited', 'agency')),
      promised_days int not null,
      legal_days int,
      -- Snapshot of the version's review steps [{name, role}]: versions are immutable, the snapshot keeps queues to one table.
      review_steps jsonb not null,
      -- Snapshot of the version's materials [{code, name, requirement}], which uploads link to.
      materials jsonb not null,
      status text not null check (status in ('draft', 'submitted', 'accepted', 'not_accepted', 'supplement_requested',
        'under_review', 'approved', 'denied', 'result_issued', 'delivered', 'closed', 'withdrawn')),
      review_step int,
      awaiting_role text,
      resume_status text,
      resume_step int,
      form_data jsonb not null default '{}',
      supplement jsonb,
      decision jsonb,
      result jsonb,
      delivery jsonb,
      -- The deadline clock: starts at acceptance, pauses in 补正, stops at the decision.
      accepted_at timestamptz,
      limit_days int,
      paused_days int not null default 0,
      paused_at timestamptz,
      clock_stopped_at timestamptz,
      due_at timestamptz,
      yellow_at timestamptz,
      light text check (light in ('green', 'yellow', 'red')),
      submitted_at timestamptz,
      decided_at timestamptz,
      closed_at timestamptz,
      version int not null default 1,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`.execute(db)
  await sql`create index application_applicant on cases.application (applicant_id, created_at desc)`.execute(db)
  await sql`create index application_queue on cases.application (status, division_code text_pattern_ops, created_at)`.execute(db)
  await sql`create index application_running on cases.application (due_at) where status in ('accepted', 'under_review')`.execute(db)

  await sql`
    create table cases.transition (
      id text primary key,
      application_id text not null references cases.application (id),
      action text not null,
      from_status text not null,
      to_status text not null,
      review_step int,
      step_name text,
      actor_id text,
      actor_name text,
      actor_role text,
      opinion text,
      detail jsonb not null default '{}',
      at timestamptz not null
    )`.execute(db)
  await sql`create index transition_application on cases.transition (application_id, at, id)`.execute(db)

  await sql`
    create table cases.file (
      id text primary key,
      application_id text not null references cases.application (id),
      material_key text not null,
      file_name text not null,
      content_type text not null,
      size_bytes int not null,
      sm3 text not null,
      storage_key text not null,
      uploaded_by text not null,
      created_at timestamptz not null,
      removed_at timestamptz
    )`.execute(db)
  await sql`create index file_application on cases.file (application_id, material_key)`.execute(db)

  await sql`
    create table cases.number_counter (
      division_code text not null,
      day text not null,
      last int not null,
      primary key (division_code, day)
    )`.execute(db)

  await sql`
    create table cases.notification (
      id text primary key,
      account_id text not null,
      application_id text not null references cases.application (id),
      kind text not null,
      params jsonb not null default '{}',
      created_at timestamptz not null,
      read_at timestamptz
    )`.execute(db)
  await sql`create index notification_account on cases.notification (account_id, created_at desc)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop schema cases cascade`.execute(db)
}
