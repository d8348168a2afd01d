import fs from 'node:fs'
import path from 'node:path'
import { sql } from 'kysely'
import { PDFDocument, PDFName, PDFRawStream } from 'pdf-lib'
import type { Browser, Page } from 'playwright-core'
import QRCode from 'qrcode'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedCatalogDemo } from '../apps/server/src/demo/catalog.js'
import { DEMO_PASSWORD, seedIdentityDemo } from '../apps/server/src/demo/identity.js'
import { seedOrgDemo } from '../apps/server/src/demo/org.js'
import { generateIdNumber } from '../apps/server/src/modules/identity/index.js'
import { desktopPage, launchBrowser, pageErrors, people, phonePage, skipWithoutChromium, startServer, webDist, type RunningServer } from './helpers.js'

/** A one-page PDF standing in for a scanned material. */
const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n')
/** 出生登记 (produces a 居民户口簿) and 户口迁移（市内迁移）, which asks for one. Both 忻州市公安局. */
const BIRTH = 'QR00101000'
const MOVE = 'QR00102000'
const reviewer = { username: 'e2e.lic.reviewer', name: '韩立新', password: 'Review#2026-e2e' }
const head = { username: 'e2e.lic.head', name: '郭振华', password: 'Head#2026-e2e' }

/** Signs in through the API and returns the session cookie header. */
async function apiLogin(server: RunningServer, username: string, password: string): Promise<string> {
  const res = await server.app.app.inject({ method: 'POST', url: '/api/auth/login/password', payload: { username, password } })
  expect(res.statusCode, res.body).toBe(200)
  const cookie = [res.headers['set-cookie']].flat().find((c): c is string => typeof c === 'string' && c.startsWith('yw_session='))
  return cookie!.split(';')[0]!
}

async function call<T>(server: RunningServer, cookie: string, method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, payload?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const res = await server.app.app.inject({ method, url, payload: payload as never, headers: { cookie, ...headers } })
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300)
  return (res.headers['content-type']?.toString().includes('json') ? res.json() : res.rawPayload) as T
}

async function staffLogin(page: Page, url: string, username: string, password: string) {
  await page.goto(`${url}/work/login`)
  await page.getByLabel('用户名').fill(username)
  await page.getByLabel('密码', { exact: true }).fill(password)
  await page.getByRole('button', { name: '登录', exact: true }).click()
  await page.waitForURL(/\/work$/)
}

/** The image streams of a PDF, as stored (pdf-lib writes an embedded PNG the same way every time). */
async function imageStreams(pdf: Uint8Array): Promise<Buffer[]> {
  const doc = await PDFDocument.load(pdf)
  return doc.context
    .enumerateIndirectObjects()
    .map(([, o]) => o)
    .filter((o): o is PDFRawStream => o instanceof PDFRawStream && o.dict.get(PDFName.of('Subtype')) === PDFName.of('Image'))
    .map((o) => Buffer.from(o.contents))
}

/** Whether the PDF carries the QR code of `url` (as the licenses module draws it: PNG, level M, margin 1, 240 px). */
async function pdfHasQrFor(pdf: Uint8Array, url: string): Promise<boolean> {
  const probe = await PDFDocument.create()
  const png = await QRCode.toBuffer(url, { type: 'png', errorCorrectionLevel: 'M', margin: 1, width: 240 })
  probe.addPage().drawImage(await probe.embedPng(png), { x: 0, y: 0, width: 10, height: 10 })
  const expected = await imageStreams(await probe.save())
  const actual = await imageStreams(pdf)
  return expected.length > 0 && expected.every((e) => actual.some((a) => a.equals(e)))
}

