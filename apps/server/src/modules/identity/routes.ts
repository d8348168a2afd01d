import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { principalOf, requireRole, SESSION_COOKIE } from '../../platform/auth.js'
import { UnauthenticatedError } from '../../platform/errors.js'
import { roles } from '../../platform/roles.js'
import { LoginLockedError, SmsDailyLimitError, SmsTooSoonError } from './errors.js'
import type { IdentityService, RequestMeta, SignedIn } from './service.js'

// ---- output ---------------------------------------------------------------------------------

const grantSchema = z.object({
  id: z.string().describe('Grant id; implicit grants (citizen, enterprise_agent) are `implicit:<role>`'),
  role: z.enum(roles),
  divisionCode: z.string().nullable().describe('GB/T 2260 scope; null = platform-wide'),
  departmentId: z.string().nullable(),
})
const accountKind = z.enum(['person', 'legal', 'staff'])
export const meSchema = z.object({
  id: z.string(),
  kind: accountKind,
  name: z.string(),
  username: z.string().nullable(),
  maskedIdNumber: z.string().nullable().describe('e.g. 1409**********123X'),
  maskedPhone: z.string().nullable().describe('e.g. 138****5678'),
  creditCode: z.string().nullable(),
  divisionCode: z.string().nullable(),
  departmentId: z.string().nullable(),
  roles: z.array(grantSchema),
})
const accountSummarySchema = meSchema.extend({
  status: z.enum(['active', 'locked', 'disabled']),
  createdAt: z.date(),
})
const signedInSchema = z.object({ account: meSchema })
const auditRecordSchema = z.object({
  id: z.string(),
  at: z.date(),
  actorId: z.string().nullable(),
  actorKind: z.string().nullable(),
  actorName: z.string().nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  divisionCode: z.string().nullable(),
  ip: z.string().nullable(),
  outcome: z.string(),
  detail: z.record(z.string(), z.unknown()),
})
const smsOutboxSchema = z.object({ id: z.string(), phone: z.string().describe('In full: this is the dev outbox'), text: z.string(), createdAt: z.date() })
const paginated = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() })

// ---- input ----------------------------------------------------------------------------------

/** Text without control characters (PostgreSQL text cannot even hold NUL; none belong in these fields). */
const text = (min: number, max: number) => z.string().trim().min(min).max(max).regex(/^[^\p{Cc}]*$/u)
const id = text(1, 64)

const pageQuery = {
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
}
const password = z.string().min(1).max(128)
const phone = text(1, 20).describe('Mainland mobile number, e.g. 13812345678')
const divisionCode = z.string().regex(/^(\d{6}|\d{9}|\d{12})$/).describe('GB/T 2260 code')
const grantBody = z.strictObject({
  role: z.enum(roles).describe('A staff role (citizen and enterprise_agent are implicit)'),
  divisionCode: divisionCode.nullable().optional().describe('Omitted: the account’s division; null: platform-wide'),
  departmentId: id.nullable().optional(),
})
const accountParams = z.object({ id })

const tags = ['identity']
const adminTags = ['admin']
const security = [{ session: [] }]

function metaOf(req: FastifyRequest): RequestMeta {
  return { ip: req.ip, userAgent: req.headers['user-agent'] ?? null }
}

/** Errors that tell the client when to retry also say so in Retry-After (RFC 9110 §10.2.3). */
async function withRetryAfter<T>(reply: FastifyReply, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    if (err instanceof LoginLockedError || err instanceof SmsTooSoonError || err instanceof SmsDailyLimitError) {
      reply.header('retry-after', String(err.retryAfterSeconds))
    }
    throw err
  }
}

/**
 * Sign-in, registration, the current account, and the admin pages for accounts, roles, the dev
 * SMS outbox and the audit log. Also installs the session resolver, so `req.principal` is set on
 * every request that carries a valid `yw_session` cookie.
 */
