import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { type TestApp } from '../../test/harness.js'
import { type HotlineWorld } from './test-support.js'
import { hotlineTestApp } from './test-app.js'

/**
 * Issue 8 leftovers: Open311 media_url is kept and shown; the reporter's phone is masked until the
 * centre reveals it with a reason (audited); 协办 departments sign for their part and give opinions
 * the 主办 sees before replying.
 */
let t: TestApp
let w: HotlineWorld
let key = ''

const { call, act } = hotlineTestApp(async (app, world) => {
  t = app
  w = world
  key = (await t.services.hotline.createApiKey('system', '测试客户端')).key
})

const post311 = (form: Record<string, string>, format: 'json' | 'xml' = 'json') =>
  t.app.inject({ method: 'POST', url: `/open311/v2/requests.${format}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(form).toString() })
const count = async () => Number((await sql<{ n: number }>`select count(*)::int as n from hotline.ticket`.execute(t.core.db)).rows[0]!.n)
const audits = async (action: string, target: string) =>
  (await sql<{ outcome: string; detail: Record<string, unknown> }>`select outcome, detail from platform.audit_log where action = ${action} and target_id = ${target} order by at`.execute(t.core.db)).rows
const ADDRESS = '忻州市忻府区新建路街道和平街12号'

describe('Open311 media_url', () => {
  const base = { service_code: 'noise', lat: '38.4167', long: '112.7342', description: '夜间施工噪音扰民' }

  it('is stored, returned in JSON and XML, and shown to staff', async () => {
    const res = await post311({ ...base, api_key: key, media_url: 'https://img.example.org/noise/1.jpg?size=large' })
    expect(res.statusCode, res.body).toBe(201)
    const number = res.json()[0].service_request_id
    const one = (await call('GET', `/open311/v2/requests/${number}.json`)).json()[0]
    expect(one.media_url).toBe('https://img.example.org/noise/1.jpg?size=large')
    const xml = await call('GET', `/open311/v2/requests/${number}.xml`)
    expect(xml.body).toContain('<media_url>https://img.example.org/noise/1.jpg?size=large</media_url>')
    const list = (await call('GET', `/open311/v2/requests.json?service_request_id=${number}`)).json()
    expect(list[0].media_url).toBe('https://img.example.org/noise/1.jpg?size=large')
    const staffView = (await call('GET', `/api/hotline/tickets/${(await t.services.hotline.open311Get(number))!.id}`, 'operator')).json()
    expect(staffView.mediaUrl).toBe('https://img.example.org/noise/1.jpg?size=large')
  })

  it('refuses other schemes, credentials, junk and oversize links in the Open311 error format; nothing is stored', async () => {
    const before = await count()
    for (const media_url of ['javascript:alert(1)', 'file:///etc/passwd', 'ftp://example.org/a.jpg', 'https://user:pw@example.org/a.jpg', 'not a url', `https://example.org/${'a'.repeat(490)}`]) {
      const res = await post311({ ...base, api_key: key, media_url })
      expect(res.statusCode, media_url).toBe(400)
      expect(res.json()[0]).toMatchObject({ code: 400 })
      expect(res.json()[0].description).toMatch(/media_url/)
    }
    const xml = await post311({ ...base, api_key: key, media_url: 'data:image/png;base64,AAAA' }, 'xml')
    expect(xml.statusCode).toBe(400)
    expect(xml.body).toContain('<errors>')
    expect(await count()).toBe(before)
  })

  it('stays off the public API on a 举报', async () => {
    const res = await post311({ ...base, api_key: key, 'attribute[ticket_type]': 'report', media_url: 'https://img.example.org/r.jpg' })
    expect(res.statusCode, res.body).toBe(201)
    const one = (await call('GET', `/open311/v2/requests/${res.json()[0].service_request_id}.json`)).json()[0]
    expect(one.media_url).toBeNull()
  })
})

describe('the districts for the /m picker', () => {
  it("lists the city's 14 county-level divisions without a session, with no invented geometry", async () => {
    const res = await call('GET', '/api/hotline/districts')
    expect(res.statusCode).toBe(200)
    const list = res.json() as { code: string; name: string; center: unknown; outline: unknown }[]
    expect(list).toHaveLength(14)
    expect(list.find((d) => d.code === '140902')).toMatchObject({ name: '忻府区' })
    // The test database holds no surveyed outlines: none are made up.
    expect(list.every((d) => d.outline === null && d.center === null)).toBe(true)
  })
})

