import { AppError, NotFoundError, RuleError } from '../../platform/errors.js'
import { registerMessages } from '../../platform/i18n.js'
import en from './messages/en.json' with { type: 'json' }
import zh from './messages/zh-CN.json' with { type: 'json' }

registerMessages({ 'zh-CN': zh, en })

/** Why verification stopped: the first problem found, in sequence order. */
export const brokenReasons = [
  'hash-mismatch',
  'link-broken',
  'gap',
  'head-mismatch',
  'checkpoint-root-mismatch',
  'checkpoint-signature-invalid',
] as const
export type BrokenReason = (typeof brokenReasons)[number]

export class EntryNotFoundError extends NotFoundError {
  constructor(seq: number) {
    super('ledger/entry-not-found', 'ledger.entry-not-found', { seq })
  }
}

export class CheckpointNotFoundError extends NotFoundError {
  constructor() {
    super('ledger/checkpoint-not-found', 'ledger.checkpoint-not-found')
  }
}

/** No checkpoint can exist before the first entry. */
export class EmptyLedgerError extends NotFoundError {
  constructor() {
    super('ledger/empty', 'ledger.empty')
  }
}

export class InvalidRangeError extends RuleError {
  constructor() {
    super('ledger/invalid-range', 'ledger.invalid-range')
  }
}

/** The server secret is missing, so the signing key can be neither created nor opened. */
export class SigningUnavailableError extends AppError {
  constructor() {
    super('ledger/signing-unavailable', 503, 'ledger.signing-unavailable')
  }
}
