import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../platform/errors.js'
import type { Principal } from '../../platform/roles.js'
import { createTestApp, type TestApp } from '../../test/harness.js'
import type { RatingService } from './index.js'
import { buildRatingWorld, closeCase, newRater, type RatingWorld } from './test-support.js'

let t: TestApp
let rating: RatingService
let w: RatingWorld
let seed = 300
const meta = { ip: '127.0.0.1', userAgent: 'vitest' }

beforeAll(async () => {
  t = await createTestApp()
  rating = t.services.rating
  w = await buildRatingWorld(t)
})
afterAll(() => t?.close())

/** The problem slug an AppError carries, for compact assertions. */
async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (err) {
    if (err instanceof AppError) return `${err.status} ${err.type}`
    throw err
  }
  throw new Error('expected a failure')
}

async function count(table: 'subject' | 'rating' | 'rectification'): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(`rating.${table}`)}`.execute(t.core.db)
  return Number(r.rows[0]!.n)
}

async function events(type: string): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from platform.outbox where type = ${type}`.execute(t.core.db)
  return Number(r.rows[0]!.n)
}

async function ratedCase(level: 1 | 2 | 3 | 4 | 5, departmentId = w.departments.xinfu, comment: string | null = null): Promise<{ rater: Principal; caseId: string }> {
  const rater = await newRater(t, seed++)
  const caseId = await closeCase(t, rater.accountId, departmentId, departmentId === w.departments.yuanping ? '140981' : '140902')
  await rating.rate(rater, 'case', caseId, { level, tags: [], comment, channel: 'mobile' }, meta)
  return { rater, caseId }
}

describe('rateable subjects', () => {
  it('makes a closed case rateable by its applicant once, and texts a signed link', async () => {
    const rater = await newRater(t, seed++)
    const caseId = await closeCase(t, rater.accountId, w.departments.xinfu)
    const view = await rating.getSubject(rater, 'case', caseId)
    expect(view).toMatchObject({ kind: 'case', refId: caseId, departmentName: '忻府区行政审批服务管理局', canRate: true, rating: null, rectification: null })
    // 15 natural days from the close.
    expect(view.rateableUntil.getTime() - t.clock.now().getTime()).toBe(15 * 86_400_000)
    const sms = await t.services.identity.listSmsOutbox('system', { page: 1, pageSize: 50 })
    const text = sms.items.find((m) => m.phone === rater.phone)?.text ?? ''
    expect(text).toMatch(/\/m\/rate\/sms\/rsub_[0-9a-z]{26}\.[A-Za-z0-9_-]{22}/)

    // A redelivered event changes nothing.
    const before = await count('subject')
    await rating.onCaseClosed(
      { applicationId: caseId, number: null, itemId: 'x', itemVersionId: 'x', itemCode: 'x', divisionCode: '140902', departmentId: w.departments.xinfu, applicantId: rater.accountId, status: 'closed', fromStatus: 'delivered', reviewStep: null, actorId: null },
      t.clock.now(),
    )
    expect(await count('subject')).toBe(before)
  })

  it('makes a ticket rateable by its reporter after the callback, not after 直接办结', async () => {
    const rater = await newRater(t, seed++)
    const add = (ticketId: string, closeKind: string) =>
      t.core.db.transaction().execute((trx) =>
        t.core.outbox.add(trx, {
          type: 'hotline.ticket.closed',
          subject: ticketId,
          data: { ticketId, number: `12345${ticketId.slice(-4)}`, type: 'complaint', status: 'closed', closeKind, satisfaction: 'satisfied', departmentId: w.departments.xinfuPolice, divisionCode: '140902', reporterAccountId: rater.accountId, at: t.clock.now().toISOString() },
        }),
      )
    await add('tkt_rating_0001', 'callback')
    await add('tkt_rating_0002', 'direct')
    await t.core.outbox.drain()
    expect(await rating.getSubject(rater, 'ticket', 'tkt_rating_0001')).toMatchObject({ kind: 'ticket', label: '123450001', departmentName: '忻府区公安分局', canRate: true })
    expect(await failure(rating.getSubject(rater, 'ticket', 'tkt_rating_0002'))).toBe('404 rating/subject-not-found')
  })
})

