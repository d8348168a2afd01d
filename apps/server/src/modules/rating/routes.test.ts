import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Principal } from '../../platform/roles.js'
import { createTestApp, type TestApp } from '../../test/harness.js'
import { buildRatingWorld, closeCase, newRater, type RatingWorld } from './test-support.js'

let t: TestApp
let w: RatingWorld
let seed = 500
const principals: Record<string, Principal> = {}

beforeAll(async () => {
  t = await createTestApp()
  t.app.auth.setResolver(async (token) => principals[token] ?? null)
  w = await buildRatingWorld(t)
  Object.assign(principals, w.staff)
})
afterAll(() => t?.close())

function call(method: 'GET' | 'POST', url: string, who?: string, payload?: unknown, headers: Record<string, string> = {}) {
  return t.app.inject({ method, url, headers: { ...(who ? { cookie: `yw_session=${who}` } : {}), ...headers }, ...(payload !== undefined ? { payload: payload as never } : {}) })
}

async function rater(): Promise<string> {
  const key = `rater${seed}`
  principals[key] = await newRater(t, seed++)
  return key
}

async function writes(): Promise<number> {
  const r = await sql<{ n: number }>`select (select count(*) from rating.rating) + (select count(*) from rating.rectification where version > 1) + (select count(*) from platform.audit_log) as n`.execute(t.core.db)
  return Number(r.rows[0]!.n)
}

describe('who may call', () => {
  it('asks anonymous callers to sign in and refuses the wrong roles before reading input', async () => {
    for (const [method, url] of [
      ['GET', '/api/rating/mine'],
      ['POST', '/api/rating/subjects/case/app_x/rating'],
      ['GET', '/api/rating/rectifications'],
      ['POST', '/api/rating/rectifications/rect_x/answer'],
      ['GET', '/api/rating/stats'],
    ] as const) {
      const res = await call(method, url, undefined, method === 'POST' ? {} : undefined)
      expect(res.statusCode, url).toBe(401)
      expect(res.headers['content-type']).toContain('application/problem+json')
    }
    expect((await call('POST', '/api/rating/subjects/case/app_x/rating', 'head', { nonsense: true })).statusCode).toBe(403)
    expect((await call('POST', '/api/rating/rectifications/rect_x/callback', 'head', { nonsense: true })).statusCode).toBe(403)
    expect((await call('POST', '/api/rating/rectifications/rect_x/answer', 'centre', { nonsense: true })).statusCode).toBe(403)
    expect((await call('GET', '/api/rating/rectifications', 'clerk')).json().type).toBe('urn:yiwang:problem:forbidden')
  })

  it('serves the tag vocabulary and public figures without a session', async () => {
    const tags = await call('GET', '/api/rating/tags', undefined, undefined, { 'accept-language': 'en' })
    expect(tags.statusCode).toBe(200)
    expect(tags.json()).toContainEqual({ level: 2, code: 'overdue', label: 'Overdue' })
    expect((await call('GET', '/api/rating/public/stats')).statusCode).toBe(200)
    expect((await call('GET', '/api/rating/public/stats?from=2026-12-01&to=2026-01-01')).json().type).toBe('urn:yiwang:problem:rating/invalid-period')
  })
})

describe('the rater', () => {
  it('rates over HTTP once; bad input is a problem and changes nothing', async () => {
    const me = await rater()
    const caseId = await closeCase(t, principals[me]!.accountId, w.departments.xinfu)
    const url = `/api/rating/subjects/case/${caseId}/rating`
    const stranger = await rater()
    const before = await writes()
    const nul = await call('POST', url, me, { level: 2, comment: 'a\u0000b' })
    expect(nul.statusCode).toBe(400)
    expect(nul.json().type).toBe('urn:yiwang:problem:validation')
    expect((await call('POST', url, me, { level: 6 })).statusCode).toBe(400)
    expect((await call('POST', url, me, { level: 5, comment: '好'.repeat(501) })).statusCode).toBe(400)
    expect((await call('POST', url, me, { level: 5, tags: ['no-such-tag'] })).statusCode).toBe(400)
    const wrongTag = await call('POST', url, me, { level: 5, tags: ['overdue'] }, { 'accept-language': 'zh-CN' })
    expect(wrongTag.statusCode).toBe(422)
    expect(wrongTag.json()).toMatchObject({ type: 'urn:yiwang:problem:rating/unknown-tag', title: '所选标签不属于该评价等级:overdue' })
    expect((await call('POST', url, stranger, { level: 5 })).json().type).toBe('urn:yiwang:problem:rating/not-rater')
    expect((await call('GET', `/api/rating/subjects/case/${caseId}`, stranger)).statusCode).toBe(403)
    expect(await writes()).toBe(before)

    const ok = await call('POST', url, me, { level: 2, tags: ['overdue', 'unresolved'], comment: '超过承诺时限三天', channel: 'mobile' })
    expect(ok.statusCode).toBe(201)
    expect(ok.json()).toMatchObject({ canRate: false, rating: { level: 2, channel: 'mobile' }, rectification: { status: 'open', contacted: false } })
    const again = await call('POST', url, me, { level: 5 })
    expect(again.statusCode).toBe(409)
    expect(again.json()).toMatchObject({ type: 'urn:yiwang:problem:rating/already-rated', title: '已经评价过,每件只能评价一次' })
    const mine = await call('GET', '/api/rating/mine', me)
    expect(mine.json()).toMatchObject({ total: 1, items: [{ refId: caseId, rating: { level: 2 } }] })
  })

  it('rates through the SMS link without a session', async () => {
    const me = await rater()
    const caseId = await closeCase(t, principals[me]!.accountId, w.departments.xinfu)
    const subject = await sql<{ id: string }>`select id from rating.subject where ref_id = ${caseId}`.execute(t.core.db)
    const token = t.services.rating.tokenOf(subject.rows[0]!.id)
    const view = await call('GET', `/api/rating/sms/${token}`)
    expect(view.json()).toMatchObject({ refId: caseId, canRate: true })
    expect((await call('GET', `/api/rating/sms/${token.slice(0, -2)}xx`)).json().type).toBe('urn:yiwang:problem:rating/invalid-token')
    const rated = await call('POST', `/api/rating/sms/${token}`, undefined, { level: 5, tags: ['efficient'] })
    expect(rated.statusCode).toBe(201)
    expect(rated.json().rating).toMatchObject({ level: 5, channel: 'sms' })
    expect((await call('POST', `/api/rating/sms/${token}`, undefined, { level: 1 })).statusCode).toBe(409)
  })
})

