/** The catalog module: its routes plugin, service, types and form helpers are all other code may import. */
export { catalogRoutes, canEdit, XLSX_MIME } from './routes.js'
export {
  createCatalogService,
  type CatalogService,
  type EditOptions,
  type GuideChanges,
  type ImportEntry,
  type ItemScope,
  type NewServiceItem,
} from './service.js'
export type {
  DepartmentCount,
  ImportResult,
  Paginated,
  SearchHit,
  SearchQuery,
  ServiceItemSummary,
  ServiceItemVersion,
  Synonym,
  ThemeCount,
  VersionStatus,
  VersionSummary,
} from './types.js'
export {
  audiences,
  handlingClasses,
  itemTypePrefix,
  itemTypes,
  materialForms,
  materialRequirements,
  serviceModes,
  stepRoles,
  themeAudience,
  themeCodes,
  type ApplicableTo,
  type Faq,
  type Fee,
  type GuideInput,
  type HandlingClass,
  type ItemType,
  type Material,
  type MaterialForm,
  type MaterialRequirement,
  type ReviewStep,
  type ServiceItemGuide,
  type ServiceMode,
  type StepRole,
  type ThemeCode,
} from './model.js'
export { prefillSourceSchema, validateFormData, widgets, type FormDataIssue, type FormDefinition, type FormProperty, type LayoutEntry, type PrefillSource, type Widget } from './form.js'
export type { ImportError } from './errors.js'
