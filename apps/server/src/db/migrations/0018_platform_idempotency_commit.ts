import { sql, type Kysely } from 'kysely'

/**
 * Idempotency-Key reservations learn whether their request committed (platform/idempotency.ts,
 * db/commit-hooks.ts). `token` names the request holding the reservation; the request's business
 * transaction sets `committed_at` and `change` (what the audit log says it changed) for that token
 * before COMMIT, so the marker exists exactly when the change does. A reservation with a marker is
 * never given up to a retry, and a request whose reservation was given up cannot commit.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table platform.idempotency
      add column token text,
      add column committed_at timestamptz,
      add column change jsonb`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table platform.idempotency drop column token, drop column committed_at, drop column change`.execute(db)
}
