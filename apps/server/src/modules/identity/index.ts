/** The identity module: its routes plugin and service are all other code may import. */
export { identityRoutes } from './routes.js'
export { createIdentityService, type IdentityService } from './service.js'
