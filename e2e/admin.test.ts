import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { systemActor } from '../apps/server/src/platform/audit.js'
import { desktopPage, launchBrowser, pageErrors, people, skipWithoutChromium, startServer, type RunningServer } from './helpers.js'

async function signIn(page: Page, base: string) {
  await page.goto(`${base}/admin`)
  await page.waitForURL('**/admin/login')
  await page.getByLabel('用户名').fill(people.admin.username)
  await page.getByLabel('密码', { exact: true }).fill(people.admin.password)
  await page.getByRole('button', { name: '登录', exact: true }).click()
  await page.waitForURL('**/admin/divisions')
}

describe.skipIf(skipWithoutChromium)('admin face', () => {
  let server: RunningServer
  let browser: Browser

  beforeAll(async () => {
    server = await startServer()
    browser = await launchBrowser()
  })
  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  it('creates a department, reports a stale edit (409) and recovers by loading the latest version', async () => {
    const page = await desktopPage(browser)
    const errors = pageErrors(page)
    await signIn(page, server.url)
    await page.getByRole('link', { name: '部门' }).click()
    await page.getByRole('heading', { level: 1, name: '部门' }).waitFor()

    await page.getByRole('button', { name: '新建部门' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByLabel('部门名称').fill('忻州市忻府区医疗保障局')
    await dialog.getByLabel('所属区划').fill('忻府')
    await page.locator('.ant-select-item-option[title="山西省忻州市忻府区 (140902)"]').click()
    await dialog.getByRole('button', { name: '保存' }).click()
    await page.getByRole('cell', { name: '忻州市忻府区医疗保障局', exact: true }).waitFor()

    // Someone else saves the department while our edit form is open.
    await page.getByRole('button', { name: '编辑忻州市忻府区医疗保障局' }).click()
    await dialog.getByLabel('简称').fill('忻府医保')
    const { items } = await server.app.services.org.listDepartments({ q: '医疗保障局' })
    await server.app.services.org.updateDepartment(systemActor, items[0].id, { version: items[0].version, phone: '0350-3030303' })
    await dialog.getByRole('button', { name: '保存' }).click()
    await dialog.getByRole('alert').waitFor()
    await dialog.getByRole('button', { name: '载入最新内容' }).click()
    await expect.poll(() => dialog.getByLabel('联系电话').inputValue()).toBe('0350-3030303')
    await dialog.getByLabel('简称').fill('忻府医保')
    await dialog.getByRole('button', { name: '保存' }).click()
    await page.getByRole('cell', { name: '忻府医保', exact: true }).waitFor()
    expect(errors).toEqual([])
    await page.context().close()
  })

  it('registers an OIDC client showing its secret once, and verifies the ledger', async () => {
    const page = await desktopPage(browser)
    const errors = pageErrors(page)
    await signIn(page, server.url)
    await page.getByRole('link', { name: '单点登录应用' }).click()
    await page.getByRole('button', { name: '登记应用' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByLabel('应用名称').fill('忻州市公积金网上服务')
    await dialog.getByLabel('回调地址').fill('not-a-url')
    await dialog.getByRole('button', { name: '登记', exact: true }).click()
    await dialog.getByText('不是有效的网址：not-a-url').waitFor()
    await dialog.getByLabel('回调地址').fill('https://gjj.example.gov.cn/callback')
    await dialog.getByRole('button', { name: '登记', exact: true }).click()

    const secretDialog = page.getByRole('dialog', { name: '应用已登记' })
    await secretDialog.getByText('客户端密钥只显示这一次').waitFor()
    const secret = (await secretDialog.getByTestId('client-secret').innerText()).trim()
    expect(secret.length).toBeGreaterThan(20)
    await secretDialog.getByRole('button', { name: '我已保存' }).click()
    await page.getByRole('main').getByRole('cell', { name: '忻州市公积金网上服务', exact: true }).waitFor()
    // Once closed, the secret is gone from the page.
    await expect.poll(() => page.getByText(secret).count()).toBe(0)

    await page.getByRole('link', { name: '可信账本' }).click()
    await page.getByRole('button', { name: '开始校验' }).click()
    await page.getByText(/校验通过：已检查 \d+ 条/).waitFor()
    expect(errors).toEqual([])
    await page.context().close()
  })
})
