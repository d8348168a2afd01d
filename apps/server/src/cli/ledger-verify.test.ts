import { spawnSync } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../config.js'
import { openDatabase } from '../db/database.js'
import { createLedgerService } from '../modules/ledger/index.js'
import { createCore } from '../platform/bootstrap.js'
import { sm2GenerateKeyPair } from '../platform/gm.js'
import { createLogger } from '../platform/logger.js'
import { createTestCore, type TestCore } from '../test/harness.js'

const repoRoot = path.resolve(import.meta.dirname, '../../../..')
const tsx = path.join(repoRoot, 'node_modules/.bin/tsx')
const cli = path.join(repoRoot, 'apps/server/src/cli/ledger-verify.ts')

/** The environment the CLI sees: only what we give it (no DATABASE_URL from the test run leaking in). */
function envWith(vars: Record<string, string>): NodeJS.ProcessEnv {
  const { DATABASE_URL: _db, DATA_DIR: _dir, ...rest } = process.env
  return { ...rest, LOG_LEVEL: 'silent', ...vars }
}

function runCli(vars: Record<string, string>, args: string[] = []) {
  const r = spawnSync(tsx, [cli, ...args], { cwd: repoRoot, env: envWith(vars), encoding: 'utf8', timeout: 60_000 })
  return { code: r.status, out: `${r.stdout}${r.stderr}` }
}

/** Appends 20 entries (checkpoints at 8 and 16) through the service. */
async function populate(core: Parameters<typeof createLedgerService>[0]) {
  const ledger = createLedgerService(core, { checkpointEvery: 8 })
  for (let i = 0; i < 20; i++) await ledger.append(core.db, { kind: 'test.cli', payload: { i } })
  return ledger
}

const handEdit = (seq: number) => [
  sql`alter table ledger.entry disable trigger user`,
  sql`update ledger.entry set payload = '{"i": 999}'::jsonb where seq = ${seq}`,
  sql`alter table ledger.entry enable trigger user`,
]

describe('npm run ledger:verify on a PGlite data directory', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'yiwang-ledger-cli-'))
  const env = { DATA_DIR: dataDir, SECRET_KEY: crypto.randomBytes(32).toString('base64url') }
  let publicKeyHex = ''

  beforeAll(async () => {
    const core = await createCore(loadConfig({ ...env, NODE_ENV: 'test', DEMO: 'false' }), { logger: createLogger('silent') })
    const ledger = await populate(core)
    publicKeyHex = (await ledger.publicKey()).publicKeyHex
    // PGlite admits one process at a time: let go before the CLI opens the directory.
    await core.outbox.stop()
    await core.database.close()
  })
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }))

  it('passes an intact ledger, signed by the pinned key, with exit code 0', () => {
    const r = runCli(env, [`--public-key=${publicKeyHex}`])
    expect(r.out).toContain('entries checked:        20')
    expect(r.out).toContain('checkpoints checked:  2')
    expect(r.code, r.out).toBe(0)
  })

  it('fails checkpoints signed by a key other than the pinned one', () => {
    const r = runCli(env, [`--public-key=${sm2GenerateKeyPair().publicKeyHex}`])
    expect(r.code).toBe(1)
    expect(r.out).toContain('FIRST BROKEN seq=8 reason=checkpoint-signature-invalid')
  })

  it('catches a hand-edited row: exit code 1 and the broken seq printed', async () => {
    const database = await openDatabase({ dataDir: path.join(dataDir, 'pg') })
    for (const q of handEdit(7)) await q.execute(database.db)
    await database.close()
    const r = spawnSync('npm', ['run', '--silent', 'ledger:verify'], { cwd: repoRoot, env: envWith(env), encoding: 'utf8', timeout: 60_000 })
    expect(r.stdout).toContain('FIRST BROKEN seq=7 reason=hash-mismatch')
    expect(r.stdout).toContain('第一个异常条目序号 7')
    expect(r.stdout).toContain('first broken entry is seq 7')
    expect(r.status).toBe(1)
  })

  it('exits 2 when there is no database to verify', () => {
    const r = runCli({ DATA_DIR: path.join(dataDir, 'nowhere') })
    expect(r.code).toBe(2)
    expect(r.out).toContain('No database')
  })
})

describe.skipIf(!process.env.DATABASE_URL)('npm run ledger:verify on PostgreSQL (DATABASE_URL)', () => {
  let t: TestCore
  beforeAll(async () => {
    t = await createTestCore()
    await populate(t.core)
  })
  afterAll(async () => {
    await t?.close()
  })

  it('passes the intact ledger and catches a hand-edited row', async () => {
    const env = { DATABASE_URL: t.core.config.DATABASE_URL! }
    expect(runCli(env).code).toBe(0)
    for (const q of handEdit(13)) await q.execute(t.core.db)
    const r = runCli(env)
    expect(r.out).toContain('FIRST BROKEN seq=13 reason=hash-mismatch')
    expect(r.code).toBe(1)
  })
})
