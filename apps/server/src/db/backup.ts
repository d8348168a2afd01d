import fs from 'node:fs'
import path from 'node:path'
import { sql } from 'kysely'
import { openDatabase, type Database } from './database.js'
import { lockDataDir } from './pglite-lock.js'

/**
 * Backup and restore of the embedded (PGlite) database. PGlite lives inside one process and
 * cannot be read from another while the server runs, so a backup is taken with the server
 * stopped: the directory is opened (which finishes any crash recovery), checkpointed, and
 * PGlite's own `dumpDataDir` writes the whole data directory as a gzip tarball. That copy is
 * consistent by construction, and restoring it is PGlite's `loadDataDir`. For PostgreSQL use
 * pg_dump / pg_restore (README).
 */

export interface BackupSummary {
  file: string
  bytes: number
  tables: number
}

async function describe(database: Database): Promise<{ tables: number }> {
  const { rows } = await sql<{ tables: number }>`select count(*)::int as tables from pg_stat_user_tables`.execute(database.db)
  return rows[0]
}

/** Writes the PGlite data directory `pgDir` to `file` (a .tar.gz). Fails while a server has it open. */
export async function backupPglite(pgDir: string, file: string): Promise<BackupSummary> {
  if (!fs.existsSync(path.join(pgDir, 'PG_VERSION'))) throw new Error(`no PGlite database in ${pgDir}`)
  const database = await openDatabase({ dataDir: pgDir })
  try {
    await sql`checkpoint`.execute(database.db)
    const { tables } = await describe(database)
    const dump = await database.dump!('gzip')
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true })
    // Written beside, then renamed: an interrupted backup never looks like a finished one.
    const partial = `${file}.partial`
    fs.writeFileSync(partial, Buffer.from(await dump.arrayBuffer()), { mode: 0o600 })
    fs.renameSync(partial, file)
    return { file, bytes: fs.statSync(file).size, tables }
  } finally {
    await database.close()
  }
}

/**
 * Loads a backup into `pgDir`. An existing database there is kept aside as
 * `<pgDir>.before-restore-<time>` when `force` is set, and refused otherwise.
 */
export async function restorePglite(file: string, pgDir: string, opts: { force?: boolean } = {}): Promise<BackupSummary & { keptAside: string | null }> {
  if (!fs.existsSync(file)) throw new Error(`no backup file ${file}`)
  // Locked while the directory is checked and moved aside; openDatabase then locks it again itself.
  const unlock = lockDataDir(pgDir)
  let keptAside: string | null = null
  try {
    if (fs.existsSync(pgDir) && fs.readdirSync(pgDir).length > 0) {
      if (!opts.force) throw new Error(`${pgDir} already holds a database; restore into an empty DATA_DIR, or pass --force to keep the current one aside and replace it`)
      keptAside = `${pgDir}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`
      fs.renameSync(pgDir, keptAside)
    }
  } finally {
    unlock()
  }
  const database = await openDatabase({ dataDir: pgDir, pgliteTemplate: new Blob([fs.readFileSync(file)]) })
  try {
    const { tables } = await describe(database)
    return { file, bytes: fs.statSync(file).size, tables, keptAside }
  } finally {
    await database.close()
  }
}
