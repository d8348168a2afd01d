import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { actorOf } from '../../platform/audit.js'
import { requireRole } from '../../platform/auth.js'
import { AppError, OutOfScopeError, UnauthenticatedError } from '../../platform/errors.js'
import { t } from '../../platform/i18n.js'
import { divisionCovers, divisionPrefix, staffRoles, type Principal } from '../../platform/roles.js'
import { BadWorkbookError, InvalidGuideError, ItemNotFoundError, NoDraftError, VersionNotFoundError } from './errors.js'
import { FORM_MAX_CHARS } from './form.js'
import { audiences, divisionCodeSchema, guideFields, handlingClasses, itemCodeSchema, itemTypes, serviceModes, themeCodes } from './model.js'
import type { CatalogService, EditOptions, ItemScope } from './service.js'
import type { EditorScope } from './types.js'

export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
/** Largest workbook accepted (a whole city's catalog with forms is well under 2 MB). */
const IMPORT_LIMIT = 10 * 1024 * 1024

// ---- input ----------------------------------------------------------------------------------

const idParam = z.object({ id: z.string().min(1).max(64).describe('Item id (item_…) or item code') })
const revisionBody = z.strictObject({ revision: z.number().int().min(1).describe('The draft revision the caller read; a stale one answers 409') })
const newItemBody = z.strictObject({ code: itemCodeSchema.optional(), ...guideFields })
const draftChangesBody = z.strictObject({ ...revisionBody.shape, ...z.object(guideFields).partial().shape })
const pageQuery = {
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
}
const searchQuery = z.object({
  q: z.string().trim().max(50).optional().describe('What the citizen types: words, colloquial names, pinyin initials or an item code'),
  theme: z.enum(themeCodes).optional(),
  departmentId: z.string().min(1).max(64).optional(),
  type: z.enum(itemTypes).optional(),
  applicableTo: z.enum(audiences).optional().describe('person also lists items for both; legal likewise'),
  divisionCode: divisionCodeSchema.optional().describe('Items that apply in this division (implemented in it, above or beneath it)'),
  ...pageQuery,
})

// ---- output ---------------------------------------------------------------------------------

const guideSchemaOut = z.object(guideFields).extend({ divisionCode: z.string() })
const versionStatus = z.enum(['draft', 'published', 'superseded'])
const versionSchema = z.object({
  id: z.string(),
  itemId: z.string(),
  code: z.string(),
  version: z.number().int(),
  status: versionStatus,
  revision: z.number().int(),
  departmentName: z.string().nullable(),
  guide: guideSchemaOut,
  createdAt: z.date(),
  updatedAt: z.date(),
  publishedAt: z.date().nullable(),
  supersededAt: z.date().nullable(),
})
const versionSummarySchema = z.object({
  id: z.string(),
  version: z.number().int(),
  status: versionStatus,
  revision: z.number().int(),
  name: z.string(),
  createdAt: z.date(),
  updatedAt: z.date(),
  createdBy: z.string().nullable(),
  publishedAt: z.date().nullable(),
  publishedBy: z.string().nullable(),
  supersededAt: z.date().nullable(),
})
const hitSchema = z.object({
  id: z.string(),
  code: z.string(),
  versionId: z.string(),
  name: z.string(),
  type: z.enum(itemTypes),
  departmentId: z.string(),
  departmentName: z.string(),
  divisionCode: z.string(),
  applicableTo: z.enum(audiences),
  handlingClass: z.enum(handlingClasses),
  mode: z.enum(serviceModes),
  visits: z.number().int(),
  legalDays: z.number().int().nullable(),
  promisedDays: z.number().int(),
  isFree: z.boolean(),
  summary: z.string().nullable(),
  themes: z.array(z.enum(themeCodes)),
  publishedAt: z.date(),
  views: z.number().int(),
  applications: z.number().int(),
  score: z.number().describe('Relevance (0 when browsing)'),
  matchedTerms: z.array(z.string()).describe('Query words and synonyms found in the name or keywords'),
  highlights: z.array(z.object({ start: z.number().int(), end: z.number().int() })).describe('[start, end) of matches in the name'),
})
const editableSchema = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  type: z.enum(itemTypes),
  departmentId: z.string(),
  departmentName: z.string(),
  divisionCode: z.string(),
  publishedVersion: z.number().int().nullable().describe('null: never published'),
  draft: z.object({ versionId: z.string(), version: z.number().int(), revision: z.number().int(), updatedAt: z.date() }).nullable(),
  updatedAt: z.date(),
})
const importError = z.object({
  sheet: z.string(),
  row: z.number().int().nullable(),
  column: z.string().nullable().describe('Column letter, as Excel shows it'),
  field: z.string().nullable(),
  code: z.string(),
  message: z.string(),
})
const importResult = z.object({ created: z.number().int(), updated: z.number().int(), unchanged: z.number().int(), errors: z.array(importError) })

