import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { principalOf, requireRole } from '../../platform/auth.js'
import { t } from '../../platform/i18n.js'
import { staffRoles } from '../../platform/roles.js'
import { HouseholdNotFoundError, ImportRejectedError, PersonNotFoundError, EntityNotFoundError } from './errors.js'
import type { AccessMeta, RegistriesService } from './service.js'
import {
  creditLists,
  entityStatuses,
  entityTypes,
  ethnicityCodes,
  importKinds,
  indicatorCodes,
  indicators,
  maritalStatuses,
  personStatuses,
  registryCodes,
  relations,
  sexes,
  subjectTypes,
  units,
} from './types.js'

// ---- input ----------------------------------------------------------------------------------

/** Text without control characters (PostgreSQL text cannot even hold NUL; none belong here). */
const text = (min: number, max: number) => z.string().trim().min(min).max(max).regex(/^[^\p{Cc}]*$/u)
const optionalText = (max: number) => text(0, max).nullish()
const id = text(1, 64)
const idParams = z.object({ id })
const divisionCode = z.string().regex(/^(\d{6}|\d{9}|\d{12})$/).describe('GB/T 2260 code: 6 digits (to county), 9 (street/town) or 12 (community/village)')
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/).describe('YYYY-MM-DD')
const purpose = text(2, 200).describe('Why the data is read (数据使用目的); required for every read and kept in the access log')
const idNumber = z.string().trim().regex(/^\d{17}[\dXx]$/).describe('18-character citizen ID number (GB 11643); the check digit is verified')
const creditCode = z.string().trim().toUpperCase().regex(/^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/).describe('18-character unified social credit code (GB 32100)')
const phone = z.string().trim().max(20).regex(/^[0-9+\- ]*$/).nullish().describe('Mainland mobile number')
const ethnicity = z.enum(ethnicityCodes as [string, ...string[]]).describe('GB/T 3304 two-digit code, 01 汉族 … 56 基诺族')
const pageQuery = {
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
}
const version = z.number().int().min(1).describe('The version the caller read; a stale one answers 409')

const newPersonBody = z.strictObject({
  idNumber,
  name: text(1, 50),
  ethnicity,
  householdDivisionCode: divisionCode.describe('Household-registration division (户籍地)'),
  address: optionalText(200),
  phone,
  maritalStatus: z.enum(maritalStatuses).optional(),
  status: z.enum(personStatuses).optional(),
})
const personChangesBody = z.strictObject({
  version,
  name: text(1, 50).optional(),
  ethnicity: ethnicity.optional(),
  householdDivisionCode: divisionCode.optional(),
  address: optionalText(200),
  phone,
  maritalStatus: z.enum(maritalStatuses).optional(),
  status: z.enum(personStatuses).optional(),
  householdId: id.nullable().optional().describe('Join a household (with relation), or leave it (null, with relation null)'),
  relation: z.enum(relations).nullable().optional().describe('Relation to the head of household (与户主关系)'),
})
const newHouseholdBody = z.strictObject({
  divisionCode,
  address: optionalText(200),
  number: z.string().trim().regex(/^[0-9A-Za-z-]{1,20}$/).optional().describe('户号; generated when omitted'),
  headPersonId: id,
})
const newEntityBody = z.strictObject({
  creditCode,
  name: text(1, 200),
  type: z.enum(entityTypes),
  legalRepName: optionalText(50),
  legalRepIdNumber: idNumber.nullish(),
  registeredCapital: z.number().min(0).max(1e12).nullish().describe('万元 (10,000 CNY)'),
  registrationAuthority: optionalText(100),
  divisionCode: divisionCode.optional().describe('Defaults to the division inside the credit code'),
  address: optionalText(200),
  businessScope: optionalText(2000),
  establishedOn: date.nullish(),
  status: z.enum(entityStatuses).optional(),
})
const entityChangesBody = z.strictObject({
  version,
  name: text(1, 200).optional(),
  type: z.enum(entityTypes).optional(),
  legalRepName: optionalText(50),
  legalRepIdNumber: idNumber.nullish(),
  registeredCapital: z.number().min(0).max(1e12).nullish(),
  registrationAuthority: optionalText(100),
  address: optionalText(200),
  businessScope: optionalText(2000),
  status: z.enum(entityStatuses).optional().describe('存续 active, 注销 deregistered, 吊销 revoked'),
  statusChangedOn: date.optional().describe('Day of the status change; today when omitted'),
})
const newCreditBody = z.strictObject({
  subjectType: z.enum(subjectTypes),
  subjectId: id,
  list: z.enum(creditLists),
  reason: text(1, 500),
  basis: optionalText(500),
  sourceDepartmentId: id,
  validFrom: date,
  validTo: date.nullish(),
})

