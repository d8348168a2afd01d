import { spawn, type ChildProcess } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { log } from './report.js'

/** The repository root (bench/lib/../..). */
export const repoRoot = path.resolve(import.meta.dirname, '../..')

/**
 * Maintenance connection to the PostgreSQL server the benchmarks use. Loopback only: a benchmark
 * creates and drops databases, and must never be pointed at a shared server by accident.
 */
export const adminUrl = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
{
  const host = new URL(adminUrl).hostname
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) throw new Error(`BENCH_PG_URL must point at loopback, not ${host}`)
}

const DB_PREFIX = 'yw_bench_'

/** The servers' SECRET_KEY: fixed, so data prepared in-process (e2e/crash-seed.ts) is readable by them. */
export const BENCH_SECRET_KEY = 'yiwang-bench-secret-key-0123456789abcdef'

// ---- cleanup --------------------------------------------------------------------------------

type Cleanup = { label: string; fn: () => Promise<void> | void }
const cleanups: Cleanup[] = []

/** Registers something to undo at the end, on failure and on Ctrl-C; returns the unregister function. */
export function onCleanup(label: string, fn: () => Promise<void> | void): () => void {
  const c = { label, fn }
  cleanups.push(c)
  return () => {
    const i = cleanups.indexOf(c)
    if (i >= 0) cleanups.splice(i, 1)
  }
}

/** Runs every registered cleanup, newest first, each at most once. */
export async function runCleanups(): Promise<void> {
  while (cleanups.length) {
    const c = cleanups.pop()!
    try {
      await c.fn()
    } catch (err) {
      log(`  cleanup "${c.label}" failed: ${err instanceof Error ? err.message : String(err)}`)
    }
  }
}

// ---- databases ------------------------------------------------------------------------------

export interface ScratchDatabase {
  name: string
  url: string
  drop(): Promise<void>
}

function urlFor(name: string): string {
  const u = new URL(adminUrl)
  u.pathname = `/${name}`
  return u.toString()
}

