import { afterEach, describe, expect, it } from 'vitest'
import { connect } from '@nats-io/transport-node'
import { jetstreamManager } from '@nats-io/jetstream'
import { sql } from 'kysely'
import { createTestCore, type TestCore } from '../test/harness.js'
import { createNatsPublisher } from './nats.js'
import { createOutbox, type DomainEvent } from './outbox.js'

let t: TestCore | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

async function commitEvent(core: TestCore['core'], type: string, data: unknown, fail = false) {
  await core.db
    .transaction()
    .execute(async (trx) => {
      await core.outbox.add(trx, { type, subject: 'sub_1', data })
      if (fail) throw new Error('rolled back')
    })
    .catch((err: Error) => {
      if (!fail) throw err
    })
}

describe('event outbox', () => {
  it('delivers committed events in order and never rolled-back ones', async () => {
    t = await createTestCore()
    const seen: DomainEvent[] = []
    t.core.outbox.subscribe('test.thing.created', (e) => void seen.push(e))
    await commitEvent(t.core, 'test.thing.created', { n: 1 })
    await commitEvent(t.core, 'test.thing.created', { n: 2 }, true)
    await commitEvent(t.core, 'test.thing.created', { n: 3 })
    expect(await t.core.outbox.drain()).toBe(2)
    expect(seen.map((e) => e.data)).toEqual([{ n: 1 }, { n: 3 }])
    expect(await t.core.outbox.drain()).toBe(0)
  })

  it('redelivers after a failing handler until it succeeds (at least once)', async () => {
    t = await createTestCore()
    let calls = 0
    t.core.outbox.subscribe('test.thing.created', () => {
      calls++
      if (calls === 1) throw new Error('transient')
    })
    await commitEvent(t.core, 'test.thing.created', { n: 1 })
    expect(await t.core.outbox.drain()).toBe(0)
    expect(await t.core.outbox.drain()).toBe(1)
    expect(calls).toBe(2)
    const row = (await sql<{ attempts: number; last_error: string | null }>`select attempts, last_error from platform.outbox`.execute(t.core.db)).rows[0]
    expect(row).toEqual({ attempts: 2, last_error: null })
  })

  it('delivers after a restart what a dead process committed but never delivered', async () => {
    t = await createTestCore()
    await commitEvent(t.core, 'test.thing.created', { n: 1 })
    // A second dispatcher over the same database stands in for the restarted process.
    const seen: unknown[] = []
    const restarted = createOutbox({ db: t.core.db, clock: t.core.clock, logger: t.core.logger })
    restarted.subscribe('*', (e) => void seen.push(e.data))
    expect(await restarted.drain()).toBe(1)
    expect(seen).toEqual([{ n: 1 }])
  })

  it('lets a handler use the database while it runs (no deadlock on one PGlite connection)', async () => {
    t = await createTestCore()
    const core = t.core
    let counted = -1
    core.outbox.subscribe('test.thing.created', async () => {
      const r = await sql<{ n: number }>`select count(*)::int as n from platform.outbox`.execute(core.db)
      await core.db.transaction().execute((trx) => core.outbox.add(trx, { type: 'test.thing.followed', data: {} }))
      counted = r.rows[0]!.n
    })
    await commitEvent(core, 'test.thing.created', { n: 1 })
    expect(await core.outbox.drain()).toBe(1)
    expect(counted).toBe(1)
    // The event the handler wrote is delivered on the next pass.
    expect(await core.outbox.drain()).toBe(1)
  })

  it('hands a batch handler every event of its type in a batch at once, and redelivers them all when it fails', async () => {
    t = await createTestCore()
    const batches: unknown[][] = []
    const singles: unknown[] = []
    let failOnce = true
    t.core.outbox.subscribeBatch('test.text.queued', (events) => {
      if (failOnce) {
        failOnce = false
        throw new Error('gateway down')
      }
      batches.push(events.map((e) => e.data))
    })
    t.core.outbox.subscribe('test.thing.created', (e) => void singles.push(e.data))
    await t.core.db.transaction().execute((trx) =>
      t!.core.outbox.addAll(trx, [
        { type: 'test.thing.created', data: { n: 1 } },
        { type: 'test.text.queued', data: { n: 2 } },
        { type: 'test.thing.created', data: { n: 3 } },
        { type: 'test.text.queued', data: { n: 4 } },
      ]),
    )
    // The failure stops the batch at the first text event: the event before it is delivered, the rest wait.
    expect(await t.core.outbox.drain()).toBe(1)
    expect(await t.core.outbox.drain()).toBe(3)
    expect(batches).toEqual([[{ n: 2 }, { n: 4 }]])
    expect(singles).toEqual([{ n: 1 }, { n: 3 }])
    expect(await t.core.outbox.drain()).toBe(0)
  })

  it('publishes CloudEvents to NATS JetStream', async () => {
    t = await createTestCore()
    const stream = `YIWANG_TEST_${Date.now()}`
    let publisher
    try {
      publisher = await createNatsPublisher('nats://127.0.0.1:4222', stream)
    } catch (err) {
      if (process.env.CI) throw err
      console.warn('NATS not reachable on 127.0.0.1:4222; skipping the JetStream check', err)
      return
    }
    const outbox = createOutbox({ db: t.core.db, clock: t.core.clock, logger: t.core.logger, publisher })
    await t.core.db.transaction().execute((trx) => outbox.add(trx, { type: 'test.thing.created', subject: 'thing_1', data: { n: 7 } }))
    expect(await outbox.drain()).toBe(1)
    await outbox.stop()

    const nc = await connect({ servers: 'nats://127.0.0.1:4222' })
    try {
      const jsm = await jetstreamManager(nc)
      const msg = await jsm.streams.getMessage(stream, { last_by_subj: 'yiwang.test.thing.created' })
      const ce = msg?.json<Record<string, unknown>>()
      expect(ce).toMatchObject({ specversion: '1.0', type: 'cn.yiwang.test.thing.created', subject: 'thing_1', datacontenttype: 'application/json', data: { n: 7 } })
      expect(msg?.header?.get('Nats-Msg-Id')).toBe(ce?.id)
    } finally {
      await (await jetstreamManager(nc)).streams.delete(stream)
      await nc.close()
    }
  })
})
