import fs from 'node:fs'
import path from 'node:path'
import { loadConfig } from '../config.js'
import { restorePglite } from '../db/backup.js'

/**
 * `npm run restore -- <file> [--force]`: loads a backup made by `npm run backup` into
 * DATA_DIR/pg, with no server running. An existing database is refused, or with --force kept
 * aside as DATA_DIR/pg.before-restore-<time>. PostgreSQL: pg_restore (README).
 */
const config = loadConfig()
const args = process.argv.slice(2)
const force = args.includes('--force')
const given = args.find((a) => !a.startsWith('--'))
if (config.DATABASE_URL) {
  process.stderr.write('DATABASE_URL is set: restore PostgreSQL with pg_restore (see README "Backup and restore").\n')
  process.exit(2)
}
if (!given) {
  process.stderr.write('usage: npm run restore -- <backup file> [--force]\n')
  process.exit(2)
}
const file = path.resolve(process.env.INIT_CWD ?? process.cwd(), given)
try {
  const s = await restorePglite(file, path.resolve(config.DATA_DIR, 'pg'), { force })
  process.stdout.write(`Restored ${s.file} into ${path.resolve(config.DATA_DIR, 'pg')}: ${s.tables} tables.\n`)
  if (s.keptAside) process.stdout.write(`The database that was there is kept in ${s.keptAside}.\n`)
  if (!config.SECRET_KEY && !fs.existsSync(path.join(config.DATA_DIR, 'secret.key'))) {
    process.stdout.write(`Note: ${path.join(config.DATA_DIR, 'secret.key')} is missing: put back the key the backup was made with (or set SECRET_KEY) before starting, or sealed ID numbers cannot be read.\n`)
  }
} catch (err) {
  process.stderr.write(`Restore failed: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(1)
}
