import { api } from './api'
import type { Page } from './types'

/** Shapes of the 好差评 API (/api/rating); shared by /m and /work. */

/** 5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意. */
export const levels = [5, 4, 3, 2, 1] as const
export type Level = (typeof levels)[number]
export const isBad = (level: number) => level <= 2
export type SubjectKind = 'case' | 'ticket'
export type RectificationStatus = 'open' | 'answered' | 'closed'
export const callbackMethods = ['phone', 'sms', 'visit'] as const
export type CallbackMethod = (typeof callbackMethods)[number]
export const raterSatisfactions = ['satisfied', 'basically_satisfied', 'unsatisfied'] as const
export type RaterSatisfaction = (typeof raterSatisfactions)[number]

export interface RatingTag {
  level: Level
  code: string
  label: string
}

export interface Rating {
  id: string
  level: Level
  tags: string[]
  comment: string | null
  channel: 'web' | 'mobile' | 'sms'
  createdAt: string
}

export interface RectificationOutcome {
  id: string
  status: RectificationStatus
  departmentName: string
  dueDate: string
  answer: string | null
  answeredAt: string | null
  contacted: boolean
  outcome: string | null
  closedAt: string | null
}

export interface Subject {
  kind: SubjectKind
  refId: string
  label: string
  departmentName: string
  itemName: string | null
  rateableUntil: string
  canRate: boolean
  rating: Rating | null
  rectification: RectificationOutcome | null
}

export interface Rectification extends RectificationOutcome {
  version: number
  subjectKind: SubjectKind
  subjectRefId: string
  subjectLabel: string
  itemName: string | null
  departmentId: string
  divisionCode: string
  level: Level
  tags: string[]
  comment: string | null
  ratedAt: string
  answeredByName: string | null
  answeredOnTime: boolean | null
  callbacks: { at: string; byName: string; method: CallbackMethod; reached: boolean; note: string | null }[]
  raterSatisfaction: RaterSatisfaction | null
  rater: { name: string; maskedPhone: string | null } | null
}

export interface Figures {
  total: number
  byLevel: Record<'5' | '4' | '3' | '2' | '1', number>
  satisfactionRate: number | null
  bad: number
  rectifiedRate: number | null
  onTimeRate: number | null
}

export interface Statistics {
  from: string
  to: string
  overall: Figures
  groups: (Figures & { key: string; name: string })[]
}

export interface RatingInput {
  level: Level
  tags: string[]
  comment?: string | null
}

const base = '/api/rating'

export const ratingApi = {
  tags: (signal?: AbortSignal) => api.get<RatingTag[]>(`${base}/tags`, undefined, signal),
  subject: (kind: SubjectKind, refId: string, signal?: AbortSignal) => api.get<Subject>(`${base}/subjects/${kind}/${encodeURIComponent(refId)}`, undefined, signal),
  rate: (kind: SubjectKind, refId: string, input: RatingInput) => api.post<Subject>(`${base}/subjects/${kind}/${encodeURIComponent(refId)}/rating`, { ...input, channel: 'mobile' }),
  bySms: (token: string, signal?: AbortSignal) => api.get<Subject>(`${base}/sms/${encodeURIComponent(token)}`, undefined, signal),
  rateBySms: (token: string, input: RatingInput) => api.post<Subject>(`${base}/sms/${encodeURIComponent(token)}`, input),
  byLink: (token: string, signal?: AbortSignal) => api.get<Subject>(`${base}/links/${encodeURIComponent(token)}`, undefined, signal),
  rateByLink: (token: string, input: RatingInput) => api.post<Subject>(`${base}/links/${encodeURIComponent(token)}`, input),
  mine: (page: number, signal?: AbortSignal) => api.get<Page<Subject>>(`${base}/mine`, { page, pageSize: 20 }, signal),
  rectifications: (q: { status?: RectificationStatus; page?: number }, signal?: AbortSignal) => api.get<Page<Rectification>>(`${base}/rectifications`, { ...q, pageSize: 20 }, signal),
  answer: (id: string, version: number, answer: string) => api.post<Rectification>(`${base}/rectifications/${id}/answer`, { version, answer }),
  callback: (id: string, body: { version: number; method: CallbackMethod; reached: boolean; note?: string; outcome?: string; raterSatisfaction?: RaterSatisfaction }) =>
    api.post<Rectification>(`${base}/rectifications/${id}/callback`, body),
  stats: (q: { from?: string; to?: string; groupBy?: 'department' | 'item'; divisionCode?: string }, signal?: AbortSignal) => api.get<Statistics>(`${base}/stats`, q, signal),
  publicStats: (q: { from?: string; to?: string }, signal?: AbortSignal) => api.get<Statistics>(`${base}/public/stats`, q, signal),
}

/** A rate in 0..1 as a percentage, or a dash. */
export function percent(rate: number | null): string {
  return rate === null ? '—' : `${(rate * 100).toFixed(1)}%`
}
