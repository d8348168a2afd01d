import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { OrgService } from './service.js'

export const orgRoutes: FastifyPluginAsyncZod<{ org: OrgService }> = async (app, opts) => {
  void app
  void opts
}
