import { AppError, ConflictError, NotFoundError, RuleError } from '../../platform/errors.js'
import { registerMessages } from '../../platform/i18n.js'
import en from './messages/en.json' with { type: 'json' }
import zh from './messages/zh-CN.json' with { type: 'json' }

registerMessages({ 'zh-CN': zh, en })

/**
 * Wrong username or password, or no such account: one answer for all, so a caller cannot learn
 * which accounts exist.
 */
export class InvalidCredentialsError extends AppError {
  constructor() {
    super('identity/invalid-credentials', 401, 'identity.problem.invalid-credentials')
  }
}

/** Too many failed sign-ins; try again after `retryAfterSeconds` (also sent as Retry-After). */
export class LoginLockedError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super('identity/login-locked', 429, 'identity.problem.login-locked', { minutes: Math.ceil(retryAfterSeconds / 60) }, { retryAfter: retryAfterSeconds })
  }
}

/** A new SMS code was asked for before the resend interval passed. */
export class SmsTooSoonError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super('identity/sms-too-soon', 429, 'identity.problem.sms-too-soon', { seconds: retryAfterSeconds }, { retryAfter: retryAfterSeconds })
  }
}

/** Too many codes sent to one number today. */
export class SmsDailyLimitError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super('identity/sms-daily-limit', 429, 'identity.problem.sms-daily-limit', {}, { retryAfter: retryAfterSeconds })
  }
}

/** The SMS code is wrong, expired, used up or was never sent; one answer for all. */
export class InvalidSmsCodeError extends AppError {
  constructor() {
    super('identity/invalid-code', 401, 'identity.problem.invalid-code')
  }
}

/** The account exists and the password was right, but it is disabled. */
export class AccountDisabledError extends AppError {
  constructor() {
    super('identity/account-disabled', 403, 'identity.problem.account-disabled')
  }
}

/** The ID number fails GB 11643 (`reason`: format, division, birth-date or check-digit). */
export class InvalidIdNumberError extends RuleError {
  constructor(reason: string) {
    super('identity/invalid-id-number', `identity.problem.invalid-id-number.${reason}`, {}, { field: 'idNumber', reason })
  }
}

/** The credit code fails GB 32100 (`reason`: format or check-char). */
export class InvalidCreditCodeError extends RuleError {
  constructor(reason: string) {
    super('identity/invalid-credit-code', `identity.problem.invalid-credit-code.${reason}`, {}, { field: 'creditCode', reason })
  }
}

export class InvalidPhoneError extends RuleError {
  constructor() {
    super('identity/invalid-phone', 'identity.problem.invalid-phone', {}, { field: 'phone' })
  }
}

/** Password policy: 8–128 characters with at least a letter and a digit. */
export class WeakPasswordError extends RuleError {
  constructor() {
    super('identity/weak-password', 'identity.problem.weak-password', {}, { field: 'password' })
  }
}

/** The ID number, phone or credit code is already registered. */
export class AlreadyRegisteredError extends ConflictError {
  constructor(field: 'idNumber' | 'phone' | 'creditCode') {
    super('identity/already-registered', `identity.problem.already-registered.${field}`)
  }
}

export class UsernameTakenError extends ConflictError {
  constructor() {
    super('identity/username-taken', 'identity.problem.username-taken')
  }
}

export class AccountNotFoundError extends NotFoundError {
  constructor() {
    super('identity/account-not-found', 'identity.problem.account-not-found')
  }
}

export class GrantNotFoundError extends NotFoundError {
  constructor() {
    super('identity/grant-not-found', 'identity.problem.grant-not-found')
  }
}

export class GrantExistsError extends ConflictError {
  constructor() {
    super('identity/grant-exists', 'identity.problem.grant-exists')
  }
}

/** Only staff roles can be granted, and only to staff accounts. */
export class RoleNotGrantableError extends RuleError {
  constructor() {
    super('identity/role-not-grantable', 'identity.problem.role-not-grantable')
  }
}

/** The last platform-wide platform administrator cannot be removed. */
export class LastPlatformAdminError extends ConflictError {
  constructor() {
    super('identity/last-platform-admin', 'identity.problem.last-platform-admin')
  }
}

export class UnknownDepartmentError extends RuleError {
  constructor() {
    super('identity/unknown-department', 'identity.problem.unknown-department', {}, { field: 'departmentId' })
  }
}

/** A grant's department must lie within the grant's division. */
export class DepartmentOutsideDivisionError extends RuleError {
  constructor() {
    super('identity/department-outside-division', 'identity.problem.department-outside-division', {}, { field: 'departmentId' })
  }
}

export class UnknownDivisionError extends RuleError {
  constructor() {
    super('identity/unknown-division', 'identity.problem.unknown-division', {}, { field: 'divisionCode' })
  }
}

/** The legal person's agent must be an existing natural-person account. */
export class InvalidAgentError extends RuleError {
  constructor() {
    super('identity/invalid-agent', 'identity.problem.invalid-agent', {}, { field: 'agentAccountId' })
  }
}

/** Usernames: 3–32 of a–z 0–9 . _ -, starting with a letter (so never a phone or ID number). */
export class InvalidUsernameError extends RuleError {
  constructor() {
    super('identity/invalid-username', 'identity.problem.invalid-username', {}, { field: 'username' })
  }
}
