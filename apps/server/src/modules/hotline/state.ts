/**
 * The ticket (工单) state machine of the 12345 hotline. Pure: which action leads from which status
 * to which, and whose action it is. The service adds the checks that need data (department, type).
 */

export const ticketTypes = ['consult', 'help', 'complaint', 'report', 'suggestion', 'praise'] as const
export type TicketType = (typeof ticketTypes)[number]

export const channels = ['phone', 'web', 'mobile', 'open311'] as const
export type Channel = (typeof channels)[number]

export const ticketStatuses = ['registered', 'dispatched', 'returned', 'processing', 'replied', 'callback', 'closed', 'merged'] as const
export type TicketStatus = (typeof ticketStatuses)[number]

/** Statuses in which the ticket is finished (Open311 `closed`). */
export const finishedStatuses: readonly TicketStatus[] = ['closed', 'merged']

export const satisfactions = ['satisfied', 'basically_satisfied', 'unsatisfied'] as const
export type Satisfaction = (typeof satisfactions)[number]

export const closeKinds = ['direct', 'callback', 'no_callback'] as const
export type CloseKind = (typeof closeKinds)[number]

export const ticketActions = [
  'direct-close', 'dispatch', 'sign', 'return', 'request-extension', 'decide-extension', 'reply', 'assist-opinion', 'review', 'callback', 'merge', 'assist-sign',
] as const
export type TicketAction = (typeof ticketActions)[number]

/** Who acts: the hotline centre, the main (主办) department, or an assisting (协办) department. */
export type Actor = 'centre' | 'admin' | 'department' | 'assist'

interface Rule {
  from: readonly TicketStatus[]
  /** The status after the action; null: decided by the input (review, callback) or unchanged. */
  to: TicketStatus | null
  by: Actor
}

export const rules: Record<TicketAction, Rule> = {
  'direct-close': { from: ['registered'], to: 'closed', by: 'centre' },
  dispatch: { from: ['registered', 'returned'], to: 'dispatched', by: 'centre' },
  sign: { from: ['dispatched'], to: 'processing', by: 'department' },
  return: { from: ['dispatched', 'processing'], to: 'returned', by: 'department' },
  'request-extension': { from: ['processing'], to: null, by: 'department' },
  'decide-extension': { from: ['processing'], to: null, by: 'admin' },
  reply: { from: ['processing'], to: 'replied', by: 'department' },
  // An assisting department signs for its part (协办签收), then gives its opinion for the 主办's reply.
  'assist-sign': { from: ['dispatched', 'processing'], to: null, by: 'assist' },
  'assist-opinion': { from: ['dispatched', 'processing'], to: null, by: 'assist' },
  review: { from: ['replied'], to: null, by: 'admin' },
  callback: { from: ['callback'], to: null, by: 'centre' },
  merge: { from: ['registered', 'returned', 'dispatched'], to: 'merged', by: 'centre' },
}

/** Whether the action may be taken from this status at all. */
export function allowedFrom(action: TicketAction, status: TicketStatus): boolean {
  return rules[action].from.includes(status)
}

/** The actions a caller acting as these actors may take on a ticket in this status. */
export function actionsFor(status: TicketStatus, as: ReadonlySet<Actor>, type: TicketType, extensionPending: boolean): TicketAction[] {
  return ticketActions.filter((a) => {
    const r = rules[a]
    if (!r.from.includes(status) || !as.has(r.by)) return false
    if (a === 'direct-close' && type !== 'consult') return false
    if (a === 'request-extension' && extensionPending) return false
    if (a === 'decide-extension' && !extensionPending) return false
    return true
  })
}
