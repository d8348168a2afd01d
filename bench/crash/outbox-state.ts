import path from 'node:path'
import { sql } from 'kysely'
import { openDatabase } from '../../apps/server/src/db/database.js'

export interface OutboxState {
  total: number
  pending: number
  /** A few undelivered events, `type subject`. */
  samples: string[]
}

/**
 * Delivery state of the outbox events about some applications (their own events, and the
 * notifications that name them). PostgreSQL is read while the server runs; a PGlite data
 * directory only while no server has it open.
 */
export async function pendingOutboxEvents(where: { databaseUrl: string } | { dataDir: string }, applicationIds: string[]): Promise<OutboxState> {
  const database = await openDatabase('databaseUrl' in where ? { databaseUrl: where.databaseUrl } : { dataDir: path.join(where.dataDir, 'pg') })
  try {
    if (applicationIds.length === 0) return { total: 0, pending: 0, samples: [] }
    const ids = sql.join(applicationIds.map((id) => sql`${id}`))
    const { rows } = await sql<{ type: string; subject: string | null; delivered_at: Date | null }>`
      select type, subject, delivered_at from platform.outbox
      where subject in (${ids}) or data->>'applicationId' in (${ids})`.execute(database.db)
    const pending = rows.filter((r) => r.delivered_at === null)
    return { total: rows.length, pending: pending.length, samples: pending.slice(0, 5).map((r) => `${r.type} ${r.subject ?? ''}`) }
  } finally {
    await database.close()
  }
}
