import type { Light } from '../cases/index.js'
import type { Geometry } from '../registries/index.js'
import type { Channel, CloseKind, Satisfaction, TicketAction, TicketStatus, TicketType } from './state.js'

export type { Light }

export interface RequestMeta {
  ip?: string | null
  userAgent?: string | null
}

export interface Paginated<T> {
  items: T[]
  total: number
  /** Ticket lists count up to 10,000 only: true when there are more than `total`. */
  totalCapped?: boolean
  page: number
  pageSize: number
}

export interface Category {
  code: string
  name: string
  nameEn: string
  group: string
  defaultType: TicketType
  description: string
}

export interface TicketProgress {
  dueAt: Date
  dueDate: string
  light: Light
  /** Working days left until the due date; negative when overdue. */
  remainingDays: number
}

export interface TicketSummary {
  id: string
  number: string
  type: TicketType
  channel: Channel
  status: TicketStatus
  categoryCode: string
  categoryName: string
  title: string
  divisionCode: string | null
  address: string | null
  location: { lat: number; lng: number } | null
  departmentId: string | null
  departmentName: string | null
  assistDepartmentIds: string[]
  progress: TicketProgress | null
  signDueAt: Date | null
  signedAt: Date | null
  extensionPending: boolean
  reopenCount: number
  closeKind: CloseKind | null
  satisfaction: Satisfaction | null
  createdAt: Date
  updatedAt: Date
  version: number
}

export interface Reporter {
  name: string | null
  phone: string | null
  email: string | null
  accountId: string | null
  anonymous: boolean
}

export interface PhotoView {
  id: string
  fileName: string
  contentType: string
  sizeBytes: number
  sm3: string
  uploadedAt: Date
}

export interface DuplicateHint {
  id: string
  number: string
  title: string
  status: TicketStatus
  score: number
  distanceM: number | null
  createdAt: Date
}

export interface TimelineEntry {
  action: string
  fromStatus: TicketStatus | null
  toStatus: TicketStatus
  actorName: string | null
  actorRole: string | null
  departmentId: string | null
  opinion: string | null
  at: Date
}

export interface TicketDetail extends TicketSummary {
  content: string
  /** Null when hidden from the caller (a 举报 reporter, for the handling departments). */
  reporter: Reporter | null
  reporterHidden: boolean
  photos: PhotoView[]
  reply: { content: string; at: string; by: string; departmentId: string } | null
  extension: { days: number; reason: string; requestedAt: string; decided: boolean; approved: boolean | null; opinion: string | null } | null
  callback: { satisfaction: Satisfaction; resolved: boolean; note: string | null; at: string; by: string; reopened: boolean } | null
  mergedInto: string | null
  kbArticleId: string | null
  /** Open311 media_url: a link to show (never fetched by the server). */
  mediaUrl: string | null
  /** 协办 departments' parts: signed or not, and their opinion (seen by the 主办 before replying). */
  assists: AssistView[]
  /** Suggested merges (centre only; empty for others). */
  duplicates: DuplicateHint[]
  timeline: TimelineEntry[]
  allowedActions: TicketAction[]
}

/** A county-level division of the city for the /m picker; outline and centre only from surveyed data. */
export interface District {
  code: string
  name: string
  center: { lat: number; lng: number } | null
  outline: Geometry | null
}

export interface AssistView {
  departmentId: string
  departmentName: string
  signedAt: string | null
  signedBy: string | null
  opinion: string | null
  opinionAt: string | null
  opinionBy: string | null
}

export interface NewTicket {
  type: TicketType
  categoryCode: string
  title?: string | null
  content: string
  address?: string | null
  location?: { lat: number; lng: number } | null
  /** A GB/T 2260 division or community code (Open311 address_id). */
  divisionCode?: string | null
  /** Open311 media_url: an http(s) link to a photo elsewhere (checked by the caller). */
  mediaUrl?: string | null
  reporter?: { name?: string | null; phone?: string | null; email?: string | null; anonymous?: boolean }
}

export interface ActionInput {
  version: number
  departmentId?: string | null
  assistDepartmentIds?: string[]
  opinion?: string | null
  reason?: string | null
  days?: number
  approve?: boolean
  content?: string | null
  answer?: string | null
  articleId?: string | null
  satisfaction?: Satisfaction
  resolved?: boolean
  note?: string | null
  reopen?: boolean
  intoId?: string
}

export interface Article {
  id: string
  title: string
  body: string
  keywords: string[]
  departmentId: string
  departmentName: string
  categoryCode: string | null
  status: 'published' | 'archived'
  updatedAt: Date
  version: number
}

export interface ArticleHit {
  id: string
  title: string
  departmentId: string
  departmentName: string
  categoryCode: string | null
  snippet: string
  score: number
  updatedAt: Date
  version: number
}

export interface DispatchRule {
  id: string
  categoryCode: string | null
  divisionPrefix: string | null
  departmentId: string
  departmentName: string
  assistDepartmentIds: string[]
  version: number
}

export interface Settings {
  cityCode: string
  deadlineDays: Record<TicketType, number>
  signHours: number
  duplicateWindowDays: number
  duplicateRadiusM: number
  version: number
}

export interface DepartmentMetrics {
  departmentId: string
  departmentName: string
  dispatched: number
  signedInTime: number
  responseRate: number | null
  replied: number
  resolved: number
  resolutionRate: number | null
  callbacks: number
  satisfied: number
  satisfactionRate: number | null
}

export interface Metrics {
  from: string
  to: string
  departments: DepartmentMetrics[]
  centre: { total: number; consults: number; directClosed: number; directCloseRate: number | null }
}

export interface ApiKeyView {
  id: string
  name: string
  createdAt: Date
  revokedAt: Date | null
}
