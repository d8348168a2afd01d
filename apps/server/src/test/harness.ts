import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import pino from 'pino'
import { buildApp, type App } from '../app.js'
import { loadConfig, type Config } from '../config.js'
import { createCore } from '../platform/bootstrap.js'
import { ManualClock, type Clock } from '../platform/clock.js'
import type { Core } from '../platform/core.js'
import { createLogger } from '../platform/logger.js'
import type { Services } from '../services.js'

/**
 * Test databases: in-memory PGlite by default; when DATABASE_URL is set (CI's second pass),
 * a fresh PostgreSQL database per test file, dropped afterwards. Same migrations either way:
 * both start from the migrated template test/global-setup.ts made (a copy of it on PostgreSQL).
 */
async function freshPostgres(baseUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const base = new URL(baseUrl)
  const name = `${base.pathname.slice(1) || 'yiwang'}_t_${crypto.randomBytes(5).toString('hex')}`
  const template = process.env.YIWANG_PG_TEMPLATE
  const admin = new pg.Client({ connectionString: baseUrl })
  await admin.connect()
  await admin.query(`create database "${name}"${template ? ` template "${template}"` : ''}`)
  await admin.end()
  const url = new URL(baseUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: baseUrl })
      await c.connect()
      // Wait for the test's own connections to finish closing, so a forced drop kills none of them.
      for (let i = 0; i < 50; i++) {
        const { rows } = await c.query('select count(*)::int as n from pg_stat_activity where datname = $1', [name])
        if (rows[0].n === 0) break
        await new Promise((r) => setTimeout(r, 100))
      }
      await c.query(`drop database if exists "${name}" with (force)`)
      await c.end()
    },
  }
}

let template: Promise<Blob | undefined> | undefined

/** The migrated PGlite dump made once per run by test/global-setup.ts: loading it beats migrating anew. */
function pgliteTemplate(): Promise<Blob | undefined> {
  const file = process.env.YIWANG_PGLITE_TEMPLATE
  if (!file || !fs.existsSync(file)) return Promise.resolve(undefined)
  template ??= fs.promises.readFile(file).then((buf) => new Blob([buf]))
  return template
}

let logDestination: pino.DestinationStream | undefined

/**
 * Silent by default. YIWANG_TEST_LOG_FILE=<file> (CI) appends every test server's log at info
 * level (TEST_LOG_LEVEL overrides) to that file for the log scan (cli/log-scan.ts): synchronous
 * appends of whole lines, so the forked test workers' lines never interleave mid-line.
 */
function testLogger() {
  const file = process.env.YIWANG_TEST_LOG_FILE
  if (!file) return createLogger(process.env.TEST_LOG_LEVEL ?? 'silent')
  logDestination ??= pino.destination({ dest: file, append: true, mkdir: true, sync: true })
  return createLogger(process.env.TEST_LOG_LEVEL ?? 'info', logDestination)
}

export interface TestCore {
  core: Core
  clock: ManualClock
  close(): Promise<void>
}

export async function createTestCore(overrides: Partial<Record<string, string>> = {}, clock: Clock = new ManualClock()): Promise<TestCore> {
  const pgBase = process.env.DATABASE_URL
  const fresh = pgBase ? await freshPostgres(pgBase) : undefined
  const config: Config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DEMO: 'false',
    // Rate limits off: suites sign in far more often than a person would; rate-limit tests turn them on.
    RATE_LIMIT_SCALE: '0',
    PUBLIC_URL: 'http://localhost:3000',
    DATA_DIR: path.join(os.tmpdir(), `yiwang-test-${crypto.randomBytes(4).toString('hex')}`),
    SECRET_KEY: crypto.randomBytes(32).toString('base64url'),
    ...(fresh ? { DATABASE_URL: fresh.url } : {}),
    ...overrides,
  })
  const core = await createCore(config, {
    clock,
    pgliteDir: 'memory://',
    pgliteTemplate: fresh ? undefined : await pgliteTemplate(),
    logger: testLogger(),
  })
  return {
    core,
    clock: clock as ManualClock,
    close: async () => {
      await core.outbox.stop()
      await core.database.close()
      await fresh?.drop()
    },
  }
}

export interface TestApp extends TestCore {
  app: App
  services: Services
}

/** A whole application on a fresh database; requests go through `app.inject`. */
export async function createTestApp(overrides: Partial<Record<string, string>> = {}): Promise<TestApp> {
  const t = await createTestCore(overrides)
  const app = await buildApp(t.core)
  await app.ready()
  return {
    ...t,
    app,
    services: app.services,
    close: async () => {
      await app.close()
      await t.close()
    },
  }
}
