import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { type TestApp } from '../../test/harness.js'
import { disguisedExe, samplePng, type HotlineWorld } from './test-support.js'
import { hotlineTestApp } from './test-app.js'

let t: TestApp
let w: HotlineWorld

const { call, act } = hotlineTestApp((app, world) => {
  t = app
  w = world
})

const count = async () => Number((await sql<{ n: number }>`select count(*)::int as n from hotline.ticket`.execute(t.core.db)).rows[0]!.n)
const events = async (type: string, id: string) =>
  Number((await sql<{ n: number }>`select count(*)::int as n from platform.outbox where type = ${type} and subject = ${id}`.execute(t.core.db)).rows[0]!.n)

const ADDRESS = '忻州市忻府区新建路街道和平街12号'

describe('a complaint from the citizen to the callback', () => {
  it('is filed on /m, dispatched by rule, signed, replied, reviewed, called back (reopened once) and closed', async () => {
    const filed = await call('POST', '/api/hotline/my/tickets', 'citizen', {
      type: 'complaint', categoryCode: 'housing', content: '小区物业长期不清理楼道垃圾，多次反映无人处理', address: ADDRESS, phone: '13812345678', channel: 'mobile',
    })
    expect(filed.statusCode, filed.body).toBe(201)
    let d = filed.json()
    expect(d).toMatchObject({ status: 'registered', channel: 'mobile', type: 'complaint', reporter: { name: '王秀兰', phone: '13812345678', accountId: 'acc_citizen' } })
    expect(d.divisionCode.startsWith('140902')).toBe(true)
    expect(d.number).toMatch(/^RX\d{8}\d{7}$/)

    // The department does not see an undispatched ticket; the citizen sees theirs.
    expect((await call('GET', `/api/hotline/tickets/${d.id}`, 'xfClerk')).statusCode).toBe(404)
    expect((await call('GET', '/api/hotline/my/tickets', 'citizen')).json().total).toBe(1)
    expect((await call('GET', '/api/hotline/my/tickets', 'neighbour')).json().total).toBe(0)
    expect((await call('GET', `/api/hotline/tickets/${d.id}`, 'neighbour')).statusCode).toBe(404)

    const resolved = await call('GET', `/api/hotline/dispatch-rules/resolve?categoryCode=housing&divisionCode=${d.divisionCode}`, 'operator')
    expect(resolved.json().departmentId).toBe(w.departments.xinfuHousing)

    let r = await act('operator', d.id, 'dispatch', { version: d.version })
    expect(r.statusCode, r.body).toBe(200)
    d = r.json()
    expect(d).toMatchObject({ status: 'dispatched', departmentId: w.departments.xinfuHousing, progress: { light: 'green' } })
    expect(d.signDueAt).not.toBeNull()

    // Another district's department may not sign it; nothing changes.
    r = await act('ypClerk', d.id, 'sign', { version: d.version })
    expect(r.statusCode).toBe(404)
    r = await act('envClerk', d.id, 'sign', { version: d.version })
    expect(r.statusCode).toBe(404)
    // The centre may not sign for the department either, nor a department head of another department.
    r = await act('operator', d.id, 'sign', { version: d.version })
    expect(r.statusCode).toBe(403)
    r = await act('hrssHead', d.id, 'sign', { version: d.version })
    expect(r.statusCode).toBe(404)

    const queue = (await call('GET', '/api/hotline/queue?queue=to_sign', 'xfClerk')).json()
    expect(queue.items.map((x: { id: string }) => x.id)).toContain(d.id)

    r = await act('xfClerk', d.id, 'sign', { version: d.version })
    expect(r.statusCode, r.body).toBe(200)
    d = r.json()
    expect(d.status).toBe('processing')
    // A stale version is refused.
    expect((await act('xfClerk', d.id, 'reply', { version: d.version - 1, content: '已处理' })).statusCode).toBe(409)

    r = await act('xfClerk', d.id, 'reply', { version: d.version, content: '已约谈物业公司，楼道垃圾已于当日清理完毕，并建立每日保洁制度。' })
    expect(r.statusCode, r.body).toBe(200)
    d = r.json()
    expect(d.status).toBe('replied')
    // Only the centre's admin reviews.
    expect((await act('operator', d.id, 'review', { version: d.version, approve: true })).statusCode).toBe(403)
    r = await act('admin', d.id, 'review', { version: d.version, approve: true })
    d = r.json()
    expect(d.status).toBe('callback')

    r = await act('operator', d.id, 'callback', { version: d.version, satisfaction: 'unsatisfied', note: '市民称仅清理一次', reopen: true })
    d = r.json()
    expect(d).toMatchObject({ status: 'processing', reopenCount: 1, reply: null })
    expect(await events('hotline.ticket.reopened', d.id)).toBe(1)

    d = (await act('xfClerk', d.id, 'reply', { version: d.version, content: '已督促物业落实每日保洁，街道每周检查。' })).json()
    d = (await act('admin', d.id, 'review', { version: d.version, approve: true })).json()
    r = await act('operator', d.id, 'callback', { version: d.version, satisfaction: 'satisfied' })
    d = r.json()
    expect(d).toMatchObject({ status: 'closed', closeKind: 'callback', satisfaction: 'satisfied' })
    expect(await events('hotline.ticket.closed', d.id)).toBe(1)
    const ev = (await sql<{ data: Record<string, unknown> }>`select data from platform.outbox where type = 'hotline.ticket.closed' and subject = ${d.id}`.execute(t.core.db)).rows[0]!.data
    expect(ev).toMatchObject({ ticketId: d.id, closeKind: 'callback', satisfaction: 'satisfied', reporterAccountId: 'acc_citizen', departmentId: w.departments.xinfuHousing })
    expect(JSON.stringify(ev)).not.toContain('13812345678')
    expect(d.timeline.map((e: { action: string }) => e.action)).toEqual(['create', 'dispatch', 'sign', 'reply', 'review', 'callback', 'reply', 'review', 'callback'])
    const audited = await sql<{ n: number }>`select count(*)::int as n from platform.audit_log where target_id = ${d.id} and action like 'hotline.ticket.%'`.execute(t.core.db)
    expect(audited.rows[0]!.n).toBeGreaterThanOrEqual(9)
    // The rating module can find who may rate it.
    expect(await t.services.hotline.ratingSubject(d.id)).toMatchObject({ reporterAccountId: 'acc_citizen', status: 'closed' })
    // … and, once the event is delivered, the citizen may rate it (好差评).
    await t.core.outbox.drain()
    const subject = await call('GET', `/api/rating/subjects/ticket/${d.id}`, 'citizen')
    expect(subject.statusCode, subject.body).toBe(200)
  })

  it('returns a misdispatched ticket with a reason, and dispatches it again to a named department with a 协办', async () => {
    let d = (await call('POST', '/api/hotline/tickets', 'operator', { type: 'help', categoryCode: 'housing', content: '楼顶漏水，家中天花板渗水严重', address: ADDRESS, reporter: { name: '刘先生', phone: '13900001111' } })).json()
    d = (await act('operator', d.id, 'dispatch', { version: d.version })).json()
    expect((await act('xfClerk', d.id, 'return', { version: d.version })).statusCode).toBe(400)
    d = (await act('xfClerk', d.id, 'return', { version: d.version, reason: '属原平市辖区，非本部门职责' })).json()
    expect(d).toMatchObject({ status: 'returned', departmentId: null })
    expect((await call('GET', '/api/hotline/tickets?queue=returned', 'operator')).json().items.map((x: { id: string }) => x.id)).toContain(d.id)
    const r = await act('admin', d.id, 'dispatch', { version: d.version, departmentId: w.departments.yuanpingHousing, assistDepartmentIds: [w.departments.xinfuHousing] })
    expect(r.statusCode, r.body).toBe(200)
    d = r.json()
    expect(d).toMatchObject({ status: 'dispatched', departmentId: w.departments.yuanpingHousing, assistDepartmentIds: [w.departments.xinfuHousing] })
    // The assisting department sees it, signs for its part (not the ticket) and adds an opinion.
    expect((await call('GET', '/api/hotline/queue?queue=assisting', 'xfClerk')).json().items.map((x: { id: string }) => x.id)).toContain(d.id)
    expect((await act('xfClerk', d.id, 'sign', { version: d.version })).statusCode).toBe(403)
    d = (await act('xfClerk', d.id, 'assist-sign', { version: d.version })).json()
    d = (await act('xfClerk', d.id, 'assist-opinion', { version: d.version, content: '已派员协助现场查看' })).json()
    expect(d.timeline.at(-1)).toMatchObject({ action: 'assist-opinion', departmentId: w.departments.xinfuHousing })
  })

  it('extends the deadline when the centre approves a request, and marks lights', async () => {
    let d = (await call('POST', '/api/hotline/tickets', 'operator', { type: 'complaint', categoryCode: 'housing', content: '物业费收费标准不公开', address: ADDRESS, reporter: { phone: '13900002222' } })).json()
    d = (await act('operator', d.id, 'dispatch', { version: d.version })).json()
    d = (await act('xfHead', d.id, 'sign', { version: d.version })).json()
    const due = new Date(d.progress.dueAt)
    d = (await act('xfHead', d.id, 'request-extension', { version: d.version, days: 3, reason: '需物价部门核查' })).json()
    expect(d.extensionPending).toBe(true)
    expect(d.allowedActions).not.toContain('request-extension')
    expect((await act('xfHead', d.id, 'decide-extension', { version: d.version, approve: true })).statusCode).toBe(403)
    expect((await call('GET', '/api/hotline/tickets?queue=extensions', 'admin')).json().items.map((x: { id: string }) => x.id)).toContain(d.id)
    d = (await act('admin', d.id, 'decide-extension', { version: d.version, approve: true })).json()
    expect(d.extension).toMatchObject({ decided: true, approved: true, days: 3 })
    expect(new Date(d.progress.dueAt).getTime()).toBeGreaterThan(due.getTime())
    // Long after the deadline the job turns it red.
    const marked = await t.services.hotline.markDeadlines(new Date(new Date(d.progress.dueAt).getTime() + 86_400_000))
    expect(marked).toBeGreaterThanOrEqual(1)
    const row = (await sql<{ light: string }>`select light from hotline.ticket where id = ${d.id}`.execute(t.core.db)).rows[0]!
    expect(row.light).toBe('red')
  })
})

