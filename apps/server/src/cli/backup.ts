import fs from 'node:fs'
import path from 'node:path'
import { loadConfig } from '../config.js'
import { backupPglite } from '../db/backup.js'

/**
 * `npm run backup [-- <file>]`: the embedded PGlite database (DATA_DIR/pg) as one .tar.gz, taken
 * with the server stopped (it refuses while a server has the directory open). PostgreSQL is
 * backed up with pg_dump (README).
 */
const config = loadConfig()
if (config.DATABASE_URL) {
  process.stderr.write('DATABASE_URL is set: back up PostgreSQL with pg_dump -Fc (see README "Backup and restore").\n')
  process.exit(2)
}
const base = process.env.INIT_CWD ?? process.cwd()
const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')
const file = path.resolve(base, process.argv[2] ?? `yiwang-backup-${stamp}.tar.gz`)
try {
  const s = await backupPglite(path.resolve(config.DATA_DIR, 'pg'), file)
  process.stdout.write(`Backup written: ${s.file} (${(s.bytes / 1024 / 1024).toFixed(1)} MiB, ${s.tables} tables)\n`)
  if (!config.SECRET_KEY && fs.existsSync(path.join(config.DATA_DIR, 'secret.key'))) {
    process.stdout.write(`Keep ${path.join(config.DATA_DIR, 'secret.key')} safe as well, apart from the backup: without it the sealed ID numbers in the backup cannot be read.\n`)
  }
} catch (err) {
  process.stderr.write(`Backup failed: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(1)
}
