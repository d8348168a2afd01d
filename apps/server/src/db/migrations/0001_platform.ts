import { sql, type Kysely } from 'kysely'

/** Platform tables shared by every module: the event outbox and the audit log. */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table platform.outbox (
      seq bigserial primary key,
      id text not null unique,
      type text not null,
      source text not null,
      subject text,
      data jsonb not null,
      occurred_at timestamptz not null,
      delivered_at timestamptz,
      published_at timestamptz,
      attempts int not null default 0,
      last_error text
    )`.execute(db)
  await sql`create index outbox_pending on platform.outbox (seq) where delivered_at is null`.execute(db)
  await sql`create index outbox_unpublished on platform.outbox (seq) where published_at is null`.execute(db)
  await sql`
    create table platform.audit_log (
      id text primary key,
      at timestamptz not null,
      actor_id text,
      actor_kind text,
      actor_name text,
      action text not null,
      target_type text,
      target_id text,
      division_code text,
      ip text,
      user_agent text,
      outcome text not null default 'success',
      detail jsonb not null default '{}'::jsonb
    )`.execute(db)
  await sql`create index audit_log_at on platform.audit_log (at desc)`.execute(db)
  await sql`create index audit_log_actor on platform.audit_log (actor_id, at desc)`.execute(db)
  await sql`create index audit_log_action on platform.audit_log (action, at desc)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table platform.audit_log`.execute(db)
  await sql`drop table platform.outbox`.execute(db)
}
