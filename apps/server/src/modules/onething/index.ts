/** The onething module (一件事一次办): its routes plugin, service and types are all other code may import. */
import './errors.js'
export { onethingRoutes } from './routes.js'
export { createOnethingService, type DraftView, type LicensesPort, type OnethingDeps, type OnethingService, type RegistriesPort } from './service.js'
export { applicableItems, bundleDefinitionSchema, type BundleDefinition, type BundleDefinitionInput } from './model.js'
