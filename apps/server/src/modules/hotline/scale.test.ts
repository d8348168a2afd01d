import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { type TestApp } from '../../test/harness.js'
import { COUNT_CAP } from './store.js'
import { type HotlineWorld } from './test-support.js'
import { hotlineTestApp } from './test-app.js'

// What keeps the hotline cheap at a million tickets (bench/benchmarks/hotline.ts): capped queue
// counts, actions written optimistically in one statement, duplicate hints within one category.

let t: TestApp
let w: HotlineWorld

const { call } = hotlineTestApp((app, world) => {
  t = app
  w = world
})

const ADDRESS = '忻州市忻府区新建路街道和平街12号'

describe('queue totals', () => {
  it('count up to the cap and say so beyond it; below it they are exact', async () => {
    const file = (content: string) => call('POST', '/api/hotline/tickets', 'operator', { type: 'help', categoryCode: 'utilities', content, reporter: { phone: '13500000021' } })
    expect((await file('小区停水三天无人处理')).statusCode).toBe(201)
    let q = (await call('GET', '/api/hotline/tickets?queue=to_dispatch&pageSize=5', 'operator')).json()
    expect(q).toMatchObject({ total: 1, totalCapped: false })

    // More registered tickets than the cap, straight into the table (as the benchmark does).
    await sql`
      insert into hotline.ticket (id, number, type, channel, status, category_code, title, content, version, created_at, updated_at)
      select 'tkt_cap_' || g, 'RXCAP' || lpad(g::text, 6, '0'), 'help', 'phone', 'registered', 'utilities', '停水 ' || g, '停水', 1,
        now() - g * interval '1 second', now() - g * interval '1 second'
      from generate_series(1, ${COUNT_CAP + 5}) g`.execute(t.core.db)
    q = (await call('GET', '/api/hotline/tickets?queue=to_dispatch&pageSize=5', 'operator')).json()
    expect(q).toMatchObject({ total: COUNT_CAP, totalCapped: true })
    expect(q.items).toHaveLength(5)
    // Another queue stays exact.
    expect((await call('GET', '/api/hotline/tickets?queue=to_review', 'operator')).json()).toMatchObject({ total: 0, totalCapped: false })
    await sql`delete from hotline.ticket where id like 'tkt_cap_%'`.execute(t.core.db)
  })
})

describe('actions', () => {
  it('apply once when two people act on the same version: the other gets 409 and nothing of theirs is written', async () => {
    const d = (await call('POST', '/api/hotline/tickets', 'operator', { type: 'help', categoryCode: 'housing', content: '楼道灯坏了一个月', address: ADDRESS, reporter: { phone: '13500000022' } })).json()
    const [a, b] = await Promise.all([
      call('POST', `/api/hotline/tickets/${d.id}/dispatch`, 'operator', { version: d.version }),
      call('POST', `/api/hotline/tickets/${d.id}/dispatch`, 'admin', { version: d.version }),
    ])
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409])
    const loser = a.statusCode === 409 ? a : b
    expect(loser.json()).toMatchObject({ type: 'urn:yiwang:problem:hotline/version-conflict', currentVersion: d.version + 1 })
    const n = async (q: ReturnType<typeof sql<{ n: number }>>) => Number((await q.execute(t.core.db)).rows[0]!.n)
    expect(await n(sql<{ n: number }>`select count(*)::int as n from hotline.timeline where ticket_id = ${d.id} and action = 'dispatch'`)).toBe(1)
    expect(await n(sql<{ n: number }>`select count(*)::int as n from platform.outbox where type = 'hotline.ticket.dispatched' and subject = ${d.id}`)).toBe(1)
    expect(await n(sql<{ n: number }>`select count(*)::int as n from platform.audit_log where action = 'hotline.ticket.dispatched' and target_id = ${d.id}`)).toBe(1)
    const now = (await call('GET', `/api/hotline/tickets/${d.id}`, 'operator')).json()
    expect(now).toMatchObject({ status: 'dispatched', version: d.version + 1, departmentId: w.departments.xinfuHousing })
    expect(now.timeline.map((e: { action: string }) => e.action)).toEqual(['create', 'dispatch'])
  })
})

describe('duplicate hints', () => {
  it('come from the same place and category only', async () => {
    const text = '和平街菜市场门口垃圾堆积多日发臭'
    const first = (await call('POST', '/api/hotline/tickets', 'operator', { type: 'complaint', categoryCode: 'sanitation', content: text, address: ADDRESS, reporter: { phone: '13500000023' } })).json()
    const same = (await call('POST', '/api/hotline/tickets', 'operator', { type: 'complaint', categoryCode: 'sanitation', content: '和平街菜市场垃圾堆积发臭', address: ADDRESS, reporter: { phone: '13500000024' } })).json()
    expect(same.duplicates.map((x: { id: string }) => x.id)).toContain(first.id)
    const otherCategory = (await call('POST', '/api/hotline/tickets', 'operator', { type: 'complaint', categoryCode: 'market', content: '和平街菜市场垃圾堆积发臭', address: ADDRESS, reporter: { phone: '13500000025' } })).json()
    expect(otherCategory.duplicates.map((x: { id: string }) => x.id)).not.toContain(first.id)
  })
})
