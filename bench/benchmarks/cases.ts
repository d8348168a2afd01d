import { performance } from 'node:perf_hooks'
// validators.ts directly rather than the module's index.ts: the index also loads oidc-provider,
// which prints a runtime warning into the benchmark's output. Nothing but pure functions is used.
import { seededRandom } from '../../apps/server/src/modules/identity/validators.js'
import type { Answer } from '../lib/http.js'
import type { IterationContext, PhaseResult } from '../lib/load.js'
import { round } from '../lib/load.js'
import { activityPer, sampleActivity, settledActivity } from '../lib/pgstats.js'
import { defineBenchmark } from '../lib/types.js'
import { benchItem, createPublishedItem, departmentsByName, registerApplicant, signIn } from '../lib/yiwang.js'

/**
 * Applications end to end through the HTTP API: many applicants each file a case (draft, then
 * submit), a window clerk accepts it and the department head approves it. Throughput counts
 * state transitions (submit, accept, approve) and full cycles; latency is per step. pgbench -N
 * on the same PostgreSQL server with the same number of clients is the yardstick.
 */

const CLERK = 'xz.clerk' // 忻州市政务服务中心: one window (一窗受理) for every department of 140900
const HEAD = 'xz.head' // 忻州市行政审批服务管理局: decides that department's items
const DEPARTMENT = '忻州市行政审批服务管理局'
const TRANSITIONS = ['submit', 'accept', 'approve'] as const

const versionOf = (a: Answer) => a.json<{ version: number }>().version