describe("the reporter's phone", () => {
  it('is masked for staff; the centre reveals it with a reason (audited); departments never get it', async () => {
    let d = (await call('POST', '/api/hotline/tickets', 'operator', { type: 'complaint', categoryCode: 'housing', content: '小区电梯经常停运', address: ADDRESS, reporter: { name: '陈女士', phone: '13700008888' } })).json()
    expect(d.reporter.phone).toBe('137****8888')
    d = (await act('operator', d.id, 'dispatch', { version: d.version })).json()
    expect((await call('GET', `/api/hotline/tickets/${d.id}`, 'xfClerk')).json().reporter.phone).toBe('137****8888')
    expect((await call('GET', `/api/hotline/tickets/${d.id}/reporter`, 'xfClerk')).json().phone).toBe('137****8888')

    // Bad input: no reason, an empty one.
    expect((await call('POST', `/api/hotline/tickets/${d.id}/reporter/reveal`, 'operator', {})).headers['content-type']).toContain('application/problem+json')
    expect((await call('POST', `/api/hotline/tickets/${d.id}/reporter/reveal`, 'operator', { reason: ' ' })).statusCode).toBe(400)
    // Departments are refused by role, whatever the ticket type.
    const refused = await call('POST', `/api/hotline/tickets/${d.id}/reporter/reveal`, 'xfClerk', { reason: '回访' })
    expect(refused.statusCode).toBe(403)

    const shown = await call('POST', `/api/hotline/tickets/${d.id}/reporter/reveal`, 'operator', { reason: '回访核实办理结果' })
    expect(shown.statusCode, shown.body).toBe(200)
    expect(shown.json()).toMatchObject({ name: '陈女士', phone: '13700008888' })
    const logged = await audits('hotline.reporter.revealed', d.id)
    expect(logged).toHaveLength(1)
    expect(logged[0]).toMatchObject({ outcome: 'success', detail: { reason: '回访核实办理结果' } })
  })

  it('on a 举报 stays hidden from the handling department, and the reveal is the centre’s only', async () => {
    let d = (await call('POST', '/api/hotline/tickets', 'operator', { type: 'report', categoryCode: 'housing', content: '违规搭建彩钢房占用消防通道', address: ADDRESS, reporter: { name: '群众甲', phone: '13700009999' } })).json()
    d = (await act('operator', d.id, 'dispatch', { version: d.version })).json()
    expect((await call('GET', `/api/hotline/tickets/${d.id}`, 'xfClerk')).json()).toMatchObject({ reporter: null, reporterHidden: true })
    expect((await call('POST', `/api/hotline/tickets/${d.id}/reporter/reveal`, 'xfHead', { reason: '核实' })).statusCode).toBe(403)
    expect((await call('POST', `/api/hotline/tickets/${d.id}/reporter/reveal`, 'operator', { reason: '回访' })).json().phone).toBe('13700009999')
  })

  it('is the reporter’s own in full', async () => {
    const d = (await call('POST', '/api/hotline/my/tickets', 'citizen', { type: 'help', categoryCode: 'housing', content: '楼道灯坏了', address: ADDRESS, phone: '13812345678' })).json()
    expect(d.reporter.phone).toBe('13812345678')
  })
})

