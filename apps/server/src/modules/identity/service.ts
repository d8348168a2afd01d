import type { Core } from '../../platform/core.js'

/** The identity module's public service. */
export type IdentityService = ReturnType<typeof createIdentityService>

export function createIdentityService(deps: Pick<Core, 'db' | 'clock' | 'audit' | 'outbox'>) {
  void deps
  return {}
}
