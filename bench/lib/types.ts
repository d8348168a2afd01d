import type { HttpClient } from './http.js'
import type { PhaseOptions, PhaseResult } from './load.js'
import type { PgbenchResult } from './pgbench.js'
import type { RunningServer, ScratchDatabase, ServerOptions } from './server.js'

/** What the runner hands a benchmark. */
export interface BenchContext {
  name: string
  /** `--key=value` options from the command line (e.g. `--duration=10`). */
  options: Record<string, string>
  /** A numeric option, or its default. */
  num(key: string, fallback: number): number
  /** A fresh database, dropped at the end of the benchmark (and on failure or Ctrl-C). */
  freshDatabase(purpose: string): Promise<ScratchDatabase>
  /** Yiwang in its own process on a fresh database; stopped at the end of the benchmark. */
  startServer(opts: Omit<ServerOptions, 'databaseUrl'>): Promise<RunningServer & { databaseUrl: string }>
  /** A keep-alive client for the server (closed at the end). */
  client(server: RunningServer, maxSockets?: number): HttpClient
  /** Drives load from this (the runner's) process. */
  runPhase(opts: PhaseOptions): Promise<PhaseResult>
  /** `pgbench -N` on a scratch database of the same PostgreSQL server. */
  pgbench(opts: { clients: number; seconds: number }): Promise<PgbenchResult>
  log(line: string): void
  table(headers: string[], rows: (string | number | null | undefined)[][]): void
}

export interface Benchmark {
  name: string
  description: string
  /** Left out of `npm run bench` (all); run by name only (long runs such as soak). */
  manual?: boolean
  /** Measures and prints; the returned object is written to bench/results/<name>.json. */
  run(ctx: BenchContext): Promise<Record<string, unknown>>
}

/** Identity function that types a benchmark module's default export. */
export function defineBenchmark(b: Benchmark): Benchmark {
  return b
}
