import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration'
import type { Db } from './database.js'
import { migrations } from './migrations/index.js'

const provider: MigrationProvider = {
  getMigrations: async () => migrations as Record<string, Migration>,
}

function migrator(db: Db) {
  return new Migrator({ db, provider, migrationTableSchema: 'platform' })
}

/** Applies every pending migration; throws with the failing migration's name. */
export async function migrateToLatest(db: Db): Promise<string[]> {
  await db.schema.createSchema('platform').ifNotExists().execute()
  const { error, results } = await migrator(db).migrateToLatest()
  const failed = results?.find((r) => r.status === 'Error')
  if (error) throw new Error(`Migration ${failed?.migrationName ?? '?'} failed: ${String(error)}`, { cause: error })
  return (results ?? []).map((r) => r.migrationName)
}

/** True when every known migration has been applied (used by /readyz). */
export async function migrationsApplied(db: Db): Promise<boolean> {
  const all = await migrator(db).getMigrations()
  return all.every((m) => m.executedAt !== undefined)
}
