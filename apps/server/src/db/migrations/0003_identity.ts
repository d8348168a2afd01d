import type { Kysely } from 'kysely'

// Placeholder: filled in by the module's owner.
export async function up(db: Kysely<any>): Promise<void> {
  void db
}

export async function down(db: Kysely<any>): Promise<void> {
  void db
}