describe('reporter privacy on 举报', () => {
  it('hides the reporter from the handling department, never from the centre', async () => {
    let d = (await call('POST', '/api/hotline/tickets', 'operator', {
      type: 'report', categoryCode: 'housing', content: '某小区违规搭建彩钢房占用消防通道', address: ADDRESS, reporter: { name: '匿名群众甲', phone: '13700009999' },
    })).json()
    expect(d.reporter).toMatchObject({ name: '匿名群众甲', phone: '137****9999' })
    d = (await act('operator', d.id, 'dispatch', { version: d.version })).json()
    const seen = await call('GET', `/api/hotline/tickets/${d.id}`, 'xfClerk')
    expect(seen.statusCode).toBe(200)
    expect(seen.json()).toMatchObject({ reporter: null, reporterHidden: true })
    expect(seen.body).not.toContain('13700009999')
    expect(seen.body).not.toContain('匿名群众甲')
    const before = (await call('GET', `/api/hotline/tickets/${d.id}`, 'operator')).json().version
    const lookup = await call('GET', `/api/hotline/tickets/${d.id}/reporter`, 'xfClerk')
    expect(lookup.statusCode).toBe(403)
    expect(lookup.json().type).toBe('urn:yiwang:problem:hotline/reporter-hidden')
    expect((await call('GET', `/api/hotline/tickets/${d.id}`, 'operator')).json().version).toBe(before)
    // The department's queue never carries it either (summaries have no reporter at all).
    expect((await call('GET', '/api/hotline/queue?queue=to_sign', 'xfClerk')).body).not.toContain('13700009999')
    expect((await call('GET', `/api/hotline/tickets/${d.id}/reporter`, 'operator')).json()).toMatchObject({ name: '匿名群众甲', phone: '137****9999' })
    // A complaint's reporter is shown to the department, the phone masked (the full number is the centre's, by reveal).
    const c = (await call('POST', '/api/hotline/tickets', 'operator', { type: 'complaint', categoryCode: 'housing', content: '电梯经常停运', address: ADDRESS, reporter: { name: '陈女士', phone: '13700008888' } })).json()
    const cd = (await act('operator', c.id, 'dispatch', { version: c.version })).json()
    expect((await call('GET', `/api/hotline/tickets/${cd.id}`, 'xfClerk')).json().reporter).toMatchObject({ phone: '137****8888' })
  })
})

