import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { actorOf } from '../../platform/audit.js'
import { assertCanActIn, requireRole } from '../../platform/auth.js'
import { toGbCode } from './division-source.js'
import { DepartmentNotFoundError, DivisionNotFoundError } from './errors.js'
import type { OrgService, WriteOptions } from './service.js'
import { departmentKinds, divisionLevels } from './types.js'

// ---- input ----------------------------------------------------------------------------------

/** A GB/T 2260 code; 2- and 4-digit province/city shorthands ('14', '1409') are padded to 6. */
const divisionCode = z
  .string()
  .regex(/^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12})$/)
  .describe('GB/T 2260 code: 6 digits (province/city/county), 9 (street/town) or 12 (community/village)')
const communityCode = z.string().regex(/^\d{12}$/).describe('12-digit community/village code')
/** GB 32100 unified social credit code: shape only here; identity verifies the check digit. */
const creditCode = z
  .string()
  .regex(/^([0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10})?$/)
  .describe('18-character unified social credit code (GB 32100); empty clears it')
const optionalText = (max: number) => z.string().trim().max(max).nullish()
const phone = z.string().trim().max(30).regex(/^[0-9+\-() ]*$/).nullish().describe('Office phone, e.g. 0350-3033000')
const idParam = z.object({ id: z.string().min(1).max(64) })

const departmentFields = {
  name: z.string().trim().min(2).max(100),
  shortName: optionalText(50),
  divisionCode,
  kind: z.enum(departmentKinds),
  creditCode: creditCode.nullish(),
  phone,
  address: optionalText(200),
}
const newDepartmentBody = z.strictObject(departmentFields)
const departmentChangesBody = z.strictObject({
  version: z.number().int().min(1).describe('The version the caller read; a stale one answers 409'),
  ...z.object(departmentFields).partial().shape,
})

const pageQuery = {
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
}

// ---- output ---------------------------------------------------------------------------------

const divisionSchema = z.object({
  code: z.string(),
  name: z.string(),
  level: z.enum(divisionLevels),
  parentCode: z.string().nullable(),
  hasChildren: z.boolean(),
})
const namedDivisionSchema = divisionSchema.extend({ fullName: z.string().describe('e.g. 山西省忻州市忻府区') })
const divisionDetailSchema = namedDivisionSchema.extend({ chain: z.array(divisionSchema).describe('Root first, the division itself last') })
const departmentSchema = z.object({
  id: z.string(),
  name: z.string(),
  shortName: z.string().nullable(),
  divisionCode: z.string(),
  divisionName: z.string(),
  kind: z.enum(departmentKinds),
  creditCode: z.string().nullable(),
  phone: z.string().nullable(),
  address: z.string().nullable(),
  version: z.number().int(),
  createdAt: z.date(),
  updatedAt: z.date(),
})
const positionSchema = z.object({ id: z.string(), departmentId: z.string(), name: z.string(), createdAt: z.date() })
const gridCellSchema = z.object({
  code: z.string().describe('15 digits: community code + 3-digit sequence'),
  name: z.string(),
  communityCode: z.string(),
  createdAt: z.date(),
})

const tags = ['org']
const security = [{ session: [] }]

/** Writers: platform admins anywhere, data admins within their division (checked per division). */
const admin = requireRole('platform_admin', 'data_admin')
function inScope(req: FastifyRequest): WriteOptions {
  return { authorize: (code) => assertCanActIn(req.principal, code, 'platform_admin', 'data_admin') }
}

