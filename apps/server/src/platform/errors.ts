import { registerMessages } from './i18n.js'
import zh from './messages/zh-CN.json' with { type: 'json' }
import en from './messages/en.json' with { type: 'json' }

registerMessages({ 'zh-CN': zh, en })

/** Base of every expected failure. One handler turns it into RFC 9457 problem+json. */
export class AppError extends Error {
  constructor(
    /** Stable, module-prefixed slug, e.g. `identity/invalid-credentials`. */
    readonly type: string,
    readonly status: number,
    /** Message key for the problem's title, looked up in the request's language. */
    readonly titleKey: string,
    readonly params: Record<string, unknown> = {},
    /** Extra members for the problem body (never personal data of someone else). */
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(type)
    this.name = 'AppError'
  }
}

export class NotFoundError extends AppError {
  constructor(type = 'not-found', titleKey = 'problem.not-found', params: Record<string, unknown> = {}) {
    super(type, 404, titleKey, params)
  }
}
export class UnauthenticatedError extends AppError {
  constructor() {
    super('unauthenticated', 401, 'problem.unauthenticated')
  }
}
export class ForbiddenError extends AppError {
  constructor(type = 'forbidden', titleKey = 'problem.forbidden') {
    super(type, 403, titleKey)
  }
}
export class OutOfScopeError extends ForbiddenError {
  constructor() {
    super('out-of-scope', 'problem.out-of-scope')
  }
}
/** Optimistic-concurrency failure: the row's version moved since the caller read it. */
export class ConflictError extends AppError {
  constructor(type = 'conflict', titleKey = 'problem.conflict', params: Record<string, unknown> = {}) {
    super(type, 409, titleKey, params)
  }
}
/** A business-rule failure on well-formed input (422 keeps it apart from schema errors, 400). */
export class RuleError extends AppError {
  constructor(type: string, titleKey: string, params: Record<string, unknown> = {}, extensions: Record<string, unknown> = {}) {
    super(type, 422, titleKey, params, extensions)
  }
}

/** The problem `type` URI for a slug. URNs: stable names, not pages to dereference. */
export function problemType(slug: string): string {
  return `urn:yiwang:problem:${slug}`
}
