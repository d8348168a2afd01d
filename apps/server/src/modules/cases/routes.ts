import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { principalOf, requireAuth, requireRole } from '../../platform/auth.js'
import { roles, type Role } from '../../platform/roles.js'
import { handlingClasses, lights } from './deadline.js'
import { allowedFileTypes, MAX_FILE_BYTES } from './files.js'
import { caseLicenseRoutes, licenseMaterialSchema } from './license-routes.js'
import type { CasesService } from './service.js'
import { actions, statuses } from './state.js'
import { deliveryMethods, queues, type ApplicationDetail, type RequestMeta } from './types.js'

// ---- input ----------------------------------------------------------------------------------

/** Text without control characters (line breaks and tabs allowed in opinions). */
const text = (min: number, max: number) =>
  z
    .string()
    .trim()
    .min(min)
    .max(max)
    .regex(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/)
const optionalText = (max: number) => text(0, max).nullish()
const id = z.string().min(1).max(64)
const caseParams = z.object({ id })
const version = z.number().int().min(1).describe('The version the caller read; a stale one answers 409')
const opinion = optionalText(1000).describe('Optional opinion (意见), shown in the timeline')
/** Form data: field name → value; checked against the item version's JSON Schema on submit. */
const formData = z
  .record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,49}$/), z.unknown())
  .refine((v) => Object.keys(v).length <= 100 && JSON.stringify(v).length <= 64_000, 'form data too large')
  .describe('Field name → value, as the item version’s form defines')
const pageQuery = {
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
}
const materialCode = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/)

// ---- output ---------------------------------------------------------------------------------

const progressSchema = z
  .object({
    usedDays: z.number().int(),
    allowedDays: z.number().int().describe('0: the same day (即收即办, 当日办结)'),
    remainingDays: z.number().int().describe('Negative when overdue'),
    dueDate: z.string(),
    dueAt: z.date(),
    light: z.enum(lights),
    paused: z.boolean().describe('补正 pauses the clock'),
  })
  .nullable()
const summarySchema = z.object({
  id: z.string(),
  number: z.string().nullable().describe('Division code + YYYYMMDD + sequence; assigned on submission'),
  status: z.enum(statuses),
  itemId: z.string(),
  itemVersionId: z.string(),
  itemCode: z.string(),
  itemName: z.string(),
  departmentId: z.string(),
  departmentName: z.string(),
  divisionCode: z.string(),
  applicantKind: z.enum(['person', 'legal']),
  applicantName: z.string(),
  handlingClass: z.enum(handlingClasses),
  promisedDays: z.number().int(),
  reviewStep: z.number().int().nullable(),
  stepName: z.string().nullable(),
  awaitingRole: z.enum(roles).nullable(),
  progress: progressSchema,
  submittedAt: z.date().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
  version: z.number().int(),
})
const fileSchema = z.object({
  id: z.string(),
  materialCode: z.string(),
  fileName: z.string(),
  contentType: z.string(),
  sizeBytes: z.number().int(),
  sm3: z.string().describe('SM3 digest (hex)'),
  uploadedAt: z.date(),
})
const detailSchema = summarySchema.extend({
  view: z.enum(['applicant', 'staff']),
  revealed: z.boolean().describe('Staff asked to see ID numbers and phones in full (audited, on the ledger)'),
  applicantId: z.string(),
  applicantMaskedIdNumber: z.string().nullable(),
  applicantMaskedPhone: z.string().nullable(),
  formData: z.record(z.string(), z.unknown()).describe('In full for the applicant; ID numbers and phones masked for staff unless revealed'),
  reviewSteps: z.array(z.object({ name: z.string(), role: z.enum(roles) })),
  materials: z.array(z.object({ code: z.string(), name: z.string(), requirement: z.enum(['required', 'conditional']), files: z.array(fileSchema), license: licenseMaterialSchema })),
  supplement: z
    .object({
      items: z.array(z.object({ materialCode: z.string().nullable(), field: z.string().nullable(), description: z.string() })),
      message: z.string().nullable(),
      requestedAt: z.string(),
      requestedBy: z.string(),
      respondedAt: z.string().nullable(),
      note: z.string().nullable(),
    })
    .nullable(),
  decision: z
    .object({ outcome: z.enum(['not_accepted', 'approved', 'denied']), reason: z.string().nullable(), legalBasis: z.string().nullable(), at: z.string(), by: z.string() })
    .nullable(),
  result: z.object({ documentNumber: z.string().nullable(), summary: z.string().nullable(), at: z.string(), by: z.string() }).nullable(),
  delivery: z.object({ method: z.enum(deliveryMethods), trackingNumber: z.string().nullable(), at: z.string(), by: z.string() }).nullable(),
  acceptedAt: z.date().nullable(),
  decidedAt: z.date().nullable(),
  closedAt: z.date().nullable(),
  timeline: z.array(
    z.object({
      id: z.string(),
      action: z.enum([...actions, 'create']),
      fromStatus: z.enum(statuses),
      toStatus: z.enum(statuses),
      stepName: z.string().nullable(),
      actorName: z.string().nullable(),
      actorRole: z.string().nullable(),
      opinion: z.string().nullable(),
      at: z.date(),
    }),
  ),
  allowedActions: z.array(z.enum(actions)).describe('What the caller may do now'),
})
const paginated = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() })
const notificationSchema = z.object({
  id: z.string(),
  applicationId: z.string(),
  kind: z.string(),
  text: z.string(),
  createdAt: z.date(),
  readAt: z.date().nullable(),
})

