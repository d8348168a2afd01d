import crypto from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, pageErrors, people, phonePage, skipWithoutChromium, startServer, type RunningServer } from './helpers.js'

/** A relying party's callback: answers every request and remembers the URLs it was sent to. */
async function startCallback(): Promise<{ url: string; hits: URL[]; close(): Promise<void> }> {
  const hits: URL[] = []
  const srv = http.createServer((req, res) => {
    hits.push(new URL(req.url ?? '/', 'http://127.0.0.1'))
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('relying party callback')
  })
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))
  const { port } = srv.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}/callback`, hits, close: () => new Promise((resolve) => srv.close(() => resolve())) }
}

/** Signs the platform admin in over HTTP and registers a client through the admin API. */
async function registerClient(base: string, redirectUri: string): Promise<{ clientId: string; clientSecret: string }> {
  const login = await fetch(`${base}/api/auth/login/password`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base },
    body: JSON.stringify({ username: people.admin.username, password: people.admin.password }),
  })
  expect(login.status).toBe(200)
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')
  const res = await fetch(`${base}/api/admin/oidc-clients`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base, cookie },
    body: JSON.stringify({ name: '忻州市不动产登记网上服务', redirectUris: [redirectUri] }),
  })
  expect(res.status).toBe(201)
  return (await res.json()) as { clientId: string; clientSecret: string }
}

const base64url = (b: Buffer) => b.toString('base64url')

describe.skipIf(skipWithoutChromium)('OpenID Connect consent in the browser', () => {
  let server: RunningServer
  let browser: Browser
  let callback: Awaited<ReturnType<typeof startCallback>>

  beforeAll(async () => {
    server = await startServer()
    callback = await startCallback()
    browser = await launchBrowser()
  })
  afterAll(async () => {
    await browser?.close()
    await callback?.close()
    await server?.close()
  })

  it('logs a citizen in on /consent/:uid, takes their consent and returns a code the client can redeem', async () => {
    const client = await registerClient(server.url, callback.url)
    const discovery = (await (await fetch(`${server.url}/.well-known/openid-configuration`)).json()) as { authorization_endpoint: string; token_endpoint: string; issuer: string }

    const verifier = base64url(crypto.randomBytes(32))
    const challenge = base64url(crypto.createHash('sha256').update(verifier).digest())
    const state = base64url(crypto.randomBytes(12))
    const nonce = base64url(crypto.randomBytes(12))
    const authorize = new URL(discovery.authorization_endpoint)
    authorize.search = new URLSearchParams({
      client_id: client.clientId,
      redirect_uri: callback.url,
      response_type: 'code',
      scope: 'openid profile',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state,
      nonce,
    }).toString()

    const page = await phonePage(browser)
    const errors = pageErrors(page)
    await page.goto(authorize.href)

    // The provider hands over to the web app's interaction page, which asks us to sign in.
    await page.waitForURL(/\/consent\/[^/]+$/)
    await page.getByRole('heading', { level: 1, name: '登录一网' }).waitFor()
    await page.getByText('忻州市不动产登记网上服务').first().waitFor()
    await page.getByLabel('身份证号 / 手机号 / 用户名').fill(people.citizen.idNumber)
    await page.getByLabel('密码', { exact: true }).fill(people.citizen.password)
    await page.getByRole('button', { name: '登录', exact: true }).click()

    // Then for consent.
    await page.getByRole('heading', { level: 1, name: '授权「忻州市不动产登记网上服务」' }).waitFor()
    await page.getByText(`当前账号：${people.citizen.name}`).waitFor()
    await page.getByRole('button', { name: '同意授权' }).click()

    // The browser ends at the client's redirect_uri with a code and our state.
    await page.waitForURL((u) => u.href.startsWith(callback.url))
    const landed = new URL(page.url())
    const code = landed.searchParams.get('code')
    expect(code).toBeTruthy()
    expect(landed.searchParams.get('state')).toBe(state)
    expect(landed.searchParams.get('iss')).toBe(discovery.issuer)
    expect(callback.hits.some((h) => h.searchParams.get('code') === code)).toBe(true)

    // The code is real: the client redeems it with its secret and the PKCE verifier.
    const token = await fetch(discovery.token_endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: code!, redirect_uri: callback.url, code_verifier: verifier }).toString(),
    })
    expect(token.status).toBe(200)
    const tokens = (await token.json()) as { id_token?: string; access_token?: string }
    expect(tokens.id_token).toBeTruthy()
    const claims = JSON.parse(Buffer.from(tokens.id_token!.split('.')[1], 'base64url').toString('utf8')) as { nonce?: string; name?: string; aud?: string }
    expect(claims.nonce).toBe(nonce)
    expect(claims.aud).toBe(client.clientId)

    expect(errors).toEqual([])
    await page.context().close()
  })
})
