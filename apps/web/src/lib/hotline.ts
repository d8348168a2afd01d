import { ApiError } from './api'
import { i18n } from './i18n'
import type { Page } from './types'

/** Shapes of the 12345 hotline API (/api/hotline), as in notes/hotline-contract.md; shared by /m and /work. */

export const ticketTypes = ['consult', 'help', 'complaint', 'report', 'suggestion', 'praise'] as const
export type TicketType = (typeof ticketTypes)[number]

export const ticketStatuses = ['registered', 'dispatched', 'returned', 'processing', 'replied', 'callback', 'closed', 'merged'] as const
export type TicketStatus = (typeof ticketStatuses)[number]

export type Channel = 'phone' | 'web' | 'mobile' | 'open311'
export type CloseKind = 'direct' | 'callback' | 'no_callback'
export const satisfactions = ['satisfied', 'basically_satisfied', 'unsatisfied'] as const
export type Satisfaction = (typeof satisfactions)[number]
export type Light = 'green' | 'yellow' | 'red'

export type TicketAction =
  | 'direct-close'
  | 'dispatch'
  | 'sign'
  | 'return'
  | 'request-extension'
  | 'decide-extension'
  | 'reply'
  | 'assist-opinion'
  | 'assist-sign'
  | 'review'
  | 'callback'
  | 'merge'

export interface LatLng {
  lat: number
  lng: number
}

export interface TicketProgress {
  dueAt: string
  dueDate: string
  light: Light
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
  location: LatLng | null
  departmentId: string | null
  departmentName: string | null
  assistDepartmentIds: string[]
  progress: TicketProgress | null
  signDueAt: string | null
  extensionPending: boolean
  reopenCount: number
  closeKind: CloseKind | null
  satisfaction: Satisfaction | null
  createdAt: string
  updatedAt: string
  version: number
}

export interface Reporter {
  name: string | null
  phone: string | null
  accountId: string | null
  anonymous: boolean
}

export interface TicketPhoto {
  id: string
  contentType: string
  sizeBytes: number
  fileName: string
  uploadedAt: string
}

export interface TimelineEntry {
  action: string
  fromStatus: TicketStatus | null
  toStatus: TicketStatus
  actorName: string | null
  actorRole: string | null
  opinion: string | null
  at: string
}

export interface Duplicate {
  id: string
  number: string
  title: string
  score: number
  distanceM?: number | null
  createdAt: string
  status: TicketStatus
}

export interface AssistPart {
  departmentId: string
  departmentName: string
  signedAt: string | null
  signedBy: string | null
  opinion: string | null
  opinionAt: string | null
  opinionBy: string | null
}

/** A county-level division of the city for the /m picker (outline only when surveyed data exists). */
export interface District {
  code: string
  name: string
  center: LatLng | null
  outline: { type: 'Polygon' | 'MultiPolygon'; coordinates: unknown[] } | null
}

export interface TicketDetail extends TicketSummary {
  content: string
  reporter: Reporter | null
  reporterHidden?: boolean
  photos: TicketPhoto[]
  reply: { content: string; at: string; by: string | null } | null
  extension: { days: number; reason: string; requestedAt: string; decided: boolean; approved: boolean | null } | null
  mergedInto: string | null
  /** Open311 media_url: an outside link, shown as a link only. */
  mediaUrl?: string | null
  /** 协办 departments' parts. */
  assists?: AssistPart[]
  duplicates?: Duplicate[]
  timeline: TimelineEntry[]
  allowedActions: string[]
}

export interface Category {
  code: string
  name: string
  nameEn: string
  group: string
  defaultType: TicketType
  description?: string | null
}

export interface Caller {
  phone: string
  name: string | null
  accountId: string | null
  tickets: TicketSummary[]
  total: number
}

export interface KbHit {
  id: string
  title: string
  departmentId: string
  departmentName: string
  categoryCode: string | null
  snippet: string
  updatedAt: string
  version: number
  score: number
}

export interface KbArticle {
  id: string
  title: string
  body: string
  keywords: string[]
  departmentId: string
  departmentName: string
  categoryCode: string | null
  status: 'published' | 'archived'
  updatedAt: string
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
  centre: { total: number; directClosed: number; directCloseRate: number | null; consults: number }
}

export interface ApiKey {
  id: string
  name: string
  createdAt: string
  key?: string
  revokedAt?: string | null
}

/** `totalCapped`: the server counts up to 10,000 only, and there are more than `total`. */
export type Tickets = Page<TicketSummary> & { totalCapped?: boolean }

/** Centre work queues (GET /api/hotline/tickets?queue=). */
export const centreQueues = ['to_dispatch', 'returned', 'to_review', 'to_callback', 'extensions', 'overdue', 'all'] as const
export type CentreQueue = (typeof centreQueues)[number]

/** Department work queues (GET /api/hotline/queue?queue=). */
export const departmentQueues = ['to_sign', 'processing', 'assisting', 'overdue', 'all'] as const
export type DepartmentQueue = (typeof departmentQueues)[number]

/** Photos a citizen may attach: the server sniffs the bytes too, this only saves a wasted upload. */
export const photoTypes = ['image/jpeg', 'image/png', 'image/webp'] as const
export const MAX_PHOTO_BYTES = 5 * 1024 * 1024
export const MAX_PHOTOS = 6

/** Why a picked photo is refused before upload, or null when it may go. */
export function photoProblem(file: File): 'type' | 'size' | null {
  if (!(photoTypes as readonly string[]).includes(file.type)) return 'type'
  if (file.size > MAX_PHOTO_BYTES) return 'size'
  return null
}

/** Uploads one photo of a ticket as a raw body (PUT …/photos?fileName=). */
export async function uploadPhoto(ticketId: string, file: File, language: string): Promise<TicketPhoto> {
  let response: Response
  try {
    response = await fetch(`/api/hotline/tickets/${encodeURIComponent(ticketId)}/photos?fileName=${encodeURIComponent(file.name)}`, {
      method: 'PUT',
      headers: { 'Content-Type': file.type || 'application/octet-stream', Accept: 'application/json, application/problem+json', 'Accept-Language': language },
      body: file,
      credentials: 'same-origin',
    })
  } catch {
    throw new ApiError({ type: 'about:blank#network', title: i18n.t('error.network'), status: 0 })
  }
  const text = await response.text()
  let data: unknown
  try {
    data = text ? JSON.parse(text) : undefined
  } catch {
    data = undefined
  }
  if (!response.ok) {
    const p = (data && typeof data === 'object' ? data : {}) as Record<string, unknown>
    throw new ApiError({ ...p, type: typeof p.type === 'string' ? p.type : 'about:blank', title: typeof p.title === 'string' ? p.title : i18n.t('error.status', { status: response.status }), status: response.status })
  }
  return data as TicketPhoto
}

/** The URL of a ticket's photo. */
export function photoUrl(ticketId: string, photoId: string): string {
  return `/api/hotline/tickets/${encodeURIComponent(ticketId)}/photos/${encodeURIComponent(photoId)}`
}

/** POSTs one state-machine action of a ticket. */
export function ticketActionPath(ticketId: string, action: TicketAction): string {
  return `/api/hotline/tickets/${encodeURIComponent(ticketId)}/${action}`
}

/** A 0..1 rate as a percentage, or a dash when there is nothing to count. */
export function formatRate(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)}%`
}

/** Mainland mobile numbers (11 digits) and landlines with area code, as the operator types them. */
export const phonePattern = /^(1\d{10}|0\d{2,3}-?\d{7,8})$/
