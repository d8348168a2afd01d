import { AppError, ConflictError, ForbiddenError, NotFoundError, RuleError } from '../../platform/errors.js'
import { registerMessages, t, type Locale } from '../../platform/i18n.js'
import en from './messages/en.json' with { type: 'json' }
import zh from './messages/zh-CN.json' with { type: 'json' }

registerMessages({ 'zh-CN': zh, en })

export class LicenseNotFoundError extends NotFoundError {
  constructor() {
    super('licenses/license-not-found', 'licenses.problem.license-not-found')
  }
}

export class SealNotFoundError extends NotFoundError {
  constructor() {
    super('licenses/seal-not-found', 'licenses.problem.seal-not-found')
  }
}

/** Neither a license's verification code nor a live wallet token. */
export class CodeNotFoundError extends NotFoundError {
  constructor() {
    super('licenses/code-not-found', 'licenses.problem.code-not-found')
  }
}

/** A wallet QR shown after its few minutes were up (a replay, or a stale screen). */
export class TokenExpiredError extends AppError {
  constructor(expiredAt: Date) {
    super('licenses/token-expired', 410, 'licenses.problem.token-expired', {}, { expiredAt: expiredAt.toISOString() })
  }
}

export class UnknownLicenseTypeError extends RuleError {
  constructor(type: string) {
    super('licenses/unknown-type', 'licenses.problem.unknown-type', { type }, { licenseType: type })
  }
}

export class UnknownDepartmentError extends RuleError {
  constructor() {
    super('licenses/unknown-department', 'licenses.problem.unknown-department')
  }
}

/** The department has no active seal to sign with. */
export class NoActiveSealError extends RuleError {
  constructor() {
    super('licenses/no-active-seal', 'licenses.problem.no-active-seal')
  }
}

export class InvalidFieldsError extends RuleError {
  constructor(errors: { field: string; message: string }[]) {
    super('licenses/invalid-fields', 'licenses.problem.invalid-fields', {}, { errors })
  }
}

/** An ID number or credit code that fails its check (`reason` from the validator). */
export class InvalidHolderError extends RuleError {
  constructor(reason: string) {
    super('licenses/invalid-holder', 'licenses.problem.invalid-holder', { reason }, { reason })
  }
}

export class InvalidImageError extends RuleError {
  constructor() {
    super('licenses/invalid-image', 'licenses.problem.invalid-image')
  }
}

export class NotYourLicenseError extends ForbiddenError {
  constructor() {
    super('licenses/not-your-license', 'licenses.problem.not-your-license')
  }
}

/** The license is revoked, suspended or expired and cannot stand in for a material. */
export class NotUsableError extends RuleError {
  constructor(status: string) {
    super('licenses/not-usable', 'licenses.problem.not-usable', { status }, { status })
  }
}

export class WrongTypeError extends RuleError {
  constructor(expected: string) {
    super('licenses/wrong-type', 'licenses.problem.wrong-type', { expected }, { expected })
  }
}

/** A department read a license without a live grant from its holder; the attempt is in the use log. */
export class NoGrantError extends ForbiddenError {
  constructor() {
    super('licenses/no-grant', 'licenses.problem.no-grant')
  }
}

export class GrantNotFoundError extends NotFoundError {
  constructor() {
    super('licenses/grant-not-found', 'licenses.problem.grant-not-found')
  }
}

export class RequestNotFoundError extends NotFoundError {
  constructor() {
    super('licenses/request-not-found', 'licenses.problem.request-not-found')
  }
}

export class RequestDecidedError extends ConflictError {
  constructor() {
    super('licenses/request-decided', 'licenses.problem.request-decided')
  }
}

/** e.g. reinstating a license that is not suspended, or anything on a revoked one. */
export class InvalidStatusChangeError extends ConflictError {
  constructor(from: string, to: string) {
    super('licenses/invalid-status-change', 'licenses.problem.invalid-status-change', { from, to })
  }
}

export class UnknownFieldError extends RuleError {
  constructor(field: string) {
    super('licenses/unknown-field', 'licenses.problem.unknown-field', { field }, { field })
  }
}

/** The holder named in an access request has no account or license the platform knows. */
export class HolderNotFoundError extends RuleError {
  constructor() {
    super('licenses/holder-not-found', 'licenses.problem.holder-not-found')
  }
}

/** The wallet is for natural persons and enterprises' legal accounts. */
export class NoWalletError extends ForbiddenError {
  constructor() {
    super('licenses/no-wallet', 'licenses.problem.no-wallet')
  }
}

export class UnreadableFileError extends RuleError {
  constructor(reason: string) {
    super('licenses/unreadable-file', `licenses.problem.unreadable-file`, { reason }, { reason })
  }
}

export interface RowError {
  row: number
  column: string | null
  code: string
  params?: Record<string, string | number>
}

/** An import with failing rows: nothing was written; every failure is listed with row and column. */
export class ImportRejectedError extends RuleError {
  constructor(readonly rowErrors: RowError[]) {
    super('licenses/import-rejected', 'licenses.problem.import-rejected', { count: rowErrors.length }, { errors: rowErrors, total: rowErrors.length })
  }

  localized(locale: Locale): AppError {
    const errors = this.rowErrors.slice(0, 500).map((e) => ({
      row: e.row,
      column: e.column,
      code: e.code,
      message: t(locale, `licenses.import.error.${e.code}`, { column: e.column ?? '', ...e.params }),
    }))
    return new AppError(this.type, this.status, this.titleKey, this.params, { errors, total: this.rowErrors.length })
  }
}
