import type { Core } from './platform/core.js'
import { createIdentityService } from './modules/identity/index.js'
import { createLedgerService } from './modules/ledger/index.js'
import { createOrgService } from './modules/org/index.js'

/**
 * The composition root: every module's service, built once with exactly the dependencies it
 * declares. Modules never construct each other.
 */
export function createServices(core: Core) {
  const ledger = createLedgerService(core)
  const org = createOrgService(core)
  const identity = createIdentityService(core)
  return { ledger, org, identity }
}

export type Services = ReturnType<typeof createServices>
