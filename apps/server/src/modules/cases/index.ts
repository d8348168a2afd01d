/** The cases module: its routes plugin, service and types are all other code may import. */
export { casesRoutes } from './routes.js'
export { createCasesService, type CasesDeps, type CasesService, type CatalogPort, type IdentityPort, type OrgPort, type TransitionInput } from './service.js'
export { casesEventTypes, type ApplicationEventData } from './events.js'
export { createCaseGroups, groupStatuses, type CaseGroups, type FillStats, type GroupDetail, type GroupStatus, type GroupSummary, type NewGroup, type NewGroupChild, type SatisfiedMaterial } from './groups.js'
export { actions, statuses, runningStatuses, terminalStatuses, type Action, type ReviewStep, type Status } from './state.js'
export { handlingClasses, lights, type HandlingClass, type Light, type Progress } from './deadline.js'
export { allowedFileTypes, MAX_FILE_BYTES, MAX_FILES_PER_MATERIAL, createDiskStorage, type FileStorage, type StoredFile } from './files.js'
export {
  deliveryMethods,
  queues,
  type ApplicationDetail,
  type ApplicationSummary,
  type BatchResult,
  type DeliveryMethod,
  type FileView,
  type MaterialView,
  type Notification,
  type Paginated,
  type Queue,
  type RequestMeta,
  type SupplementItem,
  type TimelineEntry,
} from './types.js'
