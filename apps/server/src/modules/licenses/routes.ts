import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { principalOf, requireRole } from '../../platform/auth.js'
import { NotFoundError } from '../../platform/errors.js'
import { ImportRejectedError } from './errors.js'
import type { LicensesService } from './service.js'
import { grantModes, licenseStatuses, type RequestMeta, type SignedLicenseDocument } from './types.js'

// ---- input ----------------------------------------------------------------------------------

/** Text without control characters. */
const text = (min: number, max: number) => z.string().trim().min(min).max(max).regex(/^[^\p{Cc}]*$/u)
const id = text(1, 64)
const purpose = text(2, 200).describe('Why the license is used (用证目的); kept in the holder-visible use log')
const reason = text(1, 500).describe('Why the status changes (required, audited, on the ledger)')
const typeCode = z.string().regex(/^[a-z][a-z0-9_]{1,49}$/).describe('License type code, e.g. resident_id_card')
const pageQuery = {
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
}

// ---- output ---------------------------------------------------------------------------------

const status = z.enum(licenseStatuses)
const fieldView = z.object({ key: z.string(), label: z.string(), value: z.string() })
const signatureView = z.object({ algorithm: z.literal('SM2-SM3'), userId: z.string(), digest: z.string(), value: z.string() })
const summarySchema = z.object({
  id: z.string(),
  number: z.string(),
  type: z.string(),
  typeName: z.string(),
  holderKind: z.enum(['person', 'entity']),
  holderName: z.string(),
  maskedHolderId: z.string(),
  issuerDepartmentId: z.string(),
  issuerName: z.string(),
  issuedAt: z.date(),
  validFrom: z.string(),
  validUntil: z.string().nullable(),
  status,
  source: z.enum(['case', 'import']),
  applicationId: z.string().nullable(),
})
const detailSchema = summarySchema.extend({
  fields: z.array(fieldView),
  sealId: z.string(),
  verificationCode: z.string(),
  verifyUrl: z.string(),
  statusHistory: z.array(z.object({ status: z.string(), reason: z.string().nullable(), at: z.date(), actorName: z.string().nullable() })),
  signature: signatureView,
})
const verificationSchema = z.object({
  outcome: z.enum([...licenseStatuses, 'invalid']),
  signatureValid: z.boolean(),
  codeKind: z.enum(['license', 'token', 'document', 'credential']),
  checkedAt: z.date(),
  tokenExpiresAt: z.date().nullable(),
  license: z
    .object({
      number: z.string(),
      type: z.string(),
      typeName: z.string(),
      holderKind: z.enum(['person', 'entity']),
      holderName: z.string(),
      maskedHolderId: z.string(),
      issuer: z.object({ departmentId: z.string(), name: z.string() }),
      seal: z.object({ id: z.string(), name: z.string(), imageUrl: z.string(), publicKeyPem: z.string() }),
      issuedAt: z.string(),
      validFrom: z.string(),
      validUntil: z.string().nullable(),
      status: status.nullable(),
      statusChangedAt: z.date().nullable(),
      fields: z.array(fieldView),
      disclosed: z.array(z.string()),
    })
    .nullable(),
  signature: signatureView.nullable(),
})
const readSchema = detailSchema.extend({ verification: verificationSchema })
const sealSchema = z.object({
  id: z.string(),
  departmentId: z.string(),
  departmentName: z.string(),
  name: z.string(),
  status: z.enum(['active', 'disabled']),
  imageSource: z.enum(['generated', 'uploaded']),
  publicKeyHex: z.string(),
  publicKeyPem: z.string(),
  imageUrl: z.string(),
  version: z.number(),
  createdAt: z.date(),
  updatedAt: z.date(),
})
const grantSchema = z.object({
  id: z.string(),
  licenseId: z.string(),
  licenseNumber: z.string(),
  licenseType: z.string(),
  departmentId: z.string(),
  departmentName: z.string(),
  purpose: z.string(),
  mode: z.enum(grantModes),
  applicationId: z.string().nullable(),
  status: z.enum(['active', 'used', 'withdrawn', 'expired']),
  createdAt: z.date(),
  expiresAt: z.date().nullable(),
  withdrawnAt: z.date().nullable(),
})
const requestSchema = z.object({
  id: z.string(),
  licenseType: z.string(),
  licenseId: z.string().nullable(),
  departmentId: z.string(),
  departmentName: z.string(),
  purpose: z.string(),
  applicationId: z.string().nullable(),
  status: z.enum(['pending', 'approved', 'denied', 'cancelled']),
  createdAt: z.date(),
  decidedAt: z.date().nullable(),
  grantId: z.string().nullable(),
})
const useSchema = z.object({
  id: z.string(),
  licenseId: z.string(),
  licenseNumber: z.string(),
  licenseType: z.string(),
  departmentId: z.string().nullable(),
  departmentName: z.string().nullable(),
  purpose: z.string(),
  applicationId: z.string().nullable(),
  kind: z.enum(['read', 'case_attach', 'verify_token', 'denied']),
  outcome: z.enum(['success', 'denied']),
  at: z.date(),
})
const typeSchema = z.object({
  code: z.string(),
  name: z.string(),
  holderKind: z.enum(['person', 'entity']),
  issuerKind: z.string(),
  validity: z.object({ years: z.number().nullable() }),
  fields: z.array(z.object({ key: z.string(), label: z.string(), type: z.enum(['text', 'date', 'enum']), required: z.boolean(), options: z.array(z.string()).optional() })),
  defaultDisclosure: z.array(z.string()),
  layout: z.object({ color: z.string(), orientation: z.enum(['landscape', 'portrait']) }),
})
const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), total: z.number(), page: z.number(), pageSize: z.number() })
const jsonLd = z.record(z.string(), z.unknown())

