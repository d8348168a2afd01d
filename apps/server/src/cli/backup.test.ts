import { execFile } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../config.js'
import { catalogPublisher, buildWorld, newCitizen } from '../modules/cases/test-support.js'
import type { ApplicationDetail } from '../modules/cases/index.js'
import { closeCore, createCore } from '../platform/bootstrap.js'
import type { Core } from '../platform/core.js'
import { createLogger } from '../platform/logger.js'
import type { Principal } from '../platform/roles.js'
import { createServices } from '../services.js'

/**
 * `npm run backup` / `npm run restore` on the embedded database: cases made in a PGlite data
 * directory, backed up with the CLI, restored with the CLI into a fresh directory, found again.
 * PGlite only (the PostgreSQL pass skips it: PostgreSQL is backed up with pg_dump).
 */
const run = promisify(execFile)
const cli = (name: string) => path.resolve(import.meta.dirname, `${name}.ts`)
const secret = crypto.randomBytes(32).toString('base64url')
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'yw-backup-test-'))
const [dirA, dirB] = [path.join(root, 'a'), path.join(root, 'b')]
const backupFile = path.join(root, 'yiwang.tar.gz')

function openCore(dataDir: string, fresh = false): Promise<Core> {
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DEMO: 'false', RATE_LIMIT_SCALE: '0', DATA_DIR: dataDir, SECRET_KEY: secret })
  // A fresh directory starts from the run's migrated template (test/global-setup.ts) when there is one: faster than initdb.
  const template = fresh && process.env.YIWANG_PGLITE_TEMPLATE && fs.existsSync(process.env.YIWANG_PGLITE_TEMPLATE) ? new Blob([fs.readFileSync(process.env.YIWANG_PGLITE_TEMPLATE)]) : undefined
  return createCore(config, { logger: createLogger('silent'), pgliteTemplate: template })
}

/** The CLI as `npm run backup|restore` runs it, on PGlite in `dataDir`. */
async function runCli(name: 'backup' | 'restore', dataDir: string, args: string[]): Promise<{ code: number; out: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, SECRET_KEY: secret, LOG_LEVEL: 'silent' }
  delete env.DATABASE_URL
  try {
    const r = await run(process.execPath, ['--import', 'tsx', cli(name), ...args], { env })
    return { code: 0, out: r.stdout + r.stderr }
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string }
    return { code: err.code, out: err.stdout + err.stderr }
  }
}

describe.skipIf(!!process.env.DATABASE_URL)('backup and restore of the embedded database', () => {
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }))

  it('backs up cases, refuses while the database is open, restores them into a fresh directory', async () => {
    // Cases in directory A, made through the services.
    const core = await openCore(dirA, true)
    const services = createServices(core)
    const w = await buildWorld(services.org, catalogPublisher(services.catalog))
    const citizen: Principal = await newCitizen(services.identity, 7)
    const made: ApplicationDetail[] = []
    for (let i = 0; i < 3; i++) {
      const d = await services.cases.createDraft(citizen, { itemVersionId: w.items.instant.versionId })
      made.push(await services.cases.submit(citizen, d.id, { version: d.version }))
    }
    made.push(await services.cases.createDraft(citizen, { itemVersionId: w.items.licence.versionId, formData: { applicantName: '备份测试' } }))

    // A second process must not open a directory the server has open.
    const busy = await runCli('backup', dirA, [backupFile])
    expect(busy.code, busy.out).toBe(1)
    expect(busy.out).toContain('in use by process')
    expect(fs.existsSync(backupFile)).toBe(false)
    await closeCore(core)

    const backup = await runCli('backup', dirA, [backupFile])
    expect(backup.code, backup.out).toBe(0)
    expect(backup.out).toContain('Backup written')
    expect(fs.statSync(backupFile).size).toBeGreaterThan(100_000)

    const restore = await runCli('restore', dirB, [backupFile])
    expect(restore.code, restore.out).toBe(0)
    // Restoring over a database is refused without --force.
    const again = await runCli('restore', dirB, [backupFile])
    expect(again.code).toBe(1)
    expect(again.out).toContain('already holds a database')

    const restored = await openCore(dirB)
    try {
      const s = createServices(restored)
      for (const c of made) {
        const found = await s.cases.getApplication(citizen, c.id)
        expect({ id: found.id, number: found.number, status: found.status, formData: found.formData }).toEqual({ id: c.id, number: c.number, status: c.status, formData: c.formData })
      }
      expect((await s.cases.listMine(citizen)).total).toBe(made.length)
    } finally {
      await closeCore(restored)
    }
  }, 240_000)
})
