/** The licenses module (电子证照): its routes plugin, service and types are all other code may import. */
export { licensesRoutes } from './routes.js'
export { createLicensesService, maskName, type CaseSource, type HolderInput, type IssueInput, type LicensesDeps, type LicensesService } from './service.js'
export { licensesEventTypes, type LicenseEventData } from './events.js'
export { licenseTypes, licenseTypeOf, type LicenseTypeDef, type HolderKind } from './license-types.js'
export { licenseStatuses, grantModes } from './types.js'
export type {
  AccessRequestView,
  FieldView,
  GrantMode,
  GrantView,
  LicenseContent,
  LicenseDetail,
  LicenseStatus,
  LicenseSummary,
  SealView,
  SignedLicenseDocument,
  UseEntry,
  Verification,
  VerifyOutcome,
} from './types.js'
