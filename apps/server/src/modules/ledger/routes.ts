import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { LedgerService } from './service.js'

export const ledgerRoutes: FastifyPluginAsyncZod<{ ledger: LedgerService }> = async (app, opts) => {
  void app
  void opts
}