describe.skipIf(skipWithoutChromium)('e-licenses: issued on approval, shown from the wallet, verified in public, used instead of an upload', () => {
  let server: RunningServer
  let browser: Browser

  beforeAll(async () => {
    server = await startServer()
    // The parts of the demo city this journey needs: departments, staff, and the catalog.
    const { core, services } = server.app
    await seedOrgDemo(core, services)
    await seedIdentityDemo(core, services)
    await seedCatalogDemo(core, services)
    const item = await server.app.services.catalog.getPublishedVersion(BIRTH)
    const police = item!.guide.departmentId
    await server.app.services.identity.createStaff('system', { ...reviewer, departmentId: police, roles: [{ role: 'reviewer' }] })
    await server.app.services.identity.createStaff('system', { ...head, departmentId: police, roles: [{ role: 'department_head' }] })
    browser = await launchBrowser()
  }, 400_000)
  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  it('approval issues a sealed 居民户口簿; QR and PDF verify; a later case uses it with consent; the holder sees the use; revoking flips the page', async () => {
    const citizen = await apiLogin(server, people.citizen.idNumber, people.citizen.password)
    const clerk = await apiLogin(server, 'xz.clerk', DEMO_PASSWORD)
    const police = await apiLogin(server, reviewer.username, reviewer.password)

    // 1. 出生登记 through the API (the browser journey of an application is cases.test.ts): submitted, accepted, approved.
    type CaseDetail = { id: string; version: number; materials: { code: string; license: { number: string } | null }[] }
    let c = await call<CaseDetail>(server, citizen, 'POST', '/api/cases', { itemId: BIRTH })
    c = await call<CaseDetail>(server, citizen, 'PATCH', `/api/cases/${c.id}`, {
      version: c.version,
      formData: {
        babyName: '李小满',
        babySex: '女',
        birthDate: '2026-03-02',
        birthPlace: '山西省忻州市忻府区',
        birthCertificateNo: 'Q140123456',
        settleWith: '随母',
        householdAddress: '山西省忻州市忻府区和平街12号',
        fatherName: '王大伟',
        fatherIdNumber: generateIdNumber({ divisionCode: '140902', birthDate: '1988-06-01', sex: 'male' }),
        motherName: people.citizen.name,
        motherIdNumber: people.citizen.idNumber,
        contactPhone: people.citizen.phone,
      },
    })
    for (const m of c.materials) {
      if (['birth_certificate', 'household_register', 'id_card'].includes(m.code)) {
        await call(server, citizen, 'PUT', `/api/cases/${c.id}/materials/${m.code}?fileName=${m.code}.pdf`, PDF, { 'content-type': 'application/pdf' })
      }
    }
    const submit = await server.app.app.inject({ method: 'POST', url: `/api/cases/${c.id}/submit`, payload: { version: c.version }, headers: { cookie: citizen } })
    if (submit.statusCode !== 200) {
      // The form's field names are the item's; show them when the guess above is off.
      const version = await server.app.services.catalog.getPublishedVersion(BIRTH)
      throw new Error(`submit: ${submit.body}\nform fields: ${Object.keys(version!.guide.form?.schema.properties ?? {}).join(', ')}`)
    }
    c = submit.json()
    c = await call<CaseDetail>(server, clerk, 'POST', `/api/cases/${c.id}/accept`, { version: c.version })
    c = await call<CaseDetail>(server, police, 'POST', `/api/cases/${c.id}/approve`, { version: c.version })

    // The licenses module issues from the approval event; delivery is asynchronous.
    type Summary = { id: string; number: string; type: string; status: string }
    let issued: Summary | undefined
    // The demo's own events may still queue ahead of it: deliver them now rather than wait for the dispatcher.
    for (let i = 0; i < 60 && !issued; i++) {
      const mine = await call<{ items: Summary[] }>(server, citizen, 'GET', '/api/licenses/mine')
      issued = mine.items.find((l) => l.type === 'household_register')
      if (!issued) await server.app.core.outbox.drain()
    }
    if (!issued) {
      const rows = await sql<{ attempts: number; last_error: string | null; delivered_at: Date | null }>`select attempts, last_error, delivered_at from platform.outbox where type = 'cases.application.approved' and subject = ${c.id}`.execute(server.app.core.db)
      throw new Error(`no license issued; approval event: ${JSON.stringify(rows.rows)}`)
    }
    const license = issued!

    // 2. The wallet on a phone: from the home shortcut to the license, its seal, and a live QR code.
    const phone = await phonePage(browser)
    const errors = pageErrors(phone)
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
    await phone.getByRole('link', { name: /我的证照|证照/ }).first().click()
    await phone.getByRole('heading', { level: 1, name: '我的证照' }).waitFor()
    await phone.getByRole('link', { name: new RegExp(license.number) }).click()
    await phone.getByRole('heading', { level: 2, name: /居民户口簿/ }).waitFor()
    await phone.getByText('有效').first().waitFor()
    const seal = phone.locator('img.w-card-seal')
    await seal.waitFor()
    expect(await seal.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true)
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)

    await phone.getByRole('button', { name: '出示二维码（亮证）' }).click()
    await phone.getByRole('heading', { level: 1, name: '出示证照' }).waitFor()
    await phone.getByRole('button', { name: '生成二维码' }).click()
    const qr = phone.getByRole('img', { name: /核验二维码/ })
    await qr.waitFor()
    await phone.getByRole('timer').getByText(/秒后失效/).waitFor()
    const tokenUrl = await phone.getByRole('link', { name: '打开核验页面' }).getAttribute('href')
    expect(tokenUrl).toMatch(/\/verify\/T[\w-]+$/)
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)

    // 3. The PDF's QR code encodes the public verification URL, which shows the license as valid.
    type Detail = { verifyUrl: string; number: string }
    const detail = await call<Detail>(server, citizen, 'GET', `/api/licenses/mine/${license.id}`)
    const pdf = await call<Buffer>(server, citizen, 'GET', `/api/licenses/mine/${license.id}/pdf`)
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
    expect(detail.verifyUrl.startsWith(`${server.url}/verify/`)).toBe(true)
    expect(await pdfHasQrFor(pdf, detail.verifyUrl)).toBe(true)
    expect(await pdfHasQrFor(pdf, `${detail.verifyUrl}x`)).toBe(false)

    const viewer = await phonePage(browser)
    const viewerErrors = pageErrors(viewer)
    await viewer.goto(detail.verifyUrl)
    const outcome = viewer.getByRole('status')
    await outcome.getByRole('heading', { name: '有效' }).waitFor()
    await viewer.getByRole('heading', { level: 1, name: '电子证照核验' }).waitFor()
    await viewer.getByText(license.number, { exact: false }).first().waitFor()
    await viewer.getByText('国密 SM2 签名核验通过').waitFor()
    expect(await viewer.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    // The shown (short-lived) code opens the same page.
    await viewer.goto(tokenUrl!)
    await viewer.getByRole('status').getByRole('heading', { name: '有效' }).waitFor()
    // English too.
    await viewer.getByRole('button', { name: /English|切换/ }).click()
    await viewer.getByRole('heading', { level: 1, name: 'E-license verification' }).waitFor()
    await viewer.getByRole('status').getByRole('heading', { name: 'Valid' }).waitFor()

    // 4. A later case (户口迁移) uses the license instead of an upload, with the holder's consent.
    await phone.goto(`${server.url}/m/items/${MOVE}/apply`)
    await phone.waitForURL(/\/apply\?case=/)
    const next = phone.getByRole('button', { name: '下一步' })
    await next.click()
    await phone.getByRole('heading', { name: '上传材料', level: 2 }).waitFor()
    await phone.getByRole('button', { name: /使用电子证照/ }).first().click()
    await phone.getByRole('dialog').getByText(/调取并核验您的居民户口簿/).waitFor()
    await phone.getByRole('button', { name: '同意并使用' }).click()
    await phone.getByText(`已使用电子证照：居民户口簿 ${license.number}`).waitFor()
    const moveCaseId = new URL(phone.url()).searchParams.get('case')!
    const moveDraft = await call<CaseDetail>(server, citizen, 'GET', `/api/cases/${moveCaseId}`)
    for (const m of moveDraft.materials) {
      if (m.license || m.code === 'kinship_proof') continue
      await phone.locator(`#m-file-${m.code}`).setInputFiles({ name: `${m.code}.pdf`, mimeType: 'application/pdf', buffer: PDF })
      await phone.getByText(`${m.code}.pdf`).waitFor()
    }
    await next.click()
    await phone.getByRole('heading', { name: '确认信息', level: 2 }).waitFor()
    await phone.getByText(/电子证照 居民户口簿 .*（免提交）/).waitFor()
    await phone.getByRole('button', { name: '确认提交' }).click()
    await phone.getByText('申请已提交').waitFor()

    // The window accepts; the police reviewer reads the license, verified, in the workbench.
    let moved = await call<CaseDetail>(server, citizen, 'GET', `/api/cases/${moveCaseId}`)
    moved = await call<CaseDetail>(server, clerk, 'POST', `/api/cases/${moveCaseId}/accept`, { version: moved.version })
    const desk = await desktopPage(browser)
    const deskErrors = pageErrors(desk)
    await staffLogin(desk, server.url, reviewer.username, reviewer.password)
    await desk.goto(`${server.url}/work/cases/${moveCaseId}`)
    await desk.getByText(`电子证照 居民户口簿 ${license.number}（免提交）`).waitFor()
    await desk.getByRole('button', { name: `调取并核验电子证照 ${license.number}` }).click()
    await desk.getByText('证照有效，电子印章签名核验通过').waitFor()
    await desk.getByText('国密 SM2 签名核验通过').waitFor()

    // The holder sees both uses: the consent for the case and the department's read.
    await phone.goto(`${server.url}/m/licenses/uses`)
    await phone.getByRole('heading', { level: 1, name: '用证记录' }).waitFor()
    await phone.getByText('办事用证').first().waitFor()
    await phone.getByText('调取', { exact: true }).first().waitFor()
    await phone.getByText('用途：办理“户口迁移（市内迁移）”').first().waitFor()
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)

    // 5. The issuing department revokes it in the workbench; the public page flips to revoked.
    const office = await desktopPage(browser)
    const officeErrors = pageErrors(office)
    await staffLogin(office, server.url, head.username, head.password)
    await office.getByRole('link', { name: '证照管理' }).click()
    await office.getByRole('heading', { level: 1, name: '证照管理' }).waitFor()
    await office.getByLabel('搜索证照').fill(license.number)
    await office.getByLabel('搜索证照').press('Enter')
    await office.getByRole('link', { name: license.number }).click()
    await office.getByRole('button', { name: '吊销' }).click()
    await office.getByRole('dialog').getByLabel('理由').fill('户口已迁出，原户口簿注销')
    await office.getByRole('dialog').getByRole('button', { name: '确定' }).click()
    await office.getByText('已吊销').first().waitFor()

    await viewer.goto(detail.verifyUrl)
    await viewer.getByRole('status').getByRole('heading', { name: /Revoked|已吊销/ }).waitFor()
    await phone.goto(`${server.url}/m/licenses/${license.id}`)
    await phone.getByText('已吊销').first().waitFor()
    await expect(phone.getByRole('button', { name: '出示二维码（亮证）' }).isDisabled()).resolves.toBe(true)

    // The phone never loads a desktop face (the build itself fails if a citizen page, lazy ones included, pulls in antd).
    const report = JSON.parse(fs.readFileSync(path.join(webDist, '.vite/faces.json'), 'utf8')) as Record<string, { chunk: string }>
    for (const face of ['work', 'ops', 'admin']) expect(assets).not.toContain(report[face]!.chunk)
    expect(assets.some((a) => /WalletRoutes/.test(a))).toBe(true)
    expect(errors).toEqual([])
    expect(viewerErrors).toEqual([])
    expect(deskErrors).toEqual([])
    expect(officeErrors).toEqual([])
  }, 240_000)

  it('the issuing department keeps its seals and aggregates existing licenses from a CSV, all or nothing', async () => {
    const office = await desktopPage(browser)
    const errors = pageErrors(office)
    await staffLogin(office, server.url, head.username, head.password)

    // Seals: the one made on demand for the first license is listed; a new one gets a generated image.
    await office.getByRole('link', { name: '电子印章' }).click()
    await office.getByRole('heading', { level: 1, name: '电子印章' }).waitFor()
    await office.getByRole('cell', { name: /忻州市公安局/ }).first().waitFor()
    await office.getByLabel('印章名称').fill('忻州市公安局户籍专用章')
    await office.getByRole('button', { name: '创建印章' }).click()
    await office.getByRole('cell', { name: '忻州市公安局户籍专用章', exact: true }).waitFor()
    const image = office.getByRole('img', { name: '电子印章：忻州市公安局户籍专用章' })
    await image.waitFor()
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true)

    // Import: one malformed ID number rejects the whole file with the row named; fixed, both rows go in.
    const good = generateIdNumber({ divisionCode: '140902', birthDate: '1979-11-02', sex: 'male' })
    const other = generateIdNumber({ divisionCode: '140902', birthDate: '1983-05-20', sex: 'female' })
    const header = '姓名,身份证号码,户号,与户主关系,性别,出生日期,住址'
    const rows = (second: string) => [header, `张建军,${good},140902100001,户主,男,1979-11-02,忻府区七一路8号`, `刘慧,${second},140902100002,户主,女,1983-05-20,忻府区长征街3号`].join('\n')
    await office.getByRole('link', { name: '证照汇聚' }).click()
    await office.getByRole('heading', { level: 1, name: '证照汇聚导入' }).waitFor()
    await office.getByRole('combobox', { name: '证照类型' }).click()
    await office.getByTitle('居民户口簿').click()
    const file = office.locator('input[type=file]')
    await file.setInputFiles({ name: '户口簿.csv', mimeType: 'text/csv', buffer: Buffer.from(rows('140902198305201234')) })
    await office.getByRole('button', { name: '导入' }).click()
    await office.getByRole('columnheader', { name: '问题' }).waitFor()
    await office.getByRole('cell', { name: '3', exact: true }).waitFor()
    const before = await server.app.services.licenses.listIssued(
      { accountId: 'e2e', sessionId: 'e2e', kind: 'staff', name: 'e2e', grants: [{ role: 'platform_admin', divisionCode: null, departmentId: null }] },
      { q: '张建军' },
    )
    expect(before.total).toBe(0)
    await file.setInputFiles({ name: '户口簿.csv', mimeType: 'text/csv', buffer: Buffer.from(rows(other)) })
    await office.getByRole('button', { name: '导入' }).click()
    await office.getByText('已导入 2 张证照').waitFor()

    await office.getByRole('navigation').getByRole('link', { name: '证照管理' }).click()
    await office.getByLabel('搜索证照').fill('张建军')
    await office.getByLabel('搜索证照').press('Enter')
    await office.getByRole('cell', { name: /张建军/ }).waitFor()
    await office.getByText('汇聚导入').first().waitFor()
    expect(errors).toEqual([])
  }, 120_000)
})