const tags = ['catalog']
const security = [{ session: [] }]

// ---- authorization --------------------------------------------------------------------------

/** Who edits the catalog: platform admins, data admins within their division, heads of the implementing department. */
const editorRoles = ['platform_admin', 'data_admin', 'department_head'] as const
const editors = requireRole(...editorRoles)

export function canEdit(p: Principal | null, scope: ItemScope): boolean {
  if (!p) return false
  return p.grants.some((g) => {
    if (g.role === 'platform_admin' || g.role === 'data_admin') return divisionCovers(g.divisionCode, scope.divisionCode)
    if (g.role === 'department_head') return g.departmentId === scope.departmentId && divisionCovers(g.divisionCode, scope.divisionCode)
    return false
  })
}

/** Where the caller may edit, as the listing filters it (null: everywhere); mirrors canEdit. */
function editorScopes(p: Principal): EditorScope[] | null {
  const scopes: EditorScope[] = []
  for (const g of p.grants) {
    if ((g.role === 'platform_admin' || g.role === 'data_admin') && g.divisionCode === null) return null
    if (g.role === 'platform_admin' || g.role === 'data_admin') scopes.push({ divisionPrefix: divisionPrefix(g.divisionCode!), departmentId: null })
    else if (g.role === 'department_head' && g.departmentId) scopes.push({ divisionPrefix: g.divisionCode === null ? '' : divisionPrefix(g.divisionCode), departmentId: g.departmentId })
  }
  return scopes
}

function inScope(req: FastifyRequest): EditOptions {
  return {
    authorize: (scope) => {
      if (!req.principal) throw new UnauthenticatedError()
      if (!canEdit(req.principal, scope)) throw new OutOfScopeError()
    },
  }
}

/** Runs a service call; a guide that failed its rules becomes a 400 with reasons in the caller's language. */
async function guarded<T>(req: FastifyRequest, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    if (err instanceof InvalidGuideError) throw err.localized(req.locale)
    throw err
  }
}

/** The uploaded workbook: the raw body, or the first file of a multipart form. */
async function workbookOf(req: FastifyRequest): Promise<Buffer> {
  if (Buffer.isBuffer(req.body)) return req.body
  throw new AppError('unsupported-media-type', 415, 'problem.unsupported-media-type')
}

/**
 * The service catalog. Published guides, themes and search are public (a citizen reads before
 * deciding to sign in); drafts, versions and spreadsheets are for editors in scope.
 */
