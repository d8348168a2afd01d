import type { IncomingMessage, ServerResponse } from 'node:http'
import { errors as oidcErrors, type Interaction, type InteractionResults, type Provider } from 'oidc-provider'
import type { Db } from '../../../db/database.js'
import type { Audit, AuditActor, AuditEntry } from '../../../platform/audit.js'
import { UnauthenticatedError } from '../../../platform/errors.js'
import type { Principal } from '../../../platform/roles.js'
import type { Me } from '../service.js'
import { scopes as supportedScopes, type AccountDirectory } from './claims.js'
import { OidcAccountChangedError, OidcInteractionNotFoundError, OidcWrongPromptError } from './errors.js'

/** The raw request and response of an API call; oidc-provider reads its interaction cookie from them. */
export interface RawExchange {
  req: IncomingMessage
  res: ServerResponse
}

/** What the consent page shows (API contract, "OIDC"). */
export interface InteractionView {
  uid: string
  prompt: 'login' | 'consent'
  client: { clientId: string; name: string }
  scopes: string[]
  account: Me | null
}

export interface InteractionDeps {
  provider: Provider
  accounts: AccountDirectory
  db: Db
  audit: Audit
}

/**
 * The steps of the web app's consent page: oidc-provider pauses an authorization request at an
 * interaction (login, then consent); each step here records its result and hands back the URL
 * where the browser resumes the request. The interaction is the one named by oidc-provider's
 * cookie in this browser, and must match the uid in the URL, so a link to someone else's request
 * cannot be completed with one's own session.
 */
export function createInteractionService(deps: InteractionDeps) {
  const { provider } = deps

  async function interactionOf(x: RawExchange, uid: string): Promise<Interaction> {
    let interaction: Interaction
    try {
      interaction = await provider.interactionDetails(x.req, x.res)
    } catch (err) {
      if (err instanceof oidcErrors.SessionNotFound) throw new OidcInteractionNotFoundError()
      throw err
    }
    if (interaction.uid !== uid) throw new OidcInteractionNotFoundError()
    return interaction
  }

  const finish = (x: RawExchange, result: InteractionResults) => provider.interactionResult(x.req, x.res, result, { mergeWithLastSubmission: false })
  const record = (actor: AuditActor, entry: AuditEntry) => deps.db.transaction().execute((trx) => deps.audit.record(trx, actor, entry))
  const clientIdOf = (interaction: Interaction) => String(interaction.params.client_id)

  return {
    /**
     * Which application asks for which scopes, and who would be signed in to it.
     * @throws OidcInteractionNotFoundError
     */
    async details(x: RawExchange, uid: string, principal: Principal | null): Promise<InteractionView> {
      const interaction = await interactionOf(x, uid)
      const clientId = clientIdOf(interaction)
      const client = await provider.Client.find(clientId)
      if (!client) throw new OidcInteractionNotFoundError()
      const prompt = interaction.prompt.name === 'consent' ? 'consent' : 'login'
      const accountId = prompt === 'consent' ? interaction.session?.accountId : principal?.accountId
      const asked = new Set(String(interaction.params.scope ?? '').split(' '))
      return {
        uid: interaction.uid,
        prompt,
        client: { clientId, name: client.clientName ?? clientId },
        scopes: supportedScopes.filter((s) => asked.has(s)),
        account: accountId ? await deps.accounts.getMe(accountId) : null,
      }
    },

    /**
     * Signs the platform session's account in to the request.
     * @throws OidcInteractionNotFoundError, OidcWrongPromptError
     */
    async login(x: RawExchange, uid: string, principal: Principal, actor: AuditActor): Promise<string> {
      const interaction = await interactionOf(x, uid)
      if (interaction.prompt.name !== 'login') throw new OidcWrongPromptError(interaction.prompt.name)
      const redirectTo = await finish(x, { login: { accountId: principal.accountId } })
      await record(actor, {
        action: 'identity.oidc.login',
        targetType: 'oidc_client',
        targetId: clientIdOf(interaction),
        detail: { clientId: clientIdOf(interaction), accountId: principal.accountId },
        security: true,
      })
      return redirectTo
    },

    /**
     * Grants the application what it asked for (OIDC scopes and claims, resource scopes).
     * @throws OidcInteractionNotFoundError, OidcWrongPromptError, OidcAccountChangedError
     */
    async confirm(x: RawExchange, uid: string, principal: Principal, actor: AuditActor): Promise<string> {
      const interaction = await interactionOf(x, uid)
      if (interaction.prompt.name !== 'consent') throw new OidcWrongPromptError(interaction.prompt.name)
      const accountId = interaction.session?.accountId
      if (!accountId) throw new UnauthenticatedError()
      if (accountId !== principal.accountId) throw new OidcAccountChangedError()
      const clientId = clientIdOf(interaction)
      const grant = (interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined) ?? new provider.Grant({ accountId, clientId })
      const { details } = interaction.prompt
      if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '))
      if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims)
      for (const [indicator, scope] of Object.entries(details.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scope.join(' '))
      const grantId = await grant.save()
      const redirectTo = await finish(x, { consent: { grantId } })
      await record(actor, {
        action: 'identity.oidc.consent',
        targetType: 'oidc_client',
        targetId: clientId,
        detail: { clientId, grantId, scopes: grant.getOIDCScope().split(' ').filter(Boolean) },
        security: true,
      })
      return redirectTo
    },

    /**
     * Declines the request; the application receives `access_denied`.
     * @throws OidcInteractionNotFoundError
     */
    async abort(x: RawExchange, uid: string, actor: AuditActor): Promise<string> {
      const interaction = await interactionOf(x, uid)
      const redirectTo = await finish(x, { error: 'access_denied', error_description: 'End-User aborted interaction' })
      await record(actor, {
        action: 'identity.oidc.consent',
        targetType: 'oidc_client',
        targetId: clientIdOf(interaction),
        outcome: 'failure',
        detail: { clientId: clientIdOf(interaction), aborted: true },
      })
      return redirectTo
    },
  }
}
