import crypto from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../test/harness.js'
import { PgAdapter, purgeExpiredPayloads } from './adapter.js'
import { claimsOf } from './claims.js'
import { cookieKeys, loadSigningKeys } from './keys.js'
import { ADMIN, Browser, CITIZEN, freePort, json, seedAccounts } from './test-support.js'

let t: TestApp
let base: string
let admin: Browser
let citizen: Browser

beforeAll(async () => {
  const port = await freePort()
  base = `http://127.0.0.1:${port}`
  t = await createTestApp({ PUBLIC_URL: base, HOST: '127.0.0.1', PORT: String(port) })
  await t.app.listen({ port, host: '127.0.0.1' })
  await seedAccounts(t.services)
  admin = new Browser(base)
  expect((await admin.request('/api/auth/login/password', { json: ADMIN })).status).toBe(200)
  citizen = new Browser(base)
  expect((await citizen.request('/api/auth/login/password', { json: { username: CITIZEN.idNumber, password: CITIZEN.password } })).status).toBe(200)
})

afterAll(async () => {
  await t?.close()
})

async function registerClient(body: Record<string, unknown> = {}) {
  const res = await admin.request('/api/admin/oidc-clients', {
    json: { name: '忻州不动产登记', redirectUris: ['https://bdc.example.test/cb'], postLogoutRedirectUris: ['https://bdc.example.test/'], ...body },
  })
  expect(res.status).toBe(201)
  return (await json(res)) as { clientId: string; clientSecret: string; name: string }
}

/** Starts an authorization request in a browser; returns the consent page's interaction uid. */
async function startAuthorization(browser: Browser, clientId: string, extra: Record<string, string> = {}) {
  const verifier = crypto.randomBytes(32).toString('base64url')
  const params = new URLSearchParams({
    client_id: clientId,
    redirect_uri: 'https://bdc.example.test/cb',
    response_type: 'code',
    scope: 'openid profile',
    state: 's1',
    code_challenge: crypto.createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...extra,
  })
  const res = await browser.request(`/oidc/auth?${params}`)
  return res
}

describe('discovery', () => {
  it('publishes the provider metadata at the root well-known path', async () => {
    const res = await fetch(`${base}/.well-known/openid-configuration`)
    expect(res.status).toBe(200)
    const doc = await json(res)
    expect(doc).toMatchObject({
      issuer: base,
      authorization_endpoint: `${base}/oidc/auth`,
      token_endpoint: `${base}/oidc/token`,
      jwks_uri: `${base}/oidc/jwks`,
      userinfo_endpoint: `${base}/oidc/me`,
      end_session_endpoint: `${base}/oidc/session/end`,
      revocation_endpoint: `${base}/oidc/token/revocation`,
      introspection_endpoint: `${base}/oidc/token/introspection`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code'],
      code_challenge_methods_supported: ['S256'],
      subject_types_supported: ['public'],
    })
    expect(doc.scopes_supported).toEqual(['openid', 'profile', 'yiwang'])
    expect(doc.claims_supported).toEqual(expect.arrayContaining(['sub', 'name', 'account_type', 'id_number_masked', 'division', 'roles']))
    expect(doc.id_token_signing_alg_values_supported).toEqual(expect.arrayContaining(['RS256', 'ES256']))
  })

  it('uses the issuer URL for endpoints whatever Host the request names', async () => {
    const res = await t.app.inject({ url: '/.well-known/openid-configuration', headers: { host: 'internal:8080' } })
    expect(res.json().token_endpoint).toBe(`${base}/oidc/token`)
  })

  it('publishes public signing keys only', async () => {
    const { keys } = await json(await fetch(`${base}/oidc/jwks`))
    expect(keys.map((k: { alg: string }) => k.alg)).toEqual(['RS256', 'ES256'])
    for (const k of keys) expect(k.d).toBeUndefined()
  })
})

