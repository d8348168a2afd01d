import { ApiError } from './api'
import { i18n } from './i18n'
import type { LicenseMaterial } from './licenses'

/** Shapes of the catalog (/api/catalog) and cases (/api/cases, /api/inbox) APIs, shared by /m and /work. */

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
export type ItemType = 'licensing' | 'confirmation' | 'payment' | 'adjudication' | 'reward' | 'other_power' | 'public_service'
export type Audience = 'person' | 'legal' | 'both'
export type HandlingClass = 'immediate' | 'same_day' | 'time_limited' | 'agency'
export type ServiceMode = 'fully_online' | 'one_visit' | 'window'
export type Widget = 'string' | 'number' | 'date' | 'select' | 'idNumber' | 'phone' | 'textarea' | 'file'

/** One search or browse hit (GET /api/catalog/items). */
export interface ItemHit {
  id: string
  code: string
  versionId: string
  name: string
  type: ItemType
  departmentId: string
  departmentName: string
  divisionCode: string
  applicableTo: Audience
  handlingClass: HandlingClass
  mode: ServiceMode
  visits: number
  legalDays: number | null
  promisedDays: number
  isFree: boolean
  summary: string | null
  themes: ThemeCode[]
  highlights: { start: number; end: number }[]
}

export interface Theme {
  code: ThemeCode
  audience: 'person' | 'legal'
  name: string
  count: number
}

export interface FormProperty {
  type: 'string' | 'number' | 'integer' | 'boolean' | 'array'
  title?: string
  description?: string
  minLength?: number
  maxLength?: number
  pattern?: string
  format?: 'date' | 'email' | 'uri'
  minimum?: number
  maximum?: number
  enum?: (string | number)[]
  items?: { type: 'string'; enum?: string[] }
  minItems?: number
  maxItems?: number
  default?: string | number | boolean
}

export interface LayoutEntry {
  field: string
  widget: Widget
  label: string
  placeholder?: string
  help?: string
  section?: string
  options?: { value: string | number; label: string }[]
  accept?: string[]
}

export interface FormDefinition {
  schema: { type: 'object'; title?: string; properties: Record<string, FormProperty>; required?: string[] }
  layout: LayoutEntry[]
}

export interface Material {
  code: string
  name: string
  requirement: 'required' | 'conditional'
  condition: string | null
  form: 'original' | 'copy' | 'electronic'
  copies: number
  source: string | null
  licenseType: string | null
  note: string | null
}

export interface Guide {
  name: string
  type: ItemType
  departmentId: string
  divisionCode: string
  applicableTo: Audience
  summary: string | null
  legalBasis: string
  conditions: string
  materials: Material[]
  form: FormDefinition | null
  fees: { name: string; amount: number; basis: string }[]
  legalDays: number | null
  promisedDays: number
  handlingClass: HandlingClass
  mode: ServiceMode
  visits: number
  reviewSteps: { name: string; role: string }[]
  producesLicenseType: string | null
  address: string | null
  hours: string | null
  phone: string | null
  faq: { question: string; answer: string }[]
  themes: ThemeCode[]
  keywords: string[]
}

/** A version of an item's guide (GET /api/catalog/items/:id). */
export interface ItemVersion {
  id: string
  itemId: string
  code: string
  version: number
  status: 'draft' | 'published' | 'superseded'
  revision: number
  departmentName: string | null
  guide: Guide
  createdAt: string
  updatedAt: string
  publishedAt: string | null
}

export const caseStatuses = [
  'draft',
  'submitted',
  'accepted',
  'not_accepted',
  'supplement_requested',
  'under_review',
  'approved',
  'denied',
  'result_issued',
  'delivered',
  'closed',
  'withdrawn',
] as const
export type CaseStatus = (typeof caseStatuses)[number]

export const caseActions = [
  'submit',
  'accept',
  'reject',
  'request_supplement',
  'supplement',
  'review',
  'return',
  'approve',
  'deny',
  'issue_result',
  'deliver',
  'close',
  'withdraw',
] as const
export type CaseAction = (typeof caseActions)[number]

export const queues = ['to_accept', 'to_supplement', 'to_review', 'to_decide', 'to_issue', 'to_deliver', 'to_close', 'due_soon', 'overdue'] as const
export type Queue = (typeof queues)[number]
export const deliveryMethods = ['electronic', 'mail', 'pickup'] as const
export type DeliveryMethod = (typeof deliveryMethods)[number]

export interface Progress {
  usedDays: number
  allowedDays: number
  remainingDays: number
  dueDate: string
  dueAt: string
  light: 'green' | 'yellow' | 'red'
  paused: boolean
}

