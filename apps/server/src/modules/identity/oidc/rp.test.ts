import * as oc from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../test/harness.js'
import { ADMIN, Browser, CITIZEN, freePort, json, seedAccounts } from './test-support.js'

/**
 * The relying-party test: a real RP (openid-client) against the server on a real port
 * signs a citizen in through the consent page's API and reads userinfo, then signs out.
 */
let t: TestApp
let base: string
let rp: { clientId: string; clientSecret: string }
const redirectUri = 'http://rp.example.test/callback'
const postLogoutUri = 'http://rp.example.test/signed-out'

beforeAll(async () => {
  const port = await freePort()
  base = `http://127.0.0.1:${port}`
  t = await createTestApp({ PUBLIC_URL: base, HOST: '127.0.0.1', PORT: String(port) })
  await t.app.listen({ port, host: '127.0.0.1' })
  await seedAccounts(t.services)
  const admin = new Browser(base)
  expect((await admin.request('/api/auth/login/password', { json: ADMIN })).status).toBe(200)
  const res = await admin.request('/api/admin/oidc-clients', {
    json: { name: '忻州公积金网厅', redirectUris: [redirectUri], postLogoutRedirectUris: [postLogoutUri] },
  })
  expect(res.status).toBe(201)
  rp = await json(res)
})

afterAll(async () => {
  await t?.close()
})

async function rpConfig() {
  return oc.discovery(new URL(base), rp.clientId, { redirect_uris: [redirectUri] }, oc.ClientSecretBasic(rp.clientSecret), {
    execute: [oc.allowInsecureRequests],
  })
}

