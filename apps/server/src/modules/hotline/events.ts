import type { NewEvent } from '../../platform/outbox.js'
import type { CloseKind, Satisfaction, TicketStatus, TicketType } from './state.js'

/**
 * Events of the hotline module, `hotline.ticket.<action>`. Payloads carry ids, codes and statuses,
 * never the reporter's name or phone (a 举报 reporter stays with the centre): a listener that needs
 * more asks HotlineService (e.g. `ratingSubject`).
 */
export const hotlineEventTypes = {
  created: 'hotline.ticket.created',
  dispatched: 'hotline.ticket.dispatched',
  signed: 'hotline.ticket.signed',
  returned: 'hotline.ticket.returned',
  extensionRequested: 'hotline.ticket.extension-requested',
  extensionDecided: 'hotline.ticket.extension-decided',
  replied: 'hotline.ticket.replied',
  assistOpinion: 'hotline.ticket.assist-opinion',
  assistSigned: 'hotline.ticket.assist-signed',
  reviewed: 'hotline.ticket.reviewed',
  callbackRecorded: 'hotline.ticket.callback-recorded',
  closed: 'hotline.ticket.closed',
  reopened: 'hotline.ticket.reopened',
  merged: 'hotline.ticket.merged',
  lightChanged: 'hotline.ticket.light-changed',
} as const

/** What every ticket event says. */
export interface TicketEventData {
  ticketId: string
  number: string
  type: TicketType
  status: TicketStatus
  departmentId: string | null
  divisionCode: string | null
  at: string
  [extra: string]: unknown
}

/** `hotline.ticket.closed`: what the rating module needs to invite a rating. */
export interface TicketClosedData extends TicketEventData {
  closeKind: CloseKind
  satisfaction: Satisfaction | null
  reporterAccountId: string | null
}

export function ticketEvent(type: string, data: TicketEventData): NewEvent<TicketEventData> {
  return { type, subject: data.ticketId, data }
}
