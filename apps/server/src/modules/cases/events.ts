import type { NewEvent } from '../../platform/outbox.js'
import type { Light } from './deadline.js'
import type { Action, Status } from './state.js'

/**
 * Event names of the cases module, `cases.<entity>.<action>`. Payloads carry ids, codes and
 * statuses, never form data or personal data: a listener that needs more asks the cases service.
 */
export const casesEventTypes = {
  submitted: 'cases.application.submitted',
  accepted: 'cases.application.accepted',
  notAccepted: 'cases.application.not-accepted',
  supplementRequested: 'cases.application.supplement-requested',
  supplemented: 'cases.application.supplemented',
  reviewed: 'cases.application.reviewed',
  returned: 'cases.application.returned',
  approved: 'cases.application.approved',
  denied: 'cases.application.denied',
  resultIssued: 'cases.application.result-issued',
  delivered: 'cases.application.delivered',
  closed: 'cases.application.closed',
  withdrawn: 'cases.application.withdrawn',
  deadlineApproaching: 'cases.application.deadline-approaching',
  overdue: 'cases.application.overdue',
  notificationCreated: 'cases.notification.created',
} as const

const byAction: Record<Action, string> = {
  submit: casesEventTypes.submitted,
  accept: casesEventTypes.accepted,
  reject: casesEventTypes.notAccepted,
  request_supplement: casesEventTypes.supplementRequested,
  supplement: casesEventTypes.supplemented,
  review: casesEventTypes.reviewed,
  return: casesEventTypes.returned,
  approve: casesEventTypes.approved,
  deny: casesEventTypes.denied,
  issue_result: casesEventTypes.resultIssued,
  deliver: casesEventTypes.delivered,
  close: casesEventTypes.closed,
  withdraw: casesEventTypes.withdrawn,
}

/** What every application event says about the case. */
export interface ApplicationEventData {
  applicationId: string
  number: string | null
  itemId: string
  itemVersionId: string
  itemCode: string
  divisionCode: string
  departmentId: string
  applicantId: string
  status: Status
  fromStatus: Status
  reviewStep: number | null
  actorId: string | null
  /** The light's new colour, on deadline events. */
  light?: Light
}

export const casesEvents = {
  transitioned: (action: Action, data: ApplicationEventData): NewEvent<ApplicationEventData> => ({ type: byAction[action], subject: data.applicationId, data }),
  light: (light: Exclude<Light, 'green'>, data: ApplicationEventData): NewEvent<ApplicationEventData> => ({
    type: light === 'yellow' ? casesEventTypes.deadlineApproaching : casesEventTypes.overdue,
    subject: data.applicationId,
    data: { ...data, light },
  }),
  /**
   * A notice for an applicant. `text` is the zh-CN message, ready for an SMS adapter (the
   * identity module owns phone numbers and the dev SMS outbox; it can send this on).
   */
  notificationCreated: (d: { notificationId: string; accountId: string; applicationId: string; kind: string; text: string }): NewEvent => ({
    type: casesEventTypes.notificationCreated,
    subject: d.accountId,
    data: d,
  }),
}
