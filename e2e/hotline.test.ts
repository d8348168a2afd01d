import fs from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { systemActor } from '../apps/server/src/platform/audit.js'
import { desktopPage, launchBrowser, pageErrors, people, phonePage, skipWithoutChromium, startServer, webDist, type RunningServer } from './helpers.js'

/**
 * The 12345 hotline in the browser: a complaint from a phone through the district department, the
 * centre's review and callback, a 不满意 rating and its rectification; and the operator console
 * answering a 咨询 from the knowledge base on one screen.
 */

/** A 1×1 PNG: a real photo as far as the server's content sniffing is concerned. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64')
const PASSWORD = 'Hotline#2026-e2e'
const staff = {
  operator: { username: 'e2e.rx.operator', name: '苏晓敏' },
  admin: { username: 'e2e.rx.admin', name: '贺文斌' },
  clerk: { username: 'e2e.xf.city.clerk', name: '牛建平' },
  head: { username: 'e2e.xf.city.head', name: '白玉峰' },
} as const
const districtDepartment = '忻府区城市管理局'
const cityDepartment = '忻州市城市管理局'

async function staffLogin(page: Page, url: string, username: string) {
  await page.goto(`${url}/work/login`)
  await page.getByLabel('用户名').fill(username)
  await page.getByLabel('密码', { exact: true }).fill(PASSWORD)
  await page.getByRole('button', { name: '登录', exact: true }).click()
  await page.waitForURL(/\/work$/)
}

/** Signs in through the API and returns the session cookie header. */
async function apiLogin(server: RunningServer, username: string, password = PASSWORD): Promise<string> {
  const res = await server.app.app.inject({ method: 'POST', url: '/api/auth/login/password', payload: { username, password } })
  expect(res.statusCode, res.body).toBe(200)
  const cookie = [res.headers['set-cookie']].flat().find((c): c is string => typeof c === 'string' && c.startsWith('yw_session='))
  return cookie!.split(';')[0]!
}

async function call<T>(server: RunningServer, cookie: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown): Promise<T> {
  const res = await server.app.app.inject({ method, url, headers: { cookie }, ...(payload === undefined ? {} : { payload: payload as object }) })
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300)
  return res.json() as T
}

