import type { NewEvent } from '../../platform/outbox.js'

/**
 * Event names of the licenses module, `licenses.<entity>.<action>`. Payloads carry ids, type codes
 * and department ids, never personal data (no names, ID numbers or license fields).
 */
export const licensesEventTypes = {
  issued: 'licenses.license.issued',
  suspended: 'licenses.license.suspended',
  revoked: 'licenses.license.revoked',
  reinstated: 'licenses.license.reinstated',
  sealCreated: 'licenses.seal.created',
  sealUpdated: 'licenses.seal.updated',
  importCompleted: 'licenses.import.completed',
  grantCreated: 'licenses.grant.created',
  grantWithdrawn: 'licenses.grant.withdrawn',
  requestCreated: 'licenses.request.created',
  requestDecided: 'licenses.request.decided',
  useRecorded: 'licenses.use.recorded',
} as const

export interface LicenseEventData {
  licenseId: string
  type: string
  issuerDepartmentId: string
  status: string
  applicationId: string | null
}

export const licensesEvents = {
  license: (type: string, d: LicenseEventData): NewEvent<LicenseEventData> => ({ type, subject: d.licenseId, data: d }),
  seal: (type: string, d: { sealId: string; departmentId: string; status: string }): NewEvent => ({ type, subject: d.sealId, data: d }),
  importCompleted: (d: { importId: string; departmentId: string; type: string; count: number }): NewEvent => ({ type: licensesEventTypes.importCompleted, subject: d.importId, data: d }),
  grant: (type: string, d: { grantId: string; licenseId: string; departmentId: string; applicationId: string | null; mode: string }): NewEvent => ({ type, subject: d.grantId, data: d }),
  request: (type: string, d: { requestId: string; departmentId: string; licenseType: string; status: string; applicationId: string | null }): NewEvent => ({ type, subject: d.requestId, data: d }),
  use: (d: { useId: string; licenseId: string; departmentId: string | null; kind: string; outcome: string; applicationId: string | null }): NewEvent => ({ type: licensesEventTypes.useRecorded, subject: d.useId, data: d }),
}
