import type { NewEvent } from '../../platform/outbox.js'
import type { CreditList, EntityStatus, ImportKind, RegistryCode, SubjectType } from './types.js'

/**
 * Event names of the registries module, `registries.<entity>.<action>`. Payloads carry ids,
 * division codes and the names of changed fields, never ID numbers, phones or addresses.
 */
export const registriesEvents = {
  ownerChanged: (d: { registry: RegistryCode; ownerDepartmentId: string | null }): NewEvent => ({ type: 'registries.owner.changed', subject: d.registry, data: d }),
  personCreated: (d: { personId: string; divisionCode: string }): NewEvent => ({ type: 'registries.person.created', subject: d.personId, data: d }),
  personUpdated: (d: { personId: string; divisionCode: string; changed: string[] }): NewEvent => ({ type: 'registries.person.updated', subject: d.personId, data: d }),
  householdCreated: (d: { householdId: string; divisionCode: string; headPersonId: string }): NewEvent => ({
    type: 'registries.household.created',
    subject: d.householdId,
    data: d,
  }),
  entityCreated: (d: { entityId: string; creditCode: string; divisionCode: string }): NewEvent => ({ type: 'registries.entity.created', subject: d.entityId, data: d }),
  entityUpdated: (d: { entityId: string; creditCode: string; divisionCode: string; changed: string[]; status: EntityStatus }): NewEvent => ({
    type: 'registries.entity.updated',
    subject: d.entityId,
    data: d,
  }),
  creditEntryAdded: (d: { entryId: string; subjectType: SubjectType; subjectId: string; list: CreditList; divisionCode: string }): NewEvent => ({
    type: 'registries.credit-entry.added',
    subject: d.entryId,
    data: d,
  }),
  creditEntryEnded: (d: { entryId: string; validTo: string }): NewEvent => ({ type: 'registries.credit-entry.ended', subject: d.entryId, data: d }),
  importCommitted: (d: { batchId: string; kind: ImportKind; rows: number; created: number; updated: number }): NewEvent => ({
    type: 'registries.import.committed',
    subject: d.batchId,
    data: d,
  }),
}
