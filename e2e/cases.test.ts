import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadDemo } from '../apps/server/src/demo/index.js'
import { DEMO_PASSWORD } from '../apps/server/src/demo/identity.js'
import { generateIdNumber } from '../apps/server/src/modules/identity/index.js'
import { desktopOnlyAssets, desktopPage, launchBrowser, pageErrors, people, phonePage, skipWithoutChromium, startServer, type RunningServer } from './helpers.js'

/** A one-page PDF standing in for a scanned material. */
const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n')
const BIRTH = 'QR00101000'
const reviewer = { username: 'e2e.police.reviewer', name: '韩立新', password: 'Review#2026-e2e' }

async function staffLogin(page: Page, url: string, username: string, password: string) {
  await page.goto(`${url}/work/login`)
  await page.getByLabel('用户名').fill(username)
  await page.getByLabel('密码', { exact: true }).fill(password)
  await page.getByRole('button', { name: '登录', exact: true }).click()
  await page.waitForURL(/\/work$/)
}

/** Signs in through the API and returns the session cookie header. */
async function apiLogin(server: RunningServer, username: string, password: string): Promise<string> {
  const res = await server.app.app.inject({ method: 'POST', url: '/api/auth/login/password', payload: { username, password } })
  expect(res.statusCode, res.body).toBe(200)
  const cookie = [res.headers['set-cookie']].flat().find((c): c is string => typeof c === 'string' && c.startsWith('yw_session='))
  expect(cookie).toBeTruthy()
  return cookie!.split(';')[0]!
}

