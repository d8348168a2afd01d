import { AppError, ConflictError, NotFoundError, RuleError } from '../../platform/errors.js'
import { hasMessage, registerMessages, t, type Locale } from '../../platform/i18n.js'
import type { GuideIssue } from './model.js'
import zh from './messages/zh-CN.json' with { type: 'json' }
import en from './messages/en.json' with { type: 'json' }

registerMessages({ 'zh-CN': zh, en })

/** No item has this id or code, or it has no published version (drafts are not public). */
export class ItemNotFoundError extends NotFoundError {
  constructor() {
    super('catalog/item-not-found', 'catalog.problem.item-not-found')
  }
}

export class VersionNotFoundError extends NotFoundError {
  constructor() {
    super('catalog/version-not-found', 'catalog.problem.version-not-found')
  }
}

/** The item has no draft to edit, publish or discard. */
export class NoDraftError extends NotFoundError {
  constructor() {
    super('catalog/no-draft', 'catalog.problem.no-draft')
  }
}

/** An item has at most one draft; edit that one. */
export class DraftExistsError extends ConflictError {
  constructor() {
    super('catalog/draft-exists', 'catalog.problem.draft-exists')
  }
}

/** Optimistic concurrency: the draft changed since the caller read it. */
export class StaleDraftError extends ConflictError {
  constructor() {
    super('catalog/stale-revision', 'catalog.problem.stale-revision')
  }
}

export class CodeTakenError extends ConflictError {
  constructor(code: string) {
    super('catalog/code-taken', 'catalog.problem.code-taken', { code })
  }
}

/** Every 5-digit main number of a type prefix is used. */
export class CodesExhaustedError extends RuleError {
  constructor(prefix: string) {
    super('catalog/codes-exhausted', 'catalog.problem.codes-exhausted', { prefix })
  }
}

export class UnknownDepartmentError extends RuleError {
  constructor(departmentId: string) {
    super('catalog/unknown-department', 'catalog.problem.unknown-department', {}, { departmentId })
  }
}

export class UnknownDivisionError extends RuleError {
  constructor(code: string) {
    super('catalog/unknown-division', 'catalog.problem.unknown-division', { code }, { divisionCode: code })
  }
}

/** The implementing division must be the department's own or lie beneath it. */
export class DivisionOutsideDepartmentError extends RuleError {
  constructor(divisionCode: string) {
    super('catalog/division-outside-department', 'catalog.problem.division-outside-department', { code: divisionCode }, { divisionCode })
  }
}

/** The reason for one issue, in the caller's language: the catalog's own message, else the platform's. */
export function issueReason(locale: Locale, issue: GuideIssue): string {
  if (issue.key && hasMessage(issue.key)) return t(locale, issue.key, issue.params ?? {})
  const params = { ...issue.params, keys: Array.isArray(issue.params?.keys) ? (issue.params.keys as unknown[]).join(', ') : issue.params?.keys }
  const key = `validation.${issue.code}`
  return hasMessage(key) ? t(locale, key, params) : t(locale, 'validation.other')
}

/**
 * A guide failed its rules (checked after merging a partial edit, so not by the route schema).
 * Routes turn it into the same 400 problem as schema validation, with reasons in the caller's
 * language (see `localized`).
 */
export class InvalidGuideError extends AppError {
  constructor(readonly issues: GuideIssue[]) {
    super('validation', 400, 'problem.validation', {}, { issues })
  }

  /** The problem as a client sees it: `errors[]` of `{ name, code, reason }` under `body.`. */
  localized(locale: Locale, prefix = 'body'): AppError {
    const errors = this.issues.map((i) => ({ name: [prefix, ...i.path].join('.'), code: i.key ? i.key.replace(/^catalog\.validation\./, '') : i.code, reason: issueReason(locale, i) }))
    return new AppError('validation', 400, 'problem.validation', {}, { detail: t(locale, 'problem.validation.detail', { count: errors.length }), errors })
  }
}

/** The upload is not a readable .xlsx workbook. */
export class BadWorkbookError extends AppError {
  constructor() {
    super('catalog/bad-workbook', 400, 'catalog.problem.bad-workbook')
  }
}

/** One problem found in an imported workbook; `row` and `column` are as Excel shows them. */
export interface ImportError {
  sheet: string
  row: number | null
  column: string | null
  field: string | null
  code: string
  message: string
}

/** The workbook had errors, so nothing was imported. */
export class ImportRejectedError extends RuleError {
  constructor(readonly errors: ImportError[]) {
    super('catalog/import-rejected', 'catalog.problem.import-rejected', { count: errors.length }, { created: 0, updated: 0, unchanged: 0, errors })
  }
}
