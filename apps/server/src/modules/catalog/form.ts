import { z } from 'zod'
import { isMobile, isValidIdNumber } from '../identity/index.js'

/**
 * Application form definitions: a JSON Schema (a well-formed subset of draft 2020-12: one flat
 * object of scalar, enum and string-list fields) for the data, plus a layout saying how the web
 * renders each field. The subset is checked strictly, so every stored form can be rendered and
 * every submission validated by `validateFormData` without a general JSON Schema engine.
 */

export const widgets = ['string', 'number', 'date', 'select', 'idNumber', 'phone', 'textarea', 'file'] as const
export type Widget = (typeof widgets)[number]

const fieldName = z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,49}$/)
const scalar = z.union([z.string().max(200), z.number()])

const propertySchema = z.strictObject({
  type: z.enum(['string', 'number', 'integer', 'boolean', 'array']),
  title: z.string().trim().min(1).max(100).optional(),
  description: z.string().trim().max(500).optional(),
  minLength: z.number().int().min(0).max(100_000).optional(),
  maxLength: z.number().int().min(0).max(100_000).optional(),
  pattern: z.string().min(1).max(500).optional(),
  format: z.enum(['date', 'email', 'uri']).optional(),
  minimum: z.number().optional(),
  maximum: z.number().optional(),
  enum: z.array(scalar).min(1).max(200).optional(),
  items: z.strictObject({ type: z.literal('string'), enum: z.array(z.string().max(200)).min(1).max(200).optional() }).optional(),
  minItems: z.number().int().min(0).max(100).optional(),
  maxItems: z.number().int().min(0).max(100).optional(),
  default: z.union([z.string().max(1000), z.number(), z.boolean()]).optional(),
})
export type FormProperty = z.output<typeof propertySchema>

const jsonSchemaSchema = z.strictObject({
  $schema: z.literal('https://json-schema.org/draft/2020-12/schema').optional(),
  type: z.literal('object'),
  title: z.string().trim().max(100).optional(),
  properties: z.record(fieldName, propertySchema),
  required: z.array(fieldName).max(100).optional(),
  additionalProperties: z.literal(false).optional(),
})

/**
 * Where a field's value can be prefilled from, declared per field (never guessed): the signed-in
 * person's or enterprise's base-registry record, or a field of one of their valid e-licenses.
 * `party` names whose record it is when several people apply together (default: the applicant).
 */
export const prefillSourceSchema = z.strictObject({
  source: z
    .string()
    .regex(/^(person\.(name|idNumber|phone|address|birthDate|sex|ethnicity)|household\.(address|number)|entity\.(name|creditCode|address|legalRepresentative|type|businessScope)|license\.[a-z][a-z0-9_]{1,49}\.[a-zA-Z][a-zA-Z0-9_]{0,49})$/)
    .describe("e.g. person.name, household.address, entity.creditCode, license.business_license.number"),
  party: z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,49}$/).optional().describe('Whose record, when several people apply together'),
})
export type PrefillSource = z.output<typeof prefillSourceSchema>

const layoutEntrySchema = z.strictObject({
  field: fieldName,
  widget: z.enum(widgets),
  label: z.string().trim().min(1).max(100),
  placeholder: z.string().trim().max(100).optional(),
  help: z.string().trim().max(500).optional(),
  section: z.string().trim().max(50).optional(),
  options: z.array(z.strictObject({ value: scalar, label: z.string().trim().min(1).max(100) })).max(200).optional(),
  accept: z.array(z.string().regex(/^(\.[a-z0-9]{1,10}|[a-z]+\/[a-z0-9.+*-]+)$/)).max(20).optional().describe('File types for file widgets'),
  prefill: prefillSourceSchema.optional().describe('Prefill (免填): where the value comes from for a signed-in applicant'),
})
export type LayoutEntry = z.output<typeof layoutEntrySchema>

/** Largest serialised form: it has to fit one spreadsheet cell (32,767 characters). */
export const FORM_MAX_CHARS = 30_000

type Ctx = { addIssue(issue: { code: 'custom'; path: (string | number)[]; message: string; params: Record<string, unknown> }): void }
const fail = (ctx: Ctx, path: (string | number)[], key: string, params: Record<string, unknown> = {}) =>
  ctx.addIssue({ code: 'custom', path, message: key, params: { key, ...params } })

const stringOnly = ['minLength', 'maxLength', 'pattern', 'format'] as const
const numberOnly = ['minimum', 'maximum'] as const
const arrayOnly = ['items', 'minItems', 'maxItems'] as const

