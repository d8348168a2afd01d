import formbody from '@fastify/formbody'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { XMLBuilder } from 'fast-xml-parser'
import { z } from 'zod'
import { AppError } from '../../platform/errors.js'
import { t } from '../../platform/i18n.js'
import type { HotlineService } from './service.js'
import { finishedStatuses, ticketTypes, type TicketType } from './state.js'
import type { TicketRow } from './store.js'

/**
 * Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) under /open311/v2: the service
 * list and definitions, posting and reading service requests, and tokens. Each resource answers
 * as `.json` or `.xml`. Posting needs an API key issued by the hotline admins; reading is public
 * and carries no personal data (no reporter; a 举报's description is withheld). Errors are the
 * GeoReport error list, `[{"code":400,"description":"…"}]` or `<errors><error>…</error></errors>`.
 */

const format = z.enum(['json', 'xml'])
const W3C = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/
const DAY = 86_400_000

/** An Open311 error: its HTTP status is also the `code` in the body. */
class Open311Error extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
  ) {
    super(description)
  }
}

const typeNames: Record<TicketType, string> = { consult: '咨询', help: '求助', complaint: '投诉', report: '举报', suggestion: '建议', praise: '表扬' }
const statusNotes: Record<string, string> = {
  registered: '已受理，待派单', dispatched: '已派单，待签收', returned: '已退单，待重新派单', processing: '办理中', replied: '已答复，待审核', callback: '已答复，待回访', closed: '已办结', merged: '已合并至其他工单',
}

const xml = new XMLBuilder({ format: true, suppressEmptyNode: false, ignoreAttributes: true, processEntities: true })

/** A W3C datetime in Beijing time (+08:00), as GeoReport wants it. */
function w3c(d: Date | string | null): string | null {
  if (!d) return null
  const at = new Date(new Date(d).getTime() + 8 * 3600_000)
  return `${at.toISOString().slice(0, 19)}+08:00`
}

function send(reply: FastifyReply, fmt: 'json' | 'xml', status: number, json: unknown, root: string, item: string) {
  if (fmt === 'json') return reply.code(status).type('application/json; charset=utf-8').send(json)
  const list = Array.isArray(json) ? json : [json]
  const body = `<?xml version="1.0" encoding="utf-8"?>\n${xml.build({ [root]: { [item]: list.map(nullsToEmpty) } })}`
  return reply.code(status).type('text/xml; charset=utf-8').send(body)
}

function nullsToEmpty(v: unknown): unknown {
  if (v === null || v === undefined) return ''
  if (Array.isArray(v)) return v.map(nullsToEmpty)
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, nullsToEmpty(x)]))
  return v
}

// ---- response shapes (the JSON; the XML carries the same fields) -----------------------------

const errorList = z.array(z.object({ code: z.number().int(), description: z.string() }))
const serviceSchema = z.object({
  service_code: z.string(), service_name: z.string(), description: z.string(), metadata: z.boolean(), type: z.enum(['realtime', 'batch', 'blackbox']), keywords: z.string(), group: z.string(),
})
const attributeSchema = z.object({
  variable: z.boolean(), code: z.string(), datatype: z.enum(['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist']), required: z.boolean(),
  datatype_description: z.string(), order: z.number().int(), description: z.string(), values: z.array(z.object({ key: z.string(), name: z.string() })).optional(),
})
const definitionSchema = z.object({ service_code: z.string(), attributes: z.array(attributeSchema) })
const requestSchema = z.object({
  service_request_id: z.string(), status: z.enum(['open', 'closed']), status_notes: z.string().nullable(), service_name: z.string(), service_code: z.string(),
  description: z.string().nullable(), agency_responsible: z.string().nullable(), service_notice: z.string().nullable(), requested_datetime: z.string(),
  updated_datetime: z.string().nullable(), expected_datetime: z.string().nullable(), address: z.string().nullable(), address_id: z.string().nullable(),
  zipcode: z.string().nullable(), lat: z.number().nullable(), long: z.number().nullable(), media_url: z.string().nullable(),
})
const postedSchema = z.object({ service_request_id: z.string(), service_notice: z.string().nullable(), account_id: z.string().nullable(), token: z.string().optional() })
const tokenSchema = z.object({ service_request_id: z.string().nullable(), token: z.string() })

