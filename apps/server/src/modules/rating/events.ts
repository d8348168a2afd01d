import type { NewEvent } from '../../platform/outbox.js'
import type { Level, RectificationStatus, SubjectKind } from './types.js'

/** Event names of the rating module. Payloads carry ids, codes and levels; never comments or names. */
export const ratingEventTypes = {
  submitted: 'rating.rating.submitted',
  rectificationOpened: 'rating.rectification.opened',
  rectificationAnswered: 'rating.rectification.answered',
  rectificationClosed: 'rating.rectification.closed',
} as const

export interface RatingSubmittedData {
  ratingId: string
  subjectKind: SubjectKind
  subjectRefId: string
  level: Level
  channel: string
  departmentId: string
  divisionCode: string
  itemId: string | null
}

export interface RectificationEventData {
  rectificationId: string
  ratingId: string
  subjectKind: SubjectKind
  subjectRefId: string
  departmentId: string
  divisionCode: string
  status: RectificationStatus
  dueDate: string
}

export const ratingEvents = {
  submitted: (d: RatingSubmittedData): NewEvent<RatingSubmittedData> => ({ type: ratingEventTypes.submitted, subject: d.ratingId, data: d }),
  rectification: (action: 'opened' | 'answered' | 'closed', d: RectificationEventData): NewEvent<RectificationEventData> => ({
    type: `rating.rectification.${action}`,
    subject: d.rectificationId,
    data: d,
  }),
}
