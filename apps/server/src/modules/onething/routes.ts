import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { principalOf, requireAuth, requireRole } from '../../platform/auth.js'
import { allowedFileTypes, groupStatuses, MAX_FILE_BYTES, statuses } from '../cases/index.js'
import { bundleDefinitionSchema } from './model.js'
import type { OnethingService, RequestMeta } from './service.js'

// ---- input ----------------------------------------------------------------------------------

const id = z.string().min(1).max(64)
const key = z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,49}$/)
const bundleCode = z.string().regex(/^[A-Z][A-Z0-9_]{1,29}$/)
const version = z.number().int().min(1).describe('The draft version the caller read; a stale one answers 409')
const answers = z.record(key, key).refine((a) => Object.keys(a).length <= 20, 'too many answers')
const pageQuery = {
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
}
const licenseType = z.string().regex(/^[a-z][a-z0-9_]{1,49}$/)
const fieldValue = z.union([z.string().max(2000).regex(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/), z.number().finite(), z.null()])

// ---- output ---------------------------------------------------------------------------------

const questionOut = z.object({ key: z.string(), label: z.string(), help: z.string().optional(), options: z.array(z.object({ value: z.string(), label: z.string() })), default: z.string().optional() })
const partyDefOut = z.object({ role: z.string(), label: z.string(), required: z.boolean(), relation: z.enum(['spouse']).optional() })
const bundleOut = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  summary: z.string(),
  applicableTo: z.enum(['person', 'legal']),
  questions: z.array(questionOut),
  parties: z.array(partyDefOut),
  items: z.array(z.object({ code: z.string(), name: z.string(), departmentName: z.string(), promisedDays: z.number().int(), conditional: z.boolean() })),
  version: z.number().int(),
})
const licenseRefOut = z.object({ id: z.string(), number: z.string(), type: z.string(), typeName: z.string(), status: z.string() })
const uploadOut = z.object({ id: z.string(), itemCode: z.string(), materialCode: z.string(), party: z.string(), fileName: z.string(), contentType: z.string(), sizeBytes: z.number().int(), uploadedAt: z.date() })
const partyStatus = z.enum(['owner', 'invited', 'joined', 'confirmed', 'declined'])
const draftOut = z.object({
  id: z.string(),
  version: z.number().int(),
  status: z.enum(['open', 'submitted', 'cancelled']),
  bundle: z.object({ code: z.string(), name: z.string() }),
  ownerName: z.string(),
  you: z.object({ role: z.string(), isOwner: z.boolean(), status: partyStatus }),
  answers: z.record(z.string(), z.string()),
  questions: z.array(questionOut),
  items: z.array(z.object({ code: z.string(), name: z.string(), departmentName: z.string(), applies: z.boolean() })),
  fields: z.array(
    z.object({
      name: z.string(),
      label: z.string(),
      widget: z.string(),
      options: z.array(z.string()).nullable(),
      required: z.boolean(),
      party: z.string(),
      section: z.string().nullable(),
      value: z.unknown(),
      source: z.enum(['prefill', 'typed', 'produced']).nullable().describe('prefill: from a registry or license (sourceLabel says which); produced: made by another item of the bundle'),
      sourceLabel: z.string().nullable(),
      version: z.number().int().describe('Field version, to send back as baseVersion'),
      editable: z.boolean(),
    }),
  ),
  materials: z.array(
    z.object({
      itemCode: z.string(),
      itemName: z.string(),
      code: z.string(),
      name: z.string(),
      licenseType: z.string().nullable(),
      party: z.string().describe("Whose license or record provides it: 'applicant' or a party role"),
      status: z.enum(['license', 'registry', 'bundle', 'upload', 'available', 'missing']).describe('upload: provided by files uploaded to the draft'),
      label: z.string().nullable(),
      licenses: z.array(licenseRefOut),
      files: z.array(uploadOut).describe("The caller's files for it (another party's files are not listed)"),
    }),
  ),
  parties: z.array(z.object({ role: z.string(), label: z.string(), required: z.boolean(), status: z.enum(['owner', 'invited', 'joined', 'confirmed', 'declined', 'not_invited']), accountName: z.string().nullable(), invitedPhone: z.string().nullable() })),
  counts: z.object({ prefilled: z.number().int(), typed: z.number().int(), materialsFromLicenses: z.number().int(), materialsShared: z.number().int() }),
  group: z.object({ id: z.string(), number: z.string() }).nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
})
const fillOut = z.object({ prefilled: z.number().int(), typed: z.number().int(), materialsFromLicenses: z.number().int(), materialsShared: z.number().int() })
const satisfiedOut = z.object({ code: z.string(), kind: z.enum(['license', 'registry', 'bundle']), label: z.string() })
const groupOut = z.object({
  id: z.string(),
  number: z.string(),
  title: z.string(),
  source: z.string(),
  status: z.enum(groupStatuses).describe('Derived from the cases beneath'),
  applicantName: z.string(),
  dueAt: z.date().nullable(),
  createdAt: z.date(),
  parties: z.array(z.object({ accountId: z.string(), name: z.string(), role: z.string() })),
  fill: fillOut,
  children: z.array(
    z.object({
      id: z.string(),
      number: z.string().nullable(),
      status: z.enum(statuses),
      itemCode: z.string(),
      itemName: z.string(),
      departmentId: z.string(),
      departmentName: z.string(),
      dueAt: z.date().nullable(),
      version: z.number().int(),
      fill: fillOut.nullable(),
      materials: z.array(satisfiedOut),
      supplement: z.unknown(),
    }),
  ),
  supplements: z.array(z.object({ applicationId: z.string(), departmentName: z.string(), itemName: z.string(), items: z.array(z.object({ description: z.string() })), message: z.string().nullable() })),
  results: z
    .array(z.object({ applicationId: z.string(), itemName: z.string(), departmentName: z.string(), status: z.enum(statuses), documentNumber: z.string().nullable(), summary: z.string().nullable() }))
    .nullable()
    .describe('Every outcome, only once every case has one'),
  timeline: z.array(z.object({ applicationId: z.string(), departmentName: z.string(), itemName: z.string(), action: z.string(), toStatus: z.enum(statuses), at: z.date() })),
})
const paginated = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() })

