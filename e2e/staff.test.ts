import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { desktopPage, launchBrowser, pageErrors, people, skipWithoutChromium, startServer, type RunningServer } from './helpers.js'

describe.skipIf(skipWithoutChromium)('staff workbench', () => {
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

  it('signs a window clerk in to /work and shows their department, role and division', async () => {
    const page = await desktopPage(browser)
    const errors = pageErrors(page)

    await page.goto(`${server.url}/work`)
    await page.waitForURL('**/work/login')
    await page.getByLabel('用户名').fill(people.clerk.username)
    await page.getByLabel('密码', { exact: true }).fill(people.clerk.password)
    await page.getByRole('button', { name: '登录', exact: true }).click()

    await page.waitForURL(/\/work$/)
    const main = page.getByRole('main')
    await main.getByRole('heading', { level: 1, name: `您好，${people.clerk.name}` }).waitFor()
    await main.getByText(people.department).first().waitFor()
    await main.getByText('窗口受理人员').waitFor()
    await main.getByText('山西省忻州市忻府区').first().waitFor()
    expect(errors).toEqual([])
    await page.context().close()
  })
})
