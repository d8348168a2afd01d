import crypto from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify'
import fp from 'fastify-plugin'
import { sql } from 'kysely'
import { z } from 'zod'
import { runWithCommitHook, type ChangeNote, type CommitHook } from '../db/commit-hooks.js'
import type { Db } from '../db/database.js'
import type { Clock } from './clock.js'
import { AppError } from './errors.js'
import { sm3Hex } from './gm.js'

/**
 * `Idempotency-Key` on POST (draft-ietf-httpapi-idempotency-key-header): a client that retries a
 * request with the same key gets the first answer back instead of a second case, department or
 * account. Keys are scoped to the caller (its account, or its IP address when anonymous).
 *
 * Crash safety: the request's business transaction also marks the key "committed" (with what the
 * audit log says it changed) before COMMIT, through db/commit-hooks.ts. If the answer is then
 * never stored (the client hung up and the process was killed, the store failed), a retry does
 * not run the request again: it is answered `303 See Other` to what the first request created or
 * changed, or `409 idempotency-completed` when there is no such resource to point at.
 */
export const IDEMPOTENCY_HEADER = 'idempotency-key'
export const REPLAYED_HEADER = 'idempotent-replayed'

export const idempotencyPolicy = {
  /** How long an answer is kept and replayed. */
  ttlMs: 24 * 60 * 60 * 1000,
  /**
   * A reservation whose request never answered and never committed (the process died before its
   * transaction did) is given up after this long, so the key becomes usable again. One that did
   * commit is never given up (see the file comment); a request that loses its reservation cannot
   * commit any more.
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
  /** Names this request's reservation: a retry that takes an abandoned one over writes another. */
  token: string
  /** This request holds the reservation and must fill it in or release it. */
  owner: boolean
  /** The answer came from the store. */
  replayed: boolean
  /** A transaction of this request committed, and with it the key's marker. */
  committed: boolean
  /** What the request changed (first audit entry), once the marker holds it. */
  changeRecorded: boolean
  /** The first change noted in a transaction not yet committed. */
  change: ChangeNote | null
}

interface StoredRow {
  method: string
  path: string
  request_hash: string
  status: number | null
  response_body: string | null
  response_headers: Record<string, string> | null
  committed_at: Date | null
  change: ChangeNote | null
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
  /** Overrides idempotencyPolicy.inFlightTimeoutMs (config IDEMPOTENCY_IN_FLIGHT_S). */
  inFlightTimeoutMs?: number
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
    const inFlightTimeoutMs = opts.inFlightTimeoutMs ?? idempotencyPolicy.inFlightTimeoutMs
    let lastPurge = 0
    /** Keys whose request runs in this process now: their answer will be stored in a moment. */
    const running = new Set<string>()
    const runningId = (call: IdempotentCall) => `${call.scope}\n${call.key}`

    app.decorateRequest('idempotency', null)

