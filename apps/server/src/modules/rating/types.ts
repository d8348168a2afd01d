/** The five levels of 好差评 (国办发〔2019〕51号): 非常满意 5 … 非常不满意 1. */
export const levels = [5, 4, 3, 2, 1] as const
export type Level = (typeof levels)[number]
/** 差评 = 不满意 and 非常不满意. */
export const isBadLevel = (level: number) => level <= 2

export const subjectKinds = ['case', 'ticket'] as const
export type SubjectKind = (typeof subjectKinds)[number]
export const channels = ['web', 'mobile', 'sms'] as const
export type Channel = (typeof channels)[number]
export const rectificationStatuses = ['open', 'answered', 'closed'] as const
export type RectificationStatus = (typeof rectificationStatuses)[number]
export const callbackMethods = ['phone', 'sms', 'visit'] as const
export type CallbackMethod = (typeof callbackMethods)[number]
export const raterSatisfactions = ['satisfied', 'basically_satisfied', 'unsatisfied'] as const
export type RaterSatisfaction = (typeof raterSatisfactions)[number]

/** What a module tells rating when something becomes rateable. */
export interface SubjectInput {
  kind: SubjectKind
  refId: string
  label: string
  raterId: string
  departmentId: string
  departmentName: string
  divisionCode: string
  itemId: string | null
  itemName: string | null
  /** When it was closed (the window starts here). */
  at: Date
}

export interface RatingView {
  id: string
  level: Level
  tags: string[]
  comment: string | null
  channel: Channel
  createdAt: Date
}

export interface CallbackView {
  at: string
  byName: string
  method: CallbackMethod
  reached: boolean
  note: string | null
}

/** A rectification as the rater sees it: the department's answer and the outcome, no staff ids. */
export interface RectificationOutcome {
  id: string
  status: RectificationStatus
  departmentName: string
  dueDate: string
  answer: string | null
  answeredAt: Date | null
  contacted: boolean
  outcome: string | null
  closedAt: Date | null
}

export interface SubjectView {
  kind: SubjectKind
  refId: string
  label: string
  departmentName: string
  itemName: string | null
  rateableUntil: Date
  /** Whether a rating may be given now (not rated yet, window open). */
  canRate: boolean
  rating: RatingView | null
  rectification: RectificationOutcome | null
}

export interface RectificationView extends RectificationOutcome {
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
  ratedAt: Date
  answeredByName: string | null
  answeredOnTime: boolean | null
  callbacks: CallbackView[]
  raterSatisfaction: RaterSatisfaction | null
  /** The rater's name and masked phone: only for the centre, which calls back. */
  rater: { name: string; maskedPhone: string | null } | null
  createdAt: Date
  updatedAt: Date
}

export interface Paginated<T> {
  items: T[]
  total: number
  page: number
  pageSize: number
}

/** Figures of one group (a department, an item, or all). */
export interface Figures {
  total: number
  /** Count per level, 5 … 1. */
  byLevel: Record<'5' | '4' | '3' | '2' | '1', number>
  /** (非常满意 + 满意 + 基本满意) / total; null with no ratings. */
  satisfactionRate: number | null
  bad: number
  /** Closed rectifications / 差评. */
  rectifiedRate: number | null
  /** Rectifications answered by their due date / answered ones. */
  onTimeRate: number | null
}

export interface GroupFigures extends Figures {
  key: string
  name: string
}

export interface Statistics {
  from: string
  to: string
  overall: Figures
  groups: GroupFigures[]
}

export interface RequestMeta {
  ip?: string | null
  userAgent?: string | null
}
