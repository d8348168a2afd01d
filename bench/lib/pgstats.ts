import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'

/** Cumulative activity of one database: commits, and rows written per table (schema.table). */
export interface DbActivity {
  commits: number
  rollbacks: number
  tables: Map<string, { inserted: number; updated: number; deleted: number }>
}

/**
 * Reads pg_stat_database and pg_stat_user_tables of the server's database. Backends report their
 * counts about once a second, so the caller should let a second pass after the load stops.
 */
export async function dbActivity(databaseUrl: string): Promise<DbActivity> {
  const c = new pg.Client({ connectionString: databaseUrl })
  await c.connect()
  try {
    const db = await c.query<{ xact_commit: string; xact_rollback: string }>('select xact_commit, xact_rollback from pg_stat_database where datname = current_database()')
    const t = await c.query<{ name: string; ins: string; upd: string; del: string }>(
      `select schemaname || '.' || relname as name, n_tup_ins as ins, n_tup_upd as upd, n_tup_del as del from pg_stat_user_tables`,
    )
    return {
      commits: Number(db.rows[0]?.xact_commit ?? 0),
      rollbacks: Number(db.rows[0]?.xact_rollback ?? 0),
      tables: new Map(t.rows.map((r) => [r.name, { inserted: Number(r.ins), updated: Number(r.upd), deleted: Number(r.del) }])),
    }
  } finally {
    await c.end()
  }
}

/** Waits for the statistics to settle, then reads them. */
export async function settledActivity(databaseUrl: string): Promise<DbActivity> {
  await sleep(1200)
  return dbActivity(databaseUrl)
}

/** What happened between two readings, per unit of work (e.g. per cycle), busiest tables first. */
export function activityPer(a: DbActivity, b: DbActivity, units: number) {
  const per = (x: number) => Math.round((x / Math.max(1, units)) * 100) / 100
  const tables = [...b.tables]
    .map(([name, v]) => {
      const before = a.tables.get(name) ?? { inserted: 0, updated: 0, deleted: 0 }
      return { table: name, inserted: per(v.inserted - before.inserted), updated: per(v.updated - before.updated), deleted: per(v.deleted - before.deleted) }
    })
    .filter((t) => t.inserted + t.updated + t.deleted > 0)
    .sort((x, y) => y.inserted + y.updated + y.deleted - (x.inserted + x.updated + x.deleted))
  return { commits: per(b.commits - a.commits), rollbacks: per(b.rollbacks - a.rollbacks), tables }
}

/** What the server's database connections were doing, sampled from pg_stat_activity. */
export interface ActivitySummary {
  samples: number
  /** Average connections per state (active, idle in transaction, idle). */
  avg_by_state: Record<string, number>
  /** Average connections waiting, by wait event (e.g. Lock:transactionid, IO:WALSync, Client:ClientRead). */
  avg_waiting: Record<string, number>
  /** Queries most often seen waiting on a lock, with the average number of connections waiting in them. */
  lock_waits: { query: string; avg: number }[]
}

/**
 * Samples pg_stat_activity of one database every `everyMs` until stopped: where connections
 * spend their time (running, waiting on a lock or on WAL, idle in a transaction).
 */
export function sampleActivity(databaseUrl: string, everyMs = 100): { stop(): Promise<ActivitySummary> } {
  const client = new pg.Client({ connectionString: databaseUrl })
  const byState = new Map<string, number>()
  const waiting = new Map<string, number>()
  const lockQueries = new Map<string, number>()
  let samples = 0
  let running = true
  const loop = (async () => {
    await client.connect()
    while (running) {
      const r = await client.query<{ state: string | null; wet: string | null; we: string | null; query: string }>(
        `select state, wait_event_type as wet, wait_event as we, query from pg_stat_activity
         where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'`,
      )
      samples++
      for (const row of r.rows) {
        const state = row.state ?? 'unknown'
        byState.set(state, (byState.get(state) ?? 0) + 1)
        if (row.wet && state !== 'idle') {
          const key = `${row.wet}:${row.we}`
          waiting.set(key, (waiting.get(key) ?? 0) + 1)
          if (row.wet === 'Lock') {
            const q = row.query.replace(/\s+/g, ' ').slice(0, 140)
            lockQueries.set(q, (lockQueries.get(q) ?? 0) + 1)
          }
        }
      }
      await sleep(everyMs)
    }
    await client.end()
  })()
  return {
    async stop() {
      running = false
      await loop
      const avg = (m: Map<string, number>) => Object.fromEntries([...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, Math.round((v / Math.max(1, samples)) * 100) / 100]))
      return {
        samples,
        avg_by_state: avg(byState),
        avg_waiting: avg(waiting),
        lock_waits: [...lockQueries].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([query, n]) => ({ query, avg: Math.round((n / Math.max(1, samples)) * 100) / 100 })),
      }
    },
  }
}