describe.skipIf(skipWithoutChromium)('12345 hotline', () => {
  let server: RunningServer
  let browser: Browser
  let admin: string
  let operatorCookie: string
  let districtId: string
  let cityId: string

  beforeAll(async () => {
    server = await startServer()
    const { org, identity } = server.app.services
    const district = await org.createDepartment(systemActor, { name: districtDepartment, divisionCode: '140902', kind: 'bureau' })
    const city = await org.createDepartment(systemActor, { name: cityDepartment, divisionCode: '140900', kind: 'bureau' })
    districtId = district.id
    cityId = city.id
    const make = (who: { username: string; name: string }, departmentId: string, roles: { role: 'hotline_operator' | 'hotline_admin' | 'window_clerk' | 'department_head'; divisionCode?: string }[]) =>
      identity.createStaff('system', { name: who.name, username: who.username, password: PASSWORD, departmentId, roles })
    await make(staff.operator, city.id, [{ role: 'hotline_operator', divisionCode: '140900' }])
    await make(staff.admin, city.id, [{ role: 'hotline_admin', divisionCode: '140900' }])
    // Grants without a division take the department's: these two act for the district bureau only.
    await make(staff.clerk, district.id, [{ role: 'window_clerk' }])
    await make(staff.head, district.id, [{ role: 'department_head' }])

    // The centre's setup through its own API: city-wide default, noise in 忻府区 to the district bureau, one KB article.
    admin = await apiLogin(server, staff.admin.username)
    operatorCookie = await apiLogin(server, staff.operator.username)
    await call(server, admin, 'POST', '/api/hotline/dispatch-rules', { categoryCode: null, divisionPrefix: null, departmentId: city.id })
    await call(server, admin, 'POST', '/api/hotline/dispatch-rules', { categoryCode: 'noise', divisionPrefix: '140902', departmentId: district.id })
    await call(server, admin, 'POST', '/api/hotline/kb', {
      title: '社保卡丢失补办',
      body: '社保卡丢失后，请先拨打 12333 挂失，再携带身份证到任一社保卡服务网点补办，补卡工本费 20 元，当场可取新卡。',
      keywords: ['社保卡', '补办', '挂失'],
      departmentId: city.id,
      categoryCode: 'social_security',
    })
    browser = await launchBrowser()
  }, 240_000)
  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  it('a complaint filed on /m is signed and replied by the district department, called back by the centre, rated 不满意 and rectified', async () => {
    // --- The citizen files a noise complaint with a photo on a phone.
    const phone = await phonePage(browser)
    const phoneErrors = pageErrors(phone)
    const assets: string[] = []
    phone.on('request', (r) => {
      const { pathname } = new URL(r.url())
      if (pathname.startsWith('/assets/')) assets.push(pathname.slice(1))
    })
    await phone.goto(`${server.url}/m/login`)
    await phone.getByLabel('身份证号 / 手机号 / 统一社会信用代码').fill(people.citizen.idNumber)
    await phone.getByLabel('密码', { exact: true }).fill(people.citizen.password)
    await phone.getByRole('button', { name: '登录', exact: true }).click()
    await phone.waitForURL(/\/m$/)
    await phone.getByRole('link', { name: /12345/ }).first().click()
    await phone.waitForURL(/\/m\/hotline$/)
    await phone.getByRole('button', { name: '我要反映' }).click()
    await phone.getByRole('heading', { level: 1, name: '我要反映' }).waitFor()

    // Client-side checks: nothing typed yet; a disguised photo and a text file are refused before upload.
    await phone.getByRole('button', { name: '提交' }).click()
    await phone.getByText('请选择诉求分类').waitFor()
    await phone.getByLabel('添加照片').setInputFiles([
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a photo') },
      { name: 'huge.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(5 * 1024 * 1024 + 1, 0xff) },
    ])
    await phone.getByText('「notes.txt」不是 JPG、PNG 或 WebP 图片').waitFor()
    await phone.getByText('「huge.jpg」超过 5 MB').waitFor()

    await phone.getByText('投诉', { exact: true }).click()
    await phone.getByLabel('诉求分类').selectOption({ label: '噪音扰民' })
    await phone.getByLabel('标题（选填）').fill('夜间施工噪音扰民')
    await phone.getByLabel('诉求内容').fill('和平街12号旁的工地每天夜里十一点后还在施工打桩，噪音很大，影响休息，请尽快处理。')
    await phone.getByLabel('所在区县（选填）').selectOption({ label: '忻府区' })
    await phone.getByLabel('地址', { exact: true }).fill('和平街12号')
    await phone.getByLabel('添加照片').setInputFiles({ name: '工地.png', mimeType: 'image/png', buffer: PNG })
    await phone.getByRole('img', { name: '工地.png' }).waitFor()
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await phone.getByRole('button', { name: '提交' }).click()
    await phone.waitForURL(/\/m\/hotline\/[^/]+$/)
    await phone.getByRole('heading', { level: 1, name: '夜间施工噪音扰民' }).waitFor()
    await phone.getByText('已受理').first().waitFor()
    const ticketId = decodeURIComponent(new URL(phone.url()).pathname.split('/').pop()!)
    const filed = await call<{ number: string; divisionCode: string | null; photos: unknown[]; channel: string }>(server, admin, 'GET', `/api/hotline/tickets/${encodeURIComponent(ticketId)}`)
    expect(filed.divisionCode).toMatch(/^140902/)
    expect(filed.photos).toHaveLength(1)
    expect(filed.channel).toBe('mobile')

    // --- The centre dispatches it; the rule names the district bureau.
    const centre = await desktopPage(browser)
    const centreErrors = pageErrors(centre)
    await staffLogin(centre, server.url, staff.admin.username)
    await centre.getByRole('link', { name: '热线工单' }).click()
    await centre.getByRole('tab', { name: /待派单/ }).waitFor()
    await centre.getByRole('link', { name: filed.number }).click()
    await centre.getByRole('heading', { level: 1, name: '夜间施工噪音扰民' }).waitFor()
    await centre.getByRole('button', { name: '派单', exact: true }).click()
    const dispatch = centre.getByRole('dialog')
    await dispatch.getByText(`按派单规则建议：${districtDepartment}`).waitFor()
    await dispatch.getByRole('button', { name: '确定' }).click()
    await centre.getByText('已派单（待签收）').first().waitFor()

    // --- The district bureau's clerk signs and replies from the 待签收 queue.
    const dept = await desktopPage(browser)
    const deptErrors = pageErrors(dept)
    await staffLogin(dept, server.url, staff.clerk.username)
    await dept.getByRole('link', { name: '热线待办' }).click()
    await dept.getByRole('tab', { name: /待签收/ }).waitFor()
    const row = dept.getByRole('row', { name: new RegExp(filed.number) })
    await row.getByText(/待签收 ·/).waitFor()
    await row.getByRole('link', { name: filed.number }).click()
    await dept.getByRole('button', { name: '签收', exact: true }).click()
    await dept.getByRole('dialog').getByRole('button', { name: '确定' }).click()
    await dept.getByText('办理中').first().waitFor()
    await dept.getByRole('button', { name: '答复', exact: true }).click()
    await dept.getByRole('dialog').getByLabel('答复内容').fill('经现场核查，该工地夜间违规施工属实，已责令停止夜间施工，并处以罚款。')
    await dept.getByRole('dialog').getByRole('button', { name: '确定' }).click()
    await dept.getByText('已答复（待审核）').first().waitFor()

    // --- The centre reviews the reply and calls back: the citizen is 不满意, and the ticket closes.
    await centre.reload()
    await centre.getByRole('button', { name: '审核答复', exact: true }).click()
    await centre.getByRole('dialog').getByText('审核通过，转回访').click()
    await centre.getByRole('dialog').getByRole('button', { name: '确定' }).click()
    await centre.getByText('待回访').first().waitFor()
    await centre.getByRole('button', { name: '回访', exact: true }).click()
    const callback = centre.getByRole('dialog')
    await callback.getByText('不满意', { exact: true }).click()
    // Unticks the reopen box (ticked by default for 不满意): the citizen only wants it on record.
    await callback.getByRole('checkbox', { name: '不满意，重新交办' }).uncheck()
    await callback.getByLabel('回访记录（选填）').fill('来电人表示夜间施工仍时有发生')
    await callback.getByRole('button', { name: '确定' }).click()
    await centre.getByText('已办结').first().waitFor()
    const closed = await call<{ status: string; closeKind: string; satisfaction: string }>(server, admin, 'GET', `/api/hotline/tickets/${encodeURIComponent(ticketId)}`)
    expect(closed).toMatchObject({ status: 'closed', closeKind: 'callback', satisfaction: 'unsatisfied' })

    // --- The citizen reads the reply and goes to rate it.
    await phone.goto(`${server.url}/m/hotline/${encodeURIComponent(ticketId)}`)
    await phone.getByRole('heading', { name: '部门答复' }).waitFor()
    await phone.getByText('已责令停止夜间施工').waitFor()
    await phone.getByText('已办结').first().waitFor()
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)

    // --- The citizen rates it 不满意 on the rating page (the rating feature's), once the closed event is through.
    await server.app.core.outbox.drain()
    await phone.reload()
    await phone.getByRole('button', { name: '评价', exact: true }).click()
    await phone.waitForURL(new RegExp(`/m/rate/ticket/${ticketId}$`))
    await phone.getByRole('radio', { name: '不满意', exact: true }).check()
    await phone.getByRole('button', { name: '提交评价' }).click()
    await phone.getByText(/待整改|差评已转交责任部门整改/).first().waitFor()
    await server.app.core.outbox.drain()

    // --- A rectification task appears for the district bureau; its head answers, the centre reaches the citizen: closed.
    const head = await desktopPage(browser)
    await staffLogin(head, server.url, staff.head.username)
    await head.goto(`${server.url}/work/rating/rectifications`)
    await head.getByRole('button', { name: `填写整改情况 ${filed.number}` }).click()
    await head.getByRole('dialog').getByLabel('整改情况').fill('已安排夜间巡查，工地承诺 22 点后停工。')
    await head.getByRole('dialog').getByRole('button', { name: '保存' }).click()
    await head.getByText('整改情况已提交').waitFor()
    await head.context().close()

    await centre.goto(`${server.url}/work/rating/rectifications`)
    await centre.getByRole('tab', { name: /待回访/ }).click()
    await centre.getByRole('button', { name: `记录回访 ${filed.number}` }).click()
    const rcb = centre.getByRole('dialog')
    await rcb.getByText('已联系到评价人').click()
    await rcb.getByLabel(/回访结果/).fill('已告知整改情况，来电人认可')
    await rcb.getByRole('button', { name: '保存' }).click()
    await centre.getByText('回访已记录').waitFor()
    const rect = await call<{ items: { status: string; subjectRefId: string; departmentId?: string }[] }>(server, admin, 'GET', '/api/rating/rectifications?status=closed')
    expect(rect.items.filter((r) => r.subjectRefId === ticketId)).toHaveLength(1)

    // The citizen sees the outcome of the rectification.
    await phone.goto(`${server.url}/m/rate/ticket/${encodeURIComponent(ticketId)}`)
    await phone.getByText('已办结').first().waitFor()

    // No antd on /m: antd's config context (its `ant-` class prefix) is in every antd component's
    // static imports, so it would be among the files the phone loaded had any antd code come along.
    const hasAntd = (a: string) => a.endsWith('.js') && fs.readFileSync(path.join(webDist, a), 'utf8').includes('`ant-${')
    const faces = JSON.parse(fs.readFileSync(path.join(webDist, '.vite/faces.json'), 'utf8')) as Record<string, { files: string[] }>
    expect(faces.work!.files.some(hasAntd), 'the antd marker must be found in the /work face, or this check proves nothing').toBe(true)
    expect([...new Set(assets)].filter(hasAntd)).toEqual([])
    expect(phoneErrors).toEqual([])
    expect(centreErrors).toEqual([])
    expect(deptErrors).toEqual([])
    await Promise.all([phone.context().close(), centre.context().close(), dept.context().close()])
  }, 240_000)

  it('the operator console answers a 咨询 from the knowledge base and closes it on the call, on one screen', async () => {
    const desk = await desktopPage(browser)
    const errors = pageErrors(desk)
    await staffLogin(desk, server.url, staff.operator.username)
    await desk.getByRole('link', { name: '热线受理台' }).click()
    await desk.getByRole('heading', { level: 1, name: '热线受理台' }).waitFor()
    const consoleUrl = desk.url()
    // From here until the ticket is closed nothing may navigate: every history change counts.
    let navigations = 0
    desk.on('framenavigated', (f) => {
      if (f === desk.mainFrame()) navigations++
    })

    await desk.getByLabel('来电号码').fill(people.citizen.phone)
    await desk.getByLabel('来电号码').press('Enter')
    await desk.getByText(/历史工单 \d+ 件/).waitFor()
    await expect.poll(() => desk.getByLabel('联系电话').inputValue()).toBe(people.citizen.phone)

    expect(await desk.getByRole('radio', { name: '咨询' }).isChecked()).toBe(true)
    // The category by keyboard: type to filter, Enter to pick.
    await desk.getByRole('combobox', { name: '诉求分类' }).click()
    await desk.getByRole('combobox', { name: '诉求分类' }).pressSequentially('社会保障')
    await desk.getByText('社会保障', { exact: true }).last().waitFor()
    await desk.getByRole('combobox', { name: '诉求分类' }).press('Enter')
    await expect.poll(() => desk.getByRole('main').getByText('社会保障', { exact: true }).count()).toBeGreaterThan(0)
    await desk.getByLabel('诉求内容').fill('来电人的社保卡丢失了，询问社保卡补办需要什么手续')
    // The suggestions follow the typing (debounced search), with no button pressed.
    const suggestion = desk.getByRole('listitem').filter({ hasText: '社保卡丢失补办' })
    await suggestion.waitFor()
    await suggestion.getByRole('button', { name: '采用「社保卡丢失补办」答复' }).click()
    await expect.poll(() => desk.getByLabel('答复内容').inputValue()).toContain('12333')
    await desk.getByRole('button', { name: '答复并直接办结' }).click()
    await desk.getByText(/工单 RX\S+ 已直接办结/).waitFor()

    expect(navigations).toBe(0)
    expect(desk.url()).toBe(consoleUrl)
    const number = /工单 (RX\S+) 已直接办结/.exec((await desk.getByText(/已直接办结/).textContent()) ?? '')![1]!
    const list = await call<{ items: { number: string; status: string; closeKind: string | null; type: string; updatedAt: string }[] }>(server, operatorCookie, 'GET', '/api/hotline/tickets?queue=all&q=' + encodeURIComponent(number))
    const closed = list.items.find((t) => t.number === number)
    expect(closed).toMatchObject({ status: 'closed', closeKind: 'direct', type: 'consult' })
    // Metrics periods are China days (UTC+8), as the server's clock sees them: the day it closed the ticket,
    // not the test machine's UTC date (they differ from 00:00 UTC on, which failed this test every night).
    const today = new Date(new Date(closed!.updatedAt).getTime() + 8 * 3_600_000).toISOString().slice(0, 10)
    const metrics = await call<{ centre: { directClosed: number; consults: number } }>(server, admin, 'GET', `/api/hotline/metrics?from=${today}&to=${today}`)
    expect(metrics.centre.directClosed).toBeGreaterThanOrEqual(1)

    // The next call starts from a clean form on the same screen.
    await desk.getByRole('button', { name: '接听下一个来电' }).click()
    await desk.getByRole('heading', { name: '新工单' }).waitFor()
    expect(errors).toEqual([])
    await desk.context().close()
  }, 120_000)

  it('a department returns a misdispatched ticket with its reason and asks for an extension; the centre re-dispatches, approves it and reads the 三率', async () => {
    const created = await call<{ id: string; number: string; version: number }>(server, operatorCookie, 'POST', '/api/hotline/tickets', {
      type: 'help',
      categoryCode: 'road_traffic',
      title: '井盖缺失',
      content: '七一路与和平街交叉口的井盖丢失，夜间很危险。',
      address: '山西省忻州市忻府区七一路',
      reporter: { name: '郝先生', phone: '13922223333' },
    })
    await call(server, operatorCookie, 'POST', `/api/hotline/tickets/${created.id}/dispatch`, { version: created.version, departmentId: districtId })

    const dept = await desktopPage(browser)
    const deptErrors = pageErrors(dept)
    await staffLogin(dept, server.url, staff.clerk.username)
    await dept.goto(`${server.url}/work/hotline/tickets/${encodeURIComponent(created.id)}`)
    await dept.getByRole('button', { name: '退单', exact: true }).click()
    await dept.getByRole('dialog').getByRole('button', { name: '确定' }).click()
    await dept.getByText('请至少填写 2 个字').waitFor()
    await dept.getByRole('dialog').getByLabel('退单理由').fill('道路井盖归市住建部门管理，非本局职责')
    await dept.getByRole('dialog').getByRole('button', { name: '确定' }).click()
    await dept.waitForURL(/\/work\/hotline\/department$/)

    const centre = await desktopPage(browser)
    const centreErrors = pageErrors(centre)
    await staffLogin(centre, server.url, staff.admin.username)
    await centre.goto(`${server.url}/work/hotline/centre?queue=returned`)
    await centre.getByRole('link', { name: created.number }).click()
    await centre.getByRole('button', { name: '派单', exact: true }).click()
    const dispatch = centre.getByRole('dialog')
    await dispatch.getByText(/退单：道路井盖归市住建部门管理/).waitFor()
    await dispatch.getByText(`按派单规则建议：${cityDepartment}`).waitFor()
    // The centre overrides the rule: back to the district bureau, with the city bureau assisting.
    await dispatch.getByRole('combobox', { name: '主办部门' }).click()
    await dispatch.getByRole('combobox', { name: '主办部门' }).pressSequentially(districtDepartment)
    await dispatch.getByRole('combobox', { name: '主办部门' }).press('Enter')
    await dispatch.getByLabel('派单意见（选填）').fill('属地先行处置，市局协办')
    await dispatch.getByRole('button', { name: '确定' }).click()
    await centre.getByText('已派单（待签收）').first().waitFor()

    await dept.goto(`${server.url}/work/hotline/tickets/${encodeURIComponent(created.id)}`)
    await dept.getByRole('button', { name: '签收', exact: true }).click()
    await dept.getByRole('dialog').getByRole('button', { name: '确定' }).click()
    await dept.getByText('办理中').first().waitFor()
    await dept.getByRole('button', { name: '申请延期', exact: true }).click()
    await dept.getByRole('dialog').getByLabel('延期天数（工作日）').fill('3')
    await dept.getByRole('dialog').getByLabel('延期理由').fill('需协调市住建局采购井盖')
    await dept.getByRole('dialog').getByRole('button', { name: '确定' }).click()
    await dept.getByText('延期待审批').first().waitFor()

    await centre.goto(`${server.url}/work/hotline/centre?queue=extensions`)
    await centre.getByRole('link', { name: created.number }).click()
    await centre.getByRole('button', { name: '延期审批', exact: true }).click()
    await centre.getByRole('dialog').getByText('申请延期 3 个工作日，理由：需协调市住建局采购井盖').waitFor()
    await centre.getByRole('dialog').getByRole('button', { name: '确定' }).click()
    await centre.getByText('已同意延期 3 个工作日').waitFor()

    // The dispatch rules and the 三率 pages read the same data.
    await centre.getByRole('link', { name: '派单规则' }).click()
    await centre.getByRole('row', { name: new RegExp(`噪音扰民.*${districtDepartment}`) }).waitFor()
    await centre.getByRole('link', { name: '热线三率' }).click()
    await centre.getByRole('heading', { level: 1, name: '热线三率' }).waitFor()
    await centre.getByText('直接办结率').waitFor()
    await centre.getByRole('row', { name: new RegExp(districtDepartment) }).waitFor()
    expect(deptErrors).toEqual([])
    expect(centreErrors).toEqual([])
    await Promise.all([dept.context().close(), centre.context().close()])
  }, 120_000)

  it('a department never sees who reported a 举报 ticket; the centre does', async () => {
    const created = await call<{ id: string; version: number }>(server, operatorCookie, 'POST', '/api/hotline/tickets', {
      type: 'report',
      categoryCode: 'noise',
      title: '举报歌厅超时营业',
      content: '和平街某歌厅每晚营业到凌晨三点，音响声音极大。',
      address: '山西省忻州市忻府区和平街20号',
      reporter: { name: '匿名群众', phone: '13911112222' },
    })
    await call(server, operatorCookie, 'POST', `/api/hotline/tickets/${created.id}/dispatch`, { version: created.version, departmentId: districtId })
    const dept = await desktopPage(browser)
    const errors = pageErrors(dept)
    await staffLogin(dept, server.url, staff.clerk.username)
    await dept.goto(`${server.url}/work/hotline/tickets/${encodeURIComponent(created.id)}`)
    await dept.getByRole('heading', { level: 1, name: '举报歌厅超时营业' }).waitFor()
    await dept.getByText('举报人信息仅热线中心可见').waitFor()
    expect(await dept.getByText('13911112222').count()).toBe(0)
    expect(await dept.getByText('匿名群众').count()).toBe(0)
    expect(await dept.getByRole('button', { name: '查看完整号码' }).count()).toBe(0)
    expect(errors).toEqual([])
    await dept.context().close()

    // The centre sees the reporter with the phone masked, and reveals the number for the callback with a reason.
    const centre = await desktopPage(browser)
    const centreErrors = pageErrors(centre)
    await staffLogin(centre, server.url, staff.operator.username)
    await centre.goto(`${server.url}/work/hotline/tickets/${encodeURIComponent(created.id)}`)
    await centre.getByText('匿名群众 · 139****2222').waitFor()
    expect(await centre.getByText('13911112222').count()).toBe(0)
    await centre.getByRole('button', { name: '查看完整号码' }).click()
    const reveal = centre.getByRole('dialog')
    await reveal.getByLabel('查看理由').fill('回访核实')
    await reveal.getByRole('button', { name: '查看完整号码' }).click()
    await centre.getByText('13911112222').waitFor()
    expect(centreErrors).toEqual([])
    await centre.context().close()
  }, 90_000)
})
