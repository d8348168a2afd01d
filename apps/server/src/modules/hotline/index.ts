/** The hotline module (12345): its routes plugins, service, events and vocabularies are all other code may import. */
export { hotlineRoutes } from './routes.js'
export { open311Routes } from './open311.js'
export { createHotlineService, pickRule, type HotlineDeps, type HotlineService } from './service.js'
export { hotlineEventTypes, type TicketClosedData, type TicketEventData } from './events.js'
export { channels, closeKinds, satisfactions, ticketActions, ticketStatuses, ticketTypes, type Channel, type CloseKind, type Satisfaction, type TicketAction, type TicketStatus, type TicketType } from './state.js'
export type { Article, ArticleHit, Category, DispatchRule, Metrics, NewTicket, Settings, TicketDetail, TicketSummary } from './types.js'