const tags = ['cases']
const security = [{ session: [] }]

/** Roles that handle cases (each action narrows further, per step and department). */
const staffRoles: Role[] = ['window_clerk', 'reviewer', 'department_head', 'leader']
const applicantOnly = requireRole('citizen', 'enterprise_agent')
const staffOnly = requireRole(...staffRoles)

function metaOf(req: FastifyRequest): RequestMeta {
  return { ip: req.ip, userAgent: req.headers['user-agent'] ?? null, locale: req.locale }
}

/**
 * Applications (办件): the applicant's drafts, submission, 补正 and withdrawal; staff queues,
 * transitions and batch acceptance; material uploads and downloads; the applicant's inbox.
 * Registered under /api. Also runs the deadline job (not under NODE_ENV=test).
 */
export const casesRoutes: FastifyPluginAsyncZod<{ cases: CasesService; deadlineJob?: boolean }> = async (app, { cases, deadlineJob }) => {
  if (deadlineJob ?? app.core?.config.NODE_ENV !== 'test') {
    let stop: (() => void) | undefined
    app.addHook('onReady', async () => {
      stop = cases.startDeadlineJob()
    })
    app.addHook('onClose', async () => stop?.())
  }

  // Raw uploads: the body is the file itself, with its media type (no multipart parser needed).
  app.addContentTypeParser([...allowedFileTypes], { parseAs: 'buffer', bodyLimit: MAX_FILE_BYTES }, (_req, body, done) => done(null, body))

  // ---- applicant ------------------------------------------------------------------------------

  app.post(
    '/cases',
    {
      preHandler: applicantOnly,
      schema: {
        tags,
        security,
        summary: 'Start a draft application for the published version of a service item',
        body: z
          .strictObject({ itemVersionId: id.optional(), itemId: id.optional().describe('Item id or code: its published version'), formData: formData.optional() })
          .refine((b) => !!b.itemVersionId !== !!b.itemId, { message: 'exactly one of itemVersionId and itemId', path: ['itemVersionId'] }),
        response: { 201: detailSchema },
      },
    },
    async (req, reply) => reply.code(201).send(await cases.createDraft(principalOf(req), req.body, metaOf(req))),
  )

  app.get(
    '/cases/mine',
    {
      preHandler: applicantOnly,
      schema: {
        tags,
        security,
        summary: "The caller's applications, newest first",
        querystring: z.object({ status: z.enum(statuses).optional(), ...pageQuery }),
        response: { 200: paginated(summarySchema) },
      },
    },
    async (req) => {
      const { status, page, pageSize } = req.query
      return cases.listMine(principalOf(req), { statuses: status ? [status] : undefined, page, pageSize })
    },
  )

  app.patch(
    '/cases/:id',
    {
      preHandler: applicantOnly,
      schema: {
        tags,
        security,
        summary: "Save a draft's form data (checked in full on submit)",
        params: caseParams,
        body: z.strictObject({ version, formData }),
        response: { 200: detailSchema },
      },
    },
    async (req) => cases.updateDraft(principalOf(req), req.params.id, req.body, metaOf(req)),
  )

  app.post(
    '/cases/:id/submit',
    {
      preHandler: applicantOnly,
      schema: {
        tags,
        security,
        summary: 'Submit a draft: form checked against the JSON Schema, required materials present; assigns the case number',
        params: caseParams,
        body: z.strictObject({ version }),
        response: { 200: detailSchema },
      },
    },
    async (req) => cases.submit(principalOf(req), req.params.id, req.body, metaOf(req)),
  )

  app.post(
    '/cases/:id/supplement',
    {
      preHandler: applicantOnly,
      schema: {
        tags,
        security,
        summary: 'Answer a 补正 notice (upload the files first); optionally new form data',
        params: caseParams,
        body: z.strictObject({ version, formData: formData.optional(), note: optionalText(1000) }),
        response: { 200: detailSchema },
      },
    },
    async (req) => cases.supplement(principalOf(req), req.params.id, req.body, metaOf(req)),
  )

  app.post(
    '/cases/:id/withdraw',
    {
      preHandler: applicantOnly,
      schema: {
        tags,
        security,
        summary: 'Withdraw an application before it is decided',
        params: caseParams,
        body: z.strictObject({ version, reason: optionalText(500) }),
        response: { 200: detailSchema },
      },
    },
    async (req) => cases.withdraw(principalOf(req), req.params.id, req.body, metaOf(req)),
  )

  app.put(
    '/cases/:id/materials/:materialCode',
    {
      // As an onRequest hook the guard answers 401/403 before a 10 MB body is read.
      onRequest: applicantOnly,
      bodyLimit: MAX_FILE_BYTES,
      schema: {
        tags,
        security,
        summary: `Upload one file for a material: the request body is the file (PDF, JPEG, PNG or OFD, at most ${MAX_FILE_BYTES / 1024 / 1024} MB), its Content-Type its type`,
        params: z.object({ id, materialCode }),
        querystring: z.object({ fileName: text(1, 200).optional().describe('Original file name') }),
        consumes: [...allowedFileTypes],
        body: z.custom<Buffer>((v) => Buffer.isBuffer(v), 'the file bytes').describe('The file itself (binary)'),
        response: { 201: fileSchema },
      },
    },
    async (req, reply) => {
      const file = await cases.uploadFile(
        principalOf(req),
        req.params.id,
        req.params.materialCode,
        { bytes: req.body, contentType: req.headers['content-type'] ?? '', fileName: req.query.fileName },
        metaOf(req),
      )
      return reply.code(201).send(file)
    },
  )

  app.delete(
    '/cases/:id/files/:fileId',
    {
      preHandler: applicantOnly,
      schema: { tags, security, summary: 'Remove an uploaded file (draft or 补正 only)', params: z.object({ id, fileId: id }), response: { 204: z.null() } },
    },
    async (req, reply) => {
      await cases.removeFile(principalOf(req), req.params.id, req.params.fileId, metaOf(req))
      return reply.code(204).send(null)
    },
  )

  // ---- both -----------------------------------------------------------------------------------

  app.get(
    '/cases/:id',
    {
      preHandler: requireAuth,
      schema: {
        tags,
        security,
        summary: 'An application with its timeline: in full for its applicant; for staff in reach with ID numbers masked (reveal=true shows them, audited)',
        params: caseParams,
        querystring: z.object({ reveal: z.enum(['true', 'false']).optional() }),
        response: { 200: detailSchema },
      },
    },
    async (req) => cases.getApplication(principalOf(req), req.params.id, { reveal: req.query.reveal === 'true' }, metaOf(req)),
  )

  app.get(
    '/cases/:id/files/:fileId',
    {
      preHandler: requireAuth,
      schema: {
        tags,
        security,
        summary: 'Download an uploaded file (its applicant, or staff in reach)',
        params: z.object({ id, fileId: id }),
        produces: [...allowedFileTypes],
        response: { 200: z.any().describe('The file bytes') },
      },
    },
    async (req, reply) => {
      const { file, bytes } = await cases.readFile(principalOf(req), req.params.id, req.params.fileId, metaOf(req))
      return reply
        .type(file.contentType)
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.fileName)}`)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, no-store')
        .send(bytes)
    },
  )

  // ---- staff ----------------------------------------------------------------------------------

  app.get(
    '/cases',
    {
      preHandler: staffOnly,
      schema: {
        tags,
        security,
        summary: "Every application in the caller's division and department, optionally by status or number/item/applicant name",
        querystring: z.object({ status: z.enum(statuses).optional(), q: text(1, 50).optional(), ...pageQuery }),
        response: { 200: paginated(summarySchema) },
      },
    },
    async (req) => {
      const { status, q, page, pageSize } = req.query
      return cases.listInReach(principalOf(req), { statuses: status ? [status] : undefined, q, page, pageSize })
    },
  )

  app.get(
    '/cases/queues',
    {
      preHandler: staffOnly,
      schema: { tags, security, summary: 'How many applications each work queue holds for the caller', response: { 200: z.record(z.enum(queues), z.number().int()) } },
    },
    async (req) => cases.queueCounts(principalOf(req)),
  )

  app.get(
    '/cases/queues/:queue',
    {
      preHandler: staffOnly,
      schema: {
        tags,
        security,
        summary: '待受理 to_accept, 待补正 to_supplement, 待审查 to_review, 待决定 to_decide, to_issue, to_deliver, to_close, 即将超期 due_soon, 已超期 overdue',
        params: z.object({ queue: z.enum(queues) }),
        querystring: z.object({ q: text(1, 50).optional(), ...pageQuery }),
        response: { 200: paginated(summarySchema) },
      },
    },
    async (req) => cases.listQueue(principalOf(req), req.params.queue, req.query),
  )

  const staffAction = <B extends z.ZodType>(path: string, summary: string, body: B, run: (req: FastifyRequest, body: z.output<B>) => Promise<ApplicationDetail>) =>
    app.post(
      `/cases/:id/${path}`,
      { preHandler: staffOnly, schema: { tags, security, summary, params: caseParams, body, response: { 200: detailSchema } } },
      async (req) => run(req, req.body as z.output<B>),
    )
  const idOf = (req: FastifyRequest) => (req.params as { id: string }).id

  staffAction('accept', 'Accept (受理): the working-day clock starts', z.strictObject({ version, opinion }), (req, b) =>
    cases.accept(principalOf(req), idOf(req), b, metaOf(req)),
  )
  staffAction(
    'reject',
    'Do not accept (不予受理), with reason and legal basis',
    z.strictObject({ version, reason: text(2, 1000), legalBasis: text(2, 1000), opinion }),
    (req, b) => cases.reject(principalOf(req), idOf(req), b, metaOf(req)),
  )
  staffAction(
    'request-supplement',
    '一次性告知: list everything to supplement at once; pauses the clock after acceptance',
    z.strictObject({
      version,
      items: z
        .array(z.strictObject({ materialCode: materialCode.nullish(), field: z.string().max(50).nullish(), description: text(2, 500) }))
        .min(1)
        .max(50),
      message: optionalText(1000),
    }),
    (req, b) => cases.requestSupplement(principalOf(req), idOf(req), b, metaOf(req)),
  )
  staffAction(
    'review',
    'Decide a review step: pass it on to the next step, or return it to the previous one',
    z.strictObject({ version, outcome: z.enum(['pass', 'return']), opinion }),
    (req, b) => cases.review(principalOf(req), idOf(req), b, metaOf(req)),
  )
  staffAction('approve', 'Approve (准予) at the deciding step', z.strictObject({ version, opinion }), (req, b) => cases.approve(principalOf(req), idOf(req), b, metaOf(req)))
  staffAction(
    'deny',
    'Deny (不予许可) at the deciding step, with reason',
    z.strictObject({ version, reason: text(2, 1000), legalBasis: optionalText(1000), opinion }),
    (req, b) => cases.deny(principalOf(req), idOf(req), b, metaOf(req)),
  )
  staffAction(
    'issue-result',
    'Issue the result document',
    z.strictObject({ version, documentNumber: optionalText(100), summary: optionalText(1000), opinion }),
    (req, b) => cases.issueResult(principalOf(req), idOf(req), b, metaOf(req)),
  )
  staffAction(
    'deliver',
    'Record delivery of the result: electronic, mail (with tracking number) or pickup',
    z.strictObject({ version, method: z.enum(deliveryMethods), trackingNumber: optionalText(50), opinion }),
    (req, b) => cases.deliver(principalOf(req), idOf(req), b, metaOf(req)),
  )
  staffAction('close', 'Close (办结) a delivered application', z.strictObject({ version, opinion }), (req, b) => cases.close(principalOf(req), idOf(req), b, metaOf(req)))

  app.post(
    '/cases/batch-accept',
    {
      preHandler: staffOnly,
      schema: {
        tags,
        security,
        summary: 'Accept several applications; each succeeds or fails on its own',
        body: z.strictObject({ cases: z.array(z.strictObject({ id, version })).min(1).max(100), opinion }),
        response: {
          200: z.object({
            results: z.array(z.object({ id: z.string(), ok: z.boolean(), version: z.number().int().optional(), error: z.object({ type: z.string(), status: z.number().int() }).optional() })),
          }),
        },
      },
    },
    async (req) => ({ results: await cases.batchAccept(principalOf(req), req.body.cases, { opinion: req.body.opinion }, metaOf(req)) }),
  )

  // ---- inbox ----------------------------------------------------------------------------------

  app.get(
    '/inbox',
    {
      preHandler: requireAuth,
      schema: {
        tags,
        security,
        summary: "The caller's notices about their applications, newest first",
        querystring: z.object({ unread: z.enum(['true', 'false']).optional(), ...pageQuery }),
        response: { 200: paginated(notificationSchema).extend({ unread: z.number().int() }) },
      },
    },
    async (req, reply) => {
      const { unread, page, pageSize } = req.query
      reply.header('cache-control', 'private, no-store')
      return cases.listInbox(principalOf(req), { unreadOnly: unread === 'true', page, pageSize }, req.locale)
    },
  )

  app.post(
    '/inbox/:id/read',
    { preHandler: requireAuth, schema: { tags, security, summary: 'Mark a notice read', params: caseParams, response: { 204: z.null() } } },
    async (req, reply) => {
      await cases.markRead(principalOf(req), req.params.id)
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/inbox/read-all',
    { preHandler: requireAuth, schema: { tags, security, summary: 'Mark every notice read', response: { 200: z.object({ updated: z.number().int() }) } } },
    async (req) => ({ updated: await cases.markAllRead(principalOf(req)) }),
  )

  // ---- 免提交: e-licenses standing in for materials ---------------------------------------------
  await app.register(caseLicenseRoutes, { cases })
}
