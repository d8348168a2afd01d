/** The ledger module: its routes plugin and service are all other code may import. */
export { ledgerRoutes } from './routes.js'
export { createLedgerService, type LedgerService } from './service.js'