describe('a relying party built with openid-client', () => {
  it('signs a citizen in with code + PKCE, reads userinfo and signs out again', async () => {
    const config = await rpConfig()
    expect(config.serverMetadata().issuer).toBe(base)

    const codeVerifier = oc.randomPKCECodeVerifier()
    const state = oc.randomState()
    const nonce = oc.randomNonce()
    const authUrl = oc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid profile yiwang',
      code_challenge: await oc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    })

    const browser = new Browser(base)
    // 1. The provider sends the browser to the web app's consent page.
    const start = await browser.follow(authUrl)
    const loginPage = new URL(start.url)
    expect(loginPage.origin).toBe(base)
    expect(loginPage.pathname).toMatch(/^\/consent\/[\w-]+$/)
    const uid1 = loginPage.pathname.split('/').pop() as string
    // The interaction cookie reaches the JSON API (its path covers /api/oidc/…).
    expect(browser.jar.pathOf('yw_oidc_interaction')).toBe('/')

    let details = await browser.request(`/api/oidc/interactions/${uid1}`)
    expect(details.status).toBe(200)
    expect(await json(details)).toMatchObject({
      uid: uid1,
      prompt: 'login',
      client: { clientId: rp.clientId, name: '忻州公积金网厅' },
      scopes: ['openid', 'profile', 'yiwang'],
      account: null,
    })

    // 2. Not signed in to Yiwang yet: the page shows its login form.
    const anonymous = await browser.request(`/api/oidc/interactions/${uid1}/login`, { method: 'POST' })
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('content-type')).toContain('application/problem+json')

    // 3. The citizen signs in with the identity module's password login, then continues.
    const login = await browser.request('/api/auth/login/password', { json: { username: CITIZEN.idNumber, password: CITIZEN.password } })
    expect(login.status).toBe(200)
    details = await browser.request(`/api/oidc/interactions/${uid1}`)
    expect((await json(details)).account).toMatchObject({ name: CITIZEN.name, kind: 'person' })
    const loggedIn = await browser.request(`/api/oidc/interactions/${uid1}/login`, { method: 'POST' })
    expect(loggedIn.status).toBe(200)
    const { redirectTo: afterLogin } = await json(loggedIn)

    // 4. The provider asks for consent on a new interaction.
    const consentPage = new URL((await browser.follow(afterLogin)).url)
    expect(consentPage.pathname).toMatch(/^\/consent\/[\w-]+$/)
    const uid2 = consentPage.pathname.split('/').pop() as string
    expect(uid2).not.toBe(uid1)
    details = await browser.request(`/api/oidc/interactions/${uid2}`)
    const consent = await json(details)
    expect(consent).toMatchObject({ prompt: 'consent', scopes: ['openid', 'profile', 'yiwang'] })
    expect(consent.account).toMatchObject({ name: CITIZEN.name, maskedIdNumber: `${CITIZEN.idNumber.slice(0, 4)}**********${CITIZEN.idNumber.slice(-4)}` })

    const confirmed = await browser.request(`/api/oidc/interactions/${uid2}/confirm`, { method: 'POST' })
    expect(confirmed.status).toBe(200)
    const callback = await browser.follow((await json(confirmed)).redirectTo)
    const callbackUrl = new URL(callback.url)
    expect(callbackUrl.origin + callbackUrl.pathname).toBe(redirectUri)

    // 5. The RP exchanges the code and validates the ID token.
    const tokens = await oc.authorizationCodeGrant(config, callbackUrl, { pkceCodeVerifier: codeVerifier, expectedState: state, expectedNonce: nonce })
    const idClaims = tokens.claims()
    expect(idClaims?.iss).toBe(base)
    expect(idClaims?.aud).toBe(rp.clientId)
    const sub = idClaims?.sub as string
    expect(sub).toMatch(/^acc_/)

    const userinfo = await oc.fetchUserInfo(config, tokens.access_token, sub)
    expect(userinfo).toMatchObject({
      sub,
      name: CITIZEN.name,
      account_type: 'person',
      id_number_masked: `${CITIZEN.idNumber.slice(0, 4)}**********${CITIZEN.idNumber.slice(-4)}`,
      division: '140902',
      roles: ['citizen'],
    })
    expect(JSON.stringify(userinfo)).not.toContain(CITIZEN.idNumber)

    // The sign-in and the consent are in the audit log.
    const audit = await t.core.audit.list({ action: 'identity.oidc.' }, { limit: 20, offset: 0 })
    const actions = audit.items.filter((a) => a.actorId === sub).map((a) => a.action)
    expect(actions).toEqual(expect.arrayContaining(['identity.oidc.login', 'identity.oidc.consent']))

    // 6. RP-initiated logout: the provider asks, the citizen confirms, the RP gets its state back.
    const logoutUrl = oc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token as string, post_logout_redirect_uri: postLogoutUri, state: 'bye' })
    const question = await browser.request(logoutUrl)
    expect(question.status).toBe(200)
    const html = await question.text()
    expect(html).toContain('忻州公积金网厅')
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1]
    expect(xsrf).toBeTruthy()
    const action = /<form id="op.logoutForm" method="post" action="([^"]+)"/.exec(html)?.[1] as string
    const done = await browser.request(action, { form: { xsrf: xsrf as string, logout: 'yes' } })
    expect(done.status).toBe(303)
    const back = new URL(done.headers.get('location') as string)
    expect(back.origin + back.pathname).toBe(postLogoutUri)
    expect(back.searchParams.get('state')).toBe('bye')
    // Single sign-out: the Yiwang session ended too.
    expect((await browser.request('/api/me')).status).toBe(401)

    // The access token of the ended session no longer works.
    await expect(oc.fetchUserInfo(config, tokens.access_token, sub)).rejects.toThrow()
  })

  it('answers prompt=none with login_required when the browser is not signed in to Yiwang', async () => {
    const config = await rpConfig()
    const state = oc.randomState()
    const authUrl = oc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid',
      code_challenge: await oc.calculatePKCECodeChallenge(oc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      state,
      prompt: 'none',
    })
    const { url } = await new Browser(base).follow(authUrl)
    const back = new URL(url)
    expect(back.origin + back.pathname).toBe(redirectUri)
    expect(back.searchParams.get('error')).toBe('login_required')
    expect(back.searchParams.get('state')).toBe(state)
  })

  it('skips the consent page on the next sign-in once the citizen has consented', async () => {
    const config = await rpConfig()
    const browser = new Browser(base)
    expect((await browser.request('/api/auth/login/password', { json: { username: CITIZEN.phone, password: CITIZEN.password } })).status).toBe(200)
    const signIn = async () => {
      const verifier = oc.randomPKCECodeVerifier()
      const state = oc.randomState()
      const authUrl = oc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid profile',
        code_challenge: await oc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
      })
      return { verifier, state, step: await browser.follow(authUrl) }
    }
    // First time: login (already signed in to Yiwang, so one click), then consent.
    const first = await signIn()
    let uid = new URL(first.step.url).pathname.split('/').pop() as string
    let res = await browser.request(`/api/oidc/interactions/${uid}/login`, { method: 'POST' })
    uid = new URL((await browser.follow((await json(res)).redirectTo)).url).pathname.split('/').pop() as string
    res = await browser.request(`/api/oidc/interactions/${uid}/confirm`, { method: 'POST' })
    const firstBack = new URL((await browser.follow((await json(res)).redirectTo)).url)
    expect(firstBack.searchParams.get('code')).toBeTruthy()

    // Second time: straight back to the RP with a code.
    const second = await signIn()
    const back = new URL(second.step.url)
    expect(back.origin + back.pathname).toBe(redirectUri)
    const tokens = await oc.authorizationCodeGrant(config, back, { pkceCodeVerifier: second.verifier, expectedState: second.state })
    expect(tokens.claims()?.sub).toMatch(/^acc_/)

    // Signing out of Yiwang ends single sign-on: the next request needs a login again.
    expect((await browser.request('/api/auth/logout', { method: 'POST' })).status).toBe(204)
    const third = await signIn()
    expect(new URL(third.step.url).pathname).toMatch(/^\/consent\//)
  })
})