// ---- output ---------------------------------------------------------------------------------

const personSchema = z.object({
  id: z.string(),
  idNumber: z.string().describe('Masked (1409**********123X) unless `revealed`'),
  name: z.string(),
  sex: z.enum(sexes),
  birthDate: z.string(),
  ethnicity: z.string(),
  householdDivisionCode: z.string(),
  address: z.string().nullable().describe('Digits starred unless `revealed`'),
  addressDivisionCode: z.string().nullable(),
  gridCode: z.string().nullable(),
  phone: z.string().nullable().describe('Masked (138****5678) unless `revealed`'),
  householdId: z.string().nullable(),
  householdNumber: z.string().nullable(),
  relation: z.enum(relations).nullable(),
  maritalStatus: z.enum(maritalStatuses),
  status: z.enum(personStatuses),
  version: z.number().int(),
  createdAt: z.date(),
  updatedAt: z.date(),
  revealed: z.boolean().describe('Whether ID number, phone and address are shown in full'),
})
const householdSchema = z.object({
  id: z.string(),
  number: z.string(),
  divisionCode: z.string(),
  address: z.string().nullable(),
  members: z.array(
    z.object({
      personId: z.string(),
      name: z.string(),
      relation: z.enum(relations),
      sex: z.enum(sexes),
      birthDate: z.string(),
      idNumber: z.string(),
      revealed: z.boolean(),
    }),
  ),
})
const entitySchema = z.object({
  id: z.string(),
  creditCode: z.string(),
  name: z.string(),
  type: z.enum(entityTypes),
  legalRepresentative: z.object({ name: z.string().nullable(), idNumber: z.string().nullable(), personId: z.string().nullable() }),
  registeredCapital: z.number().nullable().describe('万元 (10,000 CNY)'),
  registrationAuthority: z.string().nullable(),
  divisionCode: z.string(),
  address: z.string().nullable(),
  addressDivisionCode: z.string().nullable(),
  gridCode: z.string().nullable(),
  businessScope: z.string().nullable(),
  establishedOn: z.string().nullable(),
  status: z.enum(entityStatuses),
  statusChangedOn: z.string().nullable(),
  version: z.number().int(),
  createdAt: z.date(),
  updatedAt: z.date(),
  revealed: z.boolean(),
})
const creditEntrySchema = z.object({
  id: z.string(),
  subjectType: z.enum(subjectTypes),
  subjectId: z.string(),
  subjectName: z.string(),
  subjectCode: z.string().describe('Credit code, or the person’s ID number (masked)'),
  divisionCode: z.string(),
  list: z.enum(creditLists),
  reason: z.string(),
  basis: z.string().nullable(),
  sourceDepartmentId: z.string(),
  sourceDepartmentName: z.string(),
  validFrom: z.string(),
  validTo: z.string().nullable(),
  active: z.boolean(),
  createdAt: z.date(),
})
const changeSchema = z.object({
  id: z.string(),
  field: z.string().describe('The changed field, or `record` for the creation'),
  oldValue: z.string().nullable(),
  newValue: z.string().nullable(),
  at: z.date(),
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  source: z.string().describe('api, import:<batch>, demo, or the module that wrote it'),
  revealed: z.boolean().describe('Whether identifiers in the values are shown in full (a logged disclosure) or masked'),
})
const geocodeSchema = z.object({
  address: z.string(),
  divisionCode: z.string().nullable(),
  divisionName: z.string().nullable(),
  fullName: z.string().nullable(),
  level: z.string().nullable(),
  gridCode: z.string().nullable(),
  point: z.object({ lng: z.number(), lat: z.number() }).nullable(),
  matched: z.array(z.string()),
  precision: z.enum(['address-point', 'grid', 'community', 'street', 'county', 'city', 'province', 'none']),
})
const featureSchema = z.object({
  type: z.literal('Feature'),
  id: z.string(),
  geometry: z.object({ type: z.enum(['Polygon', 'MultiPolygon']), coordinates: z.array(z.unknown()) }),
  properties: z.object({
    divisionCode: z.string(),
    name: z.string(),
    center: z.tuple([z.number(), z.number()]),
    approximate: z.boolean().describe('True for generated demo outlines, which are not survey data'),
    source: z.string(),
  }),
})
const seriesSchema = z.object({
  divisionCode: z.string(),
  code: z.enum(indicatorCodes as [string, ...string[]]),
  name: z.string(),
  unit: z.enum(units),
  unitName: z.string(),
  points: z.array(z.object({ period: z.string(), value: z.number() })),
})
const registrySchema = z.object({
  code: z.enum(registryCodes),
  name: z.string(),
  ownerDepartmentId: z.string().nullable(),
  ownerDepartmentName: z.string().nullable(),
  updatedAt: z.date(),
})
const accessLogSchema = z.object({
  id: z.string(),
  at: z.date(),
  actorId: z.string().nullable(),
  actorKind: z.string().nullable(),
  actorName: z.string().nullable(),
  via: z.string(),
  registry: z.enum(registryCodes),
  action: z.string(),
  recordIds: z.array(z.string()),
  resultCount: z.number().int(),
  purpose: z.string(),
  revealed: z.boolean(),
  divisionCode: z.string().nullable(),
})
const importResultSchema = z.object({
  batchId: z.string().nullable(),
  kind: z.enum(importKinds),
  dryRun: z.boolean(),
  rows: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
})
const paginated = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() })

