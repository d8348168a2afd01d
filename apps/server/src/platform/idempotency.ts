import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify'
import fp from 'fastify-plugin'
import { sql } from 'kysely'
import { z } from 'zod'
import type { Db } from '../db/database.js'
import type { Clock } from './clock.js'
import { AppError } from './errors.js'
import { sm3Hex } from './gm.js'

/**
 * `Idempotency-Key` on POST (draft-ietf-httpapi-idempotency-key-header): a client that retries a
 * request with the same key gets the first answer back instead of a second case, department or
 * account. Keys are scoped to the caller (its account, or its IP address when anonymous).
 */
export const IDEMPOTENCY_HEADER = 'idempotency-key'
export const REPLAYED_HEADER = 'idempotent-replayed'

export const idempotencyPolicy = {
  /** How long an answer is kept and replayed. */
  ttlMs: 24 * 60 * 60 * 1000,
  /**
   * A reservation whose request never answered (the process died, the handler hijacked the
   * socket) is given up after this long, so the key becomes usable again.
   */
  inFlightTimeoutMs: 5 * 60 * 1000,
  /** Expired rows are deleted at most this often. */
  purgeEveryMs: 10 * 60 * 1000,
  /** Response headers kept with the answer; never Set-Cookie (see onSend). */
  keptHeaders: ['content-type', 'content-language', 'content-disposition', 'location', 'etag', 'last-modified'],
}

/** Visible ASCII, as the draft's examples (UUIDs, ULIDs); a structured-field string's quotes are dropped. */
const KEY_SHAPE = /^[\x21-\x7e]{1,255}$/

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `false` switches Idempotency-Key handling off for a route. */
    idempotency?: false
  }
  interface FastifyRequest {
    idempotency: IdempotentCall | null
  }
}

interface IdempotentCall {
  scope: string
  key: string
  hash: string
  /** This request holds the reservation and must fill it in or release it. */
  owner: boolean
  /** The answer came from the store. */
  replayed: boolean
}

interface StoredRow {
  method: string
  path: string
  request_hash: string
  status: number | null
  response_body: string | null
  response_headers: Record<string, string> | null
}

function parseKey(raw: string | string[] | undefined): string | null | undefined {
  if (raw === undefined) return undefined
  if (Array.isArray(raw)) return null
  const v = raw.trim()
  const key = v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v
  return KEY_SHAPE.test(key) ? key : null
}

/**
 * Digest of the validated body: what the handler will act on, so requests that differ only in
 * what validation normalises (spacing, key order of the JSON text, trimmed strings) are the same.
 */
function bodyDigest(body: unknown): string {
  if (body === undefined || body === null) return sm3Hex('')
  if (Buffer.isBuffer(body)) return sm3Hex(body)
  if (typeof body === 'string') return sm3Hex(body)
  try {
    return sm3Hex(JSON.stringify(body) ?? '')
  } catch {
    // Nested beyond the stack (only a schema of unknown depth lets such a body through).
    throw new AppError('bad-request', 400, 'problem.validation')
  }
}

/** Whether an answer is worth replaying: successes and the client's own mistakes, not 429 or 5xx. */
const isStorable = (status: number) => (status >= 200 && status < 300) || (status >= 400 && status < 500 && status !== 429)

export interface IdempotencyOptions {
  db: Db
  clock: Clock
}

/**
 * The plugin. The key is checked before validation; the reservation is made after validation and
 * the guards, so a request refused for bad input or missing rights stores nothing. The reservation
 * is an insert on the (scope, key) primary key, which makes two concurrent requests with one key
 * race-safe on PGlite and PostgreSQL alike.
 */