/** Which property types each widget can render. */
const widgetTypes: Record<Widget, readonly FormProperty['type'][]> = {
  string: ['string'],
  textarea: ['string'],
  idNumber: ['string'],
  phone: ['string'],
  date: ['string'],
  number: ['number', 'integer'],
  select: ['string', 'number', 'integer', 'array'],
  file: ['string', 'array'],
}

function matchesType(value: unknown, type: FormProperty['type']): boolean {
  if (type === 'string') return typeof value === 'string'
  if (type === 'number') return typeof value === 'number' && Number.isFinite(value)
  if (type === 'integer') return typeof value === 'number' && Number.isInteger(value)
  if (type === 'boolean') return typeof value === 'boolean'
  return false
}

function formRules(form: { schema: z.output<typeof jsonSchemaSchema>; layout: LayoutEntry[] }, ctx: Ctx): void {
  const props = form.schema.properties
  const names = Object.keys(props)
  if (names.length === 0) fail(ctx, ['schema', 'properties'], 'catalog.validation.form-empty')
  if (names.length > 100) fail(ctx, ['schema', 'properties'], 'catalog.validation.form-too-many-fields')
  for (const [name, p] of Object.entries(props)) {
    const at = (k: string) => ['schema', 'properties', name, k]
    const misplaced = [
      ...(p.type === 'string' ? [] : stringOnly),
      ...(p.type === 'number' || p.type === 'integer' ? [] : numberOnly),
      ...(p.type === 'array' ? [] : arrayOnly),
    ].filter((k) => p[k] !== undefined)
    for (const k of misplaced) fail(ctx, at(k), 'catalog.validation.form-keyword-type', { keyword: k, type: p.type })
    if (p.type === 'array' && !p.items) fail(ctx, at('items'), 'catalog.validation.form-array-items')
    if (p.type === 'array' && (p.enum !== undefined || p.default !== undefined)) fail(ctx, at('enum'), 'catalog.validation.form-keyword-type', { keyword: 'enum', type: p.type })
    if (p.pattern !== undefined && p.type === 'string') {
      try {
        new RegExp(p.pattern, 'u')
      } catch {
        fail(ctx, at('pattern'), 'catalog.validation.form-pattern')
      }
    }
    if (p.minLength !== undefined && p.maxLength !== undefined && p.minLength > p.maxLength) fail(ctx, at('maxLength'), 'catalog.validation.form-range')
    if (p.minimum !== undefined && p.maximum !== undefined && p.minimum > p.maximum) fail(ctx, at('maximum'), 'catalog.validation.form-range')
    if (p.minItems !== undefined && p.maxItems !== undefined && p.minItems > p.maxItems) fail(ctx, at('maxItems'), 'catalog.validation.form-range')
    if (p.type !== 'array') {
      p.enum?.forEach((v, i) => {
        if (!matchesType(v, p.type)) fail(ctx, ['schema', 'properties', name, 'enum', i], 'catalog.validation.form-value-type', { type: p.type })
      })
      if (p.default !== undefined && (!matchesType(p.default, p.type) || (p.enum && !p.enum.includes(p.default as string | number)))) {
        fail(ctx, at('default'), 'catalog.validation.form-value-type', { type: p.type })
      }
    }
  }
  const required = form.schema.required ?? []
  required.forEach((r, i) => {
    if (!(r in props)) fail(ctx, ['schema', 'required', i], 'catalog.validation.form-unknown-field', { field: r })
    if (required.indexOf(r) !== i) fail(ctx, ['schema', 'required', i], 'catalog.validation.form-duplicate-field', { field: r })
  })

  const placed = new Set<string>()
  form.layout.forEach((entry, i) => {
    const p = props[entry.field]
    if (!p) return fail(ctx, ['layout', i, 'field'], 'catalog.validation.form-unknown-field', { field: entry.field })
    if (placed.has(entry.field)) return fail(ctx, ['layout', i, 'field'], 'catalog.validation.form-duplicate-field', { field: entry.field })
    placed.add(entry.field)
    if (!widgetTypes[entry.widget].includes(p.type)) {
      return fail(ctx, ['layout', i, 'widget'], 'catalog.validation.form-widget-type', { widget: entry.widget, type: p.type })
    }
    if (entry.widget === 'date' && p.format !== 'date') fail(ctx, ['layout', i, 'widget'], 'catalog.validation.form-date-format')
    const choices = p.type === 'array' ? p.items?.enum : p.enum
    if (entry.widget === 'select' && !choices) fail(ctx, ['layout', i, 'widget'], 'catalog.validation.form-select-enum')
    if (entry.widget === 'file' && p.type === 'array' && p.items?.enum) fail(ctx, ['layout', i, 'widget'], 'catalog.validation.form-widget-type', { widget: entry.widget, type: p.type })
    if (entry.options) {
      const values = entry.options.map((o) => o.value)
      const same = choices && values.length === choices.length && values.every((v) => (choices as unknown[]).includes(v))
      if (!same) fail(ctx, ['layout', i, 'options'], 'catalog.validation.form-options')
    }
    if (entry.accept && entry.widget !== 'file') fail(ctx, ['layout', i, 'accept'], 'catalog.validation.form-keyword-type', { keyword: 'accept', type: entry.widget })
  })
  for (const name of names) {
    if (!placed.has(name)) fail(ctx, ['layout'], 'catalog.validation.form-unplaced-field', { field: name })
  }
  if (JSON.stringify(form).length > FORM_MAX_CHARS) fail(ctx, [], 'catalog.validation.form-too-large', { max: FORM_MAX_CHARS })
}