describe('knowledge base and 直接办结', () => {
  it('finds an article by Chinese words and closes a consultation on the call', async () => {
    const a = await call('POST', '/api/hotline/kb', 'hrssHead', {
      title: '社会保障卡丢失补办', departmentId: w.departments.cityHrss, categoryCode: 'social_security', keywords: ['社保卡', '补卡', '挂失'],
      body: '社保卡丢失后，先拨打12333或通过“民生山西”App办理挂失；携带身份证到任一社保卡服务网点申请补办，即时制卡网点可当场领卡，工本费免收。',
    })
    expect(a.statusCode, a.body).toBe(201)
    // A head of another department may not write for this one.
    expect((await call('POST', '/api/hotline/kb', 'xfHead', { title: '测试', body: '测试正文', departmentId: w.departments.cityHrss })).statusCode).toBe(403)
    const hits = (await call('GET', `/api/hotline/kb?q=${encodeURIComponent('我的社保卡丢了怎么补办')}`, 'operator')).json()
    expect(hits.items[0]).toMatchObject({ id: a.json().id, title: '社会保障卡丢失补办' })
    expect((await call('GET', `/api/hotline/kb?q=${encodeURIComponent('噪音')}`, 'operator')).json().total).toBe(0)

    let d = (await call('POST', '/api/hotline/tickets', 'operator', { type: 'consult', categoryCode: 'social_security', content: '社保卡丢了怎么补办', reporter: { phone: '13600001234' } })).json()
    const r = await act('operator', d.id, 'direct-close', { version: d.version, answer: '已告知挂失及补办流程', articleId: a.json().id })
    expect(r.statusCode, r.body).toBe(200)
    d = r.json()
    expect(d).toMatchObject({ status: 'closed', closeKind: 'direct', kbArticleId: a.json().id })
    // Only a 咨询 can be closed on the call.
    const h = (await call('POST', '/api/hotline/tickets', 'operator', { type: 'help', categoryCode: 'social_security', content: '养老金未到账', reporter: { phone: '13600001234' } })).json()
    const refused = await act('operator', h.id, 'direct-close', { version: h.version, answer: '已告知' })
    expect(refused.json().type).toBe('urn:yiwang:problem:hotline/not-consult')
    // The caller lookup shows both calls.
    const caller = (await call('GET', '/api/hotline/callers/13600001234', 'operator')).json()
    expect(caller.total).toBe(2)
    expect((await call('GET', '/api/hotline/callers/13600001234', 'xfClerk')).statusCode).toBe(403)
  })
})

