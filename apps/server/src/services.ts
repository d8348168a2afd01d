import type { Core } from './platform/core.js'
import { casesEventTypes, createCasesService } from './modules/cases/index.js'
import { createCatalogService } from './modules/catalog/index.js'
import { createIdentityService } from './modules/identity/index.js'
import { createLedgerService } from './modules/ledger/index.js'
import { createOrgService } from './modules/org/index.js'
import { createRegistriesService } from './modules/registries/index.js'

/**
 * The composition root: every module's service, built once with exactly the dependencies it
 * declares. Modules never construct each other; a module that needs another gets its service here.
 */
export function createServices(core: Core) {
  const ledger = createLedgerService(core)
  core.audit.setLedger(ledger)
  const org = createOrgService(core)
  const identity = createIdentityService({ ...core, org })
  const catalog = createCatalogService({ ...core, org })
  const cases = createCasesService({ ...core, catalog, org, identity })
  const registries = createRegistriesService({ ...core, org, identity })
  // Applicants hear of every change to their case by text message as well as in the in-app inbox.
  core.outbox.subscribe(casesEventTypes.notificationCreated, async (event) => {
    const { accountId, text } = event.data as { accountId: string; text: string }
    await identity.textAccount(accountId, text)
  })
  return { ledger, org, identity, catalog, cases, registries }
}

export type Services = ReturnType<typeof createServices>