const tags = ['onething']
const security = [{ session: [] }]
const applicantOnly = requireRole('citizen', 'enterprise_agent')
const bundleEditors = requireRole('data_admin', 'platform_admin')
const metricsReaders = requireRole('department_head', 'leader', 'data_admin', 'platform_admin')

function metaOf(req: FastifyRequest): RequestMeta {
  return { ip: req.ip, userAgent: req.headers['user-agent'] ?? null, locale: req.locale }
}

/**
 * 一件事一次办, registered under /api/onething: bundles (public), shared drafts with situation
 * answers, prefilled merged form, licenses instead of uploads, co-applicants, submission into one
 * case group; the applicant's grouped applications; fill counts per case and per item.
 */
export const onethingRoutes: FastifyPluginAsyncZod<{ onething: OnethingService }> = async (app, { onething }) => {
  app.get(
    '/bundles',
    { schema: { tags, summary: 'Published life-event bundles (一件事)', querystring: z.object({ applicableTo: z.enum(['person', 'legal']).optional() }), response: { 200: z.object({ items: z.array(bundleOut) }) } } },
    async (req) => ({ items: await onething.listBundles(req.query.applicableTo) }),
  )
  app.get(
    '/bundles/:code',
    { schema: { tags, summary: 'One bundle: its items, situation questions and parties', params: z.object({ code: bundleCode }), response: { 200: bundleOut } } },
    async (req) => onething.getBundle(req.params.code),
  )
  app.put(
    '/bundles/:code',
    {
      preHandler: bundleEditors,
      schema: { tags, security, summary: 'Create or replace a bundle', params: z.object({ code: bundleCode }), body: bundleDefinitionSchema.omit({ code: true }), response: { 200: bundleOut } },
    },
    async (req) => onething.putBundle(principalOf(req), { ...req.body, code: req.params.code }, metaOf(req)),
  )

  app.post(
    '/drafts',
    {
      preHandler: applicantOnly,
      schema: { tags, security, summary: 'Start a shared draft of a bundle, prefilled for the caller', body: z.strictObject({ bundleCode, answers: answers.optional() }), response: { 201: draftOut } },
    },
    async (req, reply) => reply.code(201).send(await onething.startDraft(principalOf(req), req.body.bundleCode, { answers: req.body.answers }, metaOf(req))),
  )
  app.get(
    '/drafts',
    {
      preHandler: applicantOnly,
      schema: {
        tags, security, summary: 'Drafts the caller owns or takes part in', querystring: z.object(pageQuery),
        response: { 200: paginated(z.object({ id: z.string(), bundleCode: z.string(), bundleName: z.string(), status: z.enum(['open', 'submitted', 'cancelled']), ownerName: z.string(), isOwner: z.boolean(), groupId: z.string().nullable(), groupNumber: z.string().nullable(), updatedAt: z.date() })) },
      },
    },
    async (req) => onething.listMyDrafts(principalOf(req), req.query),
  )
  app.get(
    '/drafts/:id',
    { preHandler: applicantOnly, schema: { tags, security, summary: 'A shared draft as the caller sees it', params: z.object({ id }), response: { 200: draftOut } } },
    async (req) => onething.getDraft(principalOf(req), req.params.id),
  )
  app.put(
    '/drafts/:id/answers',
    {
      preHandler: applicantOnly,
      schema: { tags, security, summary: 'Answer the situation questions (first applicant)', params: z.object({ id }), body: z.strictObject({ version, answers }), response: { 200: draftOut } },
    },
    async (req) => onething.setAnswers(principalOf(req), req.params.id, req.body, metaOf(req)),
  )
  app.patch(
    '/drafts/:id/fields',
    {
      preHandler: applicantOnly,
      schema: {
        tags, security, summary: "Write the caller's own fields; each names the field version it saw (conflicts come back, others apply)",
        params: z.object({ id }),
        body: z.strictObject({ changes: z.array(z.strictObject({ field: key, value: fieldValue, baseVersion: z.number().int().min(0) })).min(1).max(100) }),
        response: { 200: z.object({ draft: draftOut, conflicts: z.array(z.object({ field: z.string(), value: z.unknown(), version: z.number().int(), updatedBy: z.string() })) }) },
      },
    },
    async (req) => onething.putFields(principalOf(req), req.params.id, req.body.changes, metaOf(req)),
  )
  app.put(
    '/drafts/:id/licenses/:licenseType',
    {
      preHandler: applicantOnly,
      schema: { tags, security, summary: 'Consent to use one of your e-licenses for every material of its type that you provide (first applicant, or a party for the materials the bundle gives them)', params: z.object({ id, licenseType }), body: z.strictObject({ licenseId: id }), response: { 200: draftOut } },
    },
    async (req) => onething.useLicense(principalOf(req), req.params.id, { licenseType: req.params.licenseType, licenseId: req.body.licenseId }, metaOf(req)),
  )
  app.delete(
    '/drafts/:id/licenses/:licenseType',
    { preHandler: applicantOnly, schema: { tags, security, summary: 'Withdraw consent to an e-license type', params: z.object({ id, licenseType }), response: { 200: draftOut } } },
    async (req) => onething.withdrawLicense(principalOf(req), req.params.id, req.params.licenseType, metaOf(req)),
  )
  // Raw uploads, as for cases: the body is the file itself with its media type (no multipart parser installed).
  app.addContentTypeParser([...allowedFileTypes], { parseAs: 'buffer', bodyLimit: MAX_FILE_BYTES }, (_req, body, done) => done(null, body))
  app.post(
    '/drafts/:id/materials/:itemCode/:materialCode/files',
    {
      // As an onRequest hook the guard answers 401/403 before a 10 MB body is read.
      onRequest: applicantOnly,
      bodyLimit: MAX_FILE_BYTES,
      schema: {
        tags, security,
        summary: `Upload one file for a material of an item of the draft that no license or shared data provides (the party who holds it): the body is the file (PDF, JPEG, PNG or OFD, at most ${MAX_FILE_BYTES / 1024 / 1024} MB), its Content-Type its type; at submission it becomes a file of that item's case`,
        params: z.object({ id, itemCode: z.string().regex(/^[A-Z]{2}\d{8}$/), materialCode: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/) }),
        querystring: z.object({ fileName: z.string().min(1).max(200).optional().describe('Original file name') }),
        consumes: [...allowedFileTypes],
        body: z.custom<Buffer>((v) => Buffer.isBuffer(v), 'the file bytes').describe('The file itself (binary)'),
        response: { 201: uploadOut },
      },
    },
    async (req, reply) => {
      const { id: draftId, itemCode, materialCode } = req.params
      const file = { bytes: req.body, contentType: req.headers['content-type'] ?? '', fileName: req.query.fileName }
      return reply.code(201).send(await onething.uploadFile(principalOf(req), draftId, { itemCode, materialCode }, file, metaOf(req)))
    },
  )
  app.get(
    '/drafts/:id/files',
    { preHandler: applicantOnly, schema: { tags, security, summary: 'The files the caller uploaded to the draft', params: z.object({ id }), response: { 200: z.object({ items: z.array(uploadOut) }) } } },
    async (req) => ({ items: await onething.listUploads(principalOf(req), req.params.id) }),
  )
  app.delete(
    '/drafts/:id/files/:fileId',
    { preHandler: applicantOnly, schema: { tags, security, summary: 'Remove a file you uploaded (open draft only)', params: z.object({ id, fileId: id }), response: { 204: z.null() } } },
    async (req, reply) => {
      await onething.removeUpload(principalOf(req), req.params.id, req.params.fileId, metaOf(req))
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/drafts/:id/invitations',
    {
      preHandler: applicantOnly,
      schema: {
        tags, security, summary: 'Invite a co-applicant by phone number; the answer carries the link (shown once)',
        params: z.object({ id }),
        body: z.strictObject({ role: key, phone: z.string().regex(/^1[3-9]\d{9}$/).nullish() }),
        response: { 201: z.object({ token: z.string(), path: z.string(), draft: draftOut }) },
      },
    },
    async (req, reply) => reply.code(201).send(await onething.invite(principalOf(req), req.params.id, req.body, metaOf(req))),
  )
  app.post(
    '/invitations/:token/accept',
    { preHandler: applicantOnly, schema: { tags, security, summary: 'Accept an invitation (the person invited only); your part is prefilled', params: z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{20,64}$/) }), response: { 200: draftOut } } },
    async (req) => onething.acceptInvitation(principalOf(req), req.params.token, metaOf(req)),
  )
  app.post(
    '/drafts/:id/confirm',
    { preHandler: applicantOnly, schema: { tags, security, summary: 'Confirm your part (co-applicant)', params: z.object({ id }), response: { 200: draftOut } } },
    async (req) => onething.confirm(principalOf(req), req.params.id, metaOf(req)),
  )
  app.post(
    '/drafts/:id/decline',
    { preHandler: applicantOnly, schema: { tags, security, summary: 'Decline taking part; the draft returns to the first applicant', params: z.object({ id }), response: { 200: z.object({ declined: z.literal(true) }) } } },
    async (req) => onething.decline(principalOf(req), req.params.id, metaOf(req)),
  )
  app.post(
    '/drafts/:id/submit',
    {
      preHandler: applicantOnly,
      schema: { tags, security, summary: 'Submit once: creates one application per applicable item, all or nothing', params: z.object({ id }), body: z.strictObject({ version }), response: { 201: z.object({ draft: draftOut, group: groupOut }) } },
    },
    async (req, reply) => reply.code(201).send(await onething.submit(principalOf(req), req.params.id, req.body, metaOf(req))),
  )

  app.get(
    '/applications',
    { preHandler: applicantOnly, schema: { tags, security, summary: "The caller's one-thing applications, each with its cases", querystring: z.object(pageQuery), response: { 200: paginated(z.object({ id: z.string(), number: z.string(), title: z.string(), status: z.enum(groupStatuses), dueAt: z.date().nullable(), createdAt: z.date(), children: z.array(z.object({ id: z.string(), itemName: z.string(), departmentName: z.string(), status: z.enum(statuses) })) })) } } },
    async (req) => onething.listApplications(principalOf(req), req.query),
  )
  app.get(
    '/applications/:id',
    { preHandler: applicantOnly, schema: { tags, security, summary: 'One application: status, deadline and timeline derived from its cases; results together', params: z.object({ id }), response: { 200: groupOut } } },
    async (req) => onething.getApplication(principalOf(req), req.params.id),
  )
  app.get(
    '/cases/:caseId/fill',
    {
      preHandler: requireAuth,
      schema: {
        tags, security, summary: 'How a case was filled: fields prefilled / typed, materials from licenses (its applicant or staff who see the case)',
        params: z.object({ caseId: id }),
        response: { 200: z.object({ groupId: z.string().nullable(), groupNumber: z.string().nullable(), fill: fillOut.nullable(), materials: z.array(satisfiedOut) }) },
      },
    },
    async (req) => onething.fillOfCase(principalOf(req), req.params.caseId),
  )
  app.get(
    '/metrics',
    {
      preHandler: metricsReaders,
      schema: {
        tags, security, summary: 'Fill counts per item over every one-thing case',
        response: { 200: z.object({ items: z.array(z.object({ itemCode: z.string(), itemName: z.string(), cases: z.number().int(), prefilled: z.number().int(), typed: z.number().int(), materialsFromLicenses: z.number().int(), materialsShared: z.number().int() })) }) },
      },
    },
    async () => ({ items: await onething.metrics() }),
  )
}
