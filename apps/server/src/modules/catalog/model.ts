import { z } from 'zod'
import { formDefinitionSchema, formDefinitionShape, type FormDefinition } from './form.js'

/**
 * The 办事指南 of a service item (事项) as data: vocabularies, the zod shape shared by routes,
 * the service and the Excel import, the cross-field rules, and normalisation. Element list after
 * the national guide elements (事项名称/编码, 设定依据, 受理范围, 办理机构, 受理条件, 申请材料,
 * 办理流程, 法定/承诺时限, 收费, 到现场次数, 咨询电话); see docs/reference gov-standards §1.
 */

/** 依申请 item types (the seven subject to 好差评, 国办发〔2019〕51号). */
export const itemTypes = ['licensing', 'confirmation', 'payment', 'adjudication', 'reward', 'other_power', 'public_service'] as const
export type ItemType = (typeof itemTypes)[number]

/** Code prefix per type, local practice (DB52/T 1264-2018): 行政许可 XK, 行政确认 QR, 行政给付 JF … */
export const itemTypePrefix: Record<ItemType, string> = {
  licensing: 'XK',
  confirmation: 'QR',
  payment: 'JF',
  adjudication: 'CJ',
  reward: 'JL',
  other_power: 'QT',
  public_service: 'GG',
}

/** 受理范围: 自然人, 法人, or both. */
export const audiences = ['person', 'legal', 'both'] as const
export type ApplicableTo = (typeof audiences)[number]

/** 四办: 即收即办, 当日办结, 限时办结, 代办服务. The first two are same-day (0 working days). */
export const handlingClasses = ['immediate', 'same_day', 'time_limited', 'agency'] as const
export type HandlingClass = (typeof handlingClasses)[number]

/** 办理形式: 全程网办 (no visit), 最多跑一次, 窗口办理. */
export const serviceModes = ['fully_online', 'one_visit', 'window'] as const
export type ServiceMode = (typeof serviceModes)[number]

export const materialRequirements = ['required', 'conditional'] as const
export type MaterialRequirement = (typeof materialRequirements)[number]

/** 原件, 复印件, 电子件. */
export const materialForms = ['original', 'copy', 'electronic'] as const
export type MaterialForm = (typeof materialForms)[number]

/** Roles that perform review steps (审查, 审核, 决定); the cases module routes steps by them. */
export const stepRoles = ['reviewer', 'department_head', 'leader'] as const
export type StepRole = (typeof stepRoles)[number]

/** Life events of a citizen, then the lifecycle of an enterprise. */
export const themeCodes = [
  'birth',
  'schooling',
  'employment',
  'marriage_childbirth',
  'housing',
  'retirement',
  'posthumous',
  'business_startup',
  'business_change',
  'business_operation',
  'business_closure',
] as const
export type ThemeCode = (typeof themeCodes)[number]
export const themeAudience: Record<ThemeCode, 'person' | 'legal'> = {
  birth: 'person',
  schooling: 'person',
  employment: 'person',
  marriage_childbirth: 'person',
  housing: 'person',
  retirement: 'person',
  posthumous: 'person',
  business_startup: 'legal',
  business_change: 'legal',
  business_operation: 'legal',
  business_closure: 'legal',
}

// ---- shape ----------------------------------------------------------------------------------

const text = (min: number, max: number) => z.string().trim().min(min).max(max)
const optionalText = (max: number) => z.string().trim().max(max).nullish()
export const itemCodeSchema = z.string().regex(/^[A-Z]{2}\d{8}$/).describe('2-letter type prefix + 5-digit main + 3-digit sub item, e.g. XK00012000')
export const divisionCodeSchema = z.string().regex(/^(\d{6}|\d{9}|\d{12})$/).describe('GB/T 2260 code')
const licenseType = z.string().regex(/^[a-z][a-z0-9_]{1,49}$/).describe('E-license type, e.g. resident_id_card')
/** Keywords are joined with 、 in the spreadsheet, so list separators cannot be part of one. */
const keyword = text(1, 30).regex(/^[^、；;,，\n]+$/)
const officePhone = z.string().trim().max(40).regex(/^[0-9+\-()（） ,、]*$/)

export const materialSchema = z.strictObject({
  code: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/).nullish().describe('Stable key within the item (uploads link to it); assigned m1, m2 … when omitted'),
  name: text(2, 100),
  requirement: z.enum(materialRequirements),
  condition: optionalText(500).describe('When a conditional material is needed (required for conditional ones)'),
  form: z.enum(materialForms),
  copies: z.number().int().min(1).max(20).nullish().describe('Number of copies (default 1)'),
  source: optionalText(100).describe('来源渠道, e.g. 申请人自备 or 公安机关核发'),
  licenseType: licenseType.nullish().describe('An e-license of this type can stand in for the material'),
  note: optionalText(500),
})

