/**
 * Benchmark runner: `npm run bench -- <name> [--key=value …]`, or `npm run bench` for all.
 * Each benchmark (bench/benchmarks/<name>.ts) gets fresh databases on the local PostgreSQL and
 * Yiwang in a separate process; load is generated here. Results go to bench/results/<name>.json.
 * Everything it creates (server processes, databases) is removed at the end, on failure and on
 * Ctrl-C.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import pg from 'pg'
import { HttpClient } from './lib/http.js'
import { interruption, runPhase } from './lib/load.js'
import { runPgbench } from './lib/pgbench.js'
import { newestProfile, summarizeProfile } from './lib/profile.js'
import { log, resultsDir, table, writeResult } from './lib/report.js'
import { adminUrl, createScratchDatabase, dropOrphanDatabases, onCleanup, repoRoot, runCleanups, startServer, stopOrphanServers } from './lib/server.js'
import type { BenchContext, Benchmark } from './lib/types.js'

const benchDir = path.resolve(import.meta.dirname, 'benchmarks')

async function loadBenchmarks(): Promise<Benchmark[]> {
  const files = fs.readdirSync(benchDir).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).sort()
  const list: Benchmark[] = []
  for (const f of files) {
    const mod = await import(pathToFileURL(path.join(benchDir, f)).href)
    const b = mod.default as Benchmark | undefined
    if (!b || typeof b.run !== 'function' || !b.name) throw new Error(`bench/benchmarks/${f} must export default { name, description, run(ctx) }`)
    list.push(b)
  }
  return list
}

function parseArgs(argv: string[]): { names: string[]; options: Record<string, string>; help: boolean } {
  const names: string[] = []
  const options: Record<string, string> = {}
  let help = false
  for (const a of argv) {
    if (a === '--help' || a === '-h' || a === '--list') help = true
    else if (a.startsWith('--')) {
      const [k, ...v] = a.slice(2).split('=')
      options[k] = v.length ? v.join('=') : 'true'
    } else names.push(a)
  }
  return { names, options, help }
}

async function postgresVersion(): Promise<string> {
  const c = new pg.Client({ connectionString: adminUrl })
  await c.connect()
  try {
    return (await c.query<{ server_version: string }>('show server_version')).rows[0].server_version
  } finally {
    await c.end()
  }
}

async function runOne(b: Benchmark, options: Record<string, string>): Promise<boolean> {
  const clients: HttpClient[] = []
  // --profile: the server runs with V8's CPU profiler; the .cpuprofile opens in Chrome DevTools.
  const profileDir = options.profile === 'true' ? path.join(resultsDir, 'profiles', `${b.name}-${Date.now()}`) : null
  const ctx: BenchContext = {
    name: b.name,
    options,
    num(key, fallback) {
      const v = options[key]
      if (v === undefined) return fallback
      const n = Number(v)
      if (!Number.isFinite(n) || n <= 0) throw new Error(`--${key} must be a positive number, not ${v}`)
      return n
    },
    freshDatabase: (purpose) => createScratchDatabase(purpose),
    async startServer(opts) {
      const keep = options.keep === 'true'
      const db = await createScratchDatabase(b.name, { keep })
      if (keep) onCleanup('report kept database', db.drop)
      const t = Date.now()
      const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []
      const server = await startServer({ ...opts, databaseUrl: db.url, nodeArgs: [...(opts.nodeArgs ?? []), ...nodeArgs] })
      log(`  server pid ${server.pid} on ${server.baseUrl}, database ${db.name} (ready in ${((Date.now() - t) / 1000).toFixed(1)}s, demo=${opts.demo})`)
      return { ...server, databaseUrl: db.url }
    },
    client(server, maxSockets) {
      const c = new HttpClient(server.baseUrl, maxSockets)
      clients.push(c)
      return c
    },
    runPhase,
    pgbench: runPgbench,
    log,
    table,
  }
  log(`\n▶ ${b.name}: ${b.description}`)
  const started = new Date()
  const loadAtStart = os.loadavg()[0]
  // Other work on the machine takes CPU from the server and PostgreSQL: say so next to the figures.
  if (loadAtStart > os.cpus().length / 2) log(`  note: load average ${loadAtStart.toFixed(1)} on ${os.cpus().length} cores before the start; the machine is busy and the figures will be low`)
  try {
    const result = await b.run(ctx)
    if (profileDir) {
      // The profile is written when the server exits.
      for (const c of clients) c.close()
      await runCleanups()
      const file = newestProfile(profileDir)
      if (file) {
        const phases = result.phases as Record<string, { window_us?: [number, number] }> | undefined
        const window = phases?.peak?.window_us
        const summary = summarizeProfile(file, repoRoot, window)
        log(`\n  server CPU profile${window ? ' (peak phase)' : ''}: ${path.relative(repoRoot, file)} — self time, ${summary.total_ms} ms sampled`)
        table(['where', '%'], summary.places.slice(0, 10).map((p) => [p.name, p.pct]))
        log('')
        table(['function', '%'], summary.functions.slice(0, 15).map((f) => [f.name, f.pct]))
        result.server_profile = { file: path.relative(repoRoot, file), phase: window ? 'peak' : 'all', ...summary }
      }
    }
    const file = writeResult(b.name, {
      benchmark: b.name,
      started_at: started.toISOString(),
      finished_at: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        cpu_model: os.cpus()[0]?.model ?? null,
        node: process.version,
        postgres: await postgresVersion(),
        load_average_at_start: Math.round(loadAtStart * 100) / 100,
        load_average_at_end: Math.round(os.loadavg()[0] * 100) / 100,
      },
      options,
      ...result,
    })
    log(`  results: ${path.relative(repoRoot, file)}`)
    return true
  } catch (err) {
    log(`✗ ${b.name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
    return false
  } finally {
    for (const c of clients) c.close()
    await runCleanups()
  }
}

async function main(): Promise<number> {
  const { names, options, help } = parseArgs(process.argv.slice(2))
  const all = await loadBenchmarks()
  if (help) {
    log('usage: npm run bench -- [name …] [--key=value …]\n')
    table(['benchmark', 'in "all"', 'description'], all.map((b) => [b.name, b.manual ? 'no' : 'yes', b.description]))
    return 0
  }
  const unknown = names.filter((n) => !all.some((b) => b.name === n))
  if (unknown.length) {
    log(`unknown benchmark(s): ${unknown.join(', ')}; available: ${all.map((b) => b.name).join(', ')}`)
    return 2
  }
  const chosen = names.length ? all.filter((b) => names.includes(b.name)) : all.filter((b) => !b.manual)
  stopOrphanServers()
  await dropOrphanDatabases()
  let ok = true
  for (const b of chosen) ok = (await runOne(b, options)) && ok
  return ok ? 0 : 1
}

// Ctrl-C or a kill: stop the server, drop the databases, then leave.
let leaving = false
const signalNumbers = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (leaving) return
    leaving = true
    interruption.requested = true
    log(`\n${signal}: stopping the server and dropping the scratch databases …`)
    void runCleanups().finally(() => process.exit(128 + signalNumbers[signal]))
  })
}

// A bug in a benchmark must not leave a server or a database behind either.
process.on('uncaughtException', (err) => {
  log(`bench runner crashed: ${err.stack ?? err.message}`)
  interruption.requested = true
  void runCleanups().finally(() => process.exit(1))
})

main()
  .then((code) => {
    process.exitCode = code
  })
  .catch(async (err) => {
    log(`bench runner failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
    await runCleanups()
    process.exitCode = 1
  })