export const catalogRoutes: FastifyPluginAsyncZod<{ catalog: CatalogService }> = async (app, { catalog }) => {
  app.addContentTypeParser(XLSX_MIME, { parseAs: 'buffer', bodyLimit: IMPORT_LIMIT }, (_req, body, done) => done(null, body))
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: IMPORT_LIMIT }, async (req: FastifyRequest, body: Buffer) => {
    // Node's own multipart parser (undici, behind Response#formData); the form's first file is the workbook.
    let form: FormData
    try {
      form = await new Response(new Uint8Array(body), { headers: { 'content-type': String(req.headers['content-type']) } }).formData()
    } catch {
      throw new BadWorkbookError()
    }
    for (const [, value] of form as unknown as Iterable<[string, string | Blob]>) {
      if (typeof value !== 'string') return Buffer.from(await value.arrayBuffer())
    }
    throw new BadWorkbookError()
  })

  app.get(
    '/items',
    {
      config: { rateLimitPolicy: 'search' },
      schema: {
        tags,
        summary: 'Search or browse published service items',
        description: 'With q: jieba words, colloquial synonyms (生孩子 → 出生), pinyin initials (csdj) or an item code, ranked by relevance then popularity. Without q: most used first.',
        querystring: searchQuery,
        response: { 200: z.object({ items: z.array(hitSchema), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() }) },
      },
    },
    async (req) => catalog.search(req.query),
  )

  app.get(
    '/items/:id',
    { schema: { tags, summary: 'The published guide of an item (by id or code)', params: idParam, response: { 200: versionSchema } } },
    async (req) => {
      const version = await catalog.getPublishedVersion(req.params.id)
      if (!version) throw new ItemNotFoundError()
      await catalog.recordView(version.itemId)
      return version
    },
  )

  app.get(
    '/themes',
    {
      schema: {
        tags,
        summary: 'Life events and enterprise lifecycle themes, with item counts',
        querystring: z.object({ applicableTo: z.enum(audiences).optional(), divisionCode: divisionCodeSchema.optional() }),
        response: {
          200: z.object({
            items: z.array(z.object({ code: z.enum(themeCodes), audience: z.enum(['person', 'legal']), name: z.string(), count: z.number().int() })),
          }),
        },
      },
    },
    async (req) => ({
      items: (await catalog.listThemes(req.query)).map((x) => ({ ...x, name: t(req.locale, `catalog.theme.${x.code}`) })),
    }),
  )

  app.get(
    '/departments',
    {
      schema: {
        tags,
        summary: 'Departments with published items, and how many each has',
        querystring: z.object({ applicableTo: z.enum(audiences).optional(), divisionCode: divisionCodeSchema.optional() }),
        response: {
          200: z.object({
            items: z.array(z.object({ departmentId: z.string(), departmentName: z.string(), divisionCode: z.string(), count: z.number().int() })),
          }),
        },
      },
    },
    async (req) => ({ items: await catalog.listDepartments(req.query) }),
  )

  app.get(
    '/versions/:versionId',
    {
      schema: {
        tags,
        summary: 'One version of a guide (what an application was filed under); drafts only for their editors',
        params: z.object({ versionId: z.string().min(1).max(64) }),
        response: { 200: versionSchema },
      },
    },
    async (req) => {
      const version = await catalog.getVersion(req.params.versionId)
      // A draft is not public: to anyone else it does not exist.
      if (!version || (version.status === 'draft' && !canEdit(req.principal, version.guide))) throw new VersionNotFoundError()
      return version
    },
  )

  app.get(
    '/editing',
    {
      preHandler: editors,
      schema: {
        tags,
        security,
        summary: 'Items the caller may edit, drafts never published included; most recently changed first',
        querystring: z.object({
          q: z.string().trim().max(50).optional().describe('Part of the name or code'),
          status: z.enum(['draft', 'published', 'unpublished']).optional().describe('draft: has an open draft; unpublished: never published'),
          departmentId: z.string().min(1).max(64).optional(),
          ...pageQuery,
        }),
        response: { 200: z.object({ items: z.array(editableSchema), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() }) },
      },
    },
    async (req) => catalog.listEditable(editorScopes(req.principal!), req.query),
  )

  app.get(
    '/items/:id/versions',
    {
      preHandler: editors,
      schema: { tags, security, summary: "An item's versions, newest first", params: idParam, response: { 200: z.object({ items: z.array(versionSummarySchema) }) } },
    },
    async (req) => {
      const scope = await catalog.itemScope(req.params.id)
      if (!scope) throw new ItemNotFoundError()
      inScope(req).authorize!(scope)
      return { items: await catalog.listVersions(scope.itemId) }
    },
  )

  app.get(
    '/items/:id/draft',
    { preHandler: editors, schema: { tags, security, summary: "An item's draft", params: idParam, response: { 200: versionSchema } } },
    async (req) => {
      const scope = await catalog.itemScope(req.params.id)
      if (!scope) throw new ItemNotFoundError()
      inScope(req).authorize!(scope)
      const draft = await catalog.getDraft(scope.itemId)
      if (!draft) throw new NoDraftError()
      return draft
    },
  )

  app.post(
    '/items',
    {
      preHandler: editors,
      schema: {
        tags,
        security,
        summary: 'Create a service item as a draft (code assigned when omitted)',
        body: newItemBody,
        response: { 201: versionSchema },
      },
    },
    async (req, reply) => reply.code(201).send(await guarded(req, () => catalog.createItem(actorOf(req), req.body, inScope(req)))),
  )

  app.post(
    '/items/:id/draft',
    {
      preHandler: editors,
      schema: { tags, security, summary: 'Start a draft from the published version', params: idParam, response: { 201: versionSchema } },
    },
    async (req, reply) => reply.code(201).send(await catalog.startDraft(actorOf(req), req.params.id, inScope(req))),
  )

  app.patch(
    '/items/:id/draft',
    {
      preHandler: editors,
      schema: {
        tags,
        security,
        summary: 'Edit the draft (optimistic concurrency on revision); only the given elements change',
        params: idParam,
        body: draftChangesBody,
        response: { 200: versionSchema },
      },
    },
    async (req) => guarded(req, () => catalog.updateDraft(actorOf(req), req.params.id, req.body, inScope(req))),
  )

  app.delete(
    '/items/:id/draft',
    {
      preHandler: editors,
      schema: {
        tags,
        security,
        summary: 'Discard the draft (an item never published goes with it)',
        params: idParam,
        querystring: z.object({ revision: z.coerce.number().int().min(1) }),
        response: { 204: z.null().describe('Discarded') },
      },
    },
    async (req, reply) => {
      await catalog.discardDraft(actorOf(req), req.params.id, { revision: req.query.revision }, inScope(req))
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/items/:id/publish',
    {
      preHandler: editors,
      schema: {
        tags,
        security,
        summary: 'Publish the draft; the previous published version is superseded',
        params: idParam,
        body: revisionBody,
        response: { 200: versionSchema },
      },
    },
    async (req) => catalog.publish(actorOf(req), req.params.id, req.body, inScope(req)),
  )

  app.get(
    '/export.xlsx',
    {
      preHandler: requireRole(...staffRoles),
      schema: {
        tags,
        security,
        summary: 'The whole published catalog as an Excel workbook',
        produces: [XLSX_MIME],
        response: { 200: z.any().describe('An .xlsx workbook: items, materials, fees, review steps, FAQ') },
      },
    },
    async (_req, reply) => {
      const buffer = await catalog.exportWorkbook()
      return reply.type(XLSX_MIME).header('content-disposition', 'attachment; filename="catalog.xlsx"').send(buffer)
    },
  )

  app.post(
    '/import',
    {
      preHandler: editors,
      bodyLimit: IMPORT_LIMIT,
      schema: {
        tags,
        security,
        summary: 'Import a workbook (as exported): all rows or nothing; rows outside your scope are errors',
        description: `Body: the .xlsx bytes (${XLSX_MIME}) or multipart/form-data with the file. Form cells hold at most ${FORM_MAX_CHARS} characters of JSON.`,
        consumes: [XLSX_MIME, 'multipart/form-data'],
        body: z.any().describe('The workbook'),
        response: { 200: importResult },
      },
    },
    async (req) => {
      const buffer = await workbookOf(req)
      const result = await catalog.importWorkbook(actorOf(req), buffer, { ...inScope(req), locale: req.locale })
      return { ...result, errors: [] }
    },
  )
}
