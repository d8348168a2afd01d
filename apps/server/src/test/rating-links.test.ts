import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { type TestApp } from './harness.js'
import { type HotlineWorld } from '../modules/hotline/test-support.js'
import { hotlineTestApp, type Who } from '../modules/hotline/test-app.js'
import { hashLinkToken } from '../modules/rating/token.js'

/**
 * A phone caller without an account rates their 12345 ticket: after the centre's callback the
 * reporter is texted a one-time link (dev SMS outbox), the public page's API shows the ticket and
 * takes one rating within the window; the token is unguessable, stored only as a hash, spent by
 * the rating and dead after the window. Driven end to end through the hotline's HTTP API.
 */
let t: TestApp
let w: HotlineWorld

const { call } = hotlineTestApp((app, world) => {
  t = app
  w = world
})

const act = async (who: Who, id: string, action: string, body: Record<string, unknown>) => {
  const r = await call('POST', `/api/hotline/tickets/${id}/${action}`, who, body)
  expect(r.statusCode, r.body).toBe(200)
  return r.json()
}
const texts = async (phone: string) => (await t.services.identity.listSmsOutbox('system', { pageSize: 100 })).items.filter((m) => m.phone === phone)
const linkIn = (text: string) => /\/m\/rate\/([A-Za-z0-9_-]{32})(?=\s|,|$)/.exec(text)?.[1]

/** A phone call's complaint through dispatch, sign, reply, review and a satisfied callback; the close event delivered. */
async function phoneTicketClosed(phone: string): Promise<{ id: string; number: string }> {
  let d = (await call('POST', '/api/hotline/tickets', 'operator', { type: 'complaint', categoryCode: 'housing', content: '楼顶漏水，家中天花板渗水', address: '忻州市忻府区新建路街道和平街12号', reporter: { phone } })).json()
  d = await act('operator', d.id, 'dispatch', { version: d.version })
  d = await act('xfClerk', d.id, 'sign', { version: d.version })
  d = await act('xfClerk', d.id, 'reply', { version: d.version, content: '已安排维修，屋面防水已重做。' })
  d = await act('admin', d.id, 'review', { version: d.version, approve: true })
  d = await act('operator', d.id, 'callback', { version: d.version, satisfaction: 'basically_satisfied' })
  expect(d.status).toBe('closed')
  await t.core.outbox.drain()
  return { id: d.id, number: d.number }
}

