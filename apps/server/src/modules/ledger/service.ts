import type { Core } from '../../platform/core.js'

/** The ledger module's public service. */
export type LedgerService = ReturnType<typeof createLedgerService>

export function createLedgerService(deps: Pick<Core, 'db' | 'clock' | 'audit' | 'outbox'>) {
  void deps
  return {}
}