/** Divisions, departments, positions and grid cells. Reads are public: they are public information. */
export const orgRoutes: FastifyPluginAsyncZod<{ org: OrgService }> = async (app, { org }) => {
  app.get(
    '/divisions',
    {
      schema: {
        tags,
        summary: 'Children of a division (provinces when no parent)',
        querystring: z.object({ parent: divisionCode.optional() }),
        response: { 200: z.object({ items: z.array(divisionSchema) }) },
      },
    },
    async (req) => {
      const parent = req.query.parent ? toGbCode(req.query.parent) : null
      if (parent && !(await org.divisionExists(parent))) throw new DivisionNotFoundError(parent)
      return { items: await org.listChildren(parent) }
    },
  )

  app.get(
    '/divisions/search',
    {
      config: { rateLimitPolicy: 'search' },
      schema: {
        tags,
        summary: 'Search divisions by code prefix or (part of) the name',
        querystring: z.object({
          q: z.string().trim().min(1).max(50),
          limit: z.coerce.number().int().min(1).max(50).default(20),
        }),
        response: { 200: z.object({ items: z.array(namedDivisionSchema) }) },
      },
    },
    async (req) => ({ items: await org.searchDivisions(req.query.q, req.query.limit) }),
  )

  app.get(
    '/divisions/:code',
    {
      schema: {
        tags,
        summary: 'A division with its full name and chain of ancestors',
        params: z.object({ code: divisionCode }),
        response: { 200: divisionDetailSchema },
      },
    },
    async (req) => {
      const code = toGbCode(req.params.code)
      const division = await org.getDivision(code)
      if (!division) throw new DivisionNotFoundError(code)
      return division
    },
  )

  app.get(
    '/departments',
    {
      schema: {
        tags,
        summary: 'Departments, optionally within a division (including everything beneath it)',
        querystring: z.object({
          divisionCode: divisionCode.optional(),
          q: z.string().trim().max(50).optional(),
          kind: z.enum(departmentKinds).optional(),
          ...pageQuery,
        }),
        response: {
          200: z.object({ items: z.array(departmentSchema), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() }),
        },
      },
    },
    async (req) => {
      const { divisionCode: code, q, kind, page, pageSize } = req.query
      return org.listDepartments({ divisionCode: code ? toGbCode(code) : undefined, q: q || undefined, kind }, { page, pageSize })
    },
  )

  app.get(
    '/departments/:id',
    { schema: { tags, summary: 'A department', params: idParam, response: { 200: departmentSchema } } },
    async (req) => {
      const department = await org.getDepartment(req.params.id)
      if (!department) throw new DepartmentNotFoundError()
      return department
    },
  )

  app.post(
    '/departments',
    {
      preValidation: admin,
      schema: { tags, security, summary: 'Create a department', body: newDepartmentBody, response: { 201: departmentSchema } },
    },
    async (req, reply) => {
      const body = { ...req.body, divisionCode: toGbCode(req.body.divisionCode) }
      return reply.code(201).send(await org.createDepartment(actorOf(req), body, inScope(req)))
    },
  )

  app.patch(
    '/departments/:id',
    {
      preValidation: admin,
      schema: {
        tags,
        security,
        summary: 'Edit a department (optimistic concurrency on version)',
        params: idParam,
        body: departmentChangesBody,
        response: { 200: departmentSchema },
      },
    },
    async (req) => {
      const body = { ...req.body, divisionCode: req.body.divisionCode ? toGbCode(req.body.divisionCode) : undefined }
      return org.updateDepartment(actorOf(req), req.params.id, body, inScope(req))
    },
  )

  app.get(
    '/departments/:id/positions',
    { schema: { tags, summary: "A department's positions", params: idParam, response: { 200: z.object({ items: z.array(positionSchema) }) } } },
    async (req) => ({ items: await org.listPositions(req.params.id) }),
  )

  app.post(
    '/departments/:id/positions',
    {
      preValidation: admin,
      schema: {
        tags,
        security,
        summary: 'Add a position to a department',
        params: idParam,
        body: z.strictObject({ name: z.string().trim().min(1).max(50) }),
        response: { 201: positionSchema },
      },
    },
    async (req, reply) => reply.code(201).send(await org.createPosition(actorOf(req), req.params.id, req.body, inScope(req))),
  )

  app.get(
    '/grid-cells',
    {
      schema: {
        tags,
        summary: 'Grid cells of a community',
        querystring: z.object({ communityCode }),
        response: { 200: z.object({ items: z.array(gridCellSchema) }) },
      },
    },
    async (req) => ({ items: await org.listGridCells(req.query.communityCode) }),
  )

  app.post(
    '/grid-cells',
    {
      preValidation: admin,
      schema: {
        tags,
        security,
        summary: 'Add a grid cell to a community; its code is assigned',
        body: z.strictObject({ communityCode, name: z.string().trim().min(1).max(50) }),
        response: { 201: gridCellSchema },
      },
    },
    async (req, reply) => reply.code(201).send(await org.createGridCell(actorOf(req), req.body, inScope(req))),
  )
}