describe('协办 (assisting departments)', () => {
  it('sign for their part, give opinions the 主办 sees before replying; others cannot', async () => {
    // noise in 忻府区 goes to the environment bureau with housing assisting (test-support's rule).
    let d = (await call('POST', '/api/hotline/tickets', 'operator', { type: 'complaint', categoryCode: 'noise', content: '工地夜间施工噪音', address: ADDRESS, reporter: { phone: '13600002222' } })).json()
    d = (await act('operator', d.id, 'dispatch', { version: d.version })).json()
    expect(d).toMatchObject({ departmentId: w.departments.xinfuEnv, assistDepartmentIds: [w.departments.xinfuHousing] })
    expect(d.assists).toEqual([expect.objectContaining({ departmentId: w.departments.xinfuHousing, departmentName: '忻府区住房和城乡建设管理局', signedAt: null, opinion: null })])

    // The assisting department sees it in its queue and may sign, not yet give an opinion.
    const queue = (await call('GET', '/api/hotline/queue?queue=assisting', 'xfClerk')).json()
    expect(queue.items.map((i: { id: string }) => i.id)).toContain(d.id)
    let view = (await call('GET', `/api/hotline/tickets/${d.id}`, 'xfClerk')).json()
    expect(view.allowedActions).toEqual(['assist-sign'])
    let r = await act('xfClerk', d.id, 'assist-opinion', { version: view.version, content: '先给意见' })
    expect(r.statusCode).toBe(422)
    expect(r.json().type).toBe('urn:yiwang:problem:hotline/assist-not-signed')
    // Neither the 主办 nor another district's department may sign as 协办.
    expect((await act('envClerk', d.id, 'assist-sign', { version: view.version })).statusCode).toBe(403)
    expect((await act('ypClerk', d.id, 'assist-sign', { version: view.version })).statusCode).toBe(404)

    r = await act('xfClerk', d.id, 'assist-sign', { version: view.version })
    expect(r.statusCode, r.body).toBe(200)
    view = r.json()
    expect(view.status).toBe('dispatched')
    expect(view.assists[0].signedAt).not.toBeNull()
    expect(view.allowedActions).toEqual(['assist-opinion'])
    // Signing twice is refused, nothing changes.
    expect((await act('xfClerk', d.id, 'assist-sign', { version: view.version })).statusCode).toBe(422)

    d = (await act('envClerk', d.id, 'sign', { version: view.version })).json()
    r = await act('xfClerk', d.id, 'assist-opinion', { version: d.version, content: '经核查，该工地已办理夜间施工许可，建议环保部门核实时段。' })
    expect(r.statusCode, r.body).toBe(200)
    expect(await audits('hotline.ticket.assist-opinion', d.id)).toHaveLength(1)
    expect(await audits('hotline.ticket.assist-signed', d.id)).toHaveLength(1)

    // The 主办 sees the opinion before replying.
    const main = (await call('GET', `/api/hotline/tickets/${d.id}`, 'envClerk')).json()
    expect(main.assists[0]).toMatchObject({ departmentName: '忻府区住房和城乡建设管理局', opinion: '经核查，该工地已办理夜间施工许可，建议环保部门核实时段。', opinionBy: '周婷' })
    expect(main.allowedActions).toContain('reply')
    expect(main.allowedActions).not.toContain('assist-sign')
    const replied = await act('envClerk', d.id, 'reply', { version: main.version, content: '已责令工地22时后停止施工。' })
    expect(replied.statusCode).toBe(200)
    // After the reply the 协办 part is closed.
    expect((await act('xfClerk', d.id, 'assist-opinion', { version: replied.json().version, content: '补充意见' })).statusCode).toBe(422)
  })

  it('starts afresh when the ticket is returned and dispatched again', async () => {
    let d = (await call('POST', '/api/hotline/tickets', 'operator', { type: 'complaint', categoryCode: 'noise', content: '广场舞音响声音过大', address: ADDRESS, reporter: { phone: '13600003333' } })).json()
    d = (await act('operator', d.id, 'dispatch', { version: d.version })).json()
    d = (await act('xfClerk', d.id, 'assist-sign', { version: d.version })).json()
    d = (await act('envClerk', d.id, 'return', { version: d.version, reason: '非本部门职责' })).json()
    d = (await act('operator', d.id, 'dispatch', { version: d.version })).json()
    expect(d.assists[0].signedAt).toBeNull()
  })
})

describe("the centre's search box", () => {
  it('finds tickets by their words and by number, and nothing for a word no ticket has', async () => {
    const r = await call('POST', '/api/hotline/tickets', 'operator', {
      type: 'complaint', categoryCode: 'housing', content: '小区电梯经常停运，物业维修不及时', address: ADDRESS, reporter: { name: '赵六', phone: '13812348888' },
    })
    expect(r.statusCode, r.body).toBe(201)
    const d = r.json()
    const search = async (q: string) => (await call('GET', `/api/hotline/tickets?queue=all&q=${encodeURIComponent(q)}`, 'operator')).json() as { total: number; items: { id: string }[] }
    for (const q of ['电梯停运', '物业维修', '电梯', d.number]) expect((await search(q)).items.map((x) => x.id), q).toContain(d.id)
    expect((await search('电梯 噪音扰民')).items.map((x) => x.id)).not.toContain(d.id)
    expect((await search('垃圾焚烧厂选址')).total).toBe(0)
    // A single character has no word: a substring of the title.
    expect((await search('梯')).items.map((x) => x.id)).toContain(d.id)
  })
})
