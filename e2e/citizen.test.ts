import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { desktopOnlyAssets, launchBrowser, pageErrors, people, phonePage, skipWithoutChromium, startServer, type RunningServer } from './helpers.js'

describe.skipIf(skipWithoutChromium)('citizen face on a phone', () => {
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

  it('signs a citizen in at /m, greets them by name, switches to English and back to 中文', async () => {
    const page = await phonePage(browser)
    const errors = pageErrors(page)
    const assets: string[] = []
    page.on('request', (r) => {
      const { pathname } = new URL(r.url())
      if (pathname.startsWith('/assets/')) assets.push(pathname.slice(1))
    })

    await page.goto(`${server.url}/m`)
    await page.waitForURL('**/m/login')
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('zh-CN')
    await page.getByRole('heading', { level: 1, name: '登录一网' }).waitFor()

    await page.getByLabel('身份证号 / 手机号 / 统一社会信用代码').fill(people.citizen.idNumber)
    await page.getByLabel('密码', { exact: true }).fill(people.citizen.password)
    await page.getByRole('button', { name: '登录', exact: true }).click()

    await page.waitForURL(/\/m$/)
    await page.getByRole('heading', { level: 1, name: `您好，${people.citizen.name}` }).waitFor()
    const masked = `${people.citizen.idNumber.slice(0, 4)}${'*'.repeat(10)}${people.citizen.idNumber.slice(-4)}`
    await page.getByText(`身份证号：${masked}`).waitFor()
    expect(await page.getByText(people.citizen.idNumber, { exact: false }).count()).toBe(0)
    // Every shortcut leads somewhere: nothing is left "coming soon".
    expect(await page.getByText('即将上线').count()).toBe(0)
    for (const name of ['办事', '我的办件', '电子证照', '12345 热线']) expect(await page.getByRole('link', { name, exact: true }).count(), name).toBeGreaterThan(0)

    // Fits the phone: nothing scrolls sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)

    await page.getByRole('button', { name: /English/ }).click()
    await page.getByRole('heading', { level: 1, name: `Hello, ${people.citizen.name}` }).waitFor()
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en')
    expect(await page.getByRole('link', { name: 'E-licences', exact: true }).count()).toBeGreaterThan(0)

    // The choice survives a reload.
    await page.reload()
    await page.getByRole('heading', { level: 1, name: `Hello, ${people.citizen.name}` }).waitFor()

    await page.getByRole('button', { name: /中文/ }).click()
    await page.getByRole('heading', { level: 1, name: `您好，${people.citizen.name}` }).waitFor()
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN')

    // The citizen face never downloads the desktop faces' antd chunks.
    const desktopOnly = desktopOnlyAssets()
    expect(assets.length).toBeGreaterThan(0)
    expect(assets.filter((a) => desktopOnly.has(a))).toEqual([])
    expect(errors).toEqual([])
    await page.context().close()
  })

  it('signs a citizen in with an SMS code from the dev outbox and signs them out again', async () => {
    const page = await phonePage(browser)
    const errors = pageErrors(page)
    await page.goto(`${server.url}/m/login`)
    await page.getByRole('tab', { name: '短信验证码登录' }).click()
    await page.getByRole('textbox', { name: '手机号', exact: true }).fill(people.citizen.phone)
    await page.getByRole('button', { name: '获取验证码' }).click()
    // The countdown replaces the send button's text while a resend is not allowed yet.
    await page.getByRole('button', { name: /秒后重新获取/ }).waitFor()

    const outbox = await server.app.services.identity.listSmsOutbox('system', { page: 1, pageSize: 5 })
    const text = outbox.items.find((m) => m.phone === people.citizen.phone)?.text ?? ''
    const code = /\d{6}/.exec(text)?.[0]
    expect(code, `no code in the SMS outbox text: ${text}`).toBeTruthy()
    await page.getByRole('textbox', { name: '验证码', exact: true }).fill(code!)
    await page.getByRole('button', { name: '登录', exact: true }).click()
    await page.getByRole('heading', { level: 1, name: `您好，${people.citizen.name}` }).waitFor()

    await page.getByRole('button', { name: '退出登录' }).click()
    await page.getByRole('dialog').getByRole('button', { name: '退出登录' }).click()
    await page.waitForURL('**/m/login')
    expect(errors).toEqual([])
    await page.context().close()
  })
})
