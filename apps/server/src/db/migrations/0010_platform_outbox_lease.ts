import { sql, type Kysely } from 'kysely'

/** Outbox rows are leased while delivered, so delivery can run outside a transaction. */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table platform.outbox add column lease_until timestamptz`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table platform.outbox drop column lease_until`.execute(db)
}
