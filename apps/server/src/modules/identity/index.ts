/** The identity module: its routes plugin, service, types and validators are all other code may import. */
export { identityRoutes, meSchema } from './routes.js'
export { oidcRoutes } from './oidc/routes.js'
export {
  createIdentityService,
  type AccountSummary,
  type Actor,
  type CreateLegalInput,
  type CreatePersonInput,
  type CreateStaffInput,
  type GrantInput,
  type GrantView,
  type IdentityService,
  type Me,
  type OrgDirectory,
  type Page,
  type RequestMeta,
  type SignedIn,
} from './service.js'
export { createDevSmsSender, smsPolicy, type SmsMessage, type SmsSender } from './sms.js'
export { lockoutPolicy, sessionPolicy } from './sessions.js'
export {
  checkCreditCode,
  checkIdNumber,
  creditCodeCheckChar,
  generateCreditCode,
  generateIdNumber,
  idNumberCheckChar,
  isMobile,
  isValidCreditCode,
  isValidIdNumber,
  maskIdNumber,
  maskPhone,
  normalizePhone,
  seededRandom,
  type Random,
} from './validators.js'
