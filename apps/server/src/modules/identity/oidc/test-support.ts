import net from 'node:net'
import { systemActor } from '../../../platform/audit.js'
import type { Services } from '../../../services.js'
import { generateIdNumber } from '../index.js'

/**
 * Test helpers for the OIDC suites: a browser-like cookie jar over fetch, a free port, and the
 * accounts the flows need (created through the org and identity services, not raw inserts).
 */

interface StoredCookie {
  name: string
  value: string
  path: string
}

/** Just enough of RFC 6265 for one host: name, value, Path, deletion by Max-Age=0 or past Expires. */
export class CookieJar {
  private cookies: StoredCookie[] = []

  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim())
      const eq = pair.indexOf('=')
      const name = pair.slice(0, eq)
      const value = pair.slice(eq + 1)
      let path = '/'
      let expired = false
      for (const attr of attrs) {
        const [k, v = ''] = attr.split('=')
        const key = k.toLowerCase()
        if (key === 'path') path = v || '/'
        if (key === 'max-age' && Number(v) <= 0) expired = true
        if (key === 'expires' && new Date(v).getTime() < Date.now()) expired = true
      }
      this.cookies = this.cookies.filter((c) => !(c.name === name && c.path === path))
      if (!expired && value !== '') this.cookies.push({ name, value, path })
    }
  }

  /** The Cookie header a browser would send to this URL (longest paths first). */
  header(url: string): string {
    const { pathname } = new URL(url)
    return this.cookies
      .filter((c) => pathname === c.path || pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .sort((a, b) => b.path.length - a.path.length)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ')
  }

  has(name: string): boolean {
    return this.cookies.some((c) => c.name === name)
  }

  pathOf(name: string): string | undefined {
    return this.cookies.find((c) => c.name === name)?.path
  }
}

/** A browser: one cookie jar, no automatic redirects, Origin on state-changing requests. */
export class Browser {
  readonly jar = new CookieJar()
  constructor(readonly origin: string) {}

  async request(url: string | URL, init: { method?: string; json?: unknown; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Response> {
    const href = new URL(url, this.origin).href
    const method = init.method ?? (init.json !== undefined || init.form ? 'POST' : 'GET')
    const headers: Record<string, string> = { 'accept-language': 'zh-CN', ...init.headers }
    const cookie = this.jar.header(href)
    if (cookie) headers.cookie = cookie
    if (method !== 'GET') headers.origin ??= this.origin
    let body: string | undefined
    if (init.json !== undefined) {
      headers['content-type'] = 'application/json'
      body = JSON.stringify(init.json)
    } else if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded'
      body = new URLSearchParams(init.form).toString()
    }
    const res = await fetch(href, { method, headers, body, redirect: 'manual' })
    this.jar.store(res)
    return res
  }

  /** Follows redirects within our own origin; stops at the first one that leaves it (the RP). */
  async follow(url: string | URL, max = 10): Promise<{ res: Response; url: string }> {
    let href = new URL(url, this.origin).href
    for (let i = 0; i < max; i++) {
      const res = await this.request(href)
      const location = res.headers.get('location')
      if (res.status < 300 || res.status >= 400 || !location) return { res, url: href }
      const next = new URL(location, href)
      if (next.origin !== this.origin || next.pathname.startsWith('/consent/')) return { res, url: next.href }
      href = next.href
    }
    throw new Error('too many redirects')
  }
}

/** A port nobody listens on right now (the OIDC issuer URL must name the port before listening). */
export async function freePort(): Promise<number> {
  const srv = net.createServer()
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))
  const address = srv.address()
  await new Promise<void>((resolve) => srv.close(() => resolve()))
  if (!address || typeof address === 'string') throw new Error('no port')
  return address.port
}

export const ADMIN = { username: 'oidc.admin', password: 'Yiwang#Admin-2026' }
export const CITIZEN = {
  name: '王晓明',
  idNumber: generateIdNumber({ divisionCode: '140902', birthDate: '1988-06-15', sex: 'male' }),
  phone: '13900001234',
  password: 'Yiwang#Citizen-2026',
}

/** A platform admin (staff of a Xinzhou bureau) and a citizen of Xinfu district. */
export async function seedAccounts(services: Services): Promise<{ adminId: string; citizenId: string }> {
  await services.org.importDivisions({ within: '140900' })
  const dept = await services.org.createDepartment(systemActor, { name: '忻州市政务服务和数据管理局', divisionCode: '140900', kind: 'bureau' })
  const admin = await services.identity.createStaff('system', {
    name: '平台管理员',
    username: ADMIN.username,
    password: ADMIN.password,
    departmentId: dept.id,
    roles: [{ role: 'platform_admin', divisionCode: null }],
  })
  const citizen = await services.identity.createPerson('system', {
    name: CITIZEN.name,
    idNumber: CITIZEN.idNumber,
    phone: CITIZEN.phone,
    password: CITIZEN.password,
  })
  return { adminId: admin.id, citizenId: citizen.id }
}

/** A response body as JSON, untyped: the assertions say what it must hold. */
export function json(res: Response): Promise<any> {
  return res.json()
}
