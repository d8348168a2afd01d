import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { sql } from 'kysely'
import type { Logger } from 'pino'
import type { Config } from '../config.js'
import { openDatabase } from '../db/database.js'
import { migrateToLatest } from '../db/migrate.js'
import { createAudit } from './audit.js'
import { loadCalendar, type WorkingCalendar } from './calendar.js'
import { systemClock, type Clock } from './clock.js'
import type { Core } from './core.js'
import { createLogger } from './logger.js'
import { createNatsPublisher } from './nats.js'
import { createOutbox } from './outbox.js'

/** The secret for sealing keys at rest: from SECRET_KEY, else generated once into DATA_DIR. */
export function resolveSecret(config: Config): string {
  if (config.SECRET_KEY) return config.SECRET_KEY
  const file = path.resolve(config.DATA_DIR, 'secret.key')
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim()
  fs.mkdirSync(path.dirname(file), { recursive: true })
  const secret = crypto.randomBytes(32).toString('base64url')
  fs.writeFileSync(file, secret, { mode: 0o600 })
  return secret
}

export interface CoreOptions {
  clock?: Clock
  calendar?: WorkingCalendar
  logger?: Logger
  /** PGlite location; defaults to DATA_DIR/pg. */
  pgliteDir?: string
  /** PGlite dump to start from instead of an empty cluster. */
  pgliteTemplate?: Blob
}

/** Opens the database, applies migrations and wires the platform services. */
export async function createCore(config: Config, opts: CoreOptions = {}): Promise<Core> {
  const logger = opts.logger ?? createLogger(config.LOG_LEVEL)
  const secret = resolveSecret(config)
  const cfg: Config = { ...config, SECRET_KEY: secret }
  const database = await openDatabase({
    databaseUrl: config.DATABASE_URL,
    dataDir: opts.pgliteDir ?? path.resolve(config.DATA_DIR, 'pg'),
    pgliteTemplate: opts.pgliteTemplate,
    onIdleError: (err) => logger.warn({ err }, 'idle database connection failed'),
  })
  await migrateToLatest(database.db)
  if (database.kind === 'pglite') {
    // PGlite is a single process, so an outbox lease can only be left by this data directory's
    // previous process, killed mid-delivery: give those events back now rather than after the
    // lease runs out. (On PostgreSQL another server process may hold it; there it expires.)
    await sql`update platform.outbox set lease_until = null where lease_until is not null`.execute(database.db)
  }
  const clock = opts.clock ?? systemClock
  const publisher = config.NATS_URL ? await createNatsPublisher(config.NATS_URL, config.NATS_STREAM) : undefined
  const outbox = createOutbox({ db: database.db, clock, logger, publisher })
  const audit = createAudit({ db: database.db, clock })
  const calendar = opts.calendar ?? loadCalendar(config.CALENDAR_OVERRIDES_FILE)
  return { config: cfg, database, db: database.db, clock, calendar, logger, outbox, audit }
}

export async function closeCore(core: Core): Promise<void> {
  await core.outbox.stop()
  await core.database.close()
}