describe('duplicates and merging', () => {
  it('suggests an earlier ticket at the same place about the same thing, and merges it', async () => {
    const text = '和平街夜市烧烤店油烟和噪音扰民，每晚持续到凌晨两点'
    const first = (await call('POST', '/api/hotline/tickets', 'operator', { type: 'complaint', categoryCode: 'noise', content: text, address: ADDRESS, reporter: { phone: '13500000001' } })).json()
    const second = (await call('POST', '/api/hotline/tickets', 'operator', { type: 'complaint', categoryCode: 'noise', content: '和平街夜市烧烤店噪音扰民到凌晨', address: ADDRESS, reporter: { phone: '13500000002' } })).json()
    expect(second.duplicates.map((x: { id: string }) => x.id)).toContain(first.id)
    const other = (await call('POST', '/api/hotline/tickets', 'operator', { type: 'suggestion', categoryCode: 'road_traffic', content: '建议增设公交站台遮阳棚', address: ADDRESS, reporter: { phone: '13500000003' } })).json()
    expect(other.duplicates.map((x: { id: string }) => x.id)).not.toContain(first.id)
    expect((await act('operator', second.id, 'merge', { version: second.version, intoId: second.id })).statusCode).toBe(422)
    const m = await act('operator', second.id, 'merge', { version: second.version, intoId: first.id })
    expect(m.statusCode, m.body).toBe(200)
    expect(m.json()).toMatchObject({ status: 'merged', mergedInto: first.id })
    // The noise rule names a 协办 department.
    const dispatched = (await act('operator', first.id, 'dispatch', { version: first.version })).json()
    expect(dispatched).toMatchObject({ departmentId: w.departments.xinfuEnv, assistDepartmentIds: [w.departments.xinfuHousing] })
  })
})

