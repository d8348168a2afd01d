import type { IncomingMessage } from 'node:http'
import Provider, { interactionPolicy, type Adapter, type AdapterPayload, type KoaContextWithOIDC } from 'oidc-provider'
import type { Db } from '../../../db/database.js'
import { SESSION_COOKIE } from '../../../platform/auth.js'
import type { Principal } from '../../../platform/roles.js'
import { PgAdapter } from './adapter.js'
import { accountFinder, claimsByScope, scopes, type AccountDirectory } from './claims.js'
import type { OidcClientService } from './clients.js'
import { cookieKeys, loadSigningKeys } from './keys.js'
import { logoutSource, postLogoutSuccessSource, renderError } from './pages.js'

/** Where oidc-provider's endpoints live; discovery stays at the root (/.well-known/…). */
export const oidcEndpoints = {
  authorization: '/oidc/auth',
  token: '/oidc/token',
  jwks: '/oidc/jwks',
  userinfo: '/oidc/me',
  end_session: '/oidc/session/end',
  revocation: '/oidc/token/revocation',
  introspection: '/oidc/token/introspection',
  pushed_authorization_request: '/oidc/request',
} as const

/** oidc-provider's cookie names; `yw_` like the platform session cookie. */
export const oidcCookies = { session: 'yw_oidc_session', interaction: 'yw_oidc_interaction', resume: 'yw_oidc_resume' } as const

/** The web app page that asks the citizen to sign in and to consent. */
export const consentPath = (uid: string) => `/consent/${uid}`

export interface OidcProviderDeps {
  issuer: string
  db: Db
  secret: string
  accounts: AccountDirectory
  clients: Pick<OidcClientService, 'metadata'>
  /** The platform principal of a request (resolved from `yw_session` before the provider runs). */
  principalOf(req: IncomingMessage): Principal | null
}

/**
 * RP-initiated logout where the citizen chose "sign out" ends the platform session as well, so
 * single sign-out means what the logout page says (the provider's session alone would be
 * recreated from `yw_session` at the next sign-in request).
 */
function signOutOfPlatform(deps: OidcProviderDeps) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    await next()
    if (ctx.oidc?.route !== 'end_session_confirm' || ctx.status !== 303 || !ctx.oidc.params?.logout) return
    const principal = deps.principalOf(ctx.req)
    if (principal) await deps.accounts.logout(principal, { ip: ctx.ip, userAgent: ctx.get('user-agent') || null })
    ctx.cookies.set(SESSION_COOKIE, null, { path: '/', httpOnly: true, sameSite: 'lax', signed: false })
  }
}

/** Client metadata comes from identity.oidc_client; the provider never writes clients. */
function clientAdapter(clients: OidcProviderDeps['clients']): Adapter {
  const readOnly = async () => {
    throw new Error('clients are registered through /api/admin/oidc-clients')
  }
  return {
    find: async (id: string) => (await clients.metadata(id)) as AdapterPayload | undefined,
    findByUid: async () => undefined,
    findByUserCode: async () => undefined,
    upsert: readOnly,
    consume: readOnly,
    destroy: readOnly,
    revokeByGrantId: readOnly,
  }
}

/**
 * The provider's sign-in policy: the default login and consent prompts, and one more login check.
 * The provider's own session follows the platform session: when the browser has no `yw_session`,
 * or it now belongs to another account, the citizen is asked to sign in again. So signing out of
 * Yiwang also ends single sign-on, and a shared terminal never hands one person's session to the next.
 */
function policy(principalOf: OidcProviderDeps['principalOf']) {
  const { Check, base } = interactionPolicy
  const prompts = base()
  prompts.get('login')?.checks.add(
    new Check('yiwang_session', 'the Yiwang session is missing or belongs to another account', 'login_required', (ctx: KoaContextWithOIDC) => {
      const principal = principalOf(ctx.req)
      const accountId = ctx.oidc.session?.accountId
      return !principal || !accountId || principal.accountId !== accountId ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT
    }),
  )
  return prompts
}

/** The OpenID Connect provider (panva oidc-provider) with Yiwang's storage, keys, claims and pages. */
export async function createOidcProvider(deps: OidcProviderDeps): Promise<Provider> {
  const keys = await loadSigningKeys(deps.db, deps.secret)
  const sameClient = async (_ctx: unknown, client: { clientId: string }, token: { clientId?: string }) => token.clientId === client.clientId
  const provider = new Provider(deps.issuer, {
    adapter: (model: string) => (model === 'Client' ? clientAdapter(deps.clients) : new PgAdapter(deps.db, model)),
    clients: [],
    findAccount: accountFinder(deps.accounts),
    scopes: [...scopes],
    claims: claimsByScope,
    responseTypes: ['code'],
    pkce: { required: () => true },
    routes: oidcEndpoints,
    jwks: { keys },
    cookies: {
      names: oidcCookies,
      keys: cookieKeys(deps.secret),
      long: { httpOnly: true, sameSite: 'lax', path: '/' },
      // Path '/' (oidc-provider would scope the interaction cookie to /consent/<uid>) so that the
      // consent page's JSON API under /api/oidc/interactions can read it.
      short: { httpOnly: true, sameSite: 'lax', path: '/' },
    },
    interactions: {
      url: (_ctx: unknown, interaction: { uid: string }) => consentPath(interaction.uid),
      policy: policy(deps.principalOf),
    },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
      revocation: { enabled: true, allowedPolicy: sameClient },
      introspection: { enabled: true, allowedPolicy: sameClient },
      userinfo: { enabled: true },
    },
    // A browser app may call userinfo and token only from the origin of one of its redirect URIs.
    clientBasedCORS: (_ctx: unknown, origin: string, client: { redirectUris: string[] }) =>
      origin !== 'null' && client.redirectUris.some((uri) => URL.parse(uri)?.origin === origin),
    renderError,
    discovery: { ui_locales_supported: ['zh-CN', 'en'] },
    ttl: {
      AuthorizationCode: 60,
      AccessToken: 60 * 60,
      IdToken: 60 * 60,
      RefreshToken: 14 * 24 * 60 * 60,
      Interaction: 30 * 60,
      Session: 14 * 24 * 60 * 60,
      Grant: 180 * 24 * 60 * 60,
    },
  })
  // Behind a reverse proxy (Fastify trusts X-Forwarded-*), cookies get Secure on https.
  provider.proxy = true
  provider.use(signOutOfPlatform(deps))
  return provider
}
