import { AppError, ConflictError, ForbiddenError, NotFoundError, RuleError } from '../../platform/errors.js'
import { registerMessages } from '../../platform/i18n.js'
import type { InvalidParam } from '../../platform/problem.js'
import zh from './messages/zh-CN.json' with { type: 'json' }
import en from './messages/en.json' with { type: 'json' }

registerMessages({ 'zh-CN': zh, en })

/** No such case, or not one the caller may see (a clerk of another district is told the same). */
export class CaseNotFoundError extends NotFoundError {
  constructor() {
    super('cases/not-found', 'cases.problem.not-found')
  }
}

/** The item or item version to apply for does not exist. */
export class UnknownItemError extends RuleError {
  constructor() {
    super('cases/unknown-item', 'cases.problem.unknown-item')
  }
}

/** Applications are filed only under the currently published version of an item. */
export class ItemVersionNotPublishedError extends RuleError {
  constructor() {
    super('cases/item-version-not-published', 'cases.problem.item-version-not-published')
  }
}

/** The item is for another kind of applicant (自然人 / 法人). */
export class NotApplicableError extends RuleError {
  constructor(applicableTo: string) {
    super('cases/not-applicable', 'cases.problem.not-applicable', {}, { applicableTo })
  }
}

/** The state machine has no such transition from the case's status. */
export class InvalidTransitionError extends RuleError {
  constructor(status: string, action: string) {
    super('cases/invalid-transition', 'cases.problem.invalid-transition', { status, action }, { caseStatus: status, action })
  }
}

/** Optimistic concurrency: the case moved on since the caller read it. */
export class StaleCaseError extends ConflictError {
  constructor(currentVersion: number) {
    super('cases/stale-version', 'cases.problem.stale-version', {})
    Object.assign(this.extensions, { currentVersion })
  }
}

/** The caller may see the case but it is not their role's turn (or not their department's). */
export class NotYourStepError extends ForbiddenError {
  constructor() {
    super('cases/not-your-step', 'cases.problem.not-your-step')
  }
}

/** One field problem of submitted form data. */
export interface FormFieldError {
  field: string
  code: string
  reason: string
}

/**
 * Form data does not satisfy the item version's JSON Schema. The errors take the platform's
 * field-error shape (platform/problem.ts: `name` is where, `body.formData.<field>`, the same path a
 * draft edit or a 补正 sends the field under), so one reader handles every 4xx with field errors.
 */
export class InvalidFormError extends RuleError {
  constructor(errors: FormFieldError[]) {
    const invalid: InvalidParam[] = errors.map((e) => ({ name: `body.formData.${e.field}`, code: e.code, reason: e.reason }))
    super('cases/invalid-form', 'cases.problem.invalid-form', { count: errors.length }, { errors: invalid })
  }
}

/** Required materials have no file. */
export class MissingMaterialsError extends RuleError {
  constructor(materials: { code: string; name: string }[]) {
    super('cases/missing-materials', 'cases.problem.missing-materials', { names: materials.map((m) => m.name).join('、') }, { materials })
  }
}

/** The material code is not one of the item version's materials. */
export class UnknownMaterialError extends RuleError {
  constructor(code: string) {
    super('cases/unknown-material', 'cases.problem.unknown-material', { code }, { materialCode: code })
  }
}

/** Files can be added or removed only while the applicant holds the case (draft, 补正). */
export class FilesLockedError extends RuleError {
  constructor(status: string) {
    super('cases/files-locked', 'cases.problem.files-locked', { status }, { caseStatus: status })
  }
}

/** The content is not what the Content-Type says (a program sent as a PDF). */
export class FileTypeMismatchError extends RuleError {
  constructor(declared: string, detected: string | null) {
    super('cases/file-type-mismatch', 'cases.problem.file-type-mismatch', { declared }, { declared, detected })
  }
}

export class EmptyFileError extends RuleError {
  constructor() {
    super('cases/empty-file', 'cases.problem.empty-file')
  }
}

/** A file type outside the allowed list (PDF, JPEG, PNG, OFD). */
export class FileTypeNotAllowedError extends AppError {
  constructor(declared: string) {
    super('cases/file-type-not-allowed', 415, 'cases.problem.file-type-not-allowed', {}, { declared })
  }
}

/** A file over the per-file limit (the routes' body limit answers 413 before this; direct callers get it here). */
export class FileTooLargeError extends AppError {
  constructor(max: number) {
    super('cases/file-too-large', 413, 'cases.problem.file-too-large', { mb: max / 1024 / 1024 }, { maxBytes: max })
  }
}

/** Too many files on one material. */
export class TooManyFilesError extends RuleError {
  constructor(max: number) {
    super('cases/too-many-files', 'cases.problem.too-many-files', { max }, { max })
  }
}

export class FileNotFoundError extends NotFoundError {
  constructor() {
    super('cases/file-not-found', 'cases.problem.file-not-found')
  }
}

export class NotificationNotFoundError extends NotFoundError {
  constructor() {
    super('cases/notification-not-found', 'cases.problem.notification-not-found')
  }
}

/** The material names no license type, so no e-license can stand in for it (免提交 is for license materials only). */
export class NotLicenseMaterialError extends RuleError {
  constructor(materialCode: string) {
    super('cases/not-license-material', 'cases.problem.not-license-material', { materialCode }, { materialCode })
  }
}

/** No e-license stands in for this material of the case. */
export class NoLicenseMaterialError extends NotFoundError {
  constructor() {
    super('cases/no-license-material', 'cases.problem.no-license-material')
  }
}