describe('bad input changes nothing', () => {
  it('refuses places outside the city, unknown categories and disguised or oversize photos', async () => {
    const n = await count()
    const outside = await call('POST', '/api/hotline/tickets', 'operator', { type: 'help', categoryCode: 'housing', content: '路灯不亮', address: '北京市朝阳区建国路88号', reporter: { phone: '13500000009' } })
    expect(outside.statusCode).toBe(422)
    expect(outside.json().type).toBe('urn:yiwang:problem:hotline/outside-city')
    const far = await call('POST', '/api/hotline/my/tickets', 'citizen', { type: 'help', categoryCode: 'housing', content: '路灯不亮', location: { lat: 39.9, lng: 116.4 } })
    expect(far.json().type).toBe('urn:yiwang:problem:hotline/outside-city')
    const unknown = await call('POST', '/api/hotline/tickets', 'operator', { type: 'help', categoryCode: 'no_such', content: '路灯不亮', reporter: { phone: '13500000009' } })
    expect(unknown.json().type).toBe('urn:yiwang:problem:hotline/unknown-category')
    expect((await call('POST', '/api/hotline/tickets', 'operator', { type: 'nonsense', categoryCode: 'housing', content: 'x' })).statusCode).toBe(400)
    expect(await count()).toBe(n)

    const d = (await call('POST', '/api/hotline/my/tickets', 'citizen', { type: 'help', categoryCode: 'road_traffic', content: '井盖缺失很危险', location: { lat: 38.417, lng: 112.734 } })).json()
    expect(d.location).toEqual({ lat: 38.417, lng: 112.734 })
    const ok = await call('PUT', `/api/hotline/tickets/${d.id}/photos?fileName=井盖.png`, 'citizen', samplePng, { 'content-type': 'image/png' })
    expect(ok.statusCode, ok.body).toBe(201)
    const bad = await call('PUT', `/api/hotline/tickets/${d.id}/photos`, 'citizen', disguisedExe, { 'content-type': 'image/jpeg' })
    expect(bad.json().type).toBe('urn:yiwang:problem:hotline/photo-mismatch')
    const big = await call('PUT', `/api/hotline/tickets/${d.id}/photos`, 'citizen', Buffer.alloc(6 * 1024 * 1024), { 'content-type': 'image/jpeg' })
    expect(big.statusCode).toBe(413)
    expect((await call('PUT', `/api/hotline/tickets/${d.id}/photos`, 'neighbour', samplePng, { 'content-type': 'image/png' })).statusCode).toBe(404)
    const detail = (await call('GET', `/api/hotline/tickets/${d.id}`, 'citizen')).json()
    expect(detail.photos).toHaveLength(1)
    const img = await call('GET', `/api/hotline/tickets/${d.id}/photos/${detail.photos[0].id}`, 'citizen')
    expect(img.headers['content-type']).toBe('image/png')
    expect(img.rawPayload.equals(samplePng)).toBe(true)
  })
})

describe('metrics', () => {
  it('counts 响应率, 解决率, 满意率 per department and the centre’s 直接办结率', async () => {
    const today = new Date().toISOString().slice(0, 10)
    const from = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10)
    const to = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10)
    const m = await call('GET', `/api/hotline/metrics?from=${from}&to=${to}`, 'admin')
    expect(m.statusCode, m.body).toBe(200)
    const body = m.json()
    const housing = body.departments.find((x: { departmentId: string }) => x.departmentId === w.departments.xinfuHousing)
    expect(housing.dispatched).toBeGreaterThanOrEqual(3)
    expect(housing.callbacks).toBe(1)
    expect(housing.satisfactionRate).toBe(1)
    expect(housing.responseRate).toBeGreaterThan(0)
    expect(body.centre.directClosed).toBe(1)
    expect(body.centre.directCloseRate).toBeCloseTo(1 / body.centre.total, 4)
    expect(today >= from).toBe(true)
    // A department head sees only its own departments.
    const own = (await call('GET', `/api/hotline/metrics?from=${from}&to=${to}`, 'xfHead')).json()
    expect(own.departments.every((x: { departmentId: string }) => x.departmentId === w.departments.xinfuHousing)).toBe(true)
    expect((await call('GET', `/api/hotline/metrics?from=${from}&to=${to}`, 'xfClerk')).statusCode).toBe(403)
  })
})

describe('admin', () => {
  it('edits rules and settings with versions', async () => {
    const rules = (await call('GET', '/api/hotline/dispatch-rules', 'operator')).json()
    expect(rules.length).toBe(5)
    expect((await call('POST', '/api/hotline/dispatch-rules', 'operator', { categoryCode: 'market', divisionPrefix: null, departmentId: w.departments.cityHall })).statusCode).toBe(403)
    const dup = await call('POST', '/api/hotline/dispatch-rules', 'admin', { categoryCode: 'housing', divisionPrefix: '140902', departmentId: w.departments.cityHall })
    expect(dup.statusCode).toBe(409)
    const s = (await call('GET', '/api/hotline/settings', 'operator')).json()
    expect(s.deadlineDays).toEqual({ consult: 1, help: 3, complaint: 5, report: 5, suggestion: 5, praise: 5 })
    const { cityCode: _c, ...rest } = s
    const u = await call('PUT', '/api/hotline/settings', 'admin', { ...rest, deadlineDays: { ...s.deadlineDays, help: 2 } })
    expect(u.statusCode, u.body).toBe(200)
    expect((await call('PUT', '/api/hotline/settings', 'admin', { ...rest })).statusCode).toBe(409)
  })
})
