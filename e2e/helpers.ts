import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core'
import { systemActor } from '../apps/server/src/platform/audit.js'
import { generateIdNumber } from '../apps/server/src/modules/identity/index.js'
import { createTestApp, type TestApp } from '../apps/server/src/test/harness.js'

/**
 * Shared pieces of the browser tests: the real server on a free port serving the built web
 * app, a few known accounts created through the services, and Debian's Chromium.
 */

export const chromiumPath = '/usr/bin/chromium'
const repoRoot = path.resolve(import.meta.dirname, '..')
// E2E_WEB_DIST points at a private copy of the build, so a rebuild by someone else mid-run changes nothing.
export const webDist = process.env.E2E_WEB_DIST ?? path.join(repoRoot, 'apps/web/dist')

/**
 * Browser tests need Chromium. On CI it must be there (the tests fail loudly otherwise); on a
 * developer machine without it they are skipped with a warning.
 */
export const skipWithoutChromium = !fs.existsSync(chromiumPath) && !process.env.CI
if (skipWithoutChromium) {
  console.warn(`[e2e] ${chromiumPath} not found: browser tests skipped. Install it with: apt-get install -y chromium`)
}

export const people = {
  citizen: {
    name: '李晓梅',
    idNumber: generateIdNumber({ divisionCode: '140902', birthDate: '1990-03-08', sex: 'female' }),
    phone: '13903501234',
    password: 'Citizen#2026-e2e',
  },
  clerk: {
    name: '赵建国',
    username: 'e2e.clerk',
    password: 'Clerk#2026-e2e',
  },
  admin: {
    name: '平台管理员',
    username: 'e2e.admin',
    password: 'Admin#2026-e2e',
  },
  department: '忻州市忻府区行政审批服务管理局',
} as const

export interface RunningServer {
  url: string
  app: TestApp
  close(): Promise<void>
}

async function freePort(): Promise<number> {
  const srv = net.createServer()
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))
  const address = srv.address()
  await new Promise<void>((resolve) => srv.close(() => resolve()))
  if (!address || typeof address === 'string') throw new Error('no free port')
  return address.port
}

/** Xinzhou's divisions, one department, a citizen, a window clerk and a platform admin. */
async function seed(t: TestApp): Promise<void> {
  const { org, identity } = t.services
  await org.importDivisions({ within: '140900' })
  const dept = await org.createDepartment(systemActor, { name: people.department, divisionCode: '140902', kind: 'bureau' })
  await identity.createPerson('system', { name: people.citizen.name, idNumber: people.citizen.idNumber, phone: people.citizen.phone, password: people.citizen.password })
  await identity.createStaff('system', {
    name: people.clerk.name,
    username: people.clerk.username,
    password: people.clerk.password,
    departmentId: dept.id,
    roles: [{ role: 'window_clerk', divisionCode: '140902' }],
  })
  await identity.createStaff('system', {
    name: people.admin.name,
    username: people.admin.username,
    password: people.admin.password,
    departmentId: dept.id,
    roles: [{ role: 'platform_admin', divisionCode: null }],
  })
}

/** The whole server in this process, on 127.0.0.1 and a free port, serving apps/web/dist. */
export async function startServer(): Promise<RunningServer> {
  if (!fs.existsSync(path.join(webDist, 'index.html'))) {
    throw new Error(`The web app is not built (${webDist}/index.html missing). Run: npm run build -w apps/web`)
  }
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const app = await createTestApp({ PUBLIC_URL: url, WEB_DIST: webDist })
  try {
    await seed(app)
    await app.app.listen({ host: '127.0.0.1', port })
  } catch (e) {
    await app.close()
    throw e
  }
  return { url, app, close: () => app.close() }
}

export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(chromiumPath)) throw new Error(`Chromium is missing at ${chromiumPath}; CI must install it first (apt-get install -y chromium)`)
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
  })
}

/** A phone-sized page (390×844, touch) in a fresh context. */
export async function phonePage(browser: Browser, options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true, locale: 'zh-CN', ...options })
  return context.newPage()
}

/** A desktop-sized page in a fresh context. */
export async function desktopPage(browser: Browser, options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', ...options })
  return context.newPage()
}

/** Collects uncaught page errors so a test can assert the page ran cleanly. */
export function pageErrors(page: Page): Error[] {
  const errors: Error[] = []
  page.on('pageerror', (e) => errors.push(e))
  return errors
}

/** Files the build's code-split report says belong to the antd faces (and not to /m). */
export function desktopOnlyAssets(): Set<string> {
  const report = JSON.parse(fs.readFileSync(path.join(webDist, '.vite/faces.json'), 'utf8')) as Record<string, { files: string[]; lazyFiles?: string[] }>
  // The citizen face's lazy pages share small lib chunks with the desks: those are not desktop-only.
  const citizen = new Set([...report.citizen.files, ...(report.citizen.lazyFiles ?? [])])
  return new Set(['work', 'ops', 'admin'].flatMap((face) => report[face].files).filter((f) => !citizen.has(f)))
}
