import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { principalOf, requireRole } from '../../platform/auth.js'
import { centreRoles, departmentRoles, statsRoles, type RatingService } from './service.js'
import { allTags, MAX_TAGS } from './tags.js'
import { callbackMethods, channels, levels, raterSatisfactions, rectificationStatuses, subjectKinds, type RequestMeta } from './types.js'

// ---- input ----------------------------------------------------------------------------------

/** Text without NUL and other control characters (line breaks and tabs allowed). */
const text = (min: number, max: number) =>
  z
    .string()
    .trim()
    .min(min)
    .max(max)
    .regex(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/, 'control characters are not allowed')
const id = z.string().min(1).max(64)
const level = z.union(levels.map((l) => z.literal(l)) as unknown as [z.ZodLiteral<5>, z.ZodLiteral<4>, z.ZodLiteral<3>, z.ZodLiteral<2>, z.ZodLiteral<1>]).describe('5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意')
const ratingBody = {
  level,
  tags: z.array(z.enum(allTags as [string, ...string[]])).max(MAX_TAGS).default([]).describe('Codes from GET /api/rating/tags for the chosen level'),
  comment: text(0, 500).nullish().describe('Optional; at most 500 characters'),
}
const day = z.iso.date()
const pageQuery = {
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
}
const subjectParams = z.object({ kind: z.enum(subjectKinds), refId: id })
const tokenParams = z.object({ token: z.string().min(10).max(120).regex(/^[A-Za-z0-9_.-]+$/) })
const version = z.number().int().min(1).describe('The version the caller read; a stale one answers 409')

// ---- output ---------------------------------------------------------------------------------

const ratingSchema = z.object({
  id: z.string(),
  level: z.number().int(),
  tags: z.array(z.string()),
  comment: z.string().nullable(),
  channel: z.enum(channels),
  createdAt: z.date(),
})
const outcomeSchema = z.object({
  id: z.string(),
  status: z.enum(rectificationStatuses),
  departmentName: z.string(),
  dueDate: z.string(),
  answer: z.string().nullable(),
  answeredAt: z.date().nullable(),
  contacted: z.boolean().describe('The centre reached the rater; the loop closes only then'),
  outcome: z.string().nullable(),
  closedAt: z.date().nullable(),
})
const subjectSchema = z.object({
  kind: z.enum(subjectKinds),
  refId: z.string(),
  label: z.string().describe('Case or ticket number'),
  departmentName: z.string(),
  itemName: z.string().nullable(),
  rateableUntil: z.date(),
  canRate: z.boolean(),
  rating: ratingSchema.nullable(),
  rectification: outcomeSchema.nullable(),
})
const rectificationSchema = outcomeSchema.extend({
  version: z.number().int(),
  subjectKind: z.enum(subjectKinds),
  subjectRefId: z.string(),
  subjectLabel: z.string(),
  itemName: z.string().nullable(),
  departmentId: z.string(),
  divisionCode: z.string(),
  level: z.number().int(),
  tags: z.array(z.string()),
  comment: z.string().nullable(),
  ratedAt: z.date(),
  answeredByName: z.string().nullable(),
  answeredOnTime: z.boolean().nullable(),
  callbacks: z.array(z.object({ at: z.string(), byName: z.string(), method: z.enum(callbackMethods), reached: z.boolean(), note: z.string().nullable() })),
  raterSatisfaction: z.enum(raterSatisfactions).nullable(),
  rater: z.object({ name: z.string(), maskedPhone: z.string().nullable() }).nullable().describe('The centre only (it calls back); null for departments'),
  createdAt: z.date(),
  updatedAt: z.date(),
})
const figuresSchema = z.object({
  total: z.number().int(),
  byLevel: z.object({ '5': z.number().int(), '4': z.number().int(), '3': z.number().int(), '2': z.number().int(), '1': z.number().int() }),
  satisfactionRate: z.number().nullable().describe('(非常满意 + 满意 + 基本满意) / total'),
  bad: z.number().int().describe('差评: 不满意 + 非常不满意'),
  rectifiedRate: z.number().nullable().describe('Closed rectifications / 差评'),
  onTimeRate: z.number().nullable().describe('Rectifications answered by the due date / answered'),
})
const statsSchema = z.object({
  from: z.string(),
  to: z.string(),
  overall: figuresSchema,
  groups: z.array(figuresSchema.extend({ key: z.string(), name: z.string() })),
})
const paginated = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() })

const tags = ['rating']
const applicantOnly = requireRole('citizen', 'enterprise_agent')
const rectificationReaders = requireRole(...departmentRoles, ...centreRoles)

function metaOf(req: FastifyRequest): RequestMeta {
  return { ip: req.ip, userAgent: req.headers['user-agent'] ?? null }
}

