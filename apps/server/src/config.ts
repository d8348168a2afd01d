import path from 'node:path'
import { z } from 'zod'

/** Every environment variable Yiwang reads, parsed once. The README lists the same set. */
const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Public base URL; the OpenID Connect issuer. Defaults to http://HOST:PORT. */
  PUBLIC_URL: z.url().optional(),
  /** PostgreSQL connection string; when unset, embedded PGlite stores data under DATA_DIR. */
  DATABASE_URL: z.string().optional(),
  DATA_DIR: z.string().default('./data'),
  /** NATS server for publishing domain events to JetStream as CloudEvents. */
  NATS_URL: z.string().optional(),
  NATS_STREAM: z.string().default('YIWANG'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Secret for sealing keys at rest and signing cookies; generated into DATA_DIR when unset. */
  SECRET_KEY: z.string().min(32).optional(),
  /** Load the demo city on first start (empty database). */
  DEMO: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  /** JSON file with {"holidays": ["YYYY-MM-DD"], "workdays": ["YYYY-MM-DD"]} overriding the calendar. */
  CALENDAR_OVERRIDES_FILE: z.string().optional(),
  /** Origins allowed to call the API from a browser (comma-separated, e.g. https://a.gov.cn); none by default. */
  CORS_ORIGINS: z.string().default(''),
  /** Multiplies every rate limit (platform/rate-limit.ts); 0 switches them off (tests, benchmarks). */
  RATE_LIMIT_SCALE: z.coerce.number().min(0).max(1000).default(1),
  /** Seconds before an Idempotency-Key reservation whose request never answered nor committed is given up (platform/idempotency.ts). */
  IDEMPOTENCY_IN_FLIGHT_S: z.coerce.number().int().min(1).max(86_400).default(300),
  /** Where the web app's built files are served from. */
  WEB_DIST: z.string().optional(),
})

export type Config = z.infer<typeof configSchema> & { publicUrl: string; webDist: string }

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
    throw new Error(`Invalid environment:\n${lines.join('\n')}`)
  }
  const c = parsed.data
  // `npm start` runs the server from apps/server; relative paths mean the directory npm was run in.
  const base = env.INIT_CWD ?? process.cwd()
  c.DATA_DIR = path.resolve(base, c.DATA_DIR)
  if (c.CALENDAR_OVERRIDES_FILE) c.CALENDAR_OVERRIDES_FILE = path.resolve(base, c.CALENDAR_OVERRIDES_FILE)
  const shownHost = c.HOST === '0.0.0.0' ? 'localhost' : c.HOST
  return {
    ...c,
    publicUrl: (c.PUBLIC_URL ?? `http://${shownHost}:${c.PORT}`).replace(/\/$/, ''),
    webDist: c.WEB_DIST ?? path.resolve(import.meta.dirname, '../../web/dist'),
  }
}