export const feeSchema = z.strictObject({
  name: text(1, 100),
  amount: z.number().min(0).max(10_000_000).describe('Yuan, at most 2 decimals'),
  basis: text(2, 500),
})

export const reviewStepSchema = z.strictObject({ name: text(1, 20), role: z.enum(stepRoles) })
export const faqSchema = z.strictObject({ question: text(2, 200), answer: text(1, 2000) })

/** Every element of a guide, as accepted from editors (optional parts may be left out). */
export const guideFields = {
  name: text(2, 100),
  type: z.enum(itemTypes),
  departmentId: z.string().min(1).max(64).describe('Implementing department (org)'),
  divisionCode: divisionCodeSchema.nullish().describe("Implementing division; defaults to the department's"),
  applicableTo: z.enum(audiences),
  summary: optionalText(500),
  legalBasis: text(2, 2000).describe('设定/实施依据, e.g. 《中华人民共和国户口登记条例》第七条'),
  conditions: text(1, 5000).describe('受理条件'),
  materials: z.array(materialSchema).max(50).optional(),
  form: formDefinitionShape.nullish().describe('Application form: JSON Schema plus layout'),
  fees: z.array(feeSchema).max(20).optional().describe('Empty: free of charge'),
  legalDays: z.number().int().min(0).max(3650).nullish().describe('法定办结时限 in working days; null: none set by law'),
  promisedDays: z.number().int().min(0).max(3650).describe('承诺办结时限 in working days (0: same day)'),
  handlingClass: z.enum(handlingClasses),
  mode: z.enum(serviceModes),
  visits: z.number().int().min(0).max(1).describe('到现场次数'),
  reviewSteps: z.array(reviewStepSchema).min(1).max(10).describe('Ordered review steps after acceptance'),
  producesLicenseType: licenseType.nullish(),
  address: optionalText(200),
  hours: optionalText(200),
  phone: officePhone.nullish(),
  faq: z.array(faqSchema).max(50).optional(),
  themes: z.array(z.enum(themeCodes)).max(themeCodes.length).optional(),
  keywords: z.array(keyword).max(30).optional().describe('Colloquial names people search by'),
}

export type GuideInput = z.input<z.ZodObject<typeof guideFields>>
export type MaterialInput = z.input<typeof materialSchema>

export interface Material {
  code: string
  name: string
  requirement: MaterialRequirement
  condition: string | null
  form: MaterialForm
  copies: number
  source: string | null
  licenseType: string | null
  note: string | null
}
export type Fee = z.output<typeof feeSchema>
export type ReviewStep = z.output<typeof reviewStepSchema>
export type Faq = z.output<typeof faqSchema>

/** A whole, normalised 办事指南: every element present, blanks as null, lists as arrays. */
export interface ServiceItemGuide {
  name: string
  type: ItemType
  departmentId: string
  divisionCode: string
  applicableTo: ApplicableTo
  summary: string | null
  legalBasis: string
  conditions: string
  materials: Material[]
  form: FormDefinition | null
  fees: Fee[]
  legalDays: number | null
  promisedDays: number
  handlingClass: HandlingClass
  mode: ServiceMode
  visits: number
  reviewSteps: ReviewStep[]
  producesLicenseType: string | null
  address: string | null
  hours: string | null
  phone: string | null
  faq: Faq[]
  themes: ThemeCode[]
  keywords: string[]
}

// ---- rules ----------------------------------------------------------------------------------

/** One failed check, with a path into the guide; `key` names a catalog message when zod's own code is too vague. */
export interface GuideIssue {
  path: (string | number)[]
  code: string
  key?: string
  params?: Record<string, unknown>
}

type Ctx = { addIssue(issue: { code: 'custom'; path: (string | number)[]; message: string; params: Record<string, unknown> }): void }
const fail = (ctx: Ctx, path: (string | number)[], key: string, params: Record<string, unknown> = {}) =>
  ctx.addIssue({ code: 'custom', path, message: key, params: { key, ...params } })

