import type { Core } from './platform/core.js'
import { createIdentityService } from './modules/identity/index.js'
import { createLedgerService } from './modules/ledger/index.js'
import { createOrgService } from './modules/org/index.js'

/**
 * The composition root: every module's service, built once with exactly the dependencies it
 * declares. Modules never construct each other; a module that needs another gets its service here.
 */
export function createServices(core: Core) {
  const ledger = createLedgerService(core)
  core.audit.setLedger(ledger)
  const org = createOrgService(core)
  const identity = createIdentityService({ ...core, org })
  return { ledger, org, identity }
}

export type Services = ReturnType<typeof createServices>
