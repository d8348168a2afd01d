/** The org module: its routes plugin and service are all other code may import. */
export { orgRoutes } from './routes.js'
export { createOrgService, type OrgService } from './service.js'