/** Cross-field rules of a guide (schema-level rules live in the shape). */
function guideRules(g: z.output<z.ZodObject<typeof guideFields>>, ctx: Ctx): void {
  // 承诺时限 never exceeds 法定时限 (a promise can only shorten the law's limit).
  if (g.legalDays != null && g.promisedDays > g.legalDays) {
    fail(ctx, ['promisedDays'], 'catalog.validation.promised-exceeds-legal', { legalDays: g.legalDays })
  }
  if ((g.handlingClass === 'immediate' || g.handlingClass === 'same_day') && g.promisedDays !== 0) {
    fail(ctx, ['promisedDays'], 'catalog.validation.same-day-zero-days')
  }
  if (g.handlingClass === 'time_limited' && g.promisedDays < 1) fail(ctx, ['promisedDays'], 'catalog.validation.time-limited-days')
  if (g.mode === 'fully_online' && g.visits !== 0) fail(ctx, ['visits'], 'catalog.validation.online-no-visit')
  if (g.mode === 'window' && g.visits !== 1) fail(ctx, ['visits'], 'catalog.validation.window-one-visit')
  const codes = new Set<string>()
  ;(g.materials ?? []).forEach((m, i) => {
    if (m.requirement === 'conditional' && !m.condition) fail(ctx, ['materials', i, 'condition'], 'catalog.validation.condition-required')
    if (m.code) {
      if (codes.has(m.code)) fail(ctx, ['materials', i, 'code'], 'catalog.validation.duplicate-material-code', { code: m.code })
      codes.add(m.code)
    }
  })
  ;(g.fees ?? []).forEach((f, i) => {
    if (Math.abs(f.amount * 100 - Math.round(f.amount * 100)) > 1e-6) fail(ctx, ['fees', i, 'amount'], 'catalog.validation.fee-cents')
  })
  ;(g.themes ?? []).forEach((theme, i) => {
    if (g.applicableTo !== 'both' && themeAudience[theme] !== g.applicableTo) {
      fail(ctx, ['themes', i], 'catalog.validation.theme-audience', { theme })
    }
  })
}

/** The full guide schema: shape plus cross-field rules. */
export const guideSchema = z.strictObject({ ...guideFields, form: formDefinitionSchema.nullish() }).superRefine(guideRules)

/** Fills defaults and drops duplicates so equal guides are equal data (the Excel round trip relies on it). */
export function normalizeGuide(g: z.output<typeof guideSchema>, divisionCode: string): ServiceItemGuide {
  const taken = new Set((g.materials ?? []).map((m) => m.code).filter(Boolean))
  let n = 0
  const nextCode = () => {
    let c: string
    do c = `m${++n}`
    while (taken.has(c))
    taken.add(c)
    return c
  }
  return {
    name: g.name,
    type: g.type,
    departmentId: g.departmentId,
    divisionCode,
    applicableTo: g.applicableTo,
    summary: g.summary || null,
    legalBasis: g.legalBasis,
    conditions: g.conditions,
    materials: (g.materials ?? []).map((m) => ({
      code: m.code || nextCode(),
      name: m.name,
      requirement: m.requirement,
      condition: m.condition || null,
      form: m.form,
      copies: m.copies ?? 1,
      source: m.source || null,
      licenseType: m.licenseType || null,
      note: m.note || null,
    })),
    form: g.form ?? null,
    fees: (g.fees ?? []).map((f) => ({ name: f.name, amount: Math.round(f.amount * 100) / 100, basis: f.basis })),
    legalDays: g.legalDays ?? null,
    promisedDays: g.promisedDays,
    handlingClass: g.handlingClass,
    mode: g.mode,
    visits: g.visits,
    reviewSteps: g.reviewSteps.map((s) => ({ name: s.name, role: s.role })),
    producesLicenseType: g.producesLicenseType || null,
    address: g.address || null,
    hours: g.hours || null,
    phone: g.phone || null,
    faq: (g.faq ?? []).map((f) => ({ question: f.question, answer: f.answer })),
    themes: themeCodes.filter((t) => g.themes?.includes(t)),
    keywords: [...new Set(g.keywords ?? [])],
  }
}

/** Issues of a zod error in our plain form (paths, codes, and the catalog message key if any). */
export function toGuideIssues(error: z.ZodError): GuideIssue[] {
  return error.issues.map((issue) => {
    const raw = issue as unknown as Record<string, unknown>
    const params = { ...raw }
    delete params.path
    delete params.message
    delete params.code
    delete params.input
    const custom = issue.code === 'custom' ? ((issue.params ?? {}) as Record<string, unknown>) : undefined
    // zod leaves the input out of issues; its message says when there was none.
    const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message)
    return {
      path: issue.path.map((p) => (typeof p === 'number' ? p : String(p))),
      code: missing ? 'required' : issue.code,
      ...(typeof custom?.key === 'string' ? { key: custom.key } : {}),
      params: custom ?? params,
    }
  })
}