describe("a phone caller's one-time rating link", () => {
  it('is texted after the callback and takes exactly one rating; a 差评 opens a rectification', async () => {
    const phone = '13912345678'
    const ticket = await phoneTicketClosed(phone)
    const sms = await texts(phone)
    expect(sms).toHaveLength(1)
    expect(sms[0]!.text).toContain(ticket.number)
    const token = linkIn(sms[0]!.text)!
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/)

    // Only the hash is stored; the number is not in the rating schema.
    const stored = await sql<{ token_hash: string; used_at: Date | null }>`select token_hash, used_at from rating.link_token`.execute(t.core.db)
    expect(stored.rows.map((r) => r.token_hash)).toEqual([hashLinkToken(token)])
    expect(JSON.stringify(stored.rows)).not.toContain(token)
    const subjects = await sql<Record<string, unknown>>`select * from rating.subject where ref_id = ${ticket.id}`.execute(t.core.db)
    expect(subjects.rows).toHaveLength(1)
    expect(JSON.stringify(subjects.rows)).not.toContain(phone)

    // Redelivery of the close event texts nothing more.
    await t.services.rating.onTicketClosed({ ticketId: ticket.id, number: ticket.number, closeKind: 'callback', departmentId: w.departments.xinfuHousing, divisionCode: '140902', reporterAccountId: null })
    expect(await texts(phone)).toHaveLength(1)

    const shown = await call('GET', `/api/rating/links/${token}`)
    expect(shown.statusCode, shown.body).toBe(200)
    expect(shown.json()).toMatchObject({ kind: 'ticket', label: ticket.number, departmentName: '忻府区住房和城乡建设管理局', canRate: true, rating: null })

    // Bad input changes nothing and does not spend the link.
    const bad = await call('POST', `/api/rating/links/${token}`, undefined, { level: 9 })
    expect(bad.statusCode).toBe(400)
    expect(bad.headers['content-type']).toContain('application/problem+json')
    expect((await call('POST', `/api/rating/links/${token}`, undefined, { level: 2, tags: ['efficient'] })).statusCode).toBe(422)

    const rated = await call('POST', `/api/rating/links/${token}`, undefined, { level: 2, tags: ['unresolved'], comment: '漏水仍未完全解决' })
    expect(rated.statusCode, rated.body).toBe(201)
    expect(rated.json()).toMatchObject({ canRate: false, rating: { level: 2, channel: 'sms' } })
    const rect = await sql<{ department_id: string; status: string }>`select r.department_id, r.status from rating.rectification r join rating.subject s on s.id = r.subject_id where s.ref_id = ${ticket.id}`.execute(t.core.db)
    expect(rect.rows).toEqual([{ department_id: w.departments.xinfuHousing, status: 'open' }])
    // The department's rectification queue has it without the caller; the centre sees the masked number to call back.
    const queue = (await call('GET', '/api/rating/rectifications?status=open', 'xfHead')).json()
    expect(queue.total).toBe(1)
    expect(queue.items[0].rater).toBeNull()
    const centreView = (await call('GET', `/api/rating/rectifications/${queue.items[0].id}`, 'operator')).json()
    expect(centreView.rater).toEqual({ name: '', maskedPhone: '139****5678' })

    // Spent: a second rating is refused, the page still says it was rated (without what was said).
    const again = await call('POST', `/api/rating/links/${token}`, undefined, { level: 5, tags: [] })
    expect(again.statusCode).toBe(409)
    expect(again.json().type).toBe('urn:yiwang:problem:rating/already-rated')
    const after = (await call('GET', `/api/rating/links/${token}`)).json()
    expect(after).toMatchObject({ canRate: false, rating: { level: 2, comment: null, tags: [] } })
    expect((await sql<{ used_at: Date | null }>`select used_at from rating.link_token`.execute(t.core.db)).rows[0]!.used_at).not.toBeNull()
    const audited = await sql<{ action: string }>`select action from platform.audit_log where action in ('rating.link.issued', 'rating.rating.submitted') order by at`.execute(t.core.db)
    expect(audited.rows.map((r) => r.action)).toEqual(['rating.link.issued', 'rating.rating.submitted'])
  })

  it('refuses unknown, malformed and HMAC-style tokens', async () => {
    const unknown = await call('GET', `/api/rating/links/${'A'.repeat(32)}`)
    expect(unknown.statusCode).toBe(404)
    expect(unknown.json().type).toBe('urn:yiwang:problem:rating/invalid-token')
    expect((await call('POST', `/api/rating/links/${'B'.repeat(32)}`, undefined, { level: 5 })).statusCode).toBe(404)
    expect((await call('GET', '/api/rating/links/short!')).statusCode).toBe(400)
    expect((await call('GET', `/api/rating/links/${'C'.repeat(40)}`)).statusCode).toBe(404)
  })

  it('lapses after the rating window', async () => {
    const phone = '13912340000'
    await phoneTicketClosed(phone)
    const token = linkIn((await texts(phone))[0]!.text)!
    expect((await call('GET', `/api/rating/links/${token}`)).statusCode).toBe(200)
    t.clock.advance((t.services.rating.windowDays + 1) * 86_400_000)
    try {
      expect((await call('GET', `/api/rating/links/${token}`)).statusCode).toBe(404)
      const late = await call('POST', `/api/rating/links/${token}`, undefined, { level: 5 })
      expect(late.statusCode).toBe(404)
      expect((await sql<{ n: number }>`select count(*)::int as n from rating.rating where channel = 'sms'`.execute(t.core.db)).rows[0]!.n).toBe(1)
    } finally {
      t.clock.advance(-(t.services.rating.windowDays + 1) * 86_400_000)
    }
  })

  it('is not sent for a landline or a reporter with an account (they rate in the app)', async () => {
    const landline = '0350-3031234'
    await phoneTicketClosed(landline)
    expect(await texts(landline)).toHaveLength(0)
  })
})
