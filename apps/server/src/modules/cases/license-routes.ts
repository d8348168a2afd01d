import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { principalOf, requireRole } from '../../platform/auth.js'
import type { CasesService } from './service.js'
import type { RequestMeta } from './types.js'

/** The license standing in for a material, as the case detail names it. */
export const licenseMaterialSchema = z
  .object({
    licenseId: z.string(),
    number: z.string(),
    type: z.string(),
    typeName: z.string(),
    attachedAt: z.date(),
  })
  .nullable()
  .describe('The applicant’s e-license standing in for an upload (免提交), or null')


/** A license read for a case: content and verification (status, SM2 seal signature). */
const caseLicenseSchema = z.object({
  materialCode: z.string(),
  attachedAt: z.date(),
  id: z.string(),
  number: z.string(),
  type: z.string(),
  typeName: z.string(),
  holderName: z.string(),
  maskedHolderId: z.string(),
  issuerName: z.string(),
  issuedAt: z.string(),
  validFrom: z.string(),
  validUntil: z.string().nullable(),
  status: z.string(),
  fields: z.array(z.object({ key: z.string(), label: z.string(), value: z.string() })),
  verification: z.object({
    outcome: z.string().describe('valid, suspended, revoked, expired, or invalid (signature or content does not check)'),
    signatureValid: z.boolean(),
    checkedAt: z.string(),
    license: z.object({ seal: z.object({ name: z.string(), imageUrl: z.string() }) }).nullable(),
  }),
})

const tags = ['cases']
const security = [{ session: [] }]
const params = z.object({ id: z.string().min(1).max(64), materialCode: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/) })
const applicantOnly = requireRole('citizen', 'enterprise_agent')
const staffOnly = requireRole('window_clerk', 'reviewer', 'department_head', 'leader')

function metaOf(req: FastifyRequest): RequestMeta {
  return { ip: req.ip, userAgent: req.headers['user-agent'] ?? null, locale: req.locale }
}

/** 免提交 routes: an applicant's e-license stands in for a material; staff in reach read it, verified. */
export const caseLicenseRoutes: FastifyPluginAsyncZod<{ cases: CasesService }> = async (app, { cases }) => {
  app.put(
    '/cases/:id/materials/:materialCode/license',
    {
      preHandler: applicantOnly,
      schema: {
        tags,
        security,
        summary: 'Use my valid e-license of the material’s type instead of an upload (draft or 补正); records my consent for the case’s department',
        params,
        body: z.strictObject({ licenseId: z.string().min(1).max(64) }),
        response: { 200: licenseMaterialSchema.unwrap() },
      },
    },
    async (req) => cases.attachLicense(principalOf(req), req.params.id, req.params.materialCode, req.body, metaOf(req)),
  )

  app.delete(
    '/cases/:id/materials/:materialCode/license',
    {
      preHandler: applicantOnly,
      schema: { tags, security, summary: 'Stop using the e-license for the material (draft or 补正 only)', params, response: { 204: z.null() } },
    },
    async (req, reply) => {
      await cases.detachLicense(principalOf(req), req.params.id, req.params.materialCode, metaOf(req))
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/cases/:id/materials/:materialCode/license',
    {
      preHandler: staffOnly,
      schema: {
        tags,
        security,
        summary: 'Staff in reach: the e-license standing in for a material, read under the holder’s grant (in their use log) and verified',
        params,
        response: { 200: caseLicenseSchema },
      },
    },
    async (req, reply) => {
      reply.header('cache-control', 'private, no-store')
      return cases.readLicense(principalOf(req), req.params.id, req.params.materialCode, metaOf(req))
    },
  )
}