export const idempotencyPlugin = fp(
  async (app: FastifyInstance, opts: IdempotencyOptions) => {
    const { db, clock } = opts
    let lastPurge = 0

    app.decorateRequest('idempotency', null)

    // The header is part of every documented POST operation in the OpenAPI document.
    const header = z.object({
      [IDEMPOTENCY_HEADER]: z
        .string()
        .max(257)
        .optional()
        .describe('Any unique value (a UUID) per intended operation: a retry with the same key and body gets the first answer back, marked `Idempotent-Replayed: true`; kept 24 h'),
    })
    app.addHook('onRoute', (route: RouteOptions) => {
      const methods = [route.method].flat()
      if (!methods.includes('POST') || !route.schema || route.schema.hide || route.schema.headers || route.config?.idempotency === false) return
      route.schema = { ...route.schema, headers: header }
    })

    app.addHook('preValidation', async (req) => {
      if (req.method !== 'POST' || req.routeOptions.config?.idempotency === false) return
      // Documented API operations only: hidden routes are web pages and the OIDC protocol.
      if (!req.routeOptions.url || req.routeOptions.schema?.hide) return
      const key = parseKey(req.headers[IDEMPOTENCY_HEADER])
      if (key === undefined) return
      if (key === null) throw new AppError('idempotency-key-invalid', 400, 'problem.idempotency-key-invalid')
      const scope = req.principal ? `account:${req.principal.accountId}` : `ip:${req.ip}`
      req.idempotency = { scope, key, hash: '', owner: false, replayed: false }
    })

    app.addHook('preHandler', async (req, reply) => {
      const call = req.idempotency
      if (!call) return
      call.hash = bodyDigest(req.body)
      const now = clock.now()
      if (now.getTime() - lastPurge > idempotencyPolicy.purgeEveryMs) {
        lastPurge = now.getTime()
        await sql`delete from platform.idempotency where expires_at <= ${now}`.execute(db)
      }
      for (let attempt = 0; attempt < 3; attempt++) {
        if (await reserve(req, call, now)) {
          call.owner = true
          return
        }
        const found = await sql<StoredRow>`
          select method, path, request_hash, status, response_body, response_headers
          from platform.idempotency where scope = ${call.scope} and key = ${call.key}`.execute(db)
        const row = found.rows[0]
        if (!row) continue // released between our insert and our read: try again
        if (row.method !== req.method || row.path !== req.url || row.request_hash !== call.hash) {
          throw new AppError('idempotency-key-reused', 422, 'problem.idempotency-key-reused')
        }
        if (row.status === null) {
          reply.header('retry-after', '1')
          throw new AppError('idempotency-in-flight', 409, 'problem.idempotency-in-flight')
        }
        call.replayed = true
        for (const [name, value] of Object.entries(row.response_headers ?? {})) reply.header(name, value)
        reply.header(REPLAYED_HEADER, 'true').code(row.status)
        return reply.send(row.response_body ?? undefined)
      }
      throw new AppError('idempotency-in-flight', 409, 'problem.idempotency-in-flight')
    })

    /** Inserts the reservation, or takes over an expired or abandoned one; true when this request owns the key. */
    async function reserve(req: FastifyRequest, call: IdempotentCall, now: Date): Promise<boolean> {
      const expires = new Date(now.getTime() + idempotencyPolicy.ttlMs)
      const abandoned = new Date(now.getTime() - idempotencyPolicy.inFlightTimeoutMs)
      const res = await sql<{ key: string }>`
        insert into platform.idempotency as i (scope, key, method, path, request_hash, created_at, expires_at)
        values (${call.scope}, ${call.key}, ${req.method}, ${req.url}, ${call.hash}, ${now}, ${expires})
        on conflict (scope, key) do update set
          method = excluded.method, path = excluded.path, request_hash = excluded.request_hash,
          status = null, response_body = null, response_headers = null,
          created_at = excluded.created_at, expires_at = excluded.expires_at
        where i.expires_at <= ${now} or (i.status is null and i.created_at <= ${abandoned})
        returning key`.execute(db)
      return res.rows.length > 0
    }

    async function release(call: IdempotentCall): Promise<void> {
      call.owner = false
      await sql`delete from platform.idempotency where scope = ${call.scope} and key = ${call.key} and status is null`.execute(db)
    }

    app.addHook('onSend', async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
      const call = req.idempotency
      if (!call) return payload
      if (call.replayed) return payload
      if (!call.owner) return payload
      const status = reply.statusCode
      const textual = /json|text/.test(String(reply.getHeader('content-type') ?? ''))
      const body =
        typeof payload === 'string' ? payload : Buffer.isBuffer(payload) && textual ? payload.toString('utf8') : payload == null ? null : undefined
      // A session cookie is never handed out twice; streams and binary answers are not kept.
      if (!isStorable(status) || body === undefined || reply.hasHeader('set-cookie')) {
        await release(call)
        return payload
      }
      const headers: Record<string, string> = {}
      for (const name of idempotencyPolicy.keptHeaders) {
        const v = reply.getHeader(name)
        if (v !== undefined) headers[name] = String(v)
      }
      try {
        await sql`
          update platform.idempotency set status = ${status}, response_body = ${body}, response_headers = ${JSON.stringify(headers)}::jsonb
          where scope = ${call.scope} and key = ${call.key}`.execute(db)
        call.owner = false
      } catch (err) {
        req.log.warn({ err }, 'idempotent answer not stored')
      }
      return payload
    })

    // A hijacked reply never reaches onSend: give its reservation back. (A client that hangs up
    // does not release it: the handler may still commit, and then its answer is stored.)
    app.addHook('onResponse', async (req) => {
      const call = req.idempotency
      if (call?.owner) await release(call).catch((err) => req.log.warn({ err }, 'idempotency reservation not released'))
    })
  },
  { name: 'yiwang-idempotency', dependencies: ['yiwang-auth'] },
)