describe('rating', () => {
  it('rates once with tags of the level; the event and audit entry carry no comment', async () => {
    const rater = await newRater(t, seed++)
    const caseId = await closeCase(t, rater.accountId, w.departments.xinfu)
    const before = await events('rating.rating.submitted')
    const v = await rating.rate(rater, 'case', caseId, { level: 5, tags: ['efficient', 'friendly'], comment: '  窗口很热情  ', channel: 'web' }, meta)
    expect(v).toMatchObject({ canRate: false, rating: { level: 5, tags: ['efficient', 'friendly'], comment: '窗口很热情', channel: 'web' }, rectification: null })
    expect(await events('rating.rating.submitted')).toBe(before + 1)
    const audit = await sql<{ detail: unknown }>`select detail from platform.audit_log where action = 'rating.rating.submitted' and target_id = ${v.rating!.id}`.execute(t.core.db)
    expect(JSON.stringify(audit.rows)).not.toContain('热情')

    const [ratings, rectifications] = [await count('rating'), await count('rectification')]
    expect(await failure(rating.rate(rater, 'case', caseId, { level: 1, tags: [], channel: 'web' }, meta))).toBe('409 rating/already-rated')
    expect([await count('rating'), await count('rectification')]).toEqual([ratings, rectifications])
  })

  it('refuses a non-applicant, a tag of another level and a rating after the window, changing nothing', async () => {
    const rater = await newRater(t, seed++)
    const other = await newRater(t, seed++)
    const caseId = await closeCase(t, rater.accountId, w.departments.xinfu)
    const before = await count('rating')
    expect(await failure(rating.rate(other, 'case', caseId, { level: 4, tags: [], channel: 'web' }, meta))).toBe('403 rating/not-rater')
    expect(await failure(rating.rate(rater, 'case', caseId, { level: 5, tags: ['overdue'], channel: 'web' }, meta))).toBe('422 rating/unknown-tag')
    expect(await failure(rating.rate(rater, 'case', 'app_nothing', { level: 5, tags: [], channel: 'web' }, meta))).toBe('404 rating/subject-not-found')
    t.clock.advance(15 * 86_400_000 + 1000)
    try {
      expect(await failure(rating.rate(rater, 'case', caseId, { level: 5, tags: [], channel: 'web' }, meta))).toBe('422 rating/window-closed')
      expect((await rating.getSubject(rater, 'case', caseId)).canRate).toBe(false)
    } finally {
      t.clock.advance(-(15 * 86_400_000 + 1000))
    }
    expect(await count('rating')).toBe(before)
  })

  it('rates through the SMS link without signing in; a forged or lapsed link does not work', async () => {
    const rater = await newRater(t, seed++)
    const caseId = await closeCase(t, rater.accountId, w.departments.xinfu)
    const sms = await t.services.identity.listSmsOutbox('system', { page: 1, pageSize: 100 })
    const token = /\/m\/rate\/sms\/([^ ]+) /.exec(sms.items.find((m) => m.phone === rater.phone)!.text)![1]!
    expect((await rating.subjectByToken(token)).canRate).toBe(true)
    const forged = token.slice(0, -3) + (token.endsWith('AAA') ? 'BBB' : 'AAA')
    expect(await failure(rating.subjectByToken(forged))).toBe('404 rating/invalid-token')
    expect(await failure(rating.subjectByToken('rsub_01jzzzzzzzzzzzzzzzzzzzzzzz.AAAAAAAAAAAAAAAAAAAAAA'))).toBe('404 rating/invalid-token')
    const v = await rating.rateByToken(token, { level: 4, tags: ['convenient'], comment: null }, meta)
    expect(v.rating).toMatchObject({ level: 4, channel: 'sms' })
    expect(await failure(rating.rateByToken(token, { level: 4, tags: [] }, meta))).toBe('409 rating/already-rated')
    expect((await rating.getSubject(rater, 'case', caseId)).rating).toMatchObject({ level: 4, channel: 'sms' })

    const late = await newRater(t, seed++)
    const lateCase = await closeCase(t, late.accountId, w.departments.xinfu)
    const lateSubject = await sql<{ id: string }>`select id from rating.subject where ref_id = ${lateCase}`.execute(t.core.db)
    const lateToken = rating.tokenOf(lateSubject.rows[0]!.id)
    t.clock.advance(16 * 86_400_000)
    try {
      expect(await failure(rating.rateByToken(lateToken, { level: 5, tags: [] }, meta))).toBe('404 rating/invalid-token')
    } finally {
      t.clock.advance(-16 * 86_400_000)
    }
  })
})

