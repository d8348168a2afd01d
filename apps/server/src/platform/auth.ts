import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify'
import fp from 'fastify-plugin'
import { AppError, ForbiddenError, OutOfScopeError, UnauthenticatedError } from './errors.js'
import { canActIn, hasRole, type Principal, type Role } from './roles.js'

export const SESSION_COOKIE = 'yw_session'

/** Turns a session token into a principal (the identity module provides it). */
export type SessionResolver = (token: string, req: FastifyRequest) => Promise<Principal | null>

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null
  }
  interface FastifyInstance {
    auth: { setResolver(resolver: SessionResolver): void }
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** Marks guard functions so the plugin can run them before validation (see onRoute below). */
const GUARD = Symbol('yiwang.guard')
type Guard = preHandlerAsyncHookHandler & { [GUARD]?: true }
function guard(fn: preHandlerAsyncHookHandler): Guard {
  return Object.assign(fn, { [GUARD]: true as const })
}
const isGuard = (h: unknown): h is Guard => typeof h === 'function' && (h as Guard)[GUARD] === true

/**
 * Resolves the caller on every request and guards against cross-site requests: a state-changing
 * call that carries the session cookie must come from our own origin (SameSite cookies are the
 * first wall; this is the second, for old browsers and same-site subdomains).
 */
export const authPlugin = fp(
  async (app: FastifyInstance, opts: { publicUrl: string; trustedOrigins?: Set<string> }) => {
    let resolver: SessionResolver = async () => null
    const ownHost = new URL(opts.publicUrl).host
    const trusted = opts.trustedOrigins ?? new Set<string>()
    app.decorateRequest('principal', null)
    app.decorate('auth', { setResolver: (r: SessionResolver) => void (resolver = r) })
    // Guards declared as `preHandler: requireRole(...)` run at preValidation instead, so a caller
    // without the right is told 401/403 before anything about its input.
    app.addHook('onRoute', (route) => {
      const pre = route.preHandler
      const list = Array.isArray(pre) ? pre : pre ? [pre] : []
      const guards = list.filter(isGuard)
      if (guards.length === 0) return
      const rest = list.filter((h) => !isGuard(h))
      route.preHandler = rest.length ? rest : undefined
      // The guard is the one source of truth for the OpenAPI document's security requirement.
      if (route.schema && !route.schema.security) route.schema = { ...route.schema, security: [{ session: [] }] } as typeof route.schema
      const pv = route.preValidation
      route.preValidation = [...guards, ...(Array.isArray(pv) ? pv : pv ? [pv] : [])] as typeof route.preValidation
    })
    app.addHook('onRequest', async (req) => {
      const token = req.cookies?.[SESSION_COOKIE]
      if (!token) return
      if (UNSAFE.has(req.method) && req.url.startsWith('/api/')) {
        const origin = req.headers.origin ?? req.headers.referer
        if (origin) {
          let url: URL | undefined
          try {
            url = new URL(origin)
          } catch {
            url = undefined
          }
          // Our own origin, or one the CORS allow-list (CORS_ORIGINS) trusts.
          const ok = url && (url.host === ownHost || url.host === req.headers.host || trusted.has(url.origin))
          if (!ok) throw new AppError('csrf', 403, 'problem.csrf')
        }
      }
      req.principal = await resolver(token, req)
    })
  },
  { name: 'yiwang-auth', dependencies: ['@fastify/cookie'] },
)

/** preHandler: the caller must be signed in. */
export const requireAuth: preHandlerAsyncHookHandler = guard(async (req: FastifyRequest, _reply: FastifyReply) => {
  if (!req.principal) throw new UnauthenticatedError()
})

/** preHandler: the caller must hold one of the roles (anywhere; scope is checked in the handler). */
export function requireRole(...wanted: Role[]): preHandlerAsyncHookHandler {
  return guard(async (req) => {
    if (!req.principal) throw new UnauthenticatedError()
    if (!hasRole(req.principal, ...wanted)) throw new ForbiddenError()
  })
}

/** Throws unless one of the caller's grants for these roles covers the division. */
export function assertCanActIn(p: Principal | null, divisionCode: string, ...wanted: Role[]): asserts p is Principal {
  if (!p) throw new UnauthenticatedError()
  if (!canActIn(p, divisionCode, ...wanted)) throw new OutOfScopeError()
}

/** The signed-in caller, or a 401. */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new UnauthenticatedError()
  return req.principal
}
