import type { Core } from './platform/core.js'
import { casesEventTypes, createCasesService, type ApplicationEventData } from './modules/cases/index.js'
import { createCatalogService } from './modules/catalog/index.js'
import { createIdentityService } from './modules/identity/index.js'
import { createLicensesService } from './modules/licenses/index.js'
import { createLedgerService } from './modules/ledger/index.js'
import { createOrgService } from './modules/org/index.js'
import { createRegistriesService } from './modules/registries/index.js'
import { createHotlineService } from './modules/hotline/index.js'
import { createCaseGroups } from './modules/cases/index.js'
import { createOnethingService } from './modules/onething/index.js'
import { createRatingService, type TicketClosedData } from './modules/rating/index.js'

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
  const licenses = createLicensesService({ ...core, org, identity })
  // Cases reads e-licenses standing in for materials (免提交) through the licenses service.
  const cases = createCasesService({ ...core, catalog, org, identity, licenses, ledger })
  // An approved case whose item produces a license issues it into the applicant's wallet (once per case).
  core.outbox.subscribe(casesEventTypes.approved, async (event) => {
    const data = event.data as ApplicationEventData
    // Most items issue no license: the item version (its content never changes; cases caches it) says so without a query.
    const version = await cases.itemVersion(data.itemVersionId)
    if (version && !version.guide.producesLicenseType) return
    await licenses.issueForCase(data.applicationId, { findApplication: (id) => cases.findApplication(id), getVersion: (id) => cases.itemVersion(id) })
  })
  const registries = createRegistriesService({ ...core, org, identity })
  // 12345: tickets are placed through the registries' geocoder and dispatched to org's departments.
  const hotline = createHotlineService({ ...core, org, registries })
  // Applicants hear of every change to their case by text message as well as in the in-app inbox.
  // Together per delivered batch: one insert for all of them rather than one each.
  core.outbox.subscribeBatch(casesEventTypes.notificationCreated, async (events) => {
    await identity.textAccounts(events.map((e) => e.data as { accountId: string; text: string }))
  })
  // 好差评: a closed case, and a ticket closed after its callback, become rateable by their applicant.
  const rating = createRatingService({ ...core, identity, org, catalog, tickets: hotline })
  core.outbox.subscribe(casesEventTypes.closed, (event) => rating.onCaseClosed(event.data as ApplicationEventData, event.occurredAt))
  core.outbox.subscribe('hotline.ticket.closed', (event) => rating.onTicketClosed(event.data as TicketClosedData))
  // 一件事一次办: case groups (in cases) and the bundles, shared drafts and prefill (onething).
  const caseGroups = createCaseGroups({ ...core, catalog, org })
  for (const type of [casesEventTypes.supplementRequested, casesEventTypes.resultIssued, casesEventTypes.delivered, casesEventTypes.closed, casesEventTypes.notAccepted, casesEventTypes.denied, casesEventTypes.withdrawn]) {
    core.outbox.subscribe(type, (event) => caseGroups.onChildEvent(event))
  }
  // E-licenses stand in for materials with the holder's consent, recorded in the license use log.
  const onething = createOnethingService({ ...core, catalog, registries, identity, cases, groups: caseGroups, licenses })
  return { ledger, org, identity, catalog, cases, registries, rating, caseGroups, onething, licenses, hotline }
}

export type Services = ReturnType<typeof createServices>
