import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { principalOf, requireAuth, requireRole } from '../../platform/auth.js'
import type { Role } from '../../platform/roles.js'
import { lights } from '../cases/index.js'
import { MAX_PHOTO_BYTES, photoTypes } from './photos.js'
import {
  apiKeySchema, articleHitSchema, articleSchema, categoryCode, categorySchema, detailSchema, divisionCode, duplicateSchema, id, metricsSchema, newTicketFields, pageQuery, paginated, phone,
  photoSchema, reporterSchema, ruleSchema, settingsSchema, summarySchema, text, version,
} from './schemas.js'
import type { HotlineService } from './service.js'
import { rules as actionRules, satisfactions, ticketStatuses, ticketTypes, type TicketAction } from './state.js'
import type { RequestMeta } from './types.js'

const tags = ['hotline']
const security = [{ session: [] }]
const centre: Role[] = ['hotline_operator', 'hotline_admin']
const department: Role[] = ['window_clerk', 'department_head']
const centreOnly = requireRole(...centre)
const adminOnly = requireRole('hotline_admin')
const departmentOnly = requireRole(...department)
const ticketParams = z.object({ id })
const opinion = text(0, 1000).nullish()

const metaOf = (req: FastifyRequest): RequestMeta => ({ ip: req.ip, userAgent: req.headers['user-agent'] ?? null })

/** Each action's body and who may call it (the service checks department and place). */
const actionBodies: Record<TicketAction, z.ZodType> = {
  'direct-close': z.strictObject({ version, answer: text(2, 2000).describe('The answer given on the call'), articleId: id.nullish().describe('Knowledge-base article answered from') }),
  dispatch: z.strictObject({
    version,
    departmentId: id.nullish().describe('主办 department; omitted: by the dispatch rules'),
    assistDepartmentIds: z.array(id).max(5).optional().describe('协办 departments'),
    opinion,
  }),
  sign: z.strictObject({ version, opinion }),
  return: z.strictObject({ version, reason: text(2, 500).describe('Why the ticket is not ours (退单理由)') }),
  'request-extension': z.strictObject({ version, days: z.number().int().min(1).max(30), reason: text(2, 500) }),
  'decide-extension': z.strictObject({ version, approve: z.boolean(), opinion }),
  reply: z.strictObject({ version, content: text(2, 4000) }),
  'assist-opinion': z.strictObject({ version, content: text(2, 2000) }),
  'assist-sign': z.strictObject({ version }),
  review: z.strictObject({ version, approve: z.boolean(), opinion }),
  callback: z.strictObject({
    version,
    satisfaction: z.enum(satisfactions),
    resolved: z.boolean().optional().describe('Whether the problem was solved; default: not unsatisfied'),
    note: opinion,
    reopen: z.boolean().optional().describe('Unsatisfied: hand the ticket back to the department'),
  }),
  merge: z.strictObject({ version, intoId: id }),
}
const actionGuard = { centre: centreOnly, admin: adminOnly, department: departmentOnly, assist: departmentOnly } as const
const actionSummary: Record<TicketAction, string> = {
  'direct-close': '直接办结: the operator answers a consultation on the call and closes it',
  dispatch: '派单 to the main department (by rule unless named) and assisting departments; starts the deadline',
  sign: '签收 by the main department',
  return: '退单: the main department hands a misdispatched ticket back with a reason',
  'request-extension': '延期申请 by the main department',
  'decide-extension': '延期审批 by the hotline centre',
  reply: '答复 by the main department',
  'assist-opinion': '协办意见 by an assisting department (after it signed for its part); the 主办 sees it before replying',
  'assist-sign': '协办签收: an assisting department signs for its part',
  review: "The centre's review of the reply: approve (to callback) or send back",
  callback: '回访: satisfaction; unsatisfied with reopen hands it back to the department',
  merge: 'Merge into another ticket (duplicate)',
}

