import { sql, type RawBuilder } from 'kysely'
import type { Logger } from 'pino'
import type { Db } from '../db/database.js'
import type { Clock } from './clock.js'
import { newId } from './ids.js'

/** A domain event as stored and delivered: `<module>.<entity>.<action>` with a JSON payload. */
export interface DomainEvent<T = unknown> {
  id: string
  type: string
  source: string
  subject: string | null
  data: T
  occurredAt: Date
}

export interface NewEvent<T = unknown> {
  type: string
  subject?: string
  data: T
}

export type EventHandler = (event: DomainEvent) => Promise<void> | void
/** Takes every event of its type in a claimed batch at once (in order); see `subscribeBatch`. */
export type BatchEventHandler = (events: DomainEvent[]) => Promise<void> | void

/** Publishes a delivered event elsewhere (NATS JetStream); must be idempotent on event id. */
export interface EventPublisher {
  publish(event: DomainEvent): Promise<void>
  close(): Promise<void>
}

export interface Outbox {
  /** Writes the event in the caller's transaction, so it exists exactly when the change does. */
  add(trx: Db, event: NewEvent): Promise<DomainEvent>
  /** Like `add` for several events, in one statement (in order). */
  addAll(trx: Db, events: NewEvent[]): Promise<DomainEvent[]>
  /**
   * `addAll` without running it: the insert (null for no events) for the caller to run in its
   * transaction, alone or inside a statement of its own (a data-modifying CTE).
   */
  prepareAll(events: NewEvent[]): { events: DomainEvent[]; insert: RawBuilder<unknown> | null }
  /** Registers an in-process handler for an event type ('*' for all). Handlers must be idempotent. */
  subscribe(type: string, handler: EventHandler): void
  /**
   * Registers a handler that takes the events of one type together, one call per claimed batch, at
   * the place of the first of them (so before other types' handlers for later events of the batch).
   * For work that is cheaper in bulk (one insert for many text messages). Must be idempotent.
   */
  subscribeBatch(type: string, handler: BatchEventHandler): void
  /** Delivers pending events now; returns how many were delivered. */
  drain(): Promise<number>
  /** Asks the dispatcher to run soon (after a commit). */
  nudge(): void
  start(intervalMs?: number): void
  stop(): Promise<void>
}

interface OutboxRow {
  seq: number
  id: string
  type: string
  source: string
  subject: string | null
  data: unknown
  occurred_at: Date
  delivered_at: Date | null
  published_at: Date | null
  lease_until: Date | null
}

const BATCH = 100

function toEvent(row: OutboxRow): DomainEvent {
  return { id: row.id, type: row.type, source: row.source, subject: row.subject, data: row.data, occurredAt: new Date(row.occurred_at) }
}

/**
 * Transactional outbox. Delivery is at least once: an event is marked delivered only after every
 * handler returned, so a crash between commit and delivery re-delivers it after restart.
 */
