import type { IncomingMessage } from 'node:http'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { actorOf } from '../../../platform/audit.js'
import { principalOf, requireRole } from '../../../platform/auth.js'
import { t } from '../../../platform/i18n.js'
import type { Principal } from '../../../platform/roles.js'
import { meSchema } from '../routes.js'
import { purgeExpiredPayloads } from './adapter.js'
import type { AccountDirectory } from './claims.js'
import { createOidcClientService, metadataOf, type OidcClient } from './clients.js'
import { OidcInvalidClientError } from './errors.js'
import { createInteractionService } from './interactions.js'
import { createOidcProvider } from './provider.js'

const uidParams = z.object({ uid: z.string().min(1).max(100) })
const redirectSchema = z.object({ redirectTo: z.string() })
const interactionSchema = z.object({
  uid: z.string(),
  prompt: z.enum(['login', 'consent']),
  client: z.object({ clientId: z.string(), name: z.string() }),
  scopes: z.array(z.string()),
  account: meSchema.nullable(),
})

const redirectUri = z
  .url({ protocol: /^https?$/ })
  .max(2000)
  .refine((u) => !u.includes('#'), { message: 'fragment' })
const clientSchema = z.object({
  clientId: z.string(),
  name: z.string(),
  redirectUris: z.array(z.string()),
  postLogoutRedirectUris: z.array(z.string()),
  createdAt: z.iso.datetime(),
})
const newClientSchema = z.object({
  name: z.string().trim().min(1).max(100),
  redirectUris: z.array(redirectUri).min(1).max(10),
  postLogoutRedirectUris: z.array(redirectUri).max(10).optional(),
})

const presentClient = (c: OidcClient) => ({ ...c, createdAt: c.createdAt.toISOString() })

/** Admin API field names of the client metadata members oidc-provider may refuse. */
const metadataFields: Record<string, string> = { redirect_uris: 'body.redirectUris', post_logout_redirect_uris: 'body.postLogoutRedirectUris', client_name: 'body.name' }

export interface OidcRoutesOptions {
  /** The identity service: the provider reads accounts through `getMe`. */
  identity: AccountDirectory
}

/**
 * The OpenID Connect provider on Fastify: discovery at /.well-known/openid-configuration, the
 * protocol endpoints under /oidc/ (handed to oidc-provider, a Koa app, on the raw request), the
 * consent page's JSON API under /api/oidc/interactions and client registration under
 * /api/admin/oidc-clients.
 */
