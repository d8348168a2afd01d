import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { type TestApp } from '../../test/harness.js'
import { hotlineTestApp } from './test-app.js'

/**
 * A ticket action is one statement without BEGIN/COMMIT (store.applyChange): the change, its
 * timeline entry, audit record and event commit together or not at all. Two clerks acting on the
 * same version at once: one wins, the other gets 409 and left nothing behind.
 */
let t: TestApp
const { call, act } = hotlineTestApp((app) => {
  t = app
})

const rows = async (table: 'hotline.timeline' | 'platform.audit_log' | 'platform.outbox', id: string, what: string) => {
  const q =
    table === 'hotline.timeline'
      ? sql<{ n: number }>`select count(*)::int as n from hotline.timeline where ticket_id = ${id} and action = ${what}`
      : table === 'platform.audit_log'
        ? sql<{ n: number }>`select count(*)::int as n from platform.audit_log where target_id = ${id} and action = ${what}`
        : sql<{ n: number }>`select count(*)::int as n from platform.outbox where subject = ${id} and type = ${what}`
  return Number((await q.execute(t.core.db)).rows[0]!.n)
}

async function newTicket() {
  const r = await call('POST', '/api/hotline/tickets', 'operator', {
    type: 'help', categoryCode: 'housing', content: '楼道灯坏了一个月无人修理', address: '忻州市忻府区新建路街道和平街12号', reporter: { name: '李四', phone: '13812340000' },
  })
  expect(r.statusCode, r.body).toBe(201)
  return r.json() as { id: string; version: number }
}

describe('a ticket action in one statement', () => {
  it('answers with the detail including its own timeline entry', async () => {
    const d = await newTicket()
    const r = await act('operator', d.id, 'dispatch', { version: d.version })
    expect(r.statusCode, r.body).toBe(200)
    const body = r.json()
    expect(body.timeline.map((e: { action: string }) => e.action)).toEqual(['create', 'dispatch'])
    expect(body.version).toBe(d.version + 1)
    // The answer is what a fresh read shows.
    const again = (await call('GET', `/api/hotline/tickets/${d.id}`, 'operator')).json()
    expect(again.timeline).toEqual(body.timeline)
    expect(again.photos).toEqual(body.photos)
  })

  it('lets one of two simultaneous actions on a version win; the other is 409 and writes nothing', async () => {
    const d = await newTicket()
    const [a, b] = await Promise.all([act('operator', d.id, 'dispatch', { version: d.version }), act('operator', d.id, 'dispatch', { version: d.version })])
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409])
    const lost = a.statusCode === 409 ? a : b
    expect(lost.headers['content-type']).toContain('application/problem+json')
    expect(await rows('hotline.timeline', d.id, 'dispatch')).toBe(1)
    expect(await rows('platform.audit_log', d.id, 'hotline.ticket.dispatched')).toBe(1)
    expect(await rows('platform.outbox', d.id, 'hotline.ticket.dispatched')).toBe(1)
    const now = (await call('GET', `/api/hotline/tickets/${d.id}`, 'operator')).json()
    expect(now.version).toBe(d.version + 1)
  })

  it('commits with the Idempotency-Key marker in a transaction, and a retry replays', async () => {
    const d = await newTicket()
    const headers = { 'idempotency-key': `one-statement-${d.id}` }
    const first = await call('POST', `/api/hotline/tickets/${d.id}/dispatch`, 'operator', { version: d.version }, headers)
    expect(first.statusCode, first.body).toBe(200)
    const retry = await call('POST', `/api/hotline/tickets/${d.id}/dispatch`, 'operator', { version: d.version }, headers)
    expect(retry.statusCode).toBe(200)
    expect(retry.json().version).toBe(first.json().version)
    expect(await rows('hotline.timeline', d.id, 'dispatch')).toBe(1)
  })
})