describe.skipIf(skipWithoutChromium)('an application from search to approved result', () => {
  let server: RunningServer
  let browser: Browser

  beforeAll(async () => {
    server = await startServer()
    await loadDemo(server.app.core, server.app.services)
    // 出生登记 is decided by a reviewer of the implementing department (忻州市公安局).
    const item = await server.app.services.catalog.getPublishedVersion(BIRTH)
    await server.app.services.identity.createStaff('system', {
      name: reviewer.name,
      username: reviewer.username,
      password: reviewer.password,
      departmentId: item!.guide.departmentId,
      roles: [{ role: 'reviewer' }],
    })
    browser = await launchBrowser()
  }, 240_000)
  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  it('finds 出生登记, applies on a phone, answers a 补正 notice and sees the approved result; another district cannot see it', async () => {
    const phone = await phonePage(browser)
    const errors = pageErrors(phone)
    const assets: string[] = []
    phone.on('request', (r) => {
      const { pathname } = new URL(r.url())
      if (pathname.startsWith('/assets/')) assets.push(pathname.slice(1))
    })

    // Search and read the guide without signing in.
    await phone.goto(`${server.url}/m/services`)
    await phone.getByRole('searchbox', { name: '搜索事项' }).fill('出生')
    await phone.getByRole('button', { name: '搜索' }).click()
    await phone.waitForURL(/q=/)
    await phone.getByRole('link', { name: /^出生登记/ }).click()
    await phone.getByRole('heading', { level: 1, name: '出生登记' }).waitFor()
    await phone.getByRole('heading', { name: '申请材料' }).waitFor()
    await phone.getByText('出生医学证明', { exact: true }).first().waitFor()
    await phone.getByText('即收即办').first().waitFor()
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)

    // Apply: sign in, then straight back to the application.
    await phone.getByRole('button', { name: '在线申请' }).click()
    await phone.waitForURL(/\/m\/login\?next=/)
    await phone.getByLabel('身份证号 / 手机号 / 统一社会信用代码').fill(people.citizen.idNumber)
    await phone.getByLabel('密码', { exact: true }).fill(people.citizen.password)
    await phone.getByRole('button', { name: '登录', exact: true }).click()
    await phone.waitForURL(/\/m\/items\/QR00101000\/apply\?case=/)
    await phone.getByRole('heading', { name: '填写申请表' }).waitFor()

    // Client-side checks say what is wrong before anything is sent.
    await phone.getByRole('button', { name: '下一步' }).click()
    await phone.getByText('请填写新生儿姓名').waitFor()
    await phone.getByLabel('母亲公民身份号码').fill('140902199001011234')
    await phone.getByRole('button', { name: '下一步' }).click()
    await phone.getByText('身份证号码不正确').first().waitFor()

    await phone.getByLabel('新生儿姓名').fill('李小满')
    await phone.getByText('女', { exact: true }).click()
    await phone.getByLabel('出生日期').fill('2026-03-02')
    await phone.getByLabel('出生地').fill('山西省忻州市忻府区')
    await phone.getByLabel('出生医学证明编号').fill('Q140123456')
    await phone.getByText('随母', { exact: true }).click()
    await phone.getByLabel('拟落户地址').fill('山西省忻州市忻府区和平街12号')
    await phone.getByLabel('父亲姓名').fill('王大伟')
    await phone.getByLabel('父亲公民身份号码').fill(generateIdNumber({ divisionCode: '140902', birthDate: '1988-06-01', sex: 'male' }))
    await phone.getByLabel('母亲姓名').fill(people.citizen.name)
    await phone.getByLabel('母亲公民身份号码').fill(people.citizen.idNumber)
    await phone.getByLabel('联系电话').fill(people.citizen.phone)
    await phone.getByRole('button', { name: '下一步' }).click()

    // Materials: the three required ones.
    await phone.getByRole('heading', { name: '上传材料', level: 2 }).waitFor()
    await phone.getByRole('button', { name: '下一步' }).click()
    await phone.getByText(/请先上传必交材料/).waitFor()
    for (const name of ['出生医学证明', '父母双方居民户口簿', '父母双方居民身份证']) {
      await phone.getByLabel(`上传：${name}`).setInputFiles({ name: `${name}.pdf`, mimeType: 'application/pdf', buffer: PDF })
      await phone.getByText(`${name}.pdf`).waitFor()
    }
    await phone.getByRole('button', { name: '下一步' }).click()

    // Review and submit.
    await phone.getByRole('heading', { name: '确认信息', level: 2 }).waitFor()
    await phone.getByText('李小满').waitFor()
    await phone.getByRole('button', { name: '确认提交' }).click()
    await phone.getByText('申请已提交').waitFor()
    const caseId = new URL(phone.url()).searchParams.get('case')!
    expect(caseId).toMatch(/^case_/)

    // A clerk of another district does not even learn the case exists.
    const yp = await apiLogin(server, 'yp.clerk', DEMO_PASSWORD)
    const hidden = await server.app.app.inject({ method: 'GET', url: `/api/cases/${caseId}`, headers: { cookie: yp } })
    expect(hidden.statusCode).toBe(404)

    // The city hall's window asks for a 补正 in the workbench.
    const desk = await desktopPage(browser)
    const deskErrors = pageErrors(desk)
    await staffLogin(desk, server.url, 'xz.clerk', DEMO_PASSWORD)
    await desk.goto(`${server.url}/work/cases?queue=to_accept`)
    await desk.getByRole('link', { name: /^140900/ }).first().waitFor()
    await desk.goto(`${server.url}/work/cases/${caseId}`)
    await desk.getByRole('heading', { level: 1, name: '出生登记' }).waitFor()
    await desk.getByRole('button', { name: '补正告知' }).click()
    const dialog = desk.getByRole('dialog')
    await dialog.getByRole('combobox', { name: '对应材料或填写项' }).click()
    await desk.getByTitle('材料：出生医学证明').click()
    await dialog.getByRole('textbox', { name: '需补正的内容' }).fill('出生医学证明照片不清晰，请重新拍摄上传')
    await dialog.getByRole('button', { name: '确定' }).click()
    await desk.getByText('待补正').first().waitFor()

    // The citizen reads the one-time notice and supplements.
    await phone.goto(`${server.url}/m/inbox`)
    await phone.getByText(/需要补正材料/).first().click()
    await phone.waitForURL(new RegExp(`/m/cases/${caseId}$`))
    await phone.getByRole('heading', { name: '补正告知（一次性告知）' }).waitFor()
    await phone.getByText('出生医学证明照片不清晰，请重新拍摄上传').waitFor()
    await phone.getByLabel('上传：出生医学证明').setInputFiles({ name: '出生医学证明-清晰.pdf', mimeType: 'application/pdf', buffer: PDF })
    await phone.getByText('出生医学证明-清晰.pdf').waitFor()
    await phone.getByLabel('补正说明（选填）').fill('已重新拍摄')
    await phone.getByRole('button', { name: '提交补正' }).click()
    await phone.getByText('待受理').first().waitFor()

    // The window accepts; the police reviewer decides (审查决定); the window issues the result.
    await desk.reload()
    await desk.getByRole('button', { name: '受理', exact: true }).click()
    await desk.getByRole('dialog').getByRole('textbox', { name: '意见（选填）' }).fill('材料齐全，予以受理')
    await desk.getByRole('dialog').getByRole('button', { name: '确定' }).click()
    await desk.getByText('已受理').first().waitFor()

    const deciding = await desktopPage(browser)
    await staffLogin(deciding, server.url, reviewer.username, reviewer.password)
    await deciding.goto(`${server.url}/work/cases/${caseId}`)
    await deciding.getByRole('button', { name: '准予许可' }).click()
    await deciding.getByRole('dialog').getByRole('button', { name: '确定' }).click()
    await deciding.getByText('准予许可').first().waitFor()
    await deciding.context().close()

    await desk.reload()
    await desk.getByRole('button', { name: '出具结果' }).click()
    await desk.getByRole('dialog').getByLabel('文书编号').fill('忻公户〔2026〕0001号')
    await desk.getByRole('dialog').getByRole('button', { name: '确定' }).click()
    await desk.getByText('结果已出具').first().waitFor()
    expect(deskErrors).toEqual([])
    await desk.context().close()

    // The citizen sees the approved result.
    await phone.goto(`${server.url}/m/cases`)
    await phone.getByRole('link', { name: /出生登记/ }).first().click()
    await phone.getByRole('heading', { name: '办理结果' }).waitFor()
    await phone.getByText('准予许可').first().waitFor()
    await phone.getByText('忻公户〔2026〕0001号').waitFor()
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)

    const desktopOnly = desktopOnlyAssets()
    expect(assets.filter((a) => desktopOnly.has(a))).toEqual([])
    expect(errors).toEqual([])
    await phone.context().close()
  }, 180_000)
})
