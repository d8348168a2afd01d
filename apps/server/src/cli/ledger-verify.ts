import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { sql } from 'kysely'
import { loadConfig } from '../config.js'
import { openDatabase } from '../db/database.js'
import { verifyLedger } from '../modules/ledger/index.js'
import { sm2IsValidPublicKey, sm2PublicKeyFromPem } from '../platform/gm.js'
import { t } from '../platform/i18n.js'

/**
 * `npm run ledger:verify`: recomputes the whole ledger (every entry's SM3 hash and link, every
 * checkpoint's Merkle root and SM2 signature) on DATABASE_URL or the PGlite data directory, without
 * the server. Exit 0 when intact, 1 at the first broken entry (its seq and reason are printed), 2 when
 * it cannot run. Stop the server first on PGlite: one process at a time may open its data directory.
 *
 *   --from=N --to=N         verify a range only
 *   --public-key=HEX|FILE   accept only checkpoints signed by this key (hex point or PEM file; repeatable)
 */
const usage = 'usage: npm run ledger:verify -- [--from=N] [--to=N] [--public-key=HEX|PEM-FILE ...]'

function fail(message: string): never {
  process.stderr.write(`${message}\n`)
  process.exit(2)
}

function pinnedKey(arg: string): string {
  if (sm2IsValidPublicKey(arg.toLowerCase())) return arg.toLowerCase()
  try {
    return sm2PublicKeyFromPem(fs.readFileSync(arg, 'utf8'))
  } catch (err) {
    fail(`--public-key ${arg}: not an SM2 public key (hex) or readable PEM file (${err instanceof Error ? err.message : String(err)})`)
  }
}

function seqArg(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isSafeInteger(n) || n < 1) fail(`--${name} must be a positive integer\n${usage}`)
  return n
}

const { values } = (() => {
  try {
    return parseArgs({
      options: { from: { type: 'string' }, to: { type: 'string' }, 'public-key': { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    })
  } catch (err) {
    fail(`${err instanceof Error ? err.message : String(err)}\n${usage}`)
  }
})()
if (values.help) {
  process.stdout.write(`${usage}\n`)
  process.exit(0)
}
const range = { fromSeq: seqArg(values.from, 'from'), toSeq: seqArg(values.to, 'to') }
if (range.fromSeq && range.toSeq && range.fromSeq > range.toSeq) fail(t('en', 'ledger.invalid-range'))
const publicKeys = values['public-key']?.map(pinnedKey)

let config: ReturnType<typeof loadConfig>
try {
  config = loadConfig()
} catch (err) {
  fail(err instanceof Error ? err.message : String(err))
}
const pgDir = path.resolve(config.DATA_DIR, 'pg')
if (!config.DATABASE_URL && !fs.existsSync(pgDir)) fail(`No database: ${pgDir} does not exist (set DATA_DIR or DATABASE_URL).`)
const where = config.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : `PGlite ${pgDir}`

const database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: pgDir }).catch((err: unknown) =>
  fail(`Cannot open ${where}: ${err instanceof Error ? err.message : String(err)}`),
)
let code = 2
try {
  const table = await sql<{ t: string | null }>`select to_regclass('ledger.entry')::text as t`.execute(database.db)
  if (!table.rows[0]?.t) throw new Error(`${where} has no ledger tables; run npm run migrate first.`)
  const started = performance.now()
  const result = await verifyLedger(database.db, range, { publicKeys })
  const seconds = (performance.now() - started) / 1000
  const lines = [
    `账本校验 Ledger verification — ${where}`,
    `  范围 range:                  ${range.fromSeq ?? 1}…${range.toSeq ?? 'end'}`,
    `  条目 entries checked:        ${result.checked}`,
    `  检查点 checkpoints checked:  ${result.checkpointsChecked}`,
    `  耗时 time:                   ${seconds.toFixed(2)} s (${Math.round(result.checked / Math.max(seconds, 1e-6))} entries/s)`,
  ]
  if (result.firstBroken) {
    const { seq, reason } = result.firstBroken
    lines.push(
      `✘ ${t('zh-CN', 'ledger.verify.broken', { seq, reason, description: t('zh-CN', `ledger.reason.${reason}`) })}`,
      `  ${t('en', 'ledger.verify.broken', { seq, reason, description: t('en', `ledger.reason.${reason}`) })}`,
      `FIRST BROKEN seq=${seq} reason=${reason}`,
    )
    code = 1
  } else {
    const params = { checked: result.checked, checkpoints: result.checkpointsChecked }
    lines.push(`✔ ${t('zh-CN', 'ledger.verify.ok', params)}`, `  ${t('en', 'ledger.verify.ok', params)}`)
    code = 0
  }
  process.stdout.write(`${lines.join('\n')}\n`)
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`)
  code = 2
} finally {
  await database.close()
}
process.exit(code)
