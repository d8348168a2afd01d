import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { IdentityService } from './service.js'

export const identityRoutes: FastifyPluginAsyncZod<{ identity: IdentityService }> = async (app, opts) => {
  void app
  void opts
}
