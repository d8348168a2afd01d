import type { Core } from '../../platform/core.js'

/** The org module's public service. */
export type OrgService = ReturnType<typeof createOrgService>

export function createOrgService(deps: Pick<Core, 'db' | 'clock' | 'audit' | 'outbox'>) {
  void deps
  return {}
}