    // The header is part of every documented POST operation in the OpenAPI document.
    const header = z.object({
      [IDEMPOTENCY_HEADER]: z
        .string()
        .max(257)
        .optional()
        .describe(
          'Any unique value (a UUID) per intended operation: a retry with the same key and body gets the first answer back, marked `Idempotent-Replayed: true`; kept 24 h. ' +
            'If the first request committed but its answer was lost (cut off by a crash), the retry runs nothing and gets `303 See Other` with `Location` of what it created or changed, ' +
            'or `409` `idempotency-completed` with `target` and `completedAt` when there is no such resource',
        ),
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
      req.idempotency = { scope, key, hash: '', token: crypto.randomUUID(), owner: false, replayed: false, committed: false, changeRecorded: false, change: null }
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
          running.add(runningId(call))
          return
        }
        const found = await sql<StoredRow>`
          select method, path, request_hash, status, response_body, response_headers, committed_at, change
          from platform.idempotency where scope = ${call.scope} and key = ${call.key}`.execute(db)
        const row = found.rows[0]
        if (!row) continue // released between our insert and our read: try again
        if (row.method !== req.method || row.path !== req.url || row.request_hash !== call.hash) {
          throw new AppError('idempotency-key-reused', 422, 'problem.idempotency-key-reused')
        }
        if (row.status === null) {
          // Committed with its answer lost, unless the request still runs here and stores it now.
          if (row.committed_at && !running.has(runningId(call))) throw completed(req, reply, row.committed_at, row.change)
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

    // The owner's handler, and every transaction it opens, runs with the marker hook. Callback
    // style: what `done` starts (the route's own preHandlers, the handler) inherits the context.
    app.addHook('preHandler', (req, _reply, done) => {
      const call = req.idempotency
      if (!call?.owner) return done()
      runWithCommitHook(markerHook(call), () => done())
    })

    /** Writes the key's marker in each transaction until one with a noted change has committed. */
    function markerHook(call: IdempotentCall): CommitHook {
      return {
        note(change) {
          call.change ??= change
        },
        async beforeCommit(execute) {
          // Not after the answer was stored or given up: what runs later in this context (an event
          // delivery the handler nudged) is not the request's change.
          if (!call.owner || (call.committed && (call.changeRecorded || !call.change))) return
          const marked = await execute(
            sql`update platform.idempotency set committed_at = coalesce(committed_at, ${clock.now()}),
                change = coalesce(change, ${call.change ? JSON.stringify(call.change) : null}::jsonb)
              where scope = ${call.scope} and key = ${call.key} and token = ${call.token}
              returning key`.compile(db),
          )
          // A retry took the reservation over (this request ran past inFlightTimeoutMs): only one
          // of the two may commit, and the retry may already have.
          if (marked.rows.length === 0) throw new AppError('idempotency-in-flight', 409, 'problem.idempotency-in-flight')
        },
        afterCommit() {
          if (!call.owner) return
          call.committed = true
          if (call.change) call.changeRecorded = true
        },
        afterRollback() {
          if (!call.changeRecorded) call.change = null
        },
      }
    }

    /**
     * The answer to a retry whose first request committed but whose answer was never stored: 303
     * to the resource the change names when a GET route serves it (a create answers at
     * `<path>/<id>`, an action at `/…/<id>/verb` at `/…/<id>`), else 409; never run it again.
     */
    function completed(req: FastifyRequest, reply: FastifyReply, at: Date, change: ChangeNote | null): AppError {
      const href = change?.targetId ? resourceLink(req.url.split('?')[0]!, change.targetId) : null
      const extensions = {
        completedAt: new Date(at).toISOString(),
        ...(change && { action: change.action, target: { type: change.targetType, id: change.targetId, ...(href && { href }) } }),
      }
      if (!href) return new AppError('idempotency-completed', 409, 'problem.idempotency-completed', {}, extensions)
      reply.header('location', href)
      return new AppError('idempotency-completed', 303, 'problem.idempotency-completed', {}, extensions)
    }

    function resourceLink(path: string, id: string): string | null {
      const segment = encodeURIComponent(id)
      const parts = path.split('/')
      const candidates = [`${path}/${segment}`]
      for (let i = parts.length - 1; i > 0; i--) if (parts[i] === segment) candidates.push(parts.slice(0, i + 1).join('/'))
      for (const url of candidates) {
        const route = app.findRoute({ method: 'GET', url })
        // The id must be what the route reads from the path (not a wildcard swallowing anything).
        if (route && Object.values(route.params ?? {}).some((v) => v === id || v === segment)) return url
      }
      return null
    }

    /** Inserts the reservation, or takes over an expired or abandoned one; true when this request owns the key. */
    async function reserve(req: FastifyRequest, call: IdempotentCall, now: Date): Promise<boolean> {
      const expires = new Date(now.getTime() + idempotencyPolicy.ttlMs)
      const abandoned = new Date(now.getTime() - inFlightTimeoutMs)
      const res = await sql<{ key: string }>`
        insert into platform.idempotency as i (scope, key, method, path, request_hash, token, created_at, expires_at)
        values (${call.scope}, ${call.key}, ${req.method}, ${req.url}, ${call.hash}, ${call.token}, ${now}, ${expires})
        on conflict (scope, key) do update set
          method = excluded.method, path = excluded.path, request_hash = excluded.request_hash, token = excluded.token,
          status = null, response_body = null, response_headers = null, committed_at = null, change = null,
          created_at = excluded.created_at, expires_at = excluded.expires_at
        where i.expires_at <= ${now} or (i.status is null and i.committed_at is null and i.created_at <= ${abandoned})
        returning key`.execute(db)
      return res.rows.length > 0
    }

    /** Gives the key back: a retry runs the request anew. */
    async function release(call: IdempotentCall): Promise<void> {
      call.owner = false
      await sql`delete from platform.idempotency
        where scope = ${call.scope} and key = ${call.key} and token = ${call.token} and status is null`.execute(db)
    }

    /** Ends this request's hold on the key: released if nothing committed, else the marker stays. */
    async function letGo(call: IdempotentCall): Promise<void> {
      running.delete(runningId(call))
      if (call.committed) call.owner = false
      else await release(call)
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
      // A session cookie is never handed out twice: a retry signs in again, even after a commit.
      if (reply.hasHeader('set-cookie')) {
        running.delete(runningId(call))
        await release(call)
        return payload
      }
      // 5xx, 429, streams and binary answers are not kept; what committed keeps its marker.
      if (!isStorable(status) || body === undefined) {
        await letGo(call)
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
          where scope = ${call.scope} and key = ${call.key} and token = ${call.token}`.execute(db)
        call.owner = false
        running.delete(runningId(call))
      } catch (err) {
        // The marker (if the request committed) still keeps a retry from running it again.
        running.delete(runningId(call))
        req.log.warn({ err }, 'idempotent answer not stored')
      }
      return payload
    })

    // A hijacked reply never reaches onSend, and a failed store leaves the reservation: let go of
    // it here. (A client that hangs up does not end it: the handler may still commit and answer.)
    app.addHook('onResponse', async (req) => {
      const call = req.idempotency
      if (call?.owner) await letGo(call).catch((err) => req.log.warn({ err }, 'idempotency reservation not released'))
      if (call) running.delete(runningId(call))
    })
  },
  { name: 'yiwang-idempotency', dependencies: ['yiwang-auth'] },
)