/** The shape of a form definition (routes declare it; the cross-checks run in the service, with specific messages). */
export const formDefinitionShape = z.strictObject({ schema: jsonSchemaSchema, layout: z.array(layoutEntrySchema).min(1).max(100) })

/** A form definition: the data's JSON Schema and the layout the web renders, checked against each other. */
export const formDefinitionSchema = formDefinitionShape.superRefine(formRules)

export interface FormDefinition {
  schema: z.output<typeof jsonSchemaSchema>
  layout: LayoutEntry[]
}

/** One problem with submitted form data; `code` is stable, for message lookup by the caller. */
export interface FormDataIssue {
  field: string
  code: 'required' | 'type' | 'too_short' | 'too_long' | 'pattern' | 'format' | 'too_small' | 'too_big' | 'not_allowed' | 'unknown_field' | 'id_number' | 'phone'
}

const datePattern = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/
const validDate = (s: string) => datePattern.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s)
const landline = /^0\d{2,3}-?\d{7,8}(-\d{1,6})?$/

/**
 * Checks submitted data against a form definition (the cases module calls it on submit). Blank
 * strings count as missing. ID-number fields must pass the GB 11643 check digit; phone fields
 * must be a mobile or a landline number.
 */
export function validateFormData(form: FormDefinition, data: Record<string, unknown>): FormDataIssue[] {
  const issues: FormDataIssue[] = []
  const props = form.schema.properties
  const widgetOf = new Map(form.layout.map((l) => [l.field, l.widget]))
  const required = new Set(form.schema.required ?? [])
  for (const key of Object.keys(data)) {
    if (!(key in props)) issues.push({ field: key, code: 'unknown_field' })
  }
  for (const [field, p] of Object.entries(props)) {
    const value = data[field]
    const blank = value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)
    if (blank) {
      if (required.has(field)) issues.push({ field, code: 'required' })
      continue
    }
    const add = (code: FormDataIssue['code']) => issues.push({ field, code })
    if (p.type === 'array') {
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
        add('type')
        continue
      }
      if (p.minItems !== undefined && value.length < p.minItems) add('too_small')
      else if (p.maxItems !== undefined && value.length > p.maxItems) add('too_big')
      else if (p.items?.enum && !value.every((v) => p.items!.enum!.includes(v))) add('not_allowed')
      continue
    }
    if (!matchesType(value, p.type)) {
      add('type')
      continue
    }
    if (p.enum && !p.enum.includes(value as string | number)) {
      add('not_allowed')
      continue
    }
    if (typeof value === 'string') {
      const length = [...value].length
      if (p.minLength !== undefined && length < p.minLength) add('too_short')
      else if (p.maxLength !== undefined && length > p.maxLength) add('too_long')
      else if (p.pattern !== undefined && !new RegExp(p.pattern, 'u').test(value)) add('pattern')
      else if (p.format === 'date' && !validDate(value)) add('format')
      else if (p.format === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) add('format')
      else if (p.format === 'uri' && !URL.canParse(value)) add('format')
      else if (widgetOf.get(field) === 'idNumber' && !isValidIdNumber(value.toUpperCase())) add('id_number')
      else if (widgetOf.get(field) === 'phone' && !isMobile(value) && !landline.test(value)) add('phone')
    } else if (typeof value === 'number') {
      if (p.minimum !== undefined && value < p.minimum) add('too_small')
      else if (p.maximum !== undefined && value > p.maximum) add('too_big')
    }
  }
  return issues
}