export interface CaseSummary {
  id: string
  number: string | null
  status: CaseStatus
  itemId: string
  itemVersionId: string
  itemCode: string
  itemName: string
  departmentId: string
  departmentName: string
  divisionCode: string
  applicantKind: 'person' | 'legal'
  applicantName: string
  handlingClass: HandlingClass
  promisedDays: number
  reviewStep: number | null
  stepName: string | null
  awaitingRole: string | null
  progress: Progress | null
  submittedAt: string | null
  createdAt: string
  updatedAt: string
  version: number
}

export interface CaseFile {
  id: string
  materialCode: string
  fileName: string
  contentType: string
  sizeBytes: number
  sm3: string
  uploadedAt: string
}

export interface SupplementItem {
  materialCode: string | null
  field: string | null
  description: string
}

export interface CaseDetail extends CaseSummary {
  view: 'applicant' | 'staff'
  applicantId: string
  applicantMaskedIdNumber: string | null
  applicantMaskedPhone: string | null
  formData: Record<string, unknown>
  reviewSteps: { name: string; role: string }[]
  materials: { code: string; name: string; requirement: 'required' | 'conditional'; files: CaseFile[]; license: LicenseMaterial | null }[]
  supplement: {
    items: SupplementItem[]
    message: string | null
    requestedAt: string
    requestedBy: string
    respondedAt: string | null
    note: string | null
  } | null
  decision: { outcome: 'not_accepted' | 'approved' | 'denied'; reason: string | null; legalBasis: string | null; at: string; by: string } | null
  result: { documentNumber: string | null; summary: string | null; at: string; by: string } | null
  delivery: { method: DeliveryMethod; trackingNumber: string | null; at: string; by: string } | null
  acceptedAt: string | null
  decidedAt: string | null
  closedAt: string | null
  timeline: {
    id: string
    action: CaseAction | 'create'
    fromStatus: CaseStatus
    toStatus: CaseStatus
    stepName: string | null
    actorName: string | null
    actorRole: string | null
    opinion: string | null
    at: string
  }[]
  allowedActions: CaseAction[]
}

export interface Notification {
  id: string
  applicationId: string
  kind: string
  text: string
  createdAt: string
  readAt: string | null
}

/** File types the server accepts for materials. */
export const acceptedFileTypes = ['application/pdf', 'image/jpeg', 'image/png', 'application/ofd'] as const
export const MAX_FILE_BYTES = 10 * 1024 * 1024

/** Form field problems of a cases/invalid-form answer: field → reason (already localised). */
export function formProblems(problem: { errors?: unknown }): Record<string, string> {
  const out: Record<string, string> = {}
  if (!Array.isArray(problem.errors)) return out
  for (const e of problem.errors as { name?: unknown; reason?: unknown }[]) {
    // The platform's field errors: `body.formData.<field>` for form fields, `body.<field>` otherwise.
    const field = typeof e.name === 'string' ? e.name.replace(/^body\.(formData\.)?/, '') : null
    if (field && typeof e.reason === 'string') out[field] = e.reason
  }
  return out
}

/** Uploads one file for a material: the body is the file itself. */
export async function uploadMaterial(caseId: string, materialCode: string, file: File, language: string): Promise<CaseFile> {
  return sendFile('PUT', `/api/cases/${encodeURIComponent(caseId)}/materials/${encodeURIComponent(materialCode)}`, file, language)
}

/** Sends a file as the request body (its media type as Content-Type, its name as ?fileName), as the upload routes take it. */
export async function sendFile<T>(method: 'PUT' | 'POST', url: string, file: File, language: string): Promise<T> {
  const type = file.type || (file.name.toLowerCase().endsWith('.ofd') ? 'application/ofd' : 'application/octet-stream')
  let response: Response
  try {
    response = await fetch(`${url}?fileName=${encodeURIComponent(file.name)}`, {
      method,
      headers: { 'Content-Type': type, Accept: 'application/json, application/problem+json', 'Accept-Language': language },
      body: file,
      credentials: 'same-origin',
    })
  } catch {
    throw new ApiError({ type: 'about:blank#network', title: i18n.t('error.network'), status: 0 })
  }
  const data = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined
  if (!response.ok) {
    throw new ApiError({
      ...(data ?? {}),
      type: typeof data?.type === 'string' ? data.type : 'about:blank',
      title: typeof data?.title === 'string' ? data.title : i18n.t('error.status', { status: response.status }),
      status: response.status,
    })
  }
  return data as unknown as T
}