/** 好差评 under /api/rating: rating, SMS-link rating, rectification queues, statistics (staff and public). */
export const ratingRoutes: FastifyPluginAsyncZod<{ rating: RatingService }> = async (app, { rating }) => {
  // ---- public -------------------------------------------------------------------------------

  app.get(
    '/tags',
    { schema: { tags, summary: 'The tag vocabulary per level, labelled in the request language', response: { 200: z.array(z.object({ level: z.number().int(), code: z.string(), label: z.string() })) } } },
    async (req) => rating.tags(req.locale),
  )

  app.get(
    '/public/stats',
    {
      config: { rateLimitPolicy: 'search' },
      schema: {
        tags,
        summary: 'Aggregated figures per department for a period (counts and rates only; no comments, no personal data)',
        querystring: z.object({ from: day.optional(), to: day.optional(), divisionCode: z.string().regex(/^\d{6}$/).optional() }),
        response: { 200: statsSchema },
      },
    },
    async (req) => rating.publicStatistics(req.query),
  )

  app.get(
    '/sms/:token',
    {
      config: { rateLimitPolicy: 'publicVerify' },
      schema: { tags, summary: 'What an SMS rating link names (no sign-in; no personal data)', params: tokenParams, response: { 200: subjectSchema } },
    },
    async (req) => rating.subjectByToken(req.params.token),
  )

  app.post(
    '/sms/:token',
    {
      config: { rateLimitPolicy: 'publicVerify' },
      schema: { tags, summary: 'Rates through an SMS link, without signing in', params: tokenParams, body: z.strictObject(ratingBody), response: { 201: subjectSchema } },
    },
    async (req, reply) => reply.code(201).send(await rating.rateByToken(req.params.token, req.body, metaOf(req))),
  )

  const linkParams = z.object({ token: z.string().min(10).max(64).regex(/^[A-Za-z0-9_-]+$/) })
  app.get(
    '/links/:token',
    {
      config: { rateLimitPolicy: 'publicVerify' },
      schema: { tags, summary: "What a phone caller's one-time rating link names (no sign-in; no personal data)", params: linkParams, response: { 200: subjectSchema } },
    },
    async (req) => rating.subjectByLink(req.params.token),
  )

  app.post(
    '/links/:token',
    {
      config: { rateLimitPolicy: 'publicVerify' },
      schema: { tags, summary: 'Rates once through a one-time link (12345 reporters without an account); the link is spent', params: linkParams, body: z.strictObject(ratingBody), response: { 201: subjectSchema } },
    },
    async (req, reply) => reply.code(201).send(await rating.rateByLink(req.params.token, req.body, metaOf(req))),
  )

  // ---- raters -------------------------------------------------------------------------------

  app.get(
    '/mine',
    {
      preHandler: applicantOnly,
      schema: { tags, summary: "The caller's rateable and rated cases and tickets, with rectification outcomes", querystring: z.object(pageQuery), response: { 200: paginated(subjectSchema) } },
    },
    async (req) => rating.listMine(principalOf(req), req.query),
  )

  app.get(
    '/subjects/:kind/:refId',
    { preHandler: applicantOnly, schema: { tags, summary: 'A case or ticket of the caller: may it be rated, its rating and outcome', params: subjectParams, response: { 200: subjectSchema } } },
    async (req) => rating.getSubject(principalOf(req), req.params.kind, req.params.refId),
  )

  app.post(
    '/subjects/:kind/:refId/rating',
    {
      preHandler: applicantOnly,
      schema: {
        tags,
        summary: 'Rates a closed case or a called-back ticket once, within the window; 差评 opens a rectification',
        params: subjectParams,
        body: z.strictObject({ ...ratingBody, channel: z.enum(['web', 'mobile']).default('web') }),
        response: { 201: subjectSchema },
      },
    },
    async (req, reply) => reply.code(201).send(await rating.rate(principalOf(req), req.params.kind, req.params.refId, req.body, metaOf(req))),
  )

  // ---- rectifications -----------------------------------------------------------------------

  app.get(
    '/rectifications',
    {
      preHandler: rectificationReaders,
      schema: {
        tags,
        summary: "Rectifications of the caller's departments (department heads) or divisions (the centre), earliest due first",
        querystring: z.object({ status: z.enum(rectificationStatuses).optional(), departmentId: id.optional(), ...pageQuery }),
        response: { 200: paginated(rectificationSchema) },
      },
    },
    async (req) => rating.listRectifications(principalOf(req), req.query),
  )

  app.get(
    '/rectifications/:id',
    { preHandler: rectificationReaders, schema: { tags, summary: 'One rectification', params: z.object({ id }), response: { 200: rectificationSchema } } },
    async (req) => rating.getRectification(principalOf(req), req.params.id),
  )

  app.post(
    '/rectifications/:id/answer',
    {
      preHandler: requireRole(...departmentRoles),
      schema: {
        tags,
        summary: "The department's answer (整改情况)",
        params: z.object({ id }),
        body: z.strictObject({ version, answer: text(2, 2000) }),
        response: { 200: rectificationSchema },
      },
    },
    async (req) => rating.answer(principalOf(req), req.params.id, req.body, metaOf(req)),
  )

  app.post(
    '/rectifications/:id/callback',
    {
      preHandler: requireRole(...centreRoles),
      schema: {
        tags,
        summary: "The centre's call back to the rater; a call that reaches them closes the loop",
        params: z.object({ id }),
        body: z
          .strictObject({
            version,
            method: z.enum(callbackMethods),
            reached: z.boolean(),
            note: text(0, 1000).nullish(),
            outcome: text(2, 1000).nullish().describe('Required when reached: what the rater was told and said'),
            raterSatisfaction: z.enum(raterSatisfactions).nullish(),
          })
          .refine((b) => !b.reached || !!b.outcome, { message: 'an outcome is required when the rater was reached', path: ['outcome'] }),
        response: { 200: rectificationSchema },
      },
    },
    async (req) => rating.callback(principalOf(req), req.params.id, req.body, metaOf(req)),
  )

  // ---- statistics ---------------------------------------------------------------------------

  app.get(
    '/stats',
    {
      preHandler: requireRole(...statsRoles),
      schema: {
        tags,
        summary: 'Figures per department or item for a period (Beijing dates, inclusive), within the caller’s scope',
        querystring: z.object({
          from: day.optional(),
          to: day.optional(),
          divisionCode: z.string().regex(/^\d{6}(\d{3}(\d{3})?)?$/).optional(),
          departmentId: id.optional(),
          groupBy: z.enum(['department', 'item']).default('department'),
        }),
        response: { 200: statsSchema },
      },
    },
    async (req) => rating.statistics(principalOf(req), req.query),
  )
}
