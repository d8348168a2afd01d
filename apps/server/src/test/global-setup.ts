import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { openDatabase } from '../db/database.js'
import { migrateToLatest } from '../db/migrate.js'

/**
 * Runs once per test run: migrates an in-memory PGlite and dumps it, so each test file starts
 * from the dump (≈0.5 s) instead of creating and migrating a cluster (≈3 s). PostgreSQL runs
 * (DATABASE_URL set) migrate each fresh database for real instead.
 */
export default async function setup() {
  if (process.env.DATABASE_URL) return
  const database = await openDatabase({ dataDir: 'memory://' })
  await migrateToLatest(database.db)
  const dump = await database.dump!()
  const file = path.join(os.tmpdir(), `yiwang-pglite-template-${process.pid}.tar`)
  fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()))
  await database.close()
  process.env.YIWANG_PGLITE_TEMPLATE = file
  return () => fs.rmSync(file, { force: true })
}
