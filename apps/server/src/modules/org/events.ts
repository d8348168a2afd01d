import type { NewEvent } from '../../platform/outbox.js'
import type { Department, GridCell, Position } from './types.js'

/** Event names of the org module, `org.<entity>.<action>`; payloads are public data only. */
export const orgEvents = {
  divisionsImported: (data: { count: number; within: string | null }): NewEvent => ({ type: 'org.divisions.imported', data }),
  communitiesImported: (data: { count: number; within: string }): NewEvent => ({ type: 'org.communities.imported', data }),
  departmentCreated: (d: Department): NewEvent => ({ type: 'org.department.created', subject: d.id, data: d }),
  departmentUpdated: (d: Department, changed: string[]): NewEvent => ({ type: 'org.department.updated', subject: d.id, data: { ...d, changed } }),
  positionCreated: (p: Position): NewEvent => ({ type: 'org.position.created', subject: p.id, data: p }),
  gridCellCreated: (g: GridCell): NewEvent => ({ type: 'org.grid-cell.created', subject: g.code, data: g }),
}
