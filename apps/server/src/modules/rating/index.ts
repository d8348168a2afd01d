/** The rating module (好差评): its routes plugin, service and types are all other code may import. */
export { ratingRoutes } from './routes.js'
export { createRatingService, centreRoles, departmentRoles, statsRoles, type RatingDeps, type RatingService, type TicketClosedData } from './service.js'
export { ratingEventTypes, type RatingSubmittedData, type RectificationEventData } from './events.js'
export { levels, isBadLevel, subjectKinds, channels, type Level, type SubjectKind, type SubjectView, type RectificationView, type Statistics } from './types.js'
