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
    .send({ type: problemType(slug), title, status, ...extra, instance: reply.request.url.split('?')[0] })
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
    app.addHook('preValidation', async (req, reply) => {
      const hit = findControlChar(req.params, 'params') ?? findControlChar(req.query, 'querystring') ?? findControlChar(req.body, 'body')
      if (hit) {
        const errors: InvalidParam[] = [{ name: hit, code: 'invalid_format', reason: t(req.locale, 'validation.invalid_format') }]
        return sendProblem(reply, 400, 'validation', t(req.locale, 'problem.validation'), { detail: t(req.locale, 'problem.validation.detail', { count: 1 }), errors })
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
      const known = error.code ? fastifyCodes[error.code] : undefined
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