const tags = ['registries']

/** Staff of any role: the service decides per registry (owner department, data_admin, platform_admin). */
const staff = requireRole(...staffRoles)

function metaOf(req: FastifyRequest): AccessMeta {
  return { ip: req.ip, userAgent: req.headers['user-agent'] ?? null, via: 'api' }
}

/**
 * The base registries over HTTP. Every read names its purpose (query `purpose` or body field),
 * which the service records with the caller in the access log and the audit log; lists mask ID
 * numbers, phones and addresses.
 */
export const registriesRoutes: FastifyPluginAsyncZod<{ registries: RegistriesService }> = async (app, { registries }) => {
  // ---- catalog and owners ------------------------------------------------------------------

  app.get(
    '/owners',
    { preHandler: staff, schema: { tags, summary: 'The registries and the departments that own them', response: { 200: z.object({ items: z.array(registrySchema) }) } } },
    async (req) => ({
      items: (await registries.listRegistries(principalOf(req))).map((r) => ({ ...r, name: t(req.locale, `registries.registry.${r.code}`) })),
    }),
  )

  app.put(
    '/owners/:registry',
    {
      preHandler: requireRole('platform_admin'),
      schema: {
        tags,
        summary: 'Name the department that owns a registry (platform-wide platform admins)',
        params: z.object({ registry: z.enum(registryCodes) }),
        body: z.strictObject({ departmentId: id.nullable() }),
        response: { 200: registrySchema },
      },
    },
    async (req) => {
      const r = await registries.setOwner(principalOf(req), req.params.registry, req.body.departmentId, metaOf(req))
      return { ...r, name: t(req.locale, `registries.registry.${r.code}`) }
    },
  )

  app.get(
    '/access-log',
    {
      preHandler: requireRole('platform_admin', 'data_admin'),
      schema: {
        tags,
        summary: 'Who read which registry records, and why (data admins: their divisions)',
        querystring: z.object({ registry: z.enum(registryCodes).optional(), actorId: id.optional(), ...pageQuery }),
        response: { 200: paginated(accessLogSchema) },
      },
    },
    async (req) => {
      const { page, pageSize, ...filter } = req.query
      return registries.listAccessLog(principalOf(req), filter, { page, pageSize })
    },
  )

  // ---- population ----------------------------------------------------------------------------

  app.get(
    '/persons',
    {
      preHandler: staff,
      schema: {
        tags,
        summary: 'Search persons by name or ID-number prefix (masked)',
        querystring: z.object({
          purpose,
          q: text(0, 50).optional().describe('Part of the name, or the start of an ID number'),
          divisionCode: divisionCode.optional(),
          householdId: id.optional(),
          ...pageQuery,
        }),
        response: { 200: paginated(personSchema) },
      },
    },
    async (req) => {
      const { purpose: why, page, pageSize, ...query } = req.query
      return registries.searchPersons(query, { page, pageSize }, why, principalOf(req), metaOf(req))
    },
  )

  app.post(
    '/persons',
    { preHandler: staff, schema: { tags, summary: 'Add a person to the population registry', body: newPersonBody, response: { 201: personSchema } } },
    async (req, reply) => reply.code(201).send(await registries.createPerson(principalOf(req), req.body, metaOf(req))),
  )

  app.get(
    '/persons/me',
    {
      preHandler: requireRole('citizen'),
      schema: { tags, summary: 'The signed-in citizen’s own population record', querystring: z.object({ purpose }), response: { 200: personSchema } },
    },
    async (req) => {
      const p = principalOf(req)
      const person = await registries.getPersonForAccount(p.accountId, req.query.purpose, p, metaOf(req))
      if (!person) throw new PersonNotFoundError()
      return person
    },
  )

  app.get(
    '/persons/:id',
    { preHandler: staff, schema: { tags, summary: 'One person', params: idParams, querystring: z.object({ purpose }), response: { 200: personSchema } } },
    async (req) => registries.getPerson(req.params.id, req.query.purpose, principalOf(req), metaOf(req)),
  )

  app.patch(
    '/persons/:id',
    {
      preHandler: staff,
      schema: { tags, summary: 'Change a person (each changed field is kept in the history)', params: idParams, body: personChangesBody, response: { 200: personSchema } },
    },
    async (req) => registries.updatePerson(principalOf(req), req.params.id, req.body, metaOf(req)),
  )

  app.get(
    '/persons/:id/history',
    {
      preHandler: staff,
      schema: { tags, summary: 'Changes of a person, oldest first', params: idParams, querystring: z.object({ purpose }), response: { 200: z.object({ items: z.array(changeSchema) }) } },
    },
    async (req) => ({ items: await registries.personHistory(req.params.id, req.query.purpose, principalOf(req), metaOf(req)) }),
  )

  app.post(
    '/households',
    { preHandler: staff, schema: { tags, summary: 'Open a household (户) with its head', body: newHouseholdBody, response: { 201: householdSchema } } },
    async (req, reply) => reply.code(201).send(await registries.createHousehold(principalOf(req), req.body, metaOf(req))),
  )

  app.get(
    '/households/me',
    {
      preHandler: requireRole('citizen'),
      schema: { tags, summary: 'The signed-in citizen’s household and its members', querystring: z.object({ purpose }), response: { 200: householdSchema } },
    },
    async (req) => {
      const p = principalOf(req)
      const household = await registries.householdForAccount(p.accountId, req.query.purpose, p, metaOf(req))
      if (!household) throw new HouseholdNotFoundError()
      return household
    },
  )

  app.get(
    '/households/:id',
    { preHandler: staff, schema: { tags, summary: 'A household and its members', params: idParams, querystring: z.object({ purpose }), response: { 200: householdSchema } } },
    async (req) => registries.getHousehold(req.params.id, req.query.purpose, principalOf(req), metaOf(req)),
  )

  // ---- legal entities ------------------------------------------------------------------------

  app.get(
    '/entities',
    {
      preHandler: staff,
      schema: {
        tags,
        summary: 'Search legal entities by name or credit-code prefix',
        querystring: z.object({
          purpose,
          q: text(0, 100).optional(),
          divisionCode: divisionCode.optional(),
          status: z.enum(entityStatuses).optional(),
          type: z.enum(entityTypes).optional(),
          ...pageQuery,
        }),
        response: { 200: paginated(entitySchema) },
      },
    },
    async (req) => {
      const { purpose: why, page, pageSize, ...query } = req.query
      return registries.searchEntities(query, { page, pageSize }, why, principalOf(req), metaOf(req))
    },
  )

  app.post(
    '/entities',
    { preHandler: staff, schema: { tags, summary: 'Register a legal entity', body: newEntityBody, response: { 201: entitySchema } } },
    async (req, reply) => reply.code(201).send(await registries.createEntity(principalOf(req), req.body, metaOf(req))),
  )

  app.get(
    '/entities/me',
    {
      preHandler: requireRole('enterprise_agent'),
      schema: { tags, summary: 'The signed-in enterprise’s own record', querystring: z.object({ purpose }), response: { 200: entitySchema } },
    },
    async (req) => {
      const p = principalOf(req)
      const entity = await registries.getEntityForAccount(p.accountId, req.query.purpose, p, metaOf(req))
      if (!entity) throw new EntityNotFoundError()
      return entity
    },
  )

  app.get(
    '/entities/:id',
    { preHandler: staff, schema: { tags, summary: 'One legal entity', params: idParams, querystring: z.object({ purpose }), response: { 200: entitySchema } } },
    async (req) => registries.getEntity(req.params.id, req.query.purpose, principalOf(req), metaOf(req)),
  )

  app.patch(
    '/entities/:id',
    {
      preHandler: staff,
      schema: { tags, summary: 'Change a legal entity, e.g. its status (存续/注销/吊销)', params: idParams, body: entityChangesBody, response: { 200: entitySchema } },
    },
    async (req) => registries.updateEntity(principalOf(req), req.params.id, req.body, metaOf(req)),
  )

  app.get(
    '/entities/:id/history',
    {
      preHandler: staff,
      schema: { tags, summary: 'Changes of a legal entity, oldest first', params: idParams, querystring: z.object({ purpose }), response: { 200: z.object({ items: z.array(changeSchema) }) } },
    },
    async (req) => ({ items: await registries.entityHistory(req.params.id, req.query.purpose, principalOf(req), metaOf(req)) }),
  )

  // ---- public credit -------------------------------------------------------------------------

  app.get(
    '/credit-entries',
    {
      preHandler: staff,
      schema: {
        tags,
        summary: 'Red- and black-list entries',
        querystring: z.object({ purpose, subjectType: z.enum(subjectTypes).optional(), subjectId: id.optional(), list: z.enum(creditLists).optional(), ...pageQuery }),
        response: { 200: paginated(creditEntrySchema) },
      },
    },
    async (req) => {
      const { purpose: why, page, pageSize, ...query } = req.query
      return registries.listCreditEntries(query, { page, pageSize }, why, principalOf(req), metaOf(req))
    },
  )

  app.post(
    '/credit-entries',
    { preHandler: staff, schema: { tags, summary: 'Put a person or entity on the red or black list', body: newCreditBody, response: { 201: creditEntrySchema } } },
    async (req, reply) => reply.code(201).send(await registries.addCreditEntry(principalOf(req), req.body, metaOf(req))),
  )

  app.patch(
    '/credit-entries/:id',
    {
      preHandler: staff,
      schema: { tags, summary: 'End a credit entry early (set its last day)', params: idParams, body: z.strictObject({ validTo: date }), response: { 200: creditEntrySchema } },
    },
    async (req) => registries.endCreditEntry(principalOf(req), req.params.id, req.body, metaOf(req)),
  )

  // ---- spatial and economy -------------------------------------------------------------------

  app.post(
    '/geocode',
    {
      preHandler: staff,
      schema: {
        tags,
        summary: 'Address text → division (to the community), grid cell and point where known',
        body: z.strictObject({ address: text(2, 200), purpose, within: divisionCode.optional().describe('Prefer divisions under this one') }),
        response: { 200: geocodeSchema },
      },
    },
    async (req) => registries.geocodeFor(req.body.address, req.body.purpose, principalOf(req), metaOf(req), { within: req.body.within }),
  )

  app.get(
    '/boundaries',
    {
      preHandler: staff,
      schema: {
        tags,
        summary: 'Division outlines as a GeoJSON FeatureCollection (RFC 7946)',
        querystring: z.object({ purpose, within: divisionCode.optional() }),
        response: { 200: z.object({ type: z.literal('FeatureCollection'), features: z.array(featureSchema) }) },
      },
    },
    async (req) => ({ type: 'FeatureCollection' as const, features: await registries.boundaries({ within: req.query.within }, req.query.purpose, principalOf(req), metaOf(req)) }),
  )

  app.get(
    '/indicators',
    {
      preHandler: staff,
      schema: {
        tags,
        summary: 'Macro-economic indicator series of a division',
        querystring: z.object({
          purpose,
          divisionCode,
          code: z.enum(indicatorCodes as [string, ...string[]]).optional(),
          from: z.string().regex(/^\d{4}/).max(7).optional(),
          to: z.string().regex(/^\d{4}/).max(7).optional(),
        }),
        response: { 200: z.object({ items: z.array(seriesSchema) }) },
      },
    },
    async (req) => {
      const { purpose: why, code, ...query } = req.query
      const series = await registries.listIndicators({ ...query, code: code as keyof typeof indicators | undefined }, why, principalOf(req), metaOf(req))
      return {
        items: series.map((s) => ({ ...s, name: t(req.locale, `registries.indicator.${s.code}`), unitName: t(req.locale, `registries.unit.${s.unit}`) })),
      }
    },
  )

  // ---- bulk import ---------------------------------------------------------------------------

  app.post(
    '/imports/:kind',
    {
      preHandler: staff,
      bodyLimit: 16 * 1024 * 1024,
      schema: {
        tags,
        summary: 'Import a CSV or Excel table; any failing row rejects the whole file (nothing written)',
        params: z.object({ kind: z.enum(importKinds) }),
        body: z.strictObject({
          format: z.enum(['csv', 'xlsx']),
          content: z.string().min(1).max(12 * 1024 * 1024).describe('CSV text (UTF-8), or the .xlsx file Base64-encoded'),
          dryRun: z.boolean().default(false).describe('Check every row without writing'),
        }),
        response: { 200: importResultSchema, 201: importResultSchema },
      },
    },
    async (req, reply) => {
      try {
        const result = await registries.importTable(principalOf(req), req.params.kind, { format: req.body.format, content: req.body.content }, { dryRun: req.body.dryRun }, metaOf(req))
        return reply.code(result.dryRun ? 200 : 201).send(result)
      } catch (err) {
        if (err instanceof ImportRejectedError) throw err.localized(req.locale)
        throw err
      }
    },
  )
}