const tags = ['licenses']
const security = [{ session: [] }]
const wallet = requireRole('citizen', 'enterprise_agent')
const issuerAdmins = requireRole('department_head', 'data_admin', 'platform_admin')
const departmentStaff = requireRole('department_head', 'data_admin', 'reviewer', 'window_clerk', 'leader', 'platform_admin')

function metaOf(req: FastifyRequest): RequestMeta {
  return { ip: req.ip, userAgent: req.headers['user-agent'] ?? null }
}

/**
 * Electronic licenses over HTTP: public verification (no login), the holder's wallet, and the
 * issuing departments' seals, licenses, imports, access requests and reads.
 */
export const licensesRoutes: FastifyPluginAsyncZod<{ licenses: LicensesService }> = async (app, { licenses }) => {
  // ---- public -----------------------------------------------------------------------------------

  app.get(
    '/types',
    { schema: { tags, summary: 'License types: fields, issuing authority, validity, default disclosure', response: { 200: z.object({ items: z.array(typeSchema) }) } } },
    async (req) => ({ items: licenses.listTypes(req.locale) }),
  )

  app.get(
    '/verify/:code',
    {
      config: { rateLimitPolicy: 'publicVerify' },
      schema: {
        tags,
        summary: 'Verify a license by its QR code (permanent code L… or wallet token T…); no login',
        params: z.object({ code: z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/) }),
        response: { 200: verificationSchema },
      },
    },
    async (req, reply) => {
      const json = await licenses.verifyCodeJson(req.params.code, req.locale)
      // Status can change at any moment (revocation): shared caches must not keep the answer.
      // The text is the schema's shape already (the service serializes what verifyCode returns).
      return reply.header('cache-control', 'no-store').type('application/json; charset=utf-8').send(json as never)
    },
  )

  app.post(
    '/verify',
    {
      config: { rateLimitPolicy: 'publicVerify' },
      schema: {
        tags,
        summary: 'Verify a presented license document (content + SM2 signature) or Verifiable Credential; any changed byte → invalid',
        body: z.union([
          z.strictObject({ document: z.object({ content: z.record(z.string(), z.unknown()), signature: z.record(z.string(), z.unknown()) }) }),
          z.strictObject({ credential: jsonLd }),
        ]),
        response: { 200: verificationSchema },
      },
    },
    async (req) => {
      if ('document' in req.body) return licenses.verifyDocument(req.body.document as unknown as SignedLicenseDocument, req.locale)
      return licenses.verifyCredential(req.body.credential, req.locale)
    },
  )

  app.get(
    '/seals/:id/image.:format',
    {
      config: { rateLimitPolicy: 'publicVerify' },
      schema: { tags, summary: 'A seal picture (SVG, or the uploaded PNG)', params: z.object({ id, format: z.enum(['svg', 'png']) }), produces: ['image/svg+xml', 'image/png'], response: { 200: z.any() } },
    },
    async (req, reply) => {
      const img = await licenses.sealImage(req.params.id, req.params.format)
      if (!img) throw new NotFoundError('licenses/seal-not-found', 'licenses.problem.seal-not-found')
      return reply.type(img.type).header('cache-control', 'public, max-age=3600').header('x-content-type-options', 'nosniff').send(img.body)
    },
  )

  app.get(
    '/status-lists/:listId',
    {
      config: { rateLimitPolicy: 'publicVerify' },
      schema: { tags, summary: 'A BitstringStatusListCredential (revocation) for the Verifiable Credentials', params: z.object({ listId: id }), response: { 200: jsonLd } },
    },
    async (req, reply) => {
      const c = await licenses.statusListCredentialOf(req.params.listId)
      if (!c) throw new NotFoundError('licenses/status-list-not-found', 'problem.not-found')
      reply.header('cache-control', 'no-cache')
      return c
    },
  )

  app.get(
    '/issuer/did.json',
    { schema: { tags, summary: 'The did:key document of the platform\'s Verifiable Credential issuer (Ed25519)', response: { 200: jsonLd } } },
    async () => licenses.issuerDidDocument(),
  )

  // ---- wallet -------------------------------------------------------------------------------------

  app.get(
    '/mine',
    {
      preHandler: wallet,
      schema: { tags, security, summary: 'My licenses', querystring: z.object({ type: typeCode.optional(), status: status.optional(), ...pageQuery }), response: { 200: page(summarySchema) } },
    },
    async (req) => licenses.listMine(principalOf(req), req.query, req.locale),
  )

  app.get(
    '/mine/grants',
    { preHandler: wallet, schema: { tags, security, summary: 'Departments I share licenses with', querystring: z.object(pageQuery), response: { 200: page(grantSchema) } } },
    async (req) => licenses.listMyGrants(principalOf(req), req.query),
  )

  app.post(
    '/mine/grants/:grantId/withdraw',
    { preHandler: wallet, schema: { tags, security, summary: 'Withdraw a grant', params: z.object({ grantId: id }), body: z.strictObject({}).optional(), response: { 200: grantSchema } } },
    async (req) => licenses.withdrawGrant(principalOf(req), req.params.grantId, metaOf(req)),
  )

  app.get(
    '/mine/requests',
    {
      preHandler: wallet,
      schema: { tags, security, summary: 'Departments asking to use my licenses', querystring: z.object({ status: z.enum(['pending', 'approved', 'denied', 'cancelled']).optional(), ...pageQuery }), response: { 200: page(requestSchema) } },
    },
    async (req) => licenses.listMyRequests(principalOf(req), req.query),
  )

  app.post(
    '/mine/requests/:requestId/approve',
    {
      preHandler: wallet,
      schema: { tags, security, summary: 'Allow a department\'s request with one of my licenses', params: z.object({ requestId: id }), body: z.strictObject({ licenseId: id, mode: z.enum(grantModes) }), response: { 200: grantSchema } },
    },
    async (req) => (await licenses.decideRequest(principalOf(req), req.params.requestId, { approve: true, licenseId: req.body.licenseId, mode: req.body.mode }, metaOf(req))).grant!,
  )

  app.post(
    '/mine/requests/:requestId/deny',
    { preHandler: wallet, schema: { tags, security, summary: 'Refuse a department\'s request', params: z.object({ requestId: id }), body: z.strictObject({}).optional(), response: { 200: requestSchema } } },
    async (req) => (await licenses.decideRequest(principalOf(req), req.params.requestId, { approve: false }, metaOf(req))).request,
  )

  app.get(
    '/mine/uses',
    { preHandler: wallet, schema: { tags, security, summary: 'My use log: every use and read of my licenses', querystring: z.object({ licenseId: id.optional(), ...pageQuery }), response: { 200: page(useSchema) } } },
    async (req) => licenses.listMyUses(principalOf(req), req.query),
  )

  app.get(
    '/mine/:id',
    { preHandler: wallet, schema: { tags, security, summary: 'One of my licenses in full', params: z.object({ id }), response: { 200: detailSchema } } },
    async (req, reply) => {
      reply.header('cache-control', 'private, no-store')
      return licenses.getMine(principalOf(req), req.params.id, req.locale)
    },
  )

  app.post(
    '/mine/:id/tokens',
    {
      preHandler: wallet,
      schema: {
        tags,
        security,
        summary: 'A short-lived QR token showing the fields I choose',
        params: z.object({ id }),
        body: z.strictObject({ disclose: z.array(z.string().max(50)).max(30), ttlSeconds: z.number().int().min(60).max(600).optional() }),
        response: { 201: z.object({ token: z.string(), verifyUrl: z.string(), expiresAt: z.date() }) },
      },
    },
    async (req, reply) => reply.code(201).send(await licenses.issueToken(principalOf(req), req.params.id, req.body, metaOf(req))),
  )

  app.get(
    '/mine/:id/pdf',
    { preHandler: wallet, schema: { tags, security, summary: 'My license as a printable PDF (seal, QR to the verification page)', params: z.object({ id }), produces: ['application/pdf'], response: { 200: z.any() } } },
    async (req, reply) => {
      const { bytes, fileName } = await licenses.pdfOf(principalOf(req), req.params.id, req.locale)
      return reply
        .type('application/pdf')
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(fileName)}`)
        .header('cache-control', 'private, no-store')
        .send(Buffer.from(bytes))
    },
  )

  app.get(
    '/mine/:id/document',
    { preHandler: wallet, schema: { tags, security, summary: 'My license as signed JSON (content + SM2 seal signature)', params: z.object({ id }), response: { 200: jsonLd } } },
    async (req, reply) => {
      reply.header('cache-control', 'private, no-store')
      return (await licenses.documentOf(principalOf(req), req.params.id)) as unknown as Record<string, unknown>
    },
  )

  app.get(
    '/mine/:id/credential',
    { preHandler: wallet, schema: { tags, security, summary: 'My license as a W3C Verifiable Credential 2.0 (eddsa-rdfc-2022, Bitstring status list)', params: z.object({ id }), response: { 200: jsonLd } } },
    async (req, reply) => {
      reply.header('cache-control', 'private, no-store')
      return licenses.credentialOf(principalOf(req), req.params.id)
    },
  )

  app.post(
    '/mine/:id/grants',
    {
      preHandler: wallet,
      schema: {
        tags,
        security,
        summary: 'Share a license with a department for a purpose',
        params: z.object({ id }),
        body: z.strictObject({ departmentId: id, purpose, mode: z.enum(grantModes), applicationId: id.nullish(), expiresAt: z.coerce.date().nullish() }),
        response: { 201: grantSchema },
      },
    },
    async (req, reply) => reply.code(201).send(await licenses.shareWith(principalOf(req), req.params.id, req.body, metaOf(req))),
  )

  // ---- seals --------------------------------------------------------------------------------------

  app.get(
    '/seals',
    { preHandler: issuerAdmins, schema: { tags, security, summary: 'Electronic seals of the departments in reach', querystring: z.object({ departmentId: id.optional(), ...pageQuery }), response: { 200: page(sealSchema) } } },
    async (req) => licenses.listSeals(principalOf(req), req.query),
  )

  app.post(
    '/seals',
    {
      preHandler: issuerAdmins,
      bodyLimit: 1024 * 1024,
      schema: {
        tags,
        security,
        summary: 'Create a seal: a new SM2 key pair (kept sealed on the server) and an image generated from the department name, or an uploaded PNG',
        body: z.strictObject({ departmentId: id, name: text(1, 100), imagePngBase64: z.string().max(700_000).regex(/^[A-Za-z0-9+/=\s]*$/).nullish() }),
        response: { 201: sealSchema },
      },
    },
    async (req, reply) => reply.code(201).send(await licenses.createSeal(principalOf(req), req.body, metaOf(req))),
  )

  app.get(
    '/seals/:id',
    { preHandler: issuerAdmins, schema: { tags, security, summary: 'One seal (never its private key)', params: z.object({ id }), response: { 200: sealSchema } } },
    async (req) => licenses.getSeal(principalOf(req), req.params.id),
  )

  app.patch(
    '/seals/:id',
    {
      preHandler: issuerAdmins,
      schema: { tags, security, summary: 'Rename, disable or re-enable a seal', params: z.object({ id }), body: z.strictObject({ name: text(1, 100).optional(), status: z.enum(['active', 'disabled']).optional() }), response: { 200: sealSchema } },
    },
    async (req) => licenses.updateSeal(principalOf(req), req.params.id, req.body, metaOf(req)),
  )

  // ---- issued licenses ----------------------------------------------------------------------------

  app.get(
    '/issued',
    {
      preHandler: departmentStaff,
      schema: {
        tags,
        security,
        summary: 'Licenses issued by the departments in reach',
        querystring: z.object({ departmentId: id.optional(), type: typeCode.optional(), status: status.optional(), q: text(1, 100).optional(), ...pageQuery }),
        response: { 200: page(summarySchema) },
      },
    },
    async (req) => licenses.listIssued(principalOf(req), req.query, req.locale),
  )

  app.get(
    '/issued/:id',
    { preHandler: departmentStaff, schema: { tags, security, summary: 'A license the department issued, in full (audited)', params: z.object({ id }), response: { 200: detailSchema } } },
    async (req) => licenses.getIssued(principalOf(req), req.params.id, req.locale, metaOf(req)),
  )

  for (const action of ['revoke', 'suspend', 'reinstate'] as const) {
    app.post(
      `/issued/:id/${action}`,
      {
        preHandler: issuerAdmins,
        schema: { tags, security, summary: `${action[0]!.toUpperCase()}${action.slice(1)} a license (issuing department; reason required)`, params: z.object({ id }), body: z.strictObject({ reason }), response: { 200: detailSchema } },
      },
      async (req) => licenses.changeStatus(principalOf(req), req.params.id, action, req.body.reason, metaOf(req), req.locale),
    )
  }

  app.post(
    '/imports',
    {
      preHandler: issuerAdmins,
      bodyLimit: 12 * 1024 * 1024,
      schema: {
        tags,
        security,
        summary: 'Aggregate (汇聚) licenses from a CSV or Excel table; any bad row rejects the whole file',
        body: z.strictObject({
          departmentId: id,
          type: typeCode,
          sealId: id.optional(),
          format: z.enum(['csv', 'xlsx']),
          fileName: text(1, 200).optional(),
          content: z.string().min(1).max(12 * 1024 * 1024).describe('CSV text (UTF-8), or the .xlsx file Base64-encoded'),
        }),
        response: { 201: z.object({ importId: z.string(), imported: z.number(), licenseIds: z.array(z.string()) }) },
      },
    },
    async (req, reply) => {
      try {
        return reply.code(201).send(await licenses.importLicenses(principalOf(req), req.body, metaOf(req)))
      } catch (err) {
        if (err instanceof ImportRejectedError) throw err.localized(req.locale)
        throw err
      }
    },
  )

  // ---- departments asking and reading -------------------------------------------------------------

  app.post(
    '/requests',
    {
      preHandler: departmentStaff,
      schema: {
        tags,
        security,
        summary: 'Ask a holder for a license, with a purpose',
        body: z
          .strictObject({
            departmentId: id,
            licenseType: typeCode,
            holderAccountId: id.optional(),
            holderIdNumber: z.string().trim().regex(/^\d{17}[\dXx]$/).optional(),
            holderCreditCode: z.string().trim().toUpperCase().regex(/^[0-9A-HJ-NPQRTUWXY]{18}$/).optional(),
            purpose,
            applicationId: id.nullish(),
          })
          .refine((b) => [b.holderAccountId, b.holderIdNumber, b.holderCreditCode].filter(Boolean).length === 1, { message: 'name the holder exactly once', path: ['holderAccountId'] }),
        response: { 201: requestSchema },
      },
    },
    async (req, reply) => reply.code(201).send(await licenses.requestAccess(principalOf(req), req.body, metaOf(req))),
  )

  app.get(
    '/requests',
    {
      preHandler: departmentStaff,
      schema: { tags, security, summary: 'The department\'s requests and their answers', querystring: z.object({ departmentId: id, status: z.enum(['pending', 'approved', 'denied', 'cancelled']).optional(), ...pageQuery }), response: { 200: page(requestSchema) } },
    },
    async (req) => licenses.listDepartmentRequests(principalOf(req), req.query),
  )

  app.post(
    '/reads',
    {
      preHandler: departmentStaff,
      schema: {
        tags,
        security,
        summary: 'Read a holder\'s license under their grant (logged for the holder and on the ledger; 403 without a grant)',
        body: z.strictObject({ licenseId: id, departmentId: id, purpose, applicationId: id.nullish() }),
        response: { 200: readSchema },
      },
    },
    async (req, reply) => {
      reply.header('cache-control', 'private, no-store')
      return licenses.readLicense(principalOf(req), req.body, metaOf(req), req.locale)
    },
  )
}
