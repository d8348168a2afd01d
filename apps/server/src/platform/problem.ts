import http from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod'
import { AppError, problemType } from './errors.js'
import { hasMessage, negotiateLocale, t, type Locale } from './i18n.js'

/** One field-level failure in a validation problem. */
export interface InvalidParam {
  /** Where: `body.name`, `querystring.page`, `params.code`. */
  name: string
  code: string
  reason: string
}

declare module 'fastify' {
  interface FastifyRequest {
    locale: Locale
  }
}

function sendProblem(reply: FastifyReply, status: number, slug: string, title: string, extra: Record<string, unknown> = {}) {
  return reply
    .code(status)
    .type('application/problem+json; charset=utf-8')
    // A problem is never what the route declares for that status (an Open311 route declares its own
    // error array): serialized as it is, so a mismatch cannot turn a 4xx into a 500.
    .serializer(JSON.stringify)
    // Extensions never replace the RFC 9457 members (a module's `status` extension once did).
    .send({ ...extra, type: problemType(slug), title, status, instance: reply.request.url.split('?')[0] })
}

/** Fastify's own error codes for malformed requests, mapped to our stable problem slugs. */
const fastifyCodes: Record<string, { status: number; slug: string; key: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, slug: 'bad-json', key: 'problem.bad-json' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, slug: 'bad-json', key: 'problem.bad-json' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, slug: 'unsupported-media-type', key: 'problem.unsupported-media-type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, slug: 'bad-request', key: 'problem.validation' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, slug: 'payload-too-large', key: 'problem.payload-too-large' },
  FST_ERR_CTP_INVALID_TYPE: { status: 400, slug: 'bad-request', key: 'problem.validation' },
  FST_ERR_VALIDATION: { status: 400, slug: 'validation', key: 'problem.validation' },
  FST_ERR_BAD_URL: { status: 400, slug: 'bad-request', key: 'problem.validation' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, slug: 'uri-too-long', key: 'problem.uri-too-long' },
  FST_ERR_ASYNC_CONSTRAINT: { status: 400, slug: 'bad-request', key: 'problem.validation' },
  FST_ERR_RATE_LIMITED: { status: 429, slug: 'rate-limited', key: 'problem.rate-limited' },
}

function invalidParams(err: { validation: { instancePath: string; keyword: string; message?: string; params: Record<string, unknown> }[]; validationContext?: string }, locale: Locale): InvalidParam[] {
  return err.validation.map((v) => {
    const path = v.instancePath.replace(/^\//, '').replace(/\//g, '.')
    const name = [err.validationContext ?? 'body', path].filter(Boolean).join('.')
    const issue = (v.params?.issue ?? v.params ?? {}) as Record<string, unknown>
    const missing = v.keyword === 'invalid_type' && /received undefined/.test(v.message ?? '')
    const key = missing ? 'validation.required' : `validation.${v.keyword}`
    const params = { ...issue, keys: Array.isArray(issue.keys) ? issue.keys.join(', ') : issue.keys }
    return { name, code: missing ? 'required' : v.keyword, reason: hasMessage(key) ? t(locale, key, params) : t(locale, 'validation.other') }
  })
}

/**
 * Fastify's `frameworkErrors`: errors the router raises before any hook runs (a malformed
 * percent-encoding, an over-long path parameter). Answered as problem+json too, with the headers
 * the hooks would have set (security headers).
 */
export function frameworkErrorHandler(headers: Record<string, string>) {
  return (error: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    const known = (error.code ? fastifyCodes[error.code] : undefined) ?? { status: 400, slug: 'bad-request', key: 'problem.validation' }
    const locale = negotiateLocale(req.headers['accept-language'])
    for (const [name, value] of Object.entries(headers)) reply.header(name, value)
    return sendProblem(reply, known.status, known.slug, t(locale, known.key))
  }
}

/**
 * Fastify's `clientErrorHandler`: requests Node's HTTP parser cannot read (broken framing, header
 * overflow, timeouts) get problem+json on the raw socket, in Chinese (no headers to negotiate
 * from), with the security headers; then the connection closes.
 */
export function clientErrorHandler(headers: Record<string, string>) {
  const statusOf = (code: string | undefined): [number, string, string] =>
    code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'request-timeout', 'problem.request-timeout']
      : code === 'HPE_HEADER_OVERFLOW' ? [431, 'headers-too-large', 'problem.headers-too-large']
        : [400, 'bad-request', 'problem.validation']
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')
  return (err: Error & { code?: string }, socket: Socket) => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return
    const [status, slug, key] = statusOf(err.code)
    const body = JSON.stringify({ type: problemType(slug), title: t('zh-CN', key), status })
    if (socket.writable) {
      socket.write(
        `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/problem+json; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\n${extra}Connection: close\r\n\r\n${body}`,
      )
    }
    socket.destroy()
  }
}

