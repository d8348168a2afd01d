import { sql, type Kysely } from 'kysely'

/**
 * Stored answers to POST requests sent with an `Idempotency-Key` header (platform/idempotency.ts).
 * A row is written before the handler runs (the reservation: status null), so two concurrent
 * requests with one key cannot both run; the answer is filled in when the response is sent.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table platform.idempotency (
      scope text not null,
      key text not null,
      method text not null,
      path text not null,
      request_hash text not null,
      status int,
      response_body text,
      response_headers jsonb,
      created_at timestamptz not null,
      expires_at timestamptz not null,
      primary key (scope, key)
    )`.execute(db)
  await sql`create index idempotency_expires on platform.idempotency (expires_at)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table platform.idempotency`.execute(db)
}