describe('client registration (platform admin)', () => {
  it('refuses anonymous callers with 401 and citizens with 403', async () => {
    const anonymous = await fetch(`${base}/api/admin/oidc-clients`)
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('content-type')).toContain('application/problem+json')
    const forbidden = await citizen.request('/api/admin/oidc-clients', { json: { name: 'x', redirectUris: ['https://x.example.test/cb'] } })
    expect(forbidden.status).toBe(403)
    expect((await citizen.request('/api/admin/oidc-clients')).status).toBe(403)
  })

  it('registers a client, shows its secret once and audits it on the ledger', async () => {
    const created = await registerClient({ name: '忻州住房公积金' })
    expect(created).toMatchObject({
      clientId: expect.stringMatching(/^cli_/),
      clientSecret: expect.any(String),
      name: '忻州住房公积金',
      redirectUris: ['https://bdc.example.test/cb'],
      postLogoutRedirectUris: ['https://bdc.example.test/'],
      createdAt: expect.any(String),
    })
    expect(created.clientSecret.length).toBeGreaterThanOrEqual(43)

    const list = await json(await admin.request('/api/admin/oidc-clients'))
    const listed = list.items.find((c: { clientId: string }) => c.clientId === created.clientId)
    expect(listed).toMatchObject({ name: '忻州住房公积金' })
    expect(listed.clientSecret).toBeUndefined()

    // The secret is sealed at rest.
    const row = await sql<{ secret_sealed: string }>`select secret_sealed from identity.oidc_client where client_id = ${created.clientId}`.execute(t.core.db)
    expect(row.rows[0].secret_sealed).not.toContain(created.clientSecret)

    const audit = await t.core.audit.list({ action: 'identity.oidc.client.registered', targetId: created.clientId }, { limit: 5, offset: 0 })
    expect(audit.items).toHaveLength(1)
    expect(audit.items[0]).toMatchObject({ actorKind: 'staff', targetType: 'oidc_client' })
    const ledger = await sql<{ n: number }>`select count(*)::int as n from ledger.entry where payload->>'auditId' = ${audit.items[0].id}`.execute(t.core.db)
    expect(ledger.rows[0].n).toBe(1)
  })

  it('rejects bad input with 400 problem+json naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ redirectUris: ['https://a.example.test/cb'] }, 'body.name'],
      [{ name: 'a', redirectUris: [] }, 'body.redirectUris'],
      [{ name: 'a', redirectUris: ['ftp://a.example.test/cb'] }, 'body.redirectUris.0'],
      [{ name: 'a', redirectUris: ['https://a.example.test/cb#frag'] }, 'body.redirectUris.0'],
      [{ name: 'a', redirectUris: ['not a url'] }, 'body.redirectUris.0'],
      [{ name: 'a', redirectUris: ['https://a.example.test/cb'], postLogoutRedirectUris: ['javascript:alert(1)'] }, 'body.postLogoutRedirectUris.0'],
    ]
    for (const [body, field] of cases) {
      const res = await admin.request('/api/admin/oidc-clients', { json: body })
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(res.headers.get('content-type')).toContain('application/problem+json')
      const problem = await json(res)
      expect(problem.errors.map((e: { name: string }) => e.name)).toContain(field)
    }
    const notJson = await admin.request('/api/admin/oidc-clients', { method: 'POST', headers: { 'content-type': 'application/json' } })
    expect(notJson.status).toBe(400)
  })

  it('deletes a client, revokes what it was issued and audits it; a second delete is 404', async () => {
    const created = await registerClient()
    const res = await admin.request(`/api/admin/oidc-clients/${created.clientId}`, { method: 'DELETE' })
    expect(res.status).toBe(204)
    const again = await admin.request(`/api/admin/oidc-clients/${created.clientId}`, { method: 'DELETE' })
    expect(again.status).toBe(404)
    expect((await json(again)).type).toBe('urn:yiwang:problem:identity/oidc-client-not-found')
    const audit = await t.core.audit.list({ action: 'identity.oidc.client.deleted', targetId: created.clientId }, { limit: 5, offset: 0 })
    expect(audit.items).toHaveLength(1)
    // The provider no longer knows it.
    const auth = await startAuthorization(new Browser(base), created.clientId)
    expect(auth.status).toBe(400)
    expect(await auth.text()).toContain('登录授权未能完成')
  })
})

describe('authorization requests', () => {
  it('requires PKCE with S256', async () => {
    const { clientId } = await registerClient()
    const browser = new Browser(base)
    const noPkce = await browser.request(
      `/oidc/auth?${new URLSearchParams({ client_id: clientId, redirect_uri: 'https://bdc.example.test/cb', response_type: 'code', scope: 'openid', state: 's' })}`,
    )
    expect(noPkce.status).toBe(303)
    const back = new URL(noPkce.headers.get('location') as string)
    expect(back.searchParams.get('error')).toBe('invalid_request')
    const plain = await startAuthorization(browser, clientId, { code_challenge_method: 'plain' })
    expect(new URL(plain.headers.get('location') as string).searchParams.get('error')).toBe('invalid_request')
  })

  it('shows protocol errors as a page in the browser language', async () => {
    const zh = await fetch(`${base}/oidc/auth?client_id=nope&response_type=code&scope=openid`)
    expect(zh.status).toBe(400)
    expect(await zh.text()).toContain('登录授权未能完成')
    const en = await fetch(`${base}/oidc/auth?client_id=nope&response_type=code&scope=openid`, { headers: { 'accept-language': 'en' } })
    expect(await en.text()).toContain('Sign-in could not be completed')
  })
})