/** Finds the first string holding a NUL character, which PostgreSQL text cannot store. */
function findControlChar(value: unknown, where: string, depth = 0): string | null {
  if (typeof value === 'string') return /[\u0000]/.test(value) ? where : null
  if (depth > 8 || value === null || typeof value !== 'object') return null
  for (const [k, v] of Object.entries(value)) {
    const hit = findControlChar(v, `${where}.${k}`, depth + 1)
    if (hit) return hit
  }
  return null
}

/** SQLSTATE class 22 (data exception: out-of-range number, bad encoding…) caused by input, not by us. */
const isDataException = (err: unknown) => typeof (err as { code?: unknown }).code === 'string' && /^22[0-9A-Z]{3}$/.test((err as { code: string }).code)

/**
 * RFC 9457 problem+json for every error and 404. Titles are in the caller's language; a stack
 * trace never leaves the server; malformed input is always a 4xx.
 */
export const problemPlugin = fp(
  async (app: FastifyInstance) => {
    app.decorateRequest('locale', 'zh-CN')
    app.addHook('onRequest', async (req) => {
      req.locale = negotiateLocale(req.headers['accept-language'])
    })
    app.addHook('preValidation', async (req) => {
      const hit = findControlChar(req.params, 'params') ?? findControlChar(req.query, 'querystring') ?? findControlChar(req.body, 'body')
      if (hit) {
        const errors: InvalidParam[] = [{ name: hit, code: 'invalid_format', reason: t(req.locale, 'validation.invalid_format') }]
        // Thrown, not sent: a plugin with its own error format (Open311) answers it in that format.
        throw new AppError('validation', 400, 'problem.validation', {}, { detail: t(req.locale, 'problem.validation.detail', { count: 1 }), errors })
      }
    })

    app.setNotFoundHandler((req: FastifyRequest, reply: FastifyReply) =>
      sendProblem(reply, 404, 'route-not-found', t(req.locale, 'problem.route-not-found')),
    )

    app.setErrorHandler((error: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
      const locale = req.locale ?? 'zh-CN'
      if (error instanceof AppError) {
        if (error.status === 429 || error.status >= 500) req.log.warn({ type: error.type }, 'request refused')
        return sendProblem(reply, error.status, error.type, t(locale, error.titleKey, error.params), error.extensions)
      }
      if (hasZodFastifySchemaValidationErrors(error)) {
        const errors = invalidParams(error as never, locale)
        return sendProblem(reply, 400, 'validation', t(locale, 'problem.validation'), {
          detail: t(locale, 'problem.validation.detail', { count: errors.length }),
          errors,
        })
      }
      if (isResponseSerializationError(error)) {
        req.log.error({ err: error, issues: error.cause?.issues }, 'response failed its schema')
        return sendProblem(reply, 500, 'internal', t(locale, 'problem.internal'))
      }
      // A 429 from a plugin that sets no code (e.g. @fastify/rate-limit's default error) is still rate-limited.
      const known = (error.code ? fastifyCodes[error.code] : undefined) ?? (error.statusCode === 429 ? fastifyCodes.FST_ERR_RATE_LIMITED : undefined)
      if (known) {
        if (known.status === 429) {
          const retry = reply.getHeader('retry-after')
          return sendProblem(reply, 429, known.slug, t(locale, known.key), retry ? { retryAfter: Number(retry) } : {})
        }
        return sendProblem(reply, known.status, known.slug, t(locale, known.key))
      }
      if (isDataException(error)) {
        req.log.warn({ code: error.code }, 'input rejected by the database')
        return sendProblem(reply, 400, 'bad-request', t(locale, 'problem.validation'))
      }
      const status = error.statusCode ?? 500
      if (status >= 400 && status < 500) {
        return sendProblem(reply, status, status === 404 ? 'not-found' : 'bad-request', t(locale, status === 404 ? 'problem.not-found' : 'problem.validation'))
      }
      req.log.error({ err: error }, 'unhandled error')
      return sendProblem(reply, 500, 'internal', t(locale, 'problem.internal'))
    })
  },
  { name: 'yiwang-problem' },
)