export const oidcRoutes: FastifyPluginAsyncZod<OidcRoutesOptions> = async (app, opts) => {
  const { core } = app
  const secret = core.config.SECRET_KEY
  if (!secret) throw new Error('SECRET_KEY must be resolved before the OIDC provider starts')

  // The platform principal of each request, for the provider's sign-in policy (see provider.ts).
  const principals = new WeakMap<IncomingMessage, Principal | null>()
  const clients = createOidcClientService({
    db: core.db,
    clock: core.clock,
    audit: core.audit,
    secret,
  })
  const oidc = await createOidcProvider({
    issuer: core.config.publicUrl,
    db: core.db,
    secret,
    accounts: opts.identity,
    clients,
    principalOf: (req) => principals.get(req) ?? null,
  })

  oidc.on('server_error', (_ctx: unknown, err: unknown) => core.logger.error({ err }, 'OIDC provider failed a request'))

  const purge = setInterval(() => void purgeExpiredPayloads(core.db).catch((err) => core.logger.warn({ err }, 'purging expired OIDC artefacts failed')), 15 * 60 * 1000)
  purge.unref()
  app.addHook('onClose', async () => clearInterval(purge))

  // Protocol endpoints: oidc-provider answers on the raw request. Body parsers are switched off
  // in this subtree so the provider reads the request body itself.
  const callback = oidc.callback()
  await app.register(async (protocol) => {
    protocol.removeAllContentTypeParsers()
    protocol.addContentTypeParser('*', (_req, _payload, done) => done(null))
    // The issuer (PUBLIC_URL) decides the origin of every endpoint URL and whether cookies are
    // Secure, whatever Host the request came in with.
    const issuer = new URL(core.config.publicUrl)
    const handler = async (req: FastifyRequest, reply: FastifyReply) => {
      req.raw.headers['x-forwarded-host'] = issuer.host
      req.raw.headers['x-forwarded-proto'] = issuer.protocol.slice(0, -1)
      principals.set(req.raw, req.principal)
      reply.hijack()
      await callback(req.raw, reply.raw)
    }
    const methods = ['GET', 'POST', 'OPTIONS', 'DELETE', 'PUT']
    protocol.route({ method: methods, url: '/oidc/*', schema: { hide: true }, handler })
    protocol.route({ method: ['GET', 'OPTIONS'], url: '/.well-known/openid-configuration', schema: { hide: true }, handler })
  })

  const interactions = createInteractionService({ provider: oidc, accounts: opts.identity, db: core.db, audit: core.audit })
  const raw = (req: FastifyRequest, reply: FastifyReply) => ({ req: req.raw, res: reply.raw })

  app.get(
    '/api/oidc/interactions/:uid',
    {
      schema: {
        tags: ['oidc'],
        summary: 'The sign-in request behind the consent page: which application asks for what, and who is signed in',
        params: uidParams,
        response: { 200: interactionSchema },
      },
    },
    async (req, reply) => interactions.details(raw(req, reply), req.params.uid, req.principal),
  )

  app.post(
    '/api/oidc/interactions/:uid/login',
    {
      schema: {
        tags: ['oidc'],
        summary: 'Signs the current Yiwang session in to the sign-in request (401 when not signed in)',
        security: [{ session: [] }],
        params: uidParams,
        response: { 200: redirectSchema },
      },
    },
    async (req, reply) => ({ redirectTo: await interactions.login(raw(req, reply), req.params.uid, principalOf(req), actorOf(req)) }),
  )

  app.post(
    '/api/oidc/interactions/:uid/confirm',
    {
      schema: {
        tags: ['oidc'],
        summary: 'Grants the application the requested scopes and claims',
        security: [{ session: [] }],
        params: uidParams,
        response: { 200: redirectSchema },
      },
    },
    async (req, reply) => ({ redirectTo: await interactions.confirm(raw(req, reply), req.params.uid, principalOf(req), actorOf(req)) }),
  )

  app.post(
    '/api/oidc/interactions/:uid/abort',
    {
      schema: {
        tags: ['oidc'],
        summary: 'Declines the sign-in request; the application receives access_denied',
        params: uidParams,
        response: { 200: redirectSchema },
      },
    },
    async (req, reply) => ({ redirectTo: await interactions.abort(raw(req, reply), req.params.uid, actorOf(req)) }),
  )

  const admin = { preHandler: requireRole('platform_admin') }

  app.get(
    '/api/admin/oidc-clients',
    { ...admin, schema: { tags: ['oidc'], summary: 'Registered relying parties (platform admin)', response: { 200: z.object({ items: z.array(clientSchema) }) } } },
    async () => ({ items: (await clients.list()).map(presentClient) }),
  )

  app.post(
    '/api/admin/oidc-clients',
    {
      ...admin,
      schema: {
        tags: ['oidc'],
        summary: 'Registers a relying party; the client secret is shown only in this answer (platform admin)',
        body: newClientSchema,
        response: { 201: clientSchema.extend({ clientSecret: z.string() }) },
      },
    },
    async (req, reply) => {
      // oidc-provider's own metadata check first, so a client that registers is a client that works.
      try {
        await oidc.Client.validate(metadataOf({ clientId: 'validation', postLogoutRedirectUris: [], ...req.body }, 'validation'))
      } catch (err) {
        const description = (err as { error_description?: string }).error_description ?? ''
        const member = Object.keys(metadataFields).find((k) => description.includes(k))
        throw new OidcInvalidClientError([
          { name: member ? metadataFields[member] : 'body', code: 'invalid_client_metadata', reason: t(req.locale, 'identity.oidc.invalid-client') },
        ])
      }
      const created = await clients.register(actorOf(req), req.body)
      return reply.code(201).send({ ...presentClient(created), clientSecret: created.clientSecret })
    },
  )

  app.delete(
    '/api/admin/oidc-clients/:clientId',
    {
      ...admin,
      schema: {
        tags: ['oidc'],
        summary: 'Deletes a relying party and revokes everything issued to it (platform admin)',
        params: z.object({ clientId: z.string().min(1).max(100) }),
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      await clients.remove(actorOf(req), req.params.clientId)
      return reply.code(204).send(null)
    },
  )
}
