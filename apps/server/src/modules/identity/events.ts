import type { NewEvent } from '../../platform/outbox.js'
import type { AccountKind, Role } from '../../platform/roles.js'

/** Domain events of the identity module (`identity.<entity>.<action>`); payloads carry ids, never personal data. */
export const identityEvents = {
  accountCreated: (d: { accountId: string; kind: AccountKind; divisionCode: string | null; departmentId: string | null; via: 'admin' | 'register' | 'system' }): NewEvent => ({
    type: 'identity.account.created',
    subject: d.accountId,
    data: d,
  }),
  accountLocked: (d: { accountId: string; lockedForSeconds: number; until: string }): NewEvent => ({
    type: 'identity.account.locked',
    subject: d.accountId,
    data: d,
  }),
  roleGranted: (d: { accountId: string; grantId: string; role: Role; divisionCode: string | null; departmentId: string | null; grantedBy: string | null }): NewEvent => ({
    type: 'identity.role.granted',
    subject: d.accountId,
    data: d,
  }),
  roleRevoked: (d: { accountId: string; grantId: string; role: Role; divisionCode: string | null; departmentId: string | null; revokedBy: string | null }): NewEvent => ({
    type: 'identity.role.revoked',
    subject: d.accountId,
    data: d,
  }),
}
