import type { Locale } from '../../platform/i18n.js'
import type { Role } from '../../platform/roles.js'
import type { HandlingClass, Progress } from './deadline.js'
import type { Action, ReviewStep, Status } from './state.js'
import type { DecisionRecord, DeliveryRecord, ResultRecord, SupplementNotice } from './store.js'
import type { LicenseMaterialView } from './license-materials.js'

/** Domain types of the cases module; others import them through index.ts. */

export type { DecisionRecord, DeliveryRecord, ResultRecord, SupplementNotice }

/** Staff work queues of the workbench. */
export const queues = [
  'to_accept',
  'to_supplement',
  'to_review',
  'to_decide',
  'to_issue',
  'to_deliver',
  'to_close',
  'due_soon',
  'overdue',
] as const
export type Queue = (typeof queues)[number]

export const deliveryMethods = ['electronic', 'mail', 'pickup'] as const
export type DeliveryMethod = (typeof deliveryMethods)[number]

/** An application as lists show it. */
export interface ApplicationSummary {
  id: string
  number: string | null
  status: Status
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
  /** The review step awaited (0-based) while accepted or under review. */
  reviewStep: number | null
  /** Name of the step awaited (审查, 审核, 决定), or null. */
  stepName: string | null
  /** Whose turn it is, or null (the applicant's, or nobody's). */
  awaitingRole: Role | null
  /** Days used / allowed and the light; null before acceptance. */
  progress: Progress | null
  submittedAt: Date | null
  createdAt: Date
  updatedAt: Date
  version: number
}

export interface FileView {
  id: string
  materialCode: string
  fileName: string
  contentType: string
  sizeBytes: number
  /** SM3 digest of the bytes (hex). */
  sm3: string
  uploadedAt: Date
}

export interface MaterialView {
  code: string
  name: string
  requirement: 'required' | 'conditional'
  files: FileView[]
  /** The applicant's e-license standing in for an upload (免提交), or null. */
  license: LicenseMaterialView | null
}

export interface TimelineEntry {
  id: string
  action: Action | 'create'
  fromStatus: Status
  toStatus: Status
  stepName: string | null
  actorName: string | null
  actorRole: string | null
  opinion: string | null
  at: Date
}

/** An application in full, as its applicant or a member of staff sees it. */
export interface ApplicationDetail extends ApplicationSummary {
  /** 'applicant': the caller's own case, form data in full; 'staff': ID numbers and phones masked unless revealed. */
  view: 'applicant' | 'staff'
  /** Staff asked to see ID numbers and phones in full (audited and on the ledger). */
  revealed: boolean
  applicantId: string
  /** Applicant's masked ID number and phone (staff view), from the identity module. */
  applicantMaskedIdNumber: string | null
  applicantMaskedPhone: string | null
  formData: Record<string, unknown>
  reviewSteps: ReviewStep[]
  materials: MaterialView[]
  supplement: SupplementNotice | null
  decision: DecisionRecord | null
  result: ResultRecord | null
  delivery: DeliveryRecord | null
  acceptedAt: Date | null
  decidedAt: Date | null
  closedAt: Date | null
  timeline: TimelineEntry[]
  /** What the caller may do now (buttons for the web). */
  allowedActions: Action[]
}

/** A notice in an applicant's inbox, in the reader's language. */
export interface Notification {
  id: string
  applicationId: string
  kind: string
  text: string
  createdAt: Date
  readAt: Date | null
}

export interface Paginated<T> {
  items: T[]
  total: number
  page: number
  pageSize: number
}

/** Where a request came from (for the audit log) and the language of its answer. */
export interface RequestMeta {
  ip?: string | null
  userAgent?: string | null
  locale?: Locale
}

/** One item of a 一次性告知 (everything the applicant must supplement). */
export interface SupplementItem {
  materialCode?: string | null
  field?: string | null
  description: string
}

export interface BatchResult {
  id: string
  ok: boolean
  version?: number
  /** Problem slug and status when this case was not accepted (stale, out of order, out of reach). */
  error?: { type: string; status: number }
}