/** The attributes every service asks for (the hotline's ticket type). */
const attributes = (defaultType: TicketType) => [
  {
    variable: true, code: 'ticket_type', datatype: 'singlevaluelist' as const, required: false, datatype_description: `诉求类型；默认：${typeNames[defaultType]}`, order: 1,
    description: '诉求类型 (type of the request)', values: ticketTypes.map((k) => ({ key: k, name: typeNames[k] })),
  },
]

export const open311Routes: FastifyPluginAsyncZod<{ hotline: HotlineService }> = async (app, { hotline }) => {
  await app.register(formbody, { bodyLimit: 64 * 1024 })
  const tags = ['open311']
  const formatOf = (req: FastifyRequest) => ((req.params as { format?: string }).format === 'xml' ? 'xml' : 'json')

  // Every failure, including schema validation, in the GeoReport error format.
  app.setErrorHandler((err: FastifyError | AppError | Open311Error, req, reply) => {
    let code = 500
    let description = 'internal error'
    if (err instanceof Open311Error) ({ code, description } = err)
    else if (err instanceof AppError) {
      code = err.status === 422 ? 400 : err.status
      description = t('en', err.titleKey, err.params)
    } else if ((err as FastifyError).validation) {
      code = 400
      description = (err as FastifyError).validation!.map((v) => `${v.instancePath.replace(/^\//, '') || (v.params as { missingProperty?: string })?.missingProperty || 'request'}: ${v.message}`).join('; ')
    } else if (typeof (err as FastifyError).statusCode === 'number' && (err as FastifyError).statusCode! < 500) {
      code = (err as FastifyError).statusCode!
      description = err.message
    } else req.log.error({ err }, 'open311 request failed')
    return send(reply, formatOf(req), code, [{ code, description }], 'errors', 'error')
  })

  const serviceCode = z.string().min(1).max(40)

  app.get(
    '/services.:format',
    { schema: { tags, summary: 'GeoReport v2: the list of services (request types)', params: z.object({ format }), response: { 200: z.array(serviceSchema), 400: errorList } } },
    async (req, reply) => {
      const list = (await hotline.categories()).map((c) => ({
        service_code: c.code, service_name: c.name, description: c.description, metadata: true, type: 'realtime' as const, keywords: [c.nameEn, ...c.description.split(/[、，,]/)].filter(Boolean).join(','), group: c.group,
      }))
      return send(reply, req.params.format, 200, list, 'services', 'service')
    },
  )

  app.get(
    '/services/:service_code.:format',
    { schema: { tags, summary: "GeoReport v2: a service's definition (its attributes)", params: z.object({ service_code: serviceCode, format }), response: { 200: definitionSchema, 404: errorList } } },
    async (req, reply) => {
      const c = (await hotline.categories()).find((x) => x.code === req.params.service_code)
      if (!c) throw new Open311Error(404, `service_code ${req.params.service_code} not found`)
      const def = { service_code: c.code, attributes: attributes(c.defaultType) }
      if (req.params.format === 'json') return send(reply, 'json', 200, def, '', '')
      const body = `<?xml version="1.0" encoding="utf-8"?>\n${xml.build({ service_definition: { service_code: def.service_code, attributes: { attribute: def.attributes.map((a) => ({ ...a, values: { value: a.values } })) } } })}`
      return reply.type('text/xml; charset=utf-8').send(body as never)
    },
  )

  const optional = (max: number) => z.string().max(max).optional()
  app.post(
    '/requests.:format',
    {
      schema: {
        tags,
        summary: 'GeoReport v2: create a service request (form-encoded; api_key required; lat+long, address_string or address_id required)',
        params: z.object({ format }),
        consumes: ['application/x-www-form-urlencoded', 'application/json'],
        body: z.looseObject({
          api_key: optional(200),
          jurisdiction_id: optional(100),
          service_code: optional(40),
          lat: optional(30),
          long: optional(30),
          address_string: optional(200),
          address_id: optional(20).describe('A GB/T 2260 division or community code'),
          email: optional(200),
          device_id: optional(200),
          account_id: optional(200),
          first_name: optional(50),
          last_name: optional(50),
          phone: optional(30),
          description: optional(4000),
          media_url: optional(500).describe('An http(s) link to a photo of the problem; stored and shown to staff as a link, never fetched'),
        }),
        response: { 201: z.array(postedSchema), 400: errorList, 403: errorList, 404: errorList },
      },
    },
    async (req, reply) => {
      const b = req.body as Record<string, string | undefined>
      const keyId = await hotline.checkApiKey(b.api_key ?? '')
      if (!keyId) throw new Open311Error(403, 'api_key missing or invalid')
      if (!b.service_code) throw new Open311Error(400, 'service_code is required')
      const category = (await hotline.categories()).find((c) => c.code === b.service_code)
      if (!category) throw new Open311Error(404, `service_code ${b.service_code} not found`)
      const hasPoint = b.lat !== undefined || b.long !== undefined
      const lat = hasPoint ? Number(b.lat) : NaN
      const lng = hasPoint ? Number(b.long) : NaN
      if (hasPoint && (!Number.isFinite(lat) || !Number.isFinite(lng) || Math.abs(lat) > 90 || Math.abs(lng) > 180)) throw new Open311Error(400, 'lat and long must both be WGS-84 decimal degrees')
      if (!hasPoint && !b.address_string?.trim() && !b.address_id) throw new Open311Error(400, 'lat & long, address_string or address_id is required')
      if (b.address_id && !/^\d{6,15}$/.test(b.address_id)) throw new Open311Error(400, 'address_id must be a GB/T 2260 division or community code')
      const description = b.description?.trim() ?? ''
      if (description.length < 2) throw new Open311Error(400, 'description is required')
      const rawType = b['attribute[ticket_type]']
      if (rawType !== undefined && !(ticketTypes as readonly string[]).includes(rawType)) throw new Open311Error(400, `attribute[ticket_type] must be one of ${ticketTypes.join(', ')}`)
      if (b.phone && !/^[\d+\- ]{5,30}$/.test(b.phone)) throw new Open311Error(400, 'phone is not a phone number')
      const name = [b.last_name, b.first_name].filter((x) => x?.trim()).join('') || null
      const row = await hotline.createByOpen311(
        keyId,
        {
          type: (rawType as TicketType | undefined) ?? category.defaultType,
          categoryCode: category.code,
          content: description,
          address: b.address_string ?? null,
          location: hasPoint ? { lat, lng } : null,
          divisionCode: b.address_id ?? null,
          mediaUrl: b.media_url?.trim() || null,
          reporter: { name, phone: b.phone?.replace(/[ ]/g, '') || null, email: b.email ?? null },
        },
        { ip: req.ip, userAgent: req.headers['user-agent'] ?? null },
      )
      return send(reply, req.params.format, 201, [{ service_request_id: row.number, service_notice: `已受理，工单号 ${row.number}`, account_id: b.account_id ?? null }], 'service_requests', 'request')
    },
  )

  const names = async () => new Map((await hotline.categories()).map((c) => [c.code, c.name]))
  const toRequest = (r: TicketRow, n: Map<string, string>) => ({
    service_request_id: r.number,
    status: (finishedStatuses.includes(r.status) ? 'closed' : 'open') as 'open' | 'closed',
    status_notes: statusNotes[r.status] ?? null,
    service_name: n.get(r.category_code) ?? r.category_code,
    service_code: r.category_code,
    // A 举报's text may name the reporter or the reported: it stays off the public API.
    description: r.type === 'report' ? null : r.content,
    agency_responsible: r.department_name,
    service_notice: null,
    requested_datetime: w3c(r.created_at)!,
    updated_datetime: w3c(r.updated_at),
    expected_datetime: w3c(r.due_at),
    address: r.address,
    address_id: r.division_code,
    zipcode: null,
    lat: r.lat,
    long: r.lng,
    // Like the description, a 举报's media stays off the public API.
    media_url: r.type === 'report' ? null : (r.media_url ?? null),
  })

  const dateParam = z.string().regex(W3C, 'a W3C datetime').optional()
  app.get(
    '/requests.:format',
    {
      schema: {
        tags,
        summary: 'GeoReport v2: service requests (by id list, or by service, dates and status; default the last 90 days, at most 1000)',
        params: z.object({ format }),
        querystring: z.object({
          service_request_id: z.string().max(2000).optional(),
          service_code: z.string().max(40).optional(),
          start_date: dateParam,
          end_date: dateParam,
          status: z.string().regex(/^(open|closed)(,(open|closed))*$/, 'open or closed').optional(),
          jurisdiction_id: z.string().max(100).optional(),
        }),
        response: { 200: z.array(requestSchema), 400: errorList },
      },
    },
    async (req, reply) => {
      const q = req.query
      const n = await names()
      let rows: TicketRow[]
      if (q.service_request_id) {
        const ids = q.service_request_id.split(',').map((s) => s.trim()).filter(Boolean).slice(0, 1000)
        rows = await hotline.open311List({ numbers: ids, from: new Date(0), to: new Date(), limit: 1000 })
      } else {
        const to = q.end_date ? new Date(q.end_date) : new Date(app.core?.clock.now() ?? Date.now())
        const from = q.start_date ? new Date(q.start_date) : new Date(to.getTime() - 90 * DAY)
        if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) throw new Open311Error(400, 'start_date and end_date must be W3C datetimes')
        if (from > to) throw new Open311Error(400, 'start_date is after end_date')
        if (to.getTime() - from.getTime() > 90 * DAY) throw new Open311Error(400, 'start_date and end_date may span at most 90 days')
        if (q.service_code && !n.has(q.service_code)) throw new Open311Error(404, `service_code ${q.service_code} not found`)
        const wanted = new Set(q.status?.split(','))
        const closed = wanted.size === 1 ? wanted.has('closed') : undefined
        rows = await hotline.open311List({ categoryCode: q.service_code, from, to, closed, limit: 1000 })
      }
      return send(reply, req.params.format, 200, rows.map((r) => toRequest(r, n)), 'service_requests', 'request')
    },
  )

  app.get(
    '/requests/:service_request_id.:format',
    {
      schema: { tags, summary: 'GeoReport v2: one service request', params: z.object({ service_request_id: z.string().min(1).max(64), format }), response: { 200: z.array(requestSchema), 404: errorList } },
    },
    async (req, reply) => {
      const r = await hotline.open311Get(req.params.service_request_id)
      if (!r || r.number !== req.params.service_request_id) throw new Open311Error(404, `service_request_id ${req.params.service_request_id} not found`)
      return send(reply, req.params.format, 200, [toRequest(r, await names())], 'service_requests', 'request')
    },
  )

  app.get(
    '/tokens/:token.:format',
    { schema: { tags, summary: 'GeoReport v2: the service request id of a token', params: z.object({ token: z.string().min(1).max(64), format }), response: { 200: z.array(tokenSchema), 404: errorList } } },
    async (req, reply) => {
      const r = await hotline.open311Get(req.params.token)
      if (!r || r.id !== req.params.token) throw new Open311Error(404, `token ${req.params.token} not found`)
      return send(reply, req.params.format, 200, [{ service_request_id: r.number, token: r.id }], 'service_requests', 'request')
    },
  )
}
