import { execFile } from 'node:child_process'
import fs from 'node:fs'
import { promisify } from 'node:util'
import { createScratchDatabase } from './server.js'

const run = promisify(execFile)

/** pgbench from PATH, else from the newest /usr/lib/postgresql/<n>/bin. */
export function findPgbench(): string {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && fs.existsSync(`${dir}/pgbench`)) return `${dir}/pgbench`
  }
  const root = '/usr/lib/postgresql'
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : []
  for (const v of versions) if (fs.existsSync(`${root}/${v}/bin/pgbench`)) return `${root}/${v}/bin/pgbench`
  throw new Error('pgbench not found (install postgresql-contrib or the postgresql client package)')
}

export interface PgbenchResult {
  tps: number
  clients: number
  threads: number
  seconds: number
  transactions: number
  latency_avg_ms: number | null
  command: string
}

/**
 * The database server's own yardstick: `pgbench -N` (TPC-B-like without the branch and teller
 * updates, so clients do not queue on one row) on a scratch database initialised with `-i`,
 * with as many clients as the benchmark had. It is dropped afterwards.
 */
export async function runPgbench(opts: { clients: number; seconds: number; scale?: number }): Promise<PgbenchResult> {
  const bin = findPgbench()
  const db = await createScratchDatabase('pgbench')
  try {
    const conn = ['-h', '127.0.0.1', '-p', new URL(db.url).port || '5432', '-U', new URL(db.url).username || 'postgres']
    await run(bin, ['-i', '-q', '-s', String(opts.scale ?? 1), ...conn, db.name], { maxBuffer: 10 * 1024 * 1024 })
    const threads = Math.max(1, Math.min(opts.clients, 2))
    const args = ['-N', '-n', '-c', String(opts.clients), '-j', String(threads), '-T', String(opts.seconds), ...conn, db.name]
    const { stdout } = await run(bin, args, { maxBuffer: 10 * 1024 * 1024 })
    const tps = Number(/tps = ([\d.]+)/.exec(stdout)?.[1])
    if (!Number.isFinite(tps)) throw new Error(`could not read tps from pgbench:\n${stdout}`)
    return {
      tps: Math.round(tps),
      clients: opts.clients,
      threads,
      seconds: opts.seconds,
      transactions: Number(/number of transactions actually processed: (\d+)/.exec(stdout)?.[1] ?? 0),
      latency_avg_ms: Number(/latency average = ([\d.]+) ms/.exec(stdout)?.[1]) || null,
      command: `pgbench ${args.join(' ').replace(db.name, '<scratch>')}`,
    }
  } finally {
    await db.drop()
  }
}