describe('rectification of a 差评', () => {
  it('opens for the department, is answered, and closes only when the rater is reached', async () => {
    const opened = await events('rating.rectification.opened')
    const { rater, caseId } = await ratedCase(2, w.departments.xinfu, '材料要求前后不一致')
    expect(await events('rating.rectification.opened')).toBe(opened + 1)
    const mine = await rating.getSubject(rater, 'case', caseId)
    // 15 working days from Monday 2026-11-23 (no holidays in between).
    expect(mine.rectification).toMatchObject({ status: 'open', departmentName: '忻府区行政审批服务管理局', dueDate: '2026-12-14', contacted: false, answer: null })
    const id = mine.rectification!.id

    // The department's queue has it, without the rater's identity; another department's does not.
    const queue = await rating.listRectifications(w.staff.head, { status: 'open' })
    const item = queue.items.find((r) => r.id === id)!
    expect(item).toMatchObject({ level: 2, comment: '材料要求前后不一致', rater: null, subjectRefId: caseId })
    expect((await rating.listRectifications(w.staff.headPolice, {})).items.map((r) => r.id)).not.toContain(id)
    expect((await rating.listRectifications(w.staff.headOther, {})).items.map((r) => r.id)).not.toContain(id)

    // Another department acting on it: refused, nothing changed.
    expect(await failure(rating.answer(w.staff.headPolice, id, { version: 1, answer: '已整改' }, meta))).toBe('403 rating/not-your-department')
    expect(await failure(rating.answer(w.staff.headOther, id, { version: 1, answer: '已整改' }, meta))).toBe('403 rating/not-your-department')
    expect(await failure(rating.getRectification(w.staff.headPolice, id))).toBe('404 rating/rectification-not-found')
    expect(await failure(rating.answer(w.staff.centre, id, { version: 1, answer: '已整改' }, meta))).toBe('403 rating/not-your-department')
    // The centre cannot call back before the department answered.
    expect(await failure(rating.callback(w.staff.centre, id, { version: 1, method: 'phone', reached: true, outcome: '已告知' }, meta))).toBe('422 rating/invalid-state')
    expect((await rating.getRectification(w.staff.head, id)).version).toBe(1)

    const answered = await rating.answer(w.staff.head, id, { version: 1, answer: '已统一窗口材料清单并培训窗口人员' }, meta)
    expect(answered).toMatchObject({ status: 'answered', version: 2, answeredByName: '张建华', answeredOnTime: true })
    expect(await failure(rating.answer(w.staff.head, id, { version: 2, answer: '再答一次' }, meta))).toBe('422 rating/invalid-state')

    // The centre sees the rater (masked phone) to call back; a stale version is refused.
    const seen = await rating.getRectification(w.staff.centre, id)
    expect(seen.rater).toMatchObject({ name: rater.name, maskedPhone: expect.stringMatching(/^137\*{4}\d{4}$/) })
    expect(await failure(rating.callback(w.staff.centre, id, { version: 1, method: 'phone', reached: false }, meta))).toBe('409 rating/stale-version')
    expect(await failure(rating.callback(w.staff.centreOther, id, { version: 2, method: 'phone', reached: false }, meta))).toBe('404 rating/rectification-not-found')
    expect(await failure(rating.callback(w.staff.head, id, { version: 2, method: 'phone', reached: false }, meta))).toBe('403 out-of-scope')

    const missed = await rating.callback(w.staff.centre, id, { version: 2, method: 'phone', reached: false, note: '无人接听' }, meta)
    expect(missed).toMatchObject({ status: 'answered', contacted: false, callbacks: [{ method: 'phone', reached: false, note: '无人接听', byName: '刘芳' }] })
    const closedBefore = await events('rating.rectification.closed')
    const closed = await rating.callback(w.staff.centre, id, { version: 3, method: 'phone', reached: true, outcome: '已向申请人说明整改措施,申请人表示认可', raterSatisfaction: 'satisfied' }, meta)
    expect(closed).toMatchObject({ status: 'closed', contacted: true, raterSatisfaction: 'satisfied' })
    expect(await events('rating.rectification.closed')).toBe(closedBefore + 1)

    // The rater sees the answer and the outcome, not who handled it.
    const outcome = (await rating.listMine(rater, {})).items.find((s) => s.refId === caseId)!.rectification
    expect(outcome).toMatchObject({ status: 'closed', contacted: true, answer: '已统一窗口材料清单并培训窗口人员', outcome: '已向申请人说明整改措施,申请人表示认可' })
    expect(JSON.stringify(outcome)).not.toContain('张建华')

    const audit = await sql<{ action: string }>`select action from platform.audit_log where target_id = ${id} order by at, id`.execute(t.core.db)
    expect(audit.rows.map((r) => r.action)).toEqual(['rating.rectification.opened', 'rating.rectification.answered', 'rating.rectification.callback-recorded', 'rating.rectification.closed'])
  })

  it('records a late answer as not on time', async () => {
    const { rater, caseId } = await ratedCase(1, w.departments.xinfuPolice)
    const id = (await rating.getSubject(rater, 'case', caseId)).rectification!.id
    t.clock.advance(40 * 86_400_000)
    try {
      expect(await rating.answer(w.staff.headPolice, id, { version: 1, answer: '已约谈相关民警' }, meta)).toMatchObject({ answeredOnTime: false })
    } finally {
      t.clock.advance(-40 * 86_400_000)
    }
  })
})

