import { z } from 'zod'
import { prefillSourceSchema, type LayoutEntry } from '../catalog/index.js'

/**
 * A bundle (一件事): several items of several departments, the situation questions (情形引导)
 * that decide which items apply, the parties who must take part, and one merged form whose
 * fields are asked once and mapped into each item's form.
 */

const key = z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,49}$/)
const itemCode = z.string().regex(/^[A-Z]{2}\d{8}$/)
const label = z.string().trim().min(1).max(100)

export const questionSchema = z.strictObject({
  key,
  label,
  help: z.string().trim().max(300).optional(),
  options: z.array(z.strictObject({ value: key, label })).min(2).max(10),
  default: key.optional(),
})

/** An item applies when every condition holds (no conditions: always). */
export const conditionSchema = z.strictObject({ question: key, in: z.array(key).min(1) })

/**
 * How a material of an item is provided inside the bundle without an upload: produced by
 * another item of the same bundle (`bundle`), replaced by the merged form (`form`), or held by
 * a party other than the first applicant (`party`: that party's own e-license, with their
 * consent, or their population-registry record when they join).
 */
export const materialRuleSchema = z
  .strictObject({
    via: z.enum(['bundle', 'form', 'party']),
    /** The producing item (for `bundle`); the rule holds only while that item applies. */
    from: itemCode.optional(),
    /** The party whose license or record provides it (for `party`). */
    party: key.optional(),
    label,
  })
  .refine((r) => (r.via === 'party') === (r.party !== undefined), { message: 'party is required with via "party" and only there', path: ['party'] })

export const bundleItemSchema = z.strictObject({
  code: itemCode,
  when: z.array(conditionSchema).max(10).default([]),
  materials: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,39}$/), materialRuleSchema).default({}),
})

/** A target `ITEMCODE.field` of a merged field. */
const target = z.string().regex(/^[A-Z]{2}\d{8}\.[a-zA-Z][a-zA-Z0-9_]{0,49}$/)

export const mergedFieldSchema = z.strictObject({
  name: key,
  /** Whose part of the form it is: 'applicant' or a party role. */
  party: key.default('applicant'),
  to: z.array(target).min(1).max(20),
  /** Label, widget and options default to the first mapped item field that has a form entry. */
  label: label.optional(),
  widget: z.enum(['string', 'number', 'date', 'select', 'idNumber', 'phone', 'textarea']).optional(),
  options: z.array(z.string().max(100)).max(50).optional(),
  required: z.boolean().optional(),
  /** Overrides the prefill declared on the item's form field. */
  prefill: prefillSourceSchema.optional(),
  /** Not asked while this item applies: the value is what that item produces (e.g. a certificate number). */
  producedBy: itemCode.optional(),
  producedValue: z.string().max(20).optional(),
})

export const partySchema = z.strictObject({
  role: key,
  label,
  required: z.boolean().default(true),
  /** The invitee must be this relative of the first applicant in the population registry. */
  relation: z.enum(['spouse']).optional(),
})

export const bundleDefinitionSchema = z.strictObject({
  code: z.string().regex(/^[A-Z][A-Z0-9_]{1,29}$/),
  name: z.string().trim().min(2).max(50),
  summary: z.string().trim().max(500),
  applicableTo: z.enum(['person', 'legal']),
  questions: z.array(questionSchema).max(10).default([]),
  items: z.array(bundleItemSchema).min(2).max(20),
  fields: z.array(mergedFieldSchema).max(100),
  /** Parties beside the first applicant (e.g. the other parent). */
  parties: z.array(partySchema).max(10).default([]),
})
export type BundleDefinition = z.output<typeof bundleDefinitionSchema>
export type BundleDefinitionInput = z.input<typeof bundleDefinitionSchema>
export type MergedField = z.output<typeof mergedFieldSchema>

/** Which items apply under the answers (a question left unanswered takes its default). */
export function applicableItems(def: BundleDefinition, answers: Record<string, string>): string[] {
  const value = (q: string) => answers[q] ?? def.questions.find((x) => x.key === q)?.default
  return def.items.filter((i) => i.when.every((c) => c.in.includes(value(c.question) ?? ''))).map((i) => i.code)
}

/** A merged field as the form shows it, resolved against the items' form layouts. */
export interface ResolvedField {
  name: string
  party: string
  label: string
  widget: LayoutEntry['widget']
  options: string[] | null
  required: boolean
  prefill: { source: string } | null
  /** Set while the producing item applies: the field is not asked. */
  produced: string | null
  section: string | null
  targets: { itemCode: string; field: string }[]
}
