import type { NewEvent } from '../../platform/outbox.js'

/** Event names of the catalog module, `catalog.<entity>.<action>`; payloads are public data only. */
export interface VersionRef {
  itemId: string
  code: string
  versionId: string
  version: number
  name: string
  departmentId: string
  divisionCode: string
}

export const catalogEvents = {
  drafted: (v: VersionRef): NewEvent => ({ type: 'catalog.item.drafted', subject: v.itemId, data: v }),
  draftDiscarded: (v: VersionRef): NewEvent => ({ type: 'catalog.item.draft-discarded', subject: v.itemId, data: v }),
  published: (v: VersionRef & { supersededVersionId: string | null; via: 'edit' | 'import' }): NewEvent => ({
    type: 'catalog.item.published',
    subject: v.itemId,
    data: v,
  }),
  superseded: (v: VersionRef & { byVersionId: string }): NewEvent => ({ type: 'catalog.item.superseded', subject: v.itemId, data: v }),
  imported: (data: { created: number; updated: number; unchanged: number }): NewEvent => ({ type: 'catalog.import.completed', data }),
}