/**
 * The 12345 hotline under /api/hotline: intake (operator, citizen), the centre's and the
 * departments' queues and actions, photos, caller lookup, knowledge base, dispatch rules,
 * settings, metrics and Open311 API keys. Also runs the deadline job (not under NODE_ENV=test).
 */
export const hotlineRoutes: FastifyPluginAsyncZod<{ hotline: HotlineService; deadlineJob?: boolean }> = async (app, { hotline, deadlineJob }) => {
  if (deadlineJob ?? app.core?.config.NODE_ENV !== 'test') {
    let stop: (() => void) | undefined
    app.addHook('onReady', async () => {
      stop = hotline.startDeadlineJob()
    })
    app.addHook('onClose', async () => stop?.())
  }
  app.addContentTypeParser([...photoTypes], { parseAs: 'buffer', bodyLimit: MAX_PHOTO_BYTES + 1 }, (_req, body, done) => done(null, body))

  // ---- categories ---------------------------------------------------------------------------
  app.get('/categories', { schema: { tags, summary: 'Ticket categories (also the Open311 services)', response: { 200: z.array(categorySchema) } } }, async () => hotline.categories())
  app.post(
    '/categories',
    {
      preHandler: adminOnly,
      schema: {
        tags, security, summary: 'Add a category',
        body: z.strictObject({ code: categoryCode, name: text(2, 40), nameEn: text(2, 80), group: text(2, 40), defaultType: z.enum(ticketTypes), description: text(0, 500).default('') }),
        response: { 201: categorySchema },
      },
    },
    async (req, reply) => reply.code(201).send(await hotline.createCategory(principalOf(req), req.body, metaOf(req))),
  )

  app.get(
    '/districts',
    {
      schema: {
        tags,
        summary: "The city's county-level divisions for the citizen's place picker. `outline`/`center` are GeoJSON from the spatial registry when it holds surveyed (not approximate) outlines, else null; the ticket's division is always derived server-side from the address or point",
        response: {
          200: z.array(
            z.object({
              code: z.string(), name: z.string(), center: z.object({ lat: z.number(), lng: z.number() }).nullable(),
              outline: z.object({ type: z.enum(['Polygon', 'MultiPolygon']), coordinates: z.array(z.any()) }).nullable(),
            }),
          ),
        },
      },
    },
    async (_req, reply) => reply.header('cache-control', 'public, max-age=600').send(await hotline.districts()),
  )

  // ---- intake -------------------------------------------------------------------------------
  app.post(
    '/tickets',
    {
      preHandler: centreOnly,
      schema: {
        tags, security, summary: "Register a phone call's ticket (接线员); the answer lists suggested duplicates",
        body: z.strictObject({
          ...newTicketFields,
          reporter: z.strictObject({ name: text(1, 50).nullish(), phone, anonymous: z.boolean().optional() }),
        }),
        response: { 201: detailSchema },
      },
    },
    async (req, reply) => reply.code(201).send(await hotline.createByOperator(principalOf(req), req.body, metaOf(req))),
  )
  app.post(
    '/my/tickets',
    {
      preHandler: requireRole('citizen'),
      schema: {
        tags, security, summary: "A citizen's own ticket from the web or mobile face",
        body: z.strictObject({ ...newTicketFields, phone: phone.nullish().describe('Where the centre calls back'), channel: z.enum(['web', 'mobile']).default('mobile') }),
        response: { 201: detailSchema },
      },
    },
    async (req, reply) => {
      const { phone: ph, channel, ...rest } = req.body
      return reply.code(201).send(await hotline.createByCitizen(principalOf(req), { ...rest, reporter: { phone: ph ?? null } }, channel, metaOf(req)))
    },
  )
  app.get(
    '/my/tickets',
    { preHandler: requireRole('citizen'), schema: { tags, security, summary: "The citizen's own tickets, newest first", querystring: z.object(pageQuery), response: { 200: paginated(summarySchema) } } },
    async (req) => hotline.listMine(principalOf(req), req.query),
  )

  // ---- lists --------------------------------------------------------------------------------
  app.get(
    '/tickets',
    {
      preHandler: centreOnly,
      schema: {
        tags, security, summary: "The centre's tickets and queues",
        querystring: z.object({
          queue: z.enum(['to_dispatch', 'returned', 'to_review', 'to_callback', 'extensions', 'overdue', 'all']).default('all'),
          status: z.enum(ticketStatuses).optional(),
          type: z.enum(ticketTypes).optional(),
          departmentId: id.optional(),
          light: z.enum(lights).optional(),
          q: text(1, 50).optional().describe('Ticket number, or words of title or content'),
          ...pageQuery,
        }),
        response: { 200: paginated(summarySchema) },
      },
    },
    async (req) => hotline.listForCentre(principalOf(req), req.query),
  )
  app.get(
    '/queue',
    {
      preHandler: departmentOnly,
      schema: {
        tags, security, summary: "A department's work queue, earliest deadline first",
        querystring: z.object({ queue: z.enum(['to_sign', 'processing', 'assisting', 'overdue', 'all']).default('to_sign'), departmentId: id.optional(), ...pageQuery }),
        response: { 200: paginated(summarySchema) },
      },
    },
    async (req) => hotline.listForDepartment(principalOf(req), req.query),
  )
  app.get(
    '/callers/:phone',
    {
      preHandler: centreOnly,
      schema: {
        tags, security, summary: "Caller lookup by phone: the caller's earlier tickets (newest 20)",
        params: z.object({ phone }),
        response: { 200: z.object({ phone: z.string(), name: z.string().nullable(), accountId: z.string().nullable(), tickets: z.array(summarySchema), total: z.number().int() }) },
      },
    },
    async (req) => hotline.caller(principalOf(req), req.params.phone, metaOf(req)),
  )

  // ---- one ticket ---------------------------------------------------------------------------
  app.get(
    '/tickets/:id',
    { preHandler: requireAuth, schema: { tags, security, summary: 'A ticket with its timeline (centre, its departments, its reporter)', params: ticketParams, response: { 200: detailSchema } } },
    async (req) => hotline.get(principalOf(req), req.params.id),
  )
  app.get(
    '/tickets/:id/reporter',
    {
      preHandler: requireAuth,
      schema: { tags, security, summary: 'Who reported: never shown to the handling departments on a 举报 ticket (audited)', params: ticketParams, response: { 200: reporterSchema } },
    },
    async (req) => hotline.reporter(principalOf(req), req.params.id, metaOf(req)),
  )
  app.post(
    '/tickets/:id/reporter/reveal',
    {
      preHandler: centreOnly,
      schema: {
        tags, security, summary: "The reporter's full phone number for the centre's callback (回访); a reason is required; audited as a security event. Never for departments",
        params: ticketParams, body: z.strictObject({ reason: text(2, 200).describe('Why the full number is needed, e.g. 回访') }), response: { 200: reporterSchema },
      },
    },
    async (req) => hotline.revealReporter(principalOf(req), req.params.id, req.body.reason, metaOf(req)),
  )
  app.get(
    '/tickets/:id/duplicates',
    { preHandler: centreOnly, schema: { tags, security, summary: 'Suggested merges: same place, similar words, within the window', params: ticketParams, response: { 200: z.array(duplicateSchema) } } },
    async (req) => hotline.duplicates(principalOf(req), req.params.id),
  )
  for (const action of Object.keys(actionBodies) as TicketAction[]) {
    app.post(
      `/tickets/:id/${action}`,
      {
        preHandler: actionGuard[actionRules[action].by],
        schema: { tags, security, summary: actionSummary[action], params: ticketParams, body: actionBodies[action], response: { 200: detailSchema } },
      },
      async (req) => hotline.act(principalOf(req), req.params.id, action, req.body as never, metaOf(req)),
    )
  }

  // ---- photos -------------------------------------------------------------------------------
  app.put(
    '/tickets/:id/photos',
    {
      onRequest: requireAuth,
      bodyLimit: MAX_PHOTO_BYTES + 1,
      schema: {
        tags, security, summary: `Attach a photo: the body is the image (JPEG, PNG or WebP, at most ${MAX_PHOTO_BYTES / 1024 / 1024} MB), its Content-Type its type`,
        params: ticketParams,
        querystring: z.object({ fileName: text(1, 200).optional() }),
        consumes: [...photoTypes],
        body: z.custom<Buffer>((v) => Buffer.isBuffer(v), 'the image bytes'),
        response: { 201: photoSchema },
      },
    },
    async (req, reply) => reply.code(201).send(await hotline.addPhoto(principalOf(req), req.params.id, req.body, req.headers['content-type'] ?? '', req.query.fileName, metaOf(req))),
  )
  app.get(
    '/tickets/:id/photos/:photoId',
    {
      preHandler: requireAuth,
      schema: { tags, security, summary: "A ticket's photo", params: z.object({ id, photoId: id }), produces: [...photoTypes], response: { 200: z.any().describe('The image bytes') } },
    },
    async (req, reply) => {
      const { photo, bytes } = await hotline.readPhoto(principalOf(req), req.params.id, req.params.photoId)
      return reply.type(photo.contentType).header('x-content-type-options', 'nosniff').header('cache-control', 'private, no-store').send(bytes)
    },
  )

  // ---- knowledge base -----------------------------------------------------------------------
  const kbReaders = requireRole(...centre, ...department)
  app.get(
    '/kb',
    {
      preHandler: kbReaders,
      schema: { tags, security, summary: 'Search the knowledge base (Chinese words)', querystring: z.object({ q: text(1, 100).optional(), departmentId: id.optional(), ...pageQuery }), response: { 200: paginated(articleHitSchema) } },
    },
    async (req) => hotline.searchArticles(req.query),
  )
  app.get('/kb/:id', { preHandler: kbReaders, schema: { tags, security, summary: 'A knowledge-base article', params: z.object({ id }), response: { 200: articleSchema } } }, async (req) => hotline.article(req.params.id))
  app.post(
    '/kb',
    {
      preHandler: requireRole('department_head', 'hotline_admin'),
      schema: {
        tags, security, summary: "Publish an article (a department head for the department, or the centre's admin)",
        body: z.strictObject({ title: text(2, 100), body: text(2, 10_000), keywords: z.array(text(1, 30)).max(20).optional(), departmentId: id, categoryCode: categoryCode.nullish() }),
        response: { 201: articleSchema },
      },
    },
    async (req, reply) => reply.code(201).send(await hotline.createArticle(principalOf(req), req.body, metaOf(req))),
  )
  app.patch(
    '/kb/:id',
    {
      preHandler: requireRole('department_head', 'hotline_admin'),
      schema: {
        tags, security, summary: 'Edit or archive an article',
        params: z.object({ id }),
        body: z.strictObject({ version, title: text(2, 100).optional(), body: text(2, 10_000).optional(), keywords: z.array(text(1, 30)).max(20).optional(), categoryCode: categoryCode.nullish(), status: z.enum(['published', 'archived']).optional() }),
        response: { 200: articleSchema },
      },
    },
    async (req) => hotline.updateArticle(principalOf(req), req.params.id, req.body, metaOf(req)),
  )

  // ---- dispatch rules, settings -------------------------------------------------------------
  app.get('/dispatch-rules', { preHandler: centreOnly, schema: { tags, security, summary: 'Dispatch rules: category × division → department', response: { 200: z.array(ruleSchema) } } }, async (req) => hotline.rules(principalOf(req)))
  app.get(
    '/dispatch-rules/resolve',
    {
      preHandler: centreOnly,
      schema: { tags, security, summary: 'The rule a ticket of this category and place would follow', querystring: z.object({ categoryCode, divisionCode: divisionCode.optional() }), response: { 200: ruleSchema.nullable() } },
    },
    async (req) => hotline.resolveRule(req.query.categoryCode, req.query.divisionCode ?? null),
  )
  app.post(
    '/dispatch-rules',
    {
      preHandler: adminOnly,
      schema: {
        tags, security, summary: 'Add a rule (no category and no division: the default rule)',
        body: z.strictObject({ categoryCode: categoryCode.nullable(), divisionPrefix: divisionCode.nullable(), departmentId: id, assistDepartmentIds: z.array(id).max(5).optional() }),
        response: { 201: ruleSchema },
      },
    },
    async (req, reply) => reply.code(201).send(await hotline.createRule(principalOf(req), req.body, metaOf(req))),
  )
  app.patch(
    '/dispatch-rules/:id',
    {
      preHandler: adminOnly,
      schema: { tags, security, summary: "Change a rule's departments", params: z.object({ id }), body: z.strictObject({ version, departmentId: id.optional(), assistDepartmentIds: z.array(id).max(5).optional() }), response: { 200: ruleSchema } },
    },
    async (req) => hotline.updateRule(principalOf(req), req.params.id, req.body, metaOf(req)),
  )
  app.delete(
    '/dispatch-rules/:id',
    { preHandler: adminOnly, schema: { tags, security, summary: 'Remove a rule', params: z.object({ id }), response: { 204: z.null() } } },
    async (req, reply) => {
      await hotline.deleteRule(principalOf(req), req.params.id, metaOf(req))
      return reply.code(204).send(null)
    },
  )
  app.get('/settings', { preHandler: centreOnly, schema: { tags, security, summary: 'Deadlines per type, sign limit, duplicate window', response: { 200: settingsSchema } } }, async () => hotline.settings())
  app.put(
    '/settings',
    { preHandler: adminOnly, schema: { tags, security, summary: 'Change the settings', body: settingsSchema.omit({ cityCode: true }).strict(), response: { 200: settingsSchema } } },
    async (req) => hotline.updateSettings(principalOf(req), req.body, metaOf(req)),
  )

  // ---- metrics ------------------------------------------------------------------------------
  app.get(
    '/metrics',
    {
      preHandler: requireRole(...centre, 'leader', 'department_head'),
      schema: {
        tags, security, summary: '三率 per department (响应率, 解决率, 满意率) and the centre’s 直接办结率 for a period',
        querystring: z.object({ from: z.iso.date(), to: z.iso.date() }).refine((q) => q.from <= q.to, { message: 'from after to', path: ['from'] }),
        response: { 200: metricsSchema },
      },
    },
    async (req) => hotline.metrics(principalOf(req), req.query),
  )

  // ---- Open311 API keys ---------------------------------------------------------------------
  app.get('/api-keys', { preHandler: adminOnly, schema: { tags, security, summary: 'Open311 client keys', response: { 200: z.array(apiKeySchema) } } }, async (req) => hotline.apiKeys(principalOf(req)))
  app.post(
    '/api-keys',
    { preHandler: adminOnly, schema: { tags, security, summary: 'Issue a key for an Open311 client (shown once)', body: z.strictObject({ name: text(2, 100) }), response: { 201: apiKeySchema.extend({ key: z.string() }) } } },
    async (req, reply) => reply.code(201).send(await hotline.createApiKey(principalOf(req), req.body.name, metaOf(req))),
  )
  app.delete(
    '/api-keys/:id',
    { preHandler: adminOnly, schema: { tags, security, summary: 'Revoke a key', params: z.object({ id }), response: { 204: z.null() } } },
    async (req, reply) => {
      await hotline.revokeApiKey(principalOf(req), req.params.id, metaOf(req))
      return reply.code(204).send(null)
    },
  )
}
