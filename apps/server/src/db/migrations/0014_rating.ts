import { sql, type Kysely } from 'kysely'

/**
 * Schema `rating`: 好差评 (国办发〔2019〕51号). Subjects that may be rated (a closed case, a ticket
 * after its callback), the one rating each, and the rectification (整改) a 差评 opens. Case,
 * ticket, account, department, item and division ids are plain text owned by other modules.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create schema rating`.execute(db)
  await sql`
    create table rating.subject (
      id text primary key,
      kind text not null check (kind in ('case', 'ticket')),
      -- The case or ticket id in its own module.
      ref_id text not null,
      -- Case number or ticket number, for people to read.
      label text not null,
      rater_id text not null,
      department_id text not null,
      department_name text not null,
      division_code text not null,
      item_id text,
      item_name text,
      rateable_from timestamptz not null,
      rateable_until timestamptz not null,
      rated_at timestamptz,
      created_at timestamptz not null,
      unique (kind, ref_id)
    )`.execute(db)
  await sql`create index subject_rater on rating.subject (rater_id, created_at desc)`.execute(db)

  await sql`
    create table rating.rating (
      id text primary key,
      subject_id text not null unique references rating.subject (id),
      rater_id text not null,
      level int not null check (level between 1 and 5),
      tags jsonb not null default '[]',
      comment text,
      channel text not null check (channel in ('web', 'mobile', 'sms')),
      -- Copied from the subject so statistics read one table.
      subject_kind text not null,
      department_id text not null,
      department_name text not null,
      division_code text not null,
      item_id text,
      item_name text,
      created_at timestamptz not null
    )`.execute(db)
  await sql`create index rating_stats on rating.rating (division_code text_pattern_ops, created_at)`.execute(db)
  await sql`create index rating_department on rating.rating (department_id, created_at)`.execute(db)

  await sql`
    create table rating.rectification (
      id text primary key,
      rating_id text not null unique references rating.rating (id),
      subject_id text not null references rating.subject (id),
      rater_id text not null,
      department_id text not null,
      department_name text not null,
      division_code text not null,
      status text not null check (status in ('open', 'answered', 'closed')),
      -- Last day (Beijing, YYYY-MM-DD) to answer, on the working-day calendar; text, so no driver shifts it.
      due_date text not null check (due_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
      answer text,
      answered_at timestamptz,
      answered_by text,
      answered_by_name text,
      answered_on_time boolean,
      -- Every call-back attempt [{at, by, byName, method, reached, note}]; the loop closes on a reached one.
      callbacks jsonb not null default '[]',
      outcome text,
      rater_satisfaction text check (rater_satisfaction in ('satisfied', 'basically_satisfied', 'unsatisfied')),
      closed_at timestamptz,
      version int not null default 1,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`.execute(db)
  await sql`create index rectification_queue on rating.rectification (status, division_code text_pattern_ops, due_date)`.execute(db)
  await sql`create index rectification_department on rating.rectification (department_id, status, due_date)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop schema rating cascade`.execute(db)
}
