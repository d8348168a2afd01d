/** The ledger module: its routes plugin, service and pure verification helpers are all other code may import. */
export { ledgerRoutes } from './routes.js'
export {
  createLedgerService, verifyLedger, entryHash, checkpointMessage, GENESIS_HASH,
  type LedgerService, type Entry, type Checkpoint, type InclusionProof, type VerifyResult, type VerifyRange,
} from './service.js'
export { verifyInclusion, leafHash } from './merkle.js'
export { brokenReasons, type BrokenReason } from './errors.js'
