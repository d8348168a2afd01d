import { AppError, ConflictError, NotFoundError, RuleError } from '../../platform/errors.js'
import { registerMessages, t, type Locale } from '../../platform/i18n.js'
import en from './messages/en.json' with { type: 'json' }
import zh from './messages/zh-CN.json' with { type: 'json' }

registerMessages({ 'zh-CN': zh, en })

export class PersonNotFoundError extends NotFoundError {
  constructor() {
    super('registries/person-not-found', 'registries.problem.person-not-found')
  }
}

export class HouseholdNotFoundError extends NotFoundError {
  constructor() {
    super('registries/household-not-found', 'registries.problem.household-not-found')
  }
}

export class EntityNotFoundError extends NotFoundError {
  constructor() {
    super('registries/entity-not-found', 'registries.problem.entity-not-found')
  }
}

export class CreditEntryNotFoundError extends NotFoundError {
  constructor() {
    super('registries/credit-entry-not-found', 'registries.problem.credit-entry-not-found')
  }
}

/** A division code that the org module does not know. */
export class UnknownDivisionError extends RuleError {
  constructor(code: string) {
    super('registries/unknown-division', 'registries.problem.unknown-division', { code }, { divisionCode: code })
  }
}

export class UnknownDepartmentError extends RuleError {
  constructor() {
    super('registries/unknown-department', 'registries.problem.unknown-department')
  }
}

/** The ID number fails GB 11643 (`reason`: format, division, birth-date or check-digit). */
export class InvalidIdNumberError extends RuleError {
  constructor(reason: string) {
    super('registries/invalid-id-number', `registries.problem.invalid-id-number.${reason}`, {}, { reason })
  }
}

/** The credit code fails GB 32100 (`reason`: format or check-char). */
export class InvalidCreditCodeError extends RuleError {
  constructor(reason: string) {
    super('registries/invalid-credit-code', `registries.problem.invalid-credit-code.${reason}`, {}, { reason })
  }
}

export class InvalidPhoneError extends RuleError {
  constructor() {
    super('registries/invalid-phone', 'registries.problem.invalid-phone')
  }
}

/** A date that is not a real calendar day, lies in the future where it cannot, or ends before it starts. */
export class InvalidDateError extends RuleError {
  constructor(field: string) {
    super('registries/invalid-date', 'registries.problem.invalid-date', { field }, { field })
  }
}

export class PersonExistsError extends ConflictError {
  constructor() {
    super('registries/person-exists', 'registries.problem.person-exists')
  }
}

export class EntityExistsError extends ConflictError {
  constructor() {
    super('registries/entity-exists', 'registries.problem.entity-exists')
  }
}

export class HouseholdNumberTakenError extends ConflictError {
  constructor() {
    super('registries/household-number-taken', 'registries.problem.household-number-taken')
  }
}

/** Optimistic concurrency: the record changed since the caller read it. */
export class StaleVersionError extends ConflictError {
  constructor() {
    super('registries/stale-version', 'registries.problem.stale-version')
  }
}

/** A household has one head; name another relation or change the head first. */
export class HouseholdHasHeadError extends RuleError {
  constructor() {
    super('registries/household-has-head', 'registries.problem.household-has-head')
  }
}

/** Household and relation go together: both set, or both cleared. */
export class RelationWithoutHouseholdError extends RuleError {
  constructor() {
    super('registries/relation-without-household', 'registries.problem.relation-without-household')
  }
}

/** A credit entry names a person or entity that is not in the registry. */
export class UnknownSubjectError extends RuleError {
  constructor() {
    super('registries/unknown-subject', 'registries.problem.unknown-subject')
  }
}

/** The uploaded file is not a table this import can read (`reason`: empty, unreadable, unterminated-quote, too-many-rows, bad-base64). */
export class UnreadableFileError extends RuleError {
  constructor(reason: string) {
    super('registries/unreadable-file', `registries.problem.unreadable-file.${reason}`, {}, { reason })
  }
}

/** One failed cell or row of an import; `column` is the header as the file wrote it. */
export interface RowError {
  row: number
  column: string | null
  code: string
  params?: Record<string, string | number>
}

/**
 * An import with failing rows: nothing was written. The problem lists every failure with row,
 * column and a message in the caller's language (see `localized`).
 */
export class ImportRejectedError extends RuleError {
  /** `total` counts every failure; `rowErrors` may be the first few hundred of them. */
  constructor(
    readonly rowErrors: RowError[],
    total = rowErrors.length,
  ) {
    super('registries/import-rejected', 'registries.problem.import-rejected', { count: total }, { errors: rowErrors, total })
  }

  /** The same problem with each error's message in `locale`. */
  localized(locale: Locale): AppError {
    const errors = this.rowErrors.map((e) => ({
      row: e.row,
      column: e.column,
      code: e.code,
      message: t(locale, `registries.import.error.${e.code}`, { column: e.column ?? '', ...e.params }),
    }))
    return new AppError(this.type, this.status, this.titleKey, this.params, { errors, total: this.params.count })
  }
}

/** A registry read without a stated purpose (数据使用目的); every read records one. */
export class PurposeRequiredError extends RuleError {
  constructor() {
    super('registries/purpose-required', 'registries.problem.purpose-required')
  }
}