describe('statistics', () => {
  it('counts levels and rates per department, and the public figures carry no comments or names', async () => {
    const { departments: d } = w
    await ratedCase(5, d.yuanping, '原平窗口非常好')
    await ratedCase(3, d.yuanping)
    const bad = await ratedCase(1, d.yuanping, '我叫王小明,电话13900001111')
    const id = (await rating.getSubject(bad.rater, 'case', bad.caseId)).rectification!.id
    await rating.answer(w.staff.headOther, id, { version: 1, answer: '已整改' }, meta)

    const s = await rating.statistics(w.staff.centreOther, { divisionCode: '140981' })
    expect(s.groups).toHaveLength(1)
    expect(s.groups[0]).toMatchObject({ key: d.yuanping, name: '原平市行政审批服务管理局', total: 3, byLevel: { '5': 1, '4': 0, '3': 1, '2': 0, '1': 1 }, bad: 1, rectifiedRate: 0, onTimeRate: 1 })
    expect(s.groups[0]!.satisfactionRate).toBeCloseTo(2 / 3, 3)
    expect(s.overall.total).toBe(3)

    // Scope: a centre of 原平市 may not read 忻府区; a department head reads only its department.
    expect(await failure(rating.statistics(w.staff.centreOther, { divisionCode: '140902' }))).toBe('403 out-of-scope')
    const own = await rating.statistics(w.staff.headOther, {})
    expect(own.groups.map((g) => g.key)).toEqual([d.yuanping])
    expect(await failure(rating.statistics(w.staff.headOther, { departmentId: d.xinfu }))).toBe('403 rating/not-your-department')
    expect(await failure(rating.statistics(w.staff.leader, { from: '2026-12-01', to: '2026-11-01' }))).toBe('422 rating/invalid-period')
    const byItem = await rating.statistics(w.staff.leader, { divisionCode: '140981', groupBy: 'item' })
    expect(byItem.groups[0]).toMatchObject({ key: 'item_rating_test', total: 3 })

    const pub = await rating.publicStatistics({ divisionCode: '140981' })
    expect(pub.groups[0]).toMatchObject({ name: '原平市行政审批服务管理局', total: 3 })
    const body = JSON.stringify(pub)
    for (const secret of ['王小明', '13900001111', '原平窗口非常好', bad.rater.name]) expect(body).not.toContain(secret)
  })
})
