import fs from 'node:fs'
import path from 'node:path'
import { Kysely, PGliteDialect, PostgresDialect, sql } from 'kysely'
import { PGlite } from '@electric-sql/pglite'
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm'
import pg from 'pg'
import { withCommitHooks } from './commit-hooks.js'
import { lockDataDir } from './pglite-lock.js'

/**
 * The database handle every module receives. It is untyped here on purpose: each module's store
 * narrows it to its own schema's tables (see `scoped`), so one module's SQL cannot name another's.
 */
export type Db = Kysely<any>

export interface Database {
  db: Db
  kind: 'pglite' | 'postgres'
  close(): Promise<void>
  /** PGlite only: the whole data directory as a tarball (gzip-compressed when asked). */
  dump?(compression?: 'none' | 'gzip'): Promise<Blob>
}

// int8 (counts, sequences) as numbers: every value we store in int8 stays below 2^53.
pg.types.setTypeParser(20, (v) => Number(v))
pg.types.setTypeParser(1700, (v) => Number(v))

/** Narrows the shared handle to one module's tables. */
export function scoped<Tables>(db: Db): Kysely<Tables> {
  return db as unknown as Kysely<Tables>
}

export interface OpenOptions {
  databaseUrl?: string
  /** PGlite data directory, or 'memory://' for an in-memory database. */
  dataDir?: string
  /** Called when an idle PostgreSQL connection fails (it is discarded and replaced). */
  onIdleError?: (err: Error) => void
  /** A PGlite data-directory dump to start from (tests start from a migrated template). */
  pgliteTemplate?: Blob
}

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: opts.databaseUrl,
      max: 10,
      // A request waits at most this long for a free connection, then fails instead of queueing forever.
      connectionTimeoutMillis: 10_000,
      // A transaction left open by a stuck handler would hold row locks (a case, the ledger head)
      // that every other request then waits on; the server ends such a session.
      idle_in_transaction_session_timeout: 30_000,
    })
    // An idle client losing its connection (server restart, admin terminate) must not crash the
    // process; the pool discards it and the next query opens a new one.
    pool.on('error', (err) => opts.onIdleError?.(err))
    // Commit hooks let a request's transaction carry platform rows it does not know about (idempotency).
    const db = new Kysely<any>({ dialect: withCommitHooks(new PostgresDialect({ pool })) })
    await sql`create extension if not exists pg_trgm`.execute(db)
    return { db, kind: 'postgres', close: () => db.destroy() }
  }
  const dataDir = opts.dataDir ?? 'memory://'
  const inMemory = dataDir.startsWith('memory://')
  if (!inMemory) fs.mkdirSync(path.dirname(path.resolve(dataDir)), { recursive: true })
  const unlock = inMemory ? () => undefined : lockDataDir(dataDir)
  let pglite: PGlite
  try {
    pglite = await PGlite.create(dataDir, {
      extensions: { pg_trgm },
      ...(opts.pgliteTemplate ? { loadDataDir: opts.pgliteTemplate } : {}),
      parsers: { 20: (v: string) => Number(v), 1700: (v: string) => Number(v) },
    })
  } catch (err) {
    unlock()
    throw err
  }
  const db = new Kysely<any>({ dialect: withCommitHooks(new PGliteDialect({ pglite })) })
  await sql`create extension if not exists pg_trgm`.execute(db)
  return {
    db,
    kind: 'pglite',
    dump: (compression = 'none') => pglite.dumpDataDir(compression),
    close: async () => {
      await db.destroy()
      if (!pglite.closed) await pglite.close()
      unlock()
    },
  }
}
