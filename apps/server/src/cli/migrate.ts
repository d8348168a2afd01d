import path from 'node:path'
import { loadConfig } from '../config.js'
import { openDatabase } from '../db/database.js'
import { migrateToLatest } from '../db/migrate.js'

/** `npm run migrate`: applies pending migrations to DATABASE_URL or the PGlite data directory. */
const config = loadConfig()
const database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: path.resolve(config.DATA_DIR, 'pg') })
try {
  const applied = await migrateToLatest(database.db)
  process.stdout.write(`Migrations: ${applied.length ? applied.join(', ') : 'already up to date'}\n`)
} finally {
  await database.close()
}