export function createOutbox(deps: { db: Db; clock: Clock; logger: Logger; source?: string; publisher?: EventPublisher }): Outbox {
  const { db, clock, logger, publisher } = deps
  const source = deps.source ?? '/yiwang'
  const handlers = new Map<string, EventHandler[]>()
  const batchHandlers = new Map<string, BatchEventHandler[]>()
  let timer: NodeJS.Timeout | undefined
  let running: Promise<number> | undefined
  let again = false
  let stopped = false

  async function deliverBatch(): Promise<number> {
    // Claim a batch with a short lease, then deliver outside any transaction: handlers may use the
    // database themselves (PGlite has one connection, so a held transaction would block them), and
    // SKIP LOCKED plus the lease lets several server processes share the work.
    const rows = (
      await sql<OutboxRow>`update platform.outbox set lease_until = now() + interval '60 seconds'
        where seq in (
          select seq from platform.outbox
          where (delivered_at is null or (published_at is null and ${publisher !== undefined}))
            and (lease_until is null or lease_until < now())
          order by seq limit ${BATCH} for update skip locked)
        returning *`.execute(db)
    ).rows.sort((a, b) => a.seq - b.seq)
    // Delivered events are marked in one statement per batch rather than one each (under load the
    // per-event updates competed with requests); a crash before the mark re-delivers the batch,
    // which at-least-once delivery allows.
    const delivered: number[] = []
    const markDelivered = async () => {
      if (!delivered.length) return
      const now = clock.now()
      await sql`update platform.outbox set delivered_at = coalesce(delivered_at, ${now}),
        published_at = ${publisher ? now : null}, attempts = attempts + 1, last_error = null, lease_until = null
        where seq = any(${delivered}::bigint[])`.execute(db)
    }
    const batched = new Set<string>()
    for (const [i, row] of rows.entries()) {
      const event = toEvent(row)
      try {
        if (!row.delivered_at) {
          const many = batchHandlers.get(row.type)
          if (many && !batched.has(row.type)) {
            // A failure here gives this event and the rest back, the others of the type included.
            batched.add(row.type)
            const same = rows.slice(i).filter((r) => r.type === row.type && !r.delivered_at).map(toEvent)
            for (const handler of many) await handler(same)
          }
          for (const handler of [...(handlers.get(row.type) ?? []), ...(handlers.get('*') ?? [])]) await handler(event)
        }
        if (publisher && !row.published_at) await publisher.publish(event)
        delivered.push(row.seq)
      } catch (err) {
        logger.warn({ err, eventId: row.id, type: row.type }, 'event delivery failed; will retry')
        await markDelivered()
        await sql`update platform.outbox set attempts = attempts + 1, last_error = ${String(err).slice(0, 1000)}, lease_until = null
          where seq = ${row.seq}`.execute(db)
        // Keep order: give the rest of the batch back and stop at the first failure.
        const rest = rows.slice(i + 1).map((r) => r.seq)
        if (rest.length) await sql`update platform.outbox set lease_until = null where seq in (${sql.join(rest)})`.execute(db)
        return delivered.length
      }
    }
    await markDelivered()
    return delivered.length
  }

  async function drainOnce(): Promise<number> {
    let total = 0
    for (;;) {
      const n = await deliverBatch()
      total += n
      if (n < BATCH) return total
    }
  }

  function drain(): Promise<number> {
    if (running) {
      again = true
      return running
    }
    running = drainOnce().finally(() => {
      running = undefined
      if (again && !stopped) {
        again = false
        void drain().catch((err) => logger.error({ err }, 'outbox drain failed'))
      }
    })
    return running
  }

  function prepareAll(events: NewEvent[]): { events: DomainEvent[]; insert: RawBuilder<unknown> | null } {
    if (events.length === 0) return { events: [], insert: null }
    const at = clock.now()
    const stored = events.map((e): DomainEvent => ({ id: newId('evt'), type: e.type, source, subject: e.subject ?? null, data: e.data, occurredAt: at }))
    const insert = sql`insert into platform.outbox (id, type, source, subject, data, occurred_at)
      values ${sql.join(stored.map((e) => sql`(${e.id}, ${e.type}, ${e.source}, ${e.subject}, ${JSON.stringify(e.data)}::jsonb, ${e.occurredAt})`))}`
    return { events: stored, insert }
  }

  return {
    prepareAll,
    async add(trx, event) {
      const stored: DomainEvent = { id: newId('evt'), type: event.type, source, subject: event.subject ?? null, data: event.data, occurredAt: clock.now() }
      await sql`insert into platform.outbox (id, type, source, subject, data, occurred_at)
        values (${stored.id}, ${stored.type}, ${stored.source}, ${stored.subject}, ${JSON.stringify(stored.data)}::jsonb, ${stored.occurredAt})`.execute(trx)
      return stored
    },
    async addAll(trx, events) {
      const { events: stored, insert } = prepareAll(events)
      if (insert) await insert.execute(trx)
      return stored
    },
    subscribe(type, handler) {
      handlers.set(type, [...(handlers.get(type) ?? []), handler])
    },
    subscribeBatch(type, handler) {
      batchHandlers.set(type, [...(batchHandlers.get(type) ?? []), handler])
    },
    drain,
    nudge() {
      if (stopped || !timer) return
      setImmediate(() => void drain().catch((err) => logger.error({ err }, 'outbox drain failed')))
    },
    start(intervalMs = 1000) {
      stopped = false
      timer = setInterval(() => void drain().catch((err) => logger.error({ err }, 'outbox drain failed')), intervalMs)
      timer.unref()
      this.nudge()
    },
    async stop() {
      stopped = true
      if (timer) clearInterval(timer)
      timer = undefined
      await running?.catch(() => undefined)
      await publisher?.close()
    },
  }
}