export const identityRoutes: FastifyPluginAsyncZod<{ identity: IdentityService }> = async (app, { identity }) => {
  app.auth.setResolver((token) => identity.resolveSession(token))

  function signIn(reply: FastifyReply, s: SignedIn) {
    reply.setCookie(SESSION_COOKIE, s.token, {
      path: '/', httpOnly: true, sameSite: 'lax', secure: identity.secureCookies, maxAge: s.maxAgeSeconds,
    })
    return { account: s.me }
  }
  function clearCookie(reply: FastifyReply) {
    reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: identity.secureCookies })
  }

  app.post(
    '/auth/login/password',
    {
      config: { rateLimitPolicy: 'login' },
      schema: {
        tags,
        summary: 'Sign in with a password (username: ID number, mobile number, staff username or credit code)',
        body: z.strictObject({ username: text(1, 64), password }),
        response: { 200: signedInSchema },
      },
    },
    async (req, reply) => signIn(reply, await withRetryAfter(reply, () => identity.loginWithPassword(req.body, metaOf(req)))),
  )

  app.post(
    '/auth/sms/send',
    {
      config: { rateLimitPolicy: 'smsCode' },
      schema: {
        tags,
        summary: 'Send a 6-digit sign-in code to a mobile number (same answer whether or not it is registered)',
        body: z.strictObject({ phone }),
        response: { 202: z.object({ expiresInSeconds: z.number().int(), resendAfterSeconds: z.number().int() }) },
      },
    },
    async (req, reply) => {
      const sent = await withRetryAfter(reply, () => identity.sendSmsCode(req.body, metaOf(req), req.locale))
      return reply.code(202).send(sent)
    },
  )

  app.post(
    '/auth/login/sms',
    {
      config: { rateLimitPolicy: 'login' },
      schema: {
        tags,
        summary: 'Sign in with the code sent by SMS',
        body: z.strictObject({ phone, code: z.string().regex(/^\d{6}$/) }),
        response: { 200: signedInSchema },
      },
    },
    async (req, reply) => signIn(reply, await identity.loginWithSms(req.body, metaOf(req))),
  )

  app.post(
    '/auth/logout',
    { schema: { tags, summary: 'Sign out (ends the session)', response: { 204: z.null() } } },
    async (req, reply) => {
      if (req.principal) await identity.logout(req.principal, metaOf(req))
      clearCookie(reply)
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/auth/register',
    {
      schema: {
        tags,
        summary: 'Citizen self-registration (ID number check digit verified); signs the new account in',
        body: z.strictObject({
          name: text(2, 50),
          idNumber: text(1, 18).describe('18-character GB 11643 ID number'),
          phone,
          password,
        }),
        response: { 201: signedInSchema },
      },
    },
    async (req, reply) => {
      const s = await identity.register(req.body, metaOf(req))
      return reply.code(201).send(signIn(reply, s))
    },
  )

  app.get(
    '/me',
    { schema: { tags, summary: 'The signed-in account', security, response: { 200: meSchema } } },
    async (req, reply) => {
      const p = req.principal
      const me = p ? await identity.getMe(p.accountId) : null
      if (!me) {
        if (req.cookies?.[SESSION_COOKIE]) clearCookie(reply)
        throw new UnauthenticatedError()
      }
      return me
    },
  )

  // ---- admin ----------------------------------------------------------------------------------

  const admin = requireRole('platform_admin', 'data_admin')

  app.get(
    '/admin/accounts',
    {
      preHandler: admin,
      schema: {
        tags: adminTags,
        summary: 'Accounts in the caller’s divisions (all for a platform-wide admin)',
        security,
        querystring: z.object({ kind: accountKind.optional(), q: text(0, 64).optional(), ...pageQuery }),
        response: { 200: paginated(accountSummarySchema) },
      },
    },
    async (req) => identity.listAccounts(principalOf(req), req.query),
  )

  app.get(
    '/admin/accounts/:id',
    {
      preHandler: admin,
      schema: { tags: adminTags, summary: 'One account', security, params: accountParams, response: { 200: accountSummarySchema } },
    },
    async (req) => identity.getAccount(principalOf(req), req.params.id),
  )

  app.post(
    '/admin/accounts',
    {
      preHandler: admin,
      schema: {
        tags: adminTags,
        summary: 'Create a staff account in a department, with roles',
        security,
        body: z.strictObject({
          kind: z.literal('staff'),
          name: text(2, 50),
          username: text(3, 32),
          password,
          phone: phone.nullish(),
          departmentId: id,
          roles: z.array(grantBody).max(20).optional(),
        }),
        response: { 201: accountSummarySchema },
      },
    },
    async (req, reply) => {
      const { kind: _kind, ...input } = req.body
      const created = await identity.createStaff(principalOf(req), input, metaOf(req))
      return reply.code(201).send(created)
    },
  )

  app.post(
    '/admin/accounts/:id/roles',
    {
      preHandler: admin,
      schema: { tags: adminTags, summary: 'Grant a staff role', security, params: accountParams, body: grantBody, response: { 201: grantSchema } },
    },
    async (req, reply) => {
      const grant = await identity.grantRole(principalOf(req), req.params.id, req.body, metaOf(req))
      return reply.code(201).send(grant)
    },
  )

  app.delete(
    '/admin/accounts/:id/roles/:grantId',
    {
      preHandler: admin,
      schema: {
        tags: adminTags,
        summary: 'Revoke a role grant',
        security,
        params: z.object({ id, grantId: id }),
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      await identity.revokeRole(principalOf(req), req.params.id, req.params.grantId, metaOf(req))
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/admin/sms-outbox',
    {
      preHandler: requireRole('platform_admin'),
      schema: {
        tags: adminTags,
        summary: 'Text messages the dev SMS sender wrote (newest first)',
        security,
        querystring: z.object(pageQuery),
        response: { 200: paginated(smsOutboxSchema) },
      },
    },
    async (req) => identity.listSmsOutbox(principalOf(req), req.query),
  )

  app.get(
    '/admin/audit',
    {
      preHandler: admin,
      schema: {
        tags: adminTags,
        summary: 'The audit log (data admins see their divisions only)',
        security,
        querystring: z.object({
          action: text(0, 100).optional().describe('Action or its prefix, e.g. identity.login'),
          actorId: id.optional(),
          targetId: id.optional(),
          ...pageQuery,
        }),
        response: { 200: paginated(auditRecordSchema) },
      },
    },
    async (req) => identity.listAudit(principalOf(req), req.query),
  )
}
