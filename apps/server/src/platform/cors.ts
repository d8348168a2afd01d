import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { AppError } from './errors.js'

/** Methods and request headers a cross-origin caller may use; what it may read back. */
const allowMethods = 'GET, POST, PUT, PATCH, DELETE'
const allowHeaders = ['content-type', 'accept-language', 'idempotency-key', 'x-request-id']
const exposeHeaders = 'retry-after, idempotent-replayed, location, content-disposition, x-request-id'

/** The OIDC provider answers CORS for its own endpoints (discovery, JWKS, token, userinfo). */
const ownCors = (url: string) => url.startsWith('/oidc/') || url.startsWith('/.well-known/')

/** `https://a.gov.cn, http://localhost:5173` → a set of origins; bad entries fail at start-up. */
export function parseOrigins(list: string | undefined): Set<string> {
  const origins = new Set<string>()
  for (const entry of (list ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const u = new URL(entry)
    if (u.origin === 'null' || u.origin !== entry.replace(/\/$/, '')) throw new Error(`CORS_ORIGINS: "${entry}" is not an origin (scheme://host[:port])`)
    origins.add(u.origin)
  }
  return origins
}

/**
 * CORS for an allow-list of origins (CORS_ORIGINS; empty by default: same-origin only). An allowed
 * origin may send credentials; a preflight from any other origin is refused with 403, and simple
 * requests from it get no CORS headers, so the browser keeps the answer from the page.
 */
export const corsPlugin = fp(
  async (app: FastifyInstance, opts: { origins: Set<string> }) => {
    const { origins } = opts
    app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
      const origin = req.headers.origin
      if (!origin || ownCors(req.url)) return
      const allowed = origins.has(origin)
      const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined
      if (origins.size > 0) reply.header('vary', 'Origin')
      if (!preflight) {
        if (allowed) {
          reply.header('access-control-allow-origin', origin)
          reply.header('access-control-allow-credentials', 'true')
          reply.header('access-control-expose-headers', exposeHeaders)
        }
        return
      }
      if (!allowed) throw new AppError('cors-origin-not-allowed', 403, 'problem.cors-origin-not-allowed')
      const asked = String(req.headers['access-control-request-headers'] ?? '')
        .split(',')
        .map((h) => h.trim().toLowerCase())
        .filter((h) => allowHeaders.includes(h))
      reply.header('vary', 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers')
      return reply
        .code(204)
        .header('access-control-allow-origin', origin)
        .header('access-control-allow-credentials', 'true')
        .header('access-control-allow-methods', allowMethods)
        .header('access-control-allow-headers', asked.join(', ') || allowHeaders.join(', '))
        .header('access-control-max-age', '600')
        .send()
    })
  },
  { name: 'yiwang-cors' },
)