async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: adminUrl })
  await c.connect()
  try {
    return await fn(c)
  } finally {
    await c.end()
  }
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`

/**
 * Creates an empty database with a random name (which carries this process's pid, so a later run
 * can drop what a killed run left behind) and registers its drop.
 */
export async function createScratchDatabase(purpose: string, opts: { keep?: boolean } = {}): Promise<ScratchDatabase> {
  const name = `${DB_PREFIX}${process.pid}_${purpose.replace(/[^a-z0-9]/gi, '').toLowerCase()}_${crypto.randomBytes(4).toString('hex')}`
  await withAdmin((c) => c.query(`create database ${ident(name)}`))
  // --keep: left for inspection (EXPLAIN …); the next benchmark run drops it as an orphan.
  if (opts.keep) return { name, url: urlFor(name), drop: async () => log(`  kept database ${name} (psql ${urlFor(name)})`) }
  let dropped = false
  const drop = async () => {
    if (dropped) return
    dropped = true
    unregister()
    await withAdmin((c) => c.query(`drop database if exists ${ident(name)} with (force)`))
  }
  const unregister = onCleanup(`drop database ${name}`, drop)
  return { name, url: urlFor(name), drop }
}

/** Drops scratch databases of earlier benchmark runs whose process is gone (killed with -9, say). */
export async function dropOrphanDatabases(): Promise<void> {
  await withAdmin(async (c) => {
    const { rows } = await c.query<{ datname: string }>(`select datname from pg_database where datname like $1`, [`${DB_PREFIX}%`])
    for (const { datname } of rows) {
      const pid = Number(/^yw_bench_(\d+)_/.exec(datname)?.[1])
      if (!pid || pid === process.pid || isAlive(pid)) continue
      log(`  dropping ${datname} left by an earlier run (pid ${pid} is gone)`)
      await c.query(`drop database if exists ${ident(datname)} with (force)`)
    }
  })
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

// ---- the server under test --------------------------------------------------------------------

/** One file per running server, `<runner pid>-<server pid>`, so a later run can stop what a killed run left. */
const pidDir = path.join(os.tmpdir(), 'yw-bench-servers')

/** Stops servers of earlier runs whose runner is gone (killed with -9, say); checks the command line first. */
export function stopOrphanServers(): void {
  if (!fs.existsSync(pidDir)) return
  for (const f of fs.readdirSync(pidDir)) {
    const m = /^(\d+)-(\d+)$/.exec(f)
    if (!m) continue
    const [runner, server] = [Number(m[1]), Number(m[2])]
    if (runner === process.pid || isAlive(runner)) continue
    try {
      if (fs.readFileSync(`/proc/${server}/cmdline`, 'utf8').includes('apps/server/src/main.ts')) {
        log(`  stopping server pid ${server} left by an earlier run (pid ${runner} is gone)`)
        process.kill(-server, 'SIGKILL')
      }
    } catch { /* gone already */ }
    fs.rmSync(path.join(pidDir, f), { force: true })
  }
}

export interface ServerOptions {
  /** PostgreSQL database; without it the server runs on embedded PGlite under `dataDir`. */
  databaseUrl?: string
  /** DATA_DIR (PGlite files, secret key): given, it is kept after stop (a restart reuses it); else a temporary one. */
  dataDir?: string
  /** Append the server's stdout and stderr to this file (the CI log scan reads it). */
  logFile?: string
  /** Seed the demo city (accounts, catalog …) on start. */
  demo: boolean
  /** More environment for the server. */
  env?: Record<string, string>
  /** Seconds to wait for /readyz (demo seeding takes a while). */
  startTimeoutS?: number
  /** Extra node flags for the server, e.g. --cpu-prof. */
  nodeArgs?: string[]
}

export interface RunningServer {
  baseUrl: string
  pid: number
  /** The server's (scratch) database; undefined on PGlite. */
  databaseUrl: string | undefined
  dataDir: string
  /** Resident set size in MiB, from /proc. */
  rssMiB(): number | null
  /** Server output so far (warnings and errors; LOG_LEVEL=warn). */
  output(): string
  stop(): Promise<void>
  /** SIGKILL to the server's process group, as a crash or an OOM kill would: no shutdown code runs. */
  kill(): Promise<void>
}

/** A free TCP port on loopback (asked of the kernel, then released for the server). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.unref()
    s.on('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port
      s.close(() => resolve(port))
    })
  })
}

/**
 * Starts Yiwang as its own process (`node --import tsx apps/server/src/main.ts`, what `npx tsx`
 * runs, minus the wrapper processes) on 127.0.0.1 and waits until /readyz answers 200. The
 * process leads its own process group, so Ctrl-C in the terminal reaches only the runner, which
 * stops the server itself.
 */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const port = await freePort()
  const keepDataDir = opts.dataDir !== undefined
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'yw-bench-data-'))
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    ...(opts.databaseUrl ? { DATABASE_URL: opts.databaseUrl } : {}),
    HOST: '127.0.0.1',
    PORT: String(port),
    DEMO: opts.demo ? 'true' : 'false',
    LOG_LEVEL: 'warn',
    // Fixed, so no key file is generated; this secret protects nothing but a throw-away database.
    SECRET_KEY: BENCH_SECRET_KEY,
    DATA_DIR: dataDir,
    // All load comes from one loopback address: per-IP limits would measure the limiter, not Yiwang.
    RATE_LIMIT_SCALE: '0',
    ...opts.env,
  }
  const child: ChildProcess = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', 'apps/server/src/main.ts'], {
    cwd: repoRoot,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  const keep = (b: Buffer) => {
    out += b.toString('utf8')
    if (out.length > 200_000) out = out.slice(-100_000)
  }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  if (opts.logFile) {
    const file = fs.createWriteStream(opts.logFile, { flags: 'a' })
    child.stdout!.pipe(file, { end: false })
    child.stderr!.pipe(file, { end: false })
    child.once('exit', () => setTimeout(() => file.end(), 100))
  }
  let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null
  const exit = new Promise<void>((resolve) => child.once('exit', (code, signal) => { exited = { code, signal }; resolve() }))

  const pid = child.pid!
  fs.mkdirSync(pidDir, { recursive: true })
  const pidFile = path.join(pidDir, `${process.pid}-${pid}`)
  fs.writeFileSync(pidFile, '')
  let stopped = false
  const stop = async () => {
    if (stopped) return
    stopped = true
    unregister()
    if (!exited) {
      try {
        process.kill(-pid, 'SIGTERM')
      } catch { /* already gone */ }
      // Generous: a loaded machine, or writing a CPU profile, makes shutdown slow.
      const timedOut = await Promise.race([exit.then(() => false), sleep(15_000).then(() => true)])
      if (timedOut) {
        log(`  server pid ${pid} did not stop within 15 s of SIGTERM; killed`)
        try {
          process.kill(-pid, 'SIGKILL')
        } catch { /* already gone */ }
        await exit
      }
    }
    if (!keepDataDir) fs.rmSync(dataDir, { recursive: true, force: true })
    fs.rmSync(pidFile, { force: true })
  }
  const kill = async () => {
    if (!exited) {
      try {
        process.kill(-pid, 'SIGKILL')
      } catch { /* already gone */ }
      await exit
    }
    await stop()
  }
  const unregister = onCleanup(`stop server pid ${pid}`, stop)

  const baseUrl = `http://127.0.0.1:${port}`
  const limit = Date.now() + (opts.startTimeoutS ?? 180) * 1000
  for (;;) {
    if (exited) {
      await stop()
      throw new Error(`the server exited while starting (${JSON.stringify(exited)}):\n${out.slice(-4000)}`)
    }
    if (Date.now() > limit) {
      await stop()
      throw new Error(`the server was not ready within ${opts.startTimeoutS ?? 180}s:\n${out.slice(-4000)}`)
    }
    try {
      const r = await fetch(`${baseUrl}/readyz`)
      if (r.status === 200) break
    } catch { /* not listening yet */ }
    await sleep(250)
  }

  return {
    baseUrl,
    pid,
    databaseUrl: opts.databaseUrl,
    dataDir,
    rssMiB() {
      try {
        const m = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))
        return m ? Math.round(Number(m[1]) / 1024) : null
      } catch {
        return null
      }
    },
    output: () => out,
    stop,
    kill,
  }
}