export default defineBenchmark({
  name: 'cases',
  description: 'applications submit → accept → approve over HTTP: transitions/s and cycles/s vs pgbench -N TPS (target ratio ≥ 0.5; p99 < 50 ms at half load)',
  async run(ctx) {
    const concurrency = ctx.num('concurrency', 16)
    const duration = ctx.num('duration', 20)
    const pgbenchSeconds = ctx.num('pgbench-seconds', 10)

    // ---- yardstick: the database alone ------------------------------------------------------
    ctx.log(`  pgbench -N, ${concurrency} clients, ${pgbenchSeconds}s …`)
    const pgbench = await ctx.pgbench({ clients: concurrency, seconds: pgbenchSeconds })
    ctx.log(`  pgbench -N: ${pgbench.tps} TPS (${pgbench.command})`)

    // ---- Yiwang ----------------------------------------------------------------------------
    const server = await ctx.startServer({ demo: true })
    const client = ctx.client(server, concurrency * 3 + 4)
    const admin = await signIn(client, 'admin')
    const department = (await departmentsByName(admin, '140900')).get(DEPARTMENT)
    if (!department) throw new Error(`demo department ${DEPARTMENT} missing`)
    const item = await createPublishedItem(admin, benchItem(department.id))

    const t = performance.now()
    const rng = seededRandom(Date.now() % 1_000_000)
    const runTag = String(Date.now() % 1000).padStart(3, '0')
    // Each virtual user: its own applicant, and its own clerk and head sessions (as separate desks would have).
    const users = await Promise.all(
      Array.from({ length: concurrency }, async (_, i) => ({
        applicant: await registerApplicant(client, i, rng, runTag),
        clerk: await signIn(client, CLERK),
        head: await signIn(client, HEAD),
      })),
    )
    ctx.log(`  ${concurrency} applicants registered, clerk and head signed in (${((performance.now() - t) / 1000).toFixed(1)}s); item ${item.code}`)

    const form = { applicantName: '基准测试申请人', reason: '性能基准测试' }
    const cycle = async (c: IterationContext) => {
      const u = users[c.worker]
      const draft = await c.time('draft', () => u.applicant.post('/api/cases', { itemId: item.itemId, formData: form }))
      const id = draft.json<{ id: string }>().id
      let v = versionOf(draft)
      v = versionOf(await c.time('submit', () => u.applicant.post(`/api/cases/${id}/submit`, { version: v })))
      v = versionOf(await c.time('accept', () => u.clerk.post(`/api/cases/${id}/accept`, { version: v })))
      await c.time('approve', () => u.head.post(`/api/cases/${id}/approve`, { version: v, opinion: '同意' }), (a) => a.json<{ status: string }>().status === 'approved')
    }

    // The demo city has approved cases of its own; count only ours.
    const approvedCount = async () => (await users[0].head.ok<{ total: number }>('GET', '/api/cases?status=approved&pageSize=1')).total
    const approvedBefore = await approvedCount()
    ctx.log('  warm-up …')
    const warm = await ctx.runPhase({ label: 'warm-up', concurrency, durationS: 5, progressEveryS: 0, iteration: cycle })
    if (warm.iterations === 0) throw new Error(`no cycle completed during warm-up: ${warm.error_samples.join(' | ')}`)
    const beforePeak = await settledActivity(server.databaseUrl)
    ctx.log(`  peak: ${concurrency} applicants back to back for ${duration}s`)
    const sampler = sampleActivity(server.databaseUrl)
    const peak = await ctx.runPhase({ label: 'peak', serverPid: server.pid, concurrency, durationS: duration, maxIterations: 200_000, iteration: cycle })
    const connections = await sampler.stop()
    // What one cycle costs the database: transactions (every statement outside one counts) and rows written per table.
    const perCycle = activityPer(beforePeak, await settledActivity(server.databaseUrl), peak.iterations)
    const halfRate = Math.max(0.5, peak.iterations_per_s / 2)
    ctx.log(`  half load: ${halfRate.toFixed(1)} cycles/s for ${duration}s`)
    const half = await ctx.runPhase({ label: 'half', serverPid: server.pid, concurrency, durationS: duration, ratePerS: halfRate, maxIterations: 200_000, iteration: cycle })

    // Every cycle the load generator saw complete must be an approved case in the database.
    const approved = (await approvedCount()) - approvedBefore
    const expected = warm.iterations + peak.iterations + half.iterations

    const transitionsOf = (p: PhaseResult) => TRANSITIONS.reduce((n, s) => n + (p.steps[s]?.count ?? 0) - (p.steps[s]?.errors ?? 0), 0) / p.elapsed_s
    const p99Of = (p: PhaseResult) => Math.max(...TRANSITIONS.map((s) => p.steps[s]?.p99_ms ?? 0))
    const transitionsPerS = round(transitionsOf(peak))
    const ratio = round(transitionsPerS / pgbench.tps, 3)
    const p99 = p99Of(half)

    ctx.log('')
    ctx.table(
      ['phase', 'clients', 'cycles/s', 'transitions/s', 'req/s', 'p50 ms', 'p99 ms', 'failed', 'CPU % server', 'CPU % rest (PostgreSQL…)', 'CPU % runner'],
      [peak, half].map((p) => [
        p.label, p.concurrency, p.iterations_per_s, round(transitionsOf(p)), p.requests_per_s, p.latency.p50_ms, p.latency.p99_ms, p.failed_iterations,
        p.cpu?.server_pct, p.cpu?.rest_pct, p.cpu?.runner_pct,
      ]),
    )
    ctx.log('')
    ctx.table(
      ['step', 'peak p50', 'peak p95', 'peak p99', 'half p50', 'half p95', 'half p99', 'errors'],
      ['draft', ...TRANSITIONS].map((s) => [
        s + (s === 'draft' ? ' (not a transition)' : ''),
        peak.steps[s]?.p50_ms, peak.steps[s]?.p95_ms, peak.steps[s]?.p99_ms,
        half.steps[s]?.p50_ms, half.steps[s]?.p95_ms, half.steps[s]?.p99_ms,
        (peak.steps[s]?.errors ?? 0) + (half.steps[s]?.errors ?? 0),
      ]),
    )
    ctx.log('')
    ctx.table(
      ['figure', 'value', 'target'],
      [
        ['transitions/s (peak)', transitionsPerS, null],
        ['cycles/s (peak)', peak.iterations_per_s, null],
        [`pgbench -N TPS (${concurrency} clients)`, pgbench.tps, null],
        ['ratio transitions/s ÷ pgbench TPS', ratio.toFixed(3), '≥ 0.5'],
        ['p99 of a transition at half load (ms)', p99, '< 50'],
        ['approved cases in the database / cycles completed', `${approved} / ${expected}`, 'equal'],
      ],
    )
    ctx.log('')
    ctx.log(`  per cycle at peak: ${perCycle.commits} database transactions (${perCycle.rollbacks} rolled back); rows written:`)
    ctx.table(['table', 'inserted', 'updated', 'deleted'], perCycle.tables.slice(0, 12).map((t) => [t.table, t.inserted, t.updated, t.deleted]))
    ctx.log('')
    ctx.log(`  the server's database connections at peak (average of ${connections.samples} samples of pg_stat_activity):`)
    ctx.log(`    by state: ${Object.entries(connections.avg_by_state).map(([k, v]) => `${k} ${v}`).join(', ')}`)
    ctx.log(`    waiting:  ${Object.entries(connections.avg_waiting).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`)
    for (const w of connections.lock_waits) ctx.log(`    lock wait ${w.avg}: ${w.query}`)
    for (const p of [warm, peak, half]) if (p.error_samples.length) ctx.log(`  ${p.label} errors: ${p.error_samples.join(' | ')}`)

    return {
      transitions_per_s: transitionsPerS,
      cycles_per_s: peak.iterations_per_s,
      pgbench_tps: pgbench.tps,
      ratio,
      p99_ms: p99,
      targets: { ratio: 0.5, p99_ms: 50, ratio_met: ratio >= 0.5, p99_met: p99 < 50 },
      concurrency,
      half_load: { cycles_per_s: half.iterations_per_s, transitions_per_s: round(transitionsOf(half)), target_cycles_per_s: round(halfRate) },
      steps: { peak: peak.steps, half: half.steps },
      database_per_cycle: perCycle,
      database_connections_at_peak: connections,
      approved_in_database: approved,
      cycles_completed: expected,
      pgbench,
      phases: { warm_up: { iterations: warm.iterations, failed: warm.failed_iterations }, peak, half },
      item: { code: item.code, review_steps: 1 },
      server_rss_mib: server.rssMiB(),
    }
  },
})
