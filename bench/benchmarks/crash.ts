import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { formatCrashReport, runCrashCheck } from '../crash/check.js'
import { defineBenchmark } from '../lib/types.js'

/**
 * kill -9 mid-load, larger than CI's pass (e2e/crash-safety.test.ts): on a fresh PostgreSQL
 * database and on PGlite in a temporary data directory. `--clients` (16), `--acknowledged`
 * (200: SIGKILL after that many acknowledged submissions), `--pglite=false` to skip PGlite,
 * `--in-flight` (seconds: the restarted server's IDEMPOTENCY_IN_FLIGHT_S; 1 makes every retry come
 * after the cut-off reservations were given up).
 */
export default defineBenchmark({
  name: 'crash',
  description: 'SIGKILL mid-load on PostgreSQL and PGlite, restart, retry with Idempotency-Key: acknowledged writes lost, duplicates, events undelivered (target 0, 0, 0)',
  manual: true,
  async run(ctx) {
    const clients = ctx.num('clients', 16)
    const killAfterAcknowledged = ctx.num('acknowledged', 200)
    const inFlightTimeoutS = ctx.options['in-flight'] ? ctx.num('in-flight', 300) : undefined
    const runs = []
    const databases: ('postgres' | 'pglite')[] = ctx.options.pglite === 'false' ? ['postgres'] : ['postgres', 'pglite']
    for (const kind of databases) {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'yw-crash-'))
      try {
        const databaseUrl = kind === 'postgres' ? (await ctx.freshDatabase('crash')).url : undefined
        const r = await runCrashCheck({ databaseUrl, dataDir, clients, killAfterAcknowledged, inFlightTimeoutS, maxLoadS: 120, log: ctx.log })
        ctx.log(`  ${formatCrashReport(r)}`)
        for (const p of r.problems.slice(0, 20)) ctx.log(`    ${p}`)
        runs.push(r)
      } finally {
        fs.rmSync(dataDir, { recursive: true, force: true })
      }
    }
    ctx.log('')
    ctx.table(
      ['database', 'acknowledged', 'cut off', 'lost', 'duplicated', 'not replayed', 'retries completed', 'retries in flight', 'of them committed', 'events delivered', 'restart s'],
      runs.map((r) => [r.database, r.acknowledged, r.in_flight_at_kill, r.lost, r.duplicated, r.retries_not_replayed, r.retries_completed, r.retries_in_flight, r.committed_unanswered, `${r.events_checked - r.events_pending}/${r.events_checked}`, r.restart_s]),
    )
    return { clients, kill_after_acknowledged: killAfterAcknowledged, in_flight_timeout_s: inFlightTimeoutS ?? null, runs, targets: { lost: 0, duplicated: 0, events_pending: 0 } }
  },
})
