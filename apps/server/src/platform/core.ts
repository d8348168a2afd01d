import type { Logger } from 'pino'
import type { Config } from '../config.js'
import type { Database, Db } from '../db/database.js'
import type { Audit } from './audit.js'
import type { WorkingCalendar } from './calendar.js'
import type { Clock } from './clock.js'
import type { Outbox } from './outbox.js'

/** What the platform hands every module: nothing module-specific, nothing global. */
export interface Core {
  config: Config
  database: Database
  db: Db
  clock: Clock
  calendar: WorkingCalendar
  logger: Logger
  outbox: Outbox
  audit: Audit
}