describe('consent page API', () => {
  it('is bound to the browser that started the request', async () => {
    const { clientId } = await registerClient()
    const browser = new Browser(base)
    const res = await startAuthorization(browser, clientId)
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toMatch(/^\/consent\/[\w-]+$/)
    const uid = (res.headers.get('location') as string).split('/').pop() as string
    // Set with Path=/ so /api/oidc/interactions/… receives it.
    expect(res.headers.getSetCookie().find((c) => c.startsWith('yw_oidc_interaction='))).toMatch(/path=\//i)

    expect((await browser.request(`/api/oidc/interactions/${uid}`)).status).toBe(200)
    // Another browser (no interaction cookie) and a wrong uid both get 404.
    const stranger = await new Browser(base).request(`/api/oidc/interactions/${uid}`)
    expect(stranger.status).toBe(404)
    expect((await json(stranger)).type).toBe('urn:yiwang:problem:identity/oidc-interaction-not-found')
    expect((await browser.request('/api/oidc/interactions/someone-elses-uid')).status).toBe(404)
  })

  it('refuses to confirm a request that still waits for login', async () => {
    const { clientId } = await registerClient()
    const browser = new Browser(base)
    expect((await browser.request('/api/auth/login/password', { json: { username: CITIZEN.idNumber, password: CITIZEN.password } })).status).toBe(200)
    const uid = ((await startAuthorization(browser, clientId)).headers.get('location') as string).split('/').pop() as string
    const res = await browser.request(`/api/oidc/interactions/${uid}/confirm`, { method: 'POST' })
    expect(res.status).toBe(409)
    expect(await json(res)).toMatchObject({ type: 'urn:yiwang:problem:identity/oidc-wrong-prompt', prompt: 'login' })
  })

  it('sends access_denied back to the application when the citizen declines', async () => {
    const { clientId } = await registerClient()
    const browser = new Browser(base)
    const uid = ((await startAuthorization(browser, clientId)).headers.get('location') as string).split('/').pop() as string
    const res = await browser.request(`/api/oidc/interactions/${uid}/abort`, { method: 'POST' })
    expect(res.status).toBe(200)
    const { url } = await browser.follow((await json(res)).redirectTo)
    const back = new URL(url)
    expect(back.origin + back.pathname).toBe('https://bdc.example.test/cb')
    expect(back.searchParams.get('error')).toBe('access_denied')
    expect(back.searchParams.get('state')).toBe('s1')
  })

  it('refuses a cross-site POST that carries the session cookie', async () => {
    const { clientId } = await registerClient()
    const uid = ((await startAuthorization(citizen, clientId)).headers.get('location') as string).split('/').pop() as string
    const res = await citizen.request(`/api/oidc/interactions/${uid}/login`, { method: 'POST', headers: { origin: 'https://evil.example.test' } })
    expect(res.status).toBe(403)
  })
})

describe('claims', () => {
  it('releases masked ID numbers, the home division and role names once each; omits absent values', () => {
    const claims = claimsOf({
      id: 'acc_1',
      kind: 'staff',
      name: '李四',
      maskedIdNumber: null,
      divisionCode: '140902',
      roles: [{ role: 'window_clerk' }, { role: 'window_clerk' }, { role: 'reviewer' }],
    })
    expect(claims).toEqual({ sub: 'acc_1', name: '李四', account_type: 'staff', division: '140902', roles: ['window_clerk', 'reviewer'] })
  })
})

describe('storage', () => {
  it('keeps provider artefacts with their secondary keys, consumption and expiry', async () => {
    const codes = new PgAdapter(t.core.db, 'AuthorizationCode')
    const sessions = new PgAdapter(t.core.db, 'Session')
    await codes.upsert('c1', { jti: 'c1', grantId: 'g1', clientId: 'cli_x' }, 60)
    await codes.upsert('c2', { jti: 'c2', grantId: 'g1' }, 60)
    await codes.upsert('c3', { jti: 'c3', grantId: 'g2' }, -1)
    await sessions.upsert('s1', { jti: 's1', uid: 'u1', accountId: 'acc_1' }, 60)
    expect(await codes.find('c1')).toEqual({ jti: 'c1', grantId: 'g1', clientId: 'cli_x' })
    expect(await codes.find('c3')).toBeUndefined()
    expect(await sessions.findByUid('u1')).toMatchObject({ accountId: 'acc_1' })
    expect(await codes.findByUid('u1')).toBeUndefined()

    await codes.consume('c1')
    expect((await codes.find('c1'))?.consumed).toEqual(expect.any(Number))
    await codes.upsert('c1', { jti: 'c1', grantId: 'g1', clientId: 'cli_x', extra: true }, 60)
    expect(await codes.find('c1')).toMatchObject({ extra: true })

    await codes.revokeByGrantId('g1')
    expect(await codes.find('c1')).toBeUndefined()
    expect(await codes.find('c2')).toBeUndefined()
    await sessions.destroy('s1')
    expect(await sessions.findByUid('u1')).toBeUndefined()
    expect(await purgeExpiredPayloads(t.core.db)).toBeGreaterThanOrEqual(1)
  })

  it('generates signing keys once and keeps them sealed', async () => {
    const secret = t.core.config.SECRET_KEY as string
    const first = await loadSigningKeys(t.core.db, secret)
    const again = await loadSigningKeys(t.core.db, secret)
    expect(again.map((k) => k.kid)).toEqual(first.map((k) => k.kid))
    expect(first.every((k) => typeof k.d === 'string')).toBe(true)
    const rows = await sql<{ sealed: string }>`select sealed from identity.oidc_key`.execute(t.core.db)
    for (const r of rows.rows) expect(r.sealed).not.toContain(first[0].d as string)
    await expect(loadSigningKeys(t.core.db, crypto.randomBytes(32).toString('base64url'))).rejects.toThrow()
    expect(cookieKeys(secret)).toEqual(cookieKeys(secret))
  })
})
