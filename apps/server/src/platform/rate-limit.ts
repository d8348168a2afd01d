import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify'
import fp from 'fastify-plugin'
import { AppError } from './errors.js'

interface Window {
  /** Requests allowed per window (before RATE_LIMIT_SCALE). */
  max: number
  windowMs: number
}

interface Policy {
  perIp: Window
  /** Per account: the signed-in caller, or the account the body names (sign-in, SMS codes). */
  perAccount: Window
  /** Body fields naming the account when nobody is signed in yet. */
  accountFields?: readonly string[]
}

const minute = 60_000

/**
 * Every rate-limit number of the platform, in one place. A route opts in with
 * `config: { rateLimitPolicy: 'search' }`; requests beyond a window get 429 problem+json with
 * Retry-After. These sit on top of the identity module's own rules (account lockout after failed
 * passwords, one SMS per phone per minute, a daily SMS cap), which count only failures or sends.
 */
export const rateLimitPolicies = {
  /** Password and SMS sign-in: against password and code guessing, per source and per target account. */
  login: { perIp: { max: 60, windowMs: minute }, perAccount: { max: 10, windowMs: 10 * minute }, accountFields: ['username', 'phone'] },
  /** Sending SMS codes costs money and can harass a phone's owner. */
  smsCode: { perIp: { max: 20, windowMs: 10 * minute }, perAccount: { max: 5, windowMs: 60 * minute }, accountFields: ['phone'] },
  /** Public verification (ledger proofs and checkpoints, later license QR checks): cheap but unauthenticated. */
  publicVerify: { perIp: { max: 300, windowMs: minute }, perAccount: { max: 300, windowMs: minute } },
  /** Search (divisions, the service catalog): full-text queries are the costliest public reads. */
  search: { perIp: { max: 120, windowMs: minute }, perAccount: { max: 120, windowMs: minute } },
} as const satisfies Record<string, Policy>

export type RateLimitPolicyName = keyof typeof rateLimitPolicies

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Applies a platform rate-limit policy (platform/rate-limit.ts) to the route. */
    rateLimitPolicy?: RateLimitPolicyName
  }
}

export interface RateLimitOptions {
  /** Multiplies every `max` (RATE_LIMIT_SCALE); 0 switches rate limiting off. */
  scale: number
}

/** The account a request is about: its signed-in caller, else a sign-in name in the body. */
function accountKeyOf(req: FastifyRequest, policy: Policy): string | undefined {
  if (req.principal) return `account:${req.principal.accountId}`
  const body = req.body as Record<string, unknown> | null | undefined
  if (!policy.accountFields || !body || typeof body !== 'object') return undefined
  for (const field of policy.accountFields) {
    const v = body[field]
    if (typeof v === 'string' && v.trim()) {
      // One person, one counter, however the name is typed: case, spaces, dashes, +86.
      const name = v.trim().toLowerCase().replace(/[\s-]/g, '').replace(/^\+?86(?=1\d{10}$)/, '')
      return `name:${name.slice(0, 128)}`
    }
  }
  return undefined
}

type Limiter = ReturnType<FastifyInstance['createRateLimit']>

async function enforce(limiter: Limiter, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  const r = await limiter(req)
  if (r.isAllowed || !r.isExceeded) return
  reply.header('retry-after', String(r.ttlInSeconds))
  throw new AppError('rate-limited', 429, 'problem.rate-limited', {}, { retryAfter: r.ttlInSeconds })
}

const asList = <T>(v: T | T[] | undefined): T[] => (Array.isArray(v) ? v : v ? [v] : [])

/**
 * Rate limits on @fastify/rate-limit's counters (in-process LRU; one per policy and key kind, so
 * routes sharing a policy share its budget). The per-IP check runs on arrival, before the body is
 * read; the per-account one after parsing, when the body can name the account.
 */
export const rateLimitPlugin = fp(
  async (app: FastifyInstance, opts: RateLimitOptions) => {
    await app.register(rateLimit, {
      global: false,
      // Anyone using @fastify/rate-limit's own route config gets the same problem+json (problem.ts).
      errorResponseBuilder: (_req, ctx) => Object.assign(new Error('rate limited'), { statusCode: ctx.statusCode, code: 'FST_ERR_RATE_LIMITED' }),
    })
    const scaled = (w: Window) => ({ max: Math.max(1, Math.round(w.max * opts.scale)), timeWindow: w.windowMs, cache: 10_000 })
    const limiters = new Map<RateLimitPolicyName, { ip: Limiter; account: Limiter; policy: Policy }>()
    const limitersOf = (name: RateLimitPolicyName) => {
      let l = limiters.get(name)
      if (!l) {
        const policy: Policy = rateLimitPolicies[name]
        l = {
          policy,
          ip: app.createRateLimit(scaled(policy.perIp)),
          account: app.createRateLimit({ ...scaled(policy.perAccount), keyGenerator: (req) => accountKeyOf(req, policy) ?? '' }),
        }
        limiters.set(name, l)
      }
      return l
    }

    app.addHook('onRoute', (route: RouteOptions) => {
      const name = route.config?.rateLimitPolicy
      if (name === undefined) return
      if (!(name in rateLimitPolicies)) throw new Error(`Unknown rate-limit policy "${name}" on ${route.method} ${route.url}`)
      if (opts.scale <= 0) return
      const l = limitersOf(name)
      route.onRequest = [...asList(route.onRequest), async (req: FastifyRequest, reply: FastifyReply) => enforce(l.ip, req, reply)] as RouteOptions['onRequest']
      route.preValidation = [
        ...asList(route.preValidation),
        async (req: FastifyRequest, reply: FastifyReply) => {
          if (accountKeyOf(req, l.policy)) await enforce(l.account, req, reply)
        },
      ] as RouteOptions['preValidation']
    })
  },
  { name: 'yiwang-rate-limit', dependencies: ['yiwang-auth'] },
)
