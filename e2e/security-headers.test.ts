import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { desktopPage, launchBrowser, pageErrors, people, phonePage, skipWithoutChromium, startServer, type RunningServer } from './helpers.js'

/**
 * The Content-Security-Policy in a real browser: every face of the web app and the API docs
 * (Swagger UI) load and work without a single CSP violation, and a page of ours cannot be framed.
 */

/** CSP violations the page reports (console messages and `securitypolicyviolation` events). */
function cspViolations(page: Page): string[] {
  const seen: string[] = []
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) seen.push(m.text())
  })
  void page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`Refused to load (CSP ${e.violatedDirective}): ${e.blockedURI}`))
  })
  return seen
}

describe.skipIf(skipWithoutChromium)('Content-Security-Policy in Chromium', () => {
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

  it('the citizen face loads without a violation', async () => {
    const page = await phonePage(browser)
    const violations = cspViolations(page)
    const errors = pageErrors(page)
    const res = await page.goto(`${server.url}/m`)
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self'")
    await page.locator('#root *').first().waitFor()
    await page.waitForLoadState('networkidle')
    expect(violations).toEqual([])
    expect(errors).toEqual([])
    await page.context().close()
  })

  it('the admin face (antd, inline styles) signs in and renders without a violation', async () => {
    const page = await desktopPage(browser)
    const violations = cspViolations(page)
    const errors = pageErrors(page)
    await page.goto(`${server.url}/admin`)
    await page.waitForURL('**/admin/login')
    await page.getByLabel('用户名').fill(people.admin.username)
    await page.getByLabel('密码', { exact: true }).fill(people.admin.password)
    await page.getByRole('button', { name: '登录', exact: true }).click()
    await page.waitForURL('**/admin/divisions')
    await page.waitForLoadState('networkidle')
    expect(violations).toEqual([])
    expect(errors).toEqual([])
    await page.context().close()
  })

  it('Swagger UI at /api/docs renders the API without a violation', async () => {
    const page = await desktopPage(browser)
    const violations = cspViolations(page)
    const errors = pageErrors(page)
    await page.goto(`${server.url}/api/docs`)
    await page.locator('.swagger-ui .info .title').waitFor()
    // Swagger UI renders operations as they scroll into view: the first screen holds a handful.
    await expect.poll(() => page.locator('.opblock').count()).toBeGreaterThan(5)
    // Expanding an operation renders its schema (React, inline styles).
    await page.locator('.opblock-summary').first().click()
    await page.locator('.opblock-body').first().waitFor()
    expect(violations).toEqual([])
    expect(errors).toEqual([])
    await page.context().close()
  })

  it('a page of ours cannot be put in a frame', async () => {
    const page = await desktopPage(browser)
    const violations = cspViolations(page)
    // about:blank is another origin than the server: frame-ancestors 'none' must block the frame.
    await page.setContent(`<iframe src="${server.url}/m"></iframe>`)
    await expect.poll(() => violations.some((v) => /frame/i.test(v))).toBe(true)
    const framed = page.frames().find((f) => f !== page.mainFrame() && f.url().startsWith(server.url))
    expect(framed ? await framed.locator('#root *').count() : 0).toBe(0)
    await page.context().close()
  })
})
