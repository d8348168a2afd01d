import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadDemo } from '../apps/server/src/demo/index.js'
import { DEMO_PASSWORD } from '../apps/server/src/demo/identity.js'
import { systemActor } from '../apps/server/src/platform/audit.js'
import { desktopPage, launchBrowser, pageErrors, skipWithoutChromium, startServer, type RunningServer } from './helpers.js'

/** 食品经营许可, implemented by 忻州市行政审批服务管理局: legal limit 20, promised 5 working days. */
const FOOD_LICENCE = 'XK00505000'
/** The demo department head of 忻州市行政审批服务管理局. */
const head = { username: 'xz.head', password: DEMO_PASSWORD }

describe.skipIf(skipWithoutChromium)('catalog editing in the workbench', () => {
  let server: RunningServer
  let browser: Browser

  beforeAll(async () => {
    server = await startServer()
    await loadDemo(server.app.core, server.app.services)
    browser = await launchBrowser()
  }, 240_000)
  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  it('lets a department head draft a shorter promised limit, publish it, and the public guide shows it', async () => {
    const before = await server.app.services.catalog.getPublishedVersion(FOOD_LICENCE)
    expect(before?.guide).toMatchObject({ legalDays: 20, promisedDays: 5 })

    const page = await desktopPage(browser)
    const errors = pageErrors(page)
    await page.goto(`${server.url}/work/login`)
    await page.getByLabel('用户名').fill(head.username)
    await page.getByLabel('密码', { exact: true }).fill(head.password)
    await page.getByRole('button', { name: '登录', exact: true }).click()
    await page.waitForURL(/\/work$/)

    // The list opens on the head's own department.
    await page.getByRole('navigation').getByRole('link', { name: '事项管理' }).click()
    await page.getByRole('heading', { level: 1, name: '事项管理' }).waitFor()
    await page.getByRole('link', { name: '食品经营许可', exact: true }).click()
    await page.getByRole('heading', { level: 1, name: '食品经营许可' }).waitFor()
    const promised = page.getByLabel('承诺办结时限（工作日）')
    expect(await promised.isDisabled()).toBe(true)

    await page.getByRole('button', { name: '基于已发布版本起草' }).click()
    await page.getByRole('button', { name: '保存草稿' }).waitFor()
    expect(await promised.isEnabled()).toBe(true)

    // Someone else saves the draft meanwhile: our save is refused (409) until we reload.
    await server.app.services.catalog.updateDraft(systemActor, FOOD_LICENCE, { revision: 1, hours: '工作日 9:00-17:00' })
    await promised.fill('4')
    await page.getByRole('button', { name: '保存草稿' }).click()
    await page.getByRole('alert').getByText('请重新加载最新草稿后再修改', { exact: false }).waitFor()
    await page.getByRole('button', { name: '重新加载最新草稿' }).click()
    await page.getByText('草稿（第 2 版，修订 2）').waitFor()
    expect(await page.getByLabel('办理时间').inputValue()).toBe('工作日 9:00-17:00')

    // A promise longer than the law's limit is refused before it is sent.
    await promised.fill('25')
    await page.getByRole('button', { name: '保存草稿' }).click()
    await page.getByText('承诺时限不能超过法定时限（20 个工作日）').waitFor()

    await promised.fill('3')
    await page.getByRole('button', { name: '保存草稿' }).click()
    await page.getByText('草稿已保存').waitFor()
    await page.getByText('草稿（第 2 版，修订 3）').waitFor()

    await page.getByRole('button', { name: '发布', exact: true }).click()
    const confirm = page.getByRole('dialog', { name: '发布此草稿？' })
    await confirm.getByRole('button', { name: '发布' }).click()
    await page.getByText('已发布第 2 版').waitFor()
    await page.getByRole('button', { name: '基于已发布版本起草' }).waitFor()

    // Version history: the new version published, the old one superseded.
    await page.getByRole('cell', { name: '已被替代' }).waitFor()

    const res = await fetch(`${server.url}/api/catalog/items/${FOOD_LICENCE}`)
    expect(res.status).toBe(200)
    const guide = (await res.json()) as { version: number; status: string; guide: { promisedDays: number; legalDays: number } }
    expect(guide).toMatchObject({ version: 2, status: 'published', guide: { promisedDays: 3, legalDays: 20 } })

    // The whole exported catalog holds other departments' items: unchanged, they pass (only a changed
    // row outside the head's scope is refused; the catalog's route tests cover that), and nothing is written.
    await page.getByRole('link', { name: /返回事项列表/ }).click()
    const download = await page.request.get(`${server.url}/api/catalog/export.xlsx`)
    expect(download.status()).toBe(200)
    await page.locator('input[type=file]').setInputFiles({ name: 'catalog.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: await download.body() })
    await page.getByRole('status').filter({ hasText: /^导入完成：新增 0 项，更新 0 项，未变化 \d+ 项/ }).waitFor()
    expect((await server.app.services.catalog.getPublishedVersion(FOOD_LICENCE))?.version).toBe(2)
    expect(errors).toEqual([])
    await page.context().close()
  })
})