describe('rectification over HTTP', () => {
  it('refuses another department and a stale version; the loop closes with a reached callback', async () => {
    const me = await rater()
    const caseId = await closeCase(t, principals[me]!.accountId, w.departments.xinfu)
    await call('POST', `/api/rating/subjects/case/${caseId}/rating`, me, { level: 1, comment: '态度恶劣' })
    const queue = await call('GET', '/api/rating/rectifications?status=open', 'head')
    const item = queue.json().items.find((r: { subjectRefId: string }) => r.subjectRefId === caseId)
    expect(item).toMatchObject({ level: 1, comment: '态度恶劣', rater: null, version: 1 })

    const before = await writes()
    const other = await call('POST', `/api/rating/rectifications/${item.id}/answer`, 'headPolice', { version: 1, answer: '已整改' })
    expect(other.statusCode).toBe(403)
    expect(other.json()).toMatchObject({ type: 'urn:yiwang:problem:rating/not-your-department', title: '这不是本部门的整改任务' })
    expect((await call('POST', `/api/rating/rectifications/${item.id}/answer`, 'head', { version: 1, answer: 'x' })).statusCode).toBe(400)
    expect(await writes()).toBe(before)

    const answered = await call('POST', `/api/rating/rectifications/${item.id}/answer`, 'head', { version: 1, answer: '已对窗口人员批评教育' })
    expect(answered.json()).toMatchObject({ status: 'answered', version: 2 })
    const stale = await call('POST', `/api/rating/rectifications/${item.id}/callback`, 'centre', { version: 1, method: 'phone', reached: true, outcome: '已告知' })
    expect(stale.statusCode).toBe(409)
    expect(stale.json()).toMatchObject({ type: 'urn:yiwang:problem:rating/stale-version', currentVersion: 2 })
    expect((await call('POST', `/api/rating/rectifications/${item.id}/callback`, 'centre', { version: 2, method: 'phone', reached: true })).statusCode).toBe(400)
    const closed = await call('POST', `/api/rating/rectifications/${item.id}/callback`, 'centre', { version: 2, method: 'phone', reached: true, outcome: '已告知整改结果' })
    expect(closed.json()).toMatchObject({ status: 'closed', contacted: true, rater: { name: principals[me]!.name } })

    const mine = await call('GET', `/api/rating/subjects/case/${caseId}`, me)
    expect(mine.json().rectification).toMatchObject({ status: 'closed', contacted: true, answer: '已对窗口人员批评教育', outcome: '已告知整改结果' })
  })

  it('shows statistics to the centre and leaders, and the public page no comments', async () => {
    const stats = await call('GET', '/api/rating/stats?divisionCode=140902', 'centre')
    expect(stats.statusCode).toBe(200)
    expect(stats.json().overall.total).toBeGreaterThan(0)
    expect((await call('GET', '/api/rating/stats?divisionCode=140902', 'centreOther')).json().type).toBe('urn:yiwang:problem:out-of-scope')
    const pub = await call('GET', '/api/rating/public/stats?divisionCode=140902')
    expect(pub.json().groups[0]).toMatchObject({ name: '忻府区行政审批服务管理局' })
    expect(pub.body).not.toContain('态度恶劣')
    expect(pub.body).not.toContain('超过承诺时限三天')
  })
})
