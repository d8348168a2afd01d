import { ConflictError, NotFoundError, RuleError } from '../../platform/errors.js'
import { registerMessages } from '../../platform/i18n.js'
import zh from './messages/zh-CN.json' with { type: 'json' }
import en from './messages/en.json' with { type: 'json' }

registerMessages({ 'zh-CN': zh, en })

/** No division has this code. */
export class DivisionNotFoundError extends NotFoundError {
  constructor(code: string) {
    super('org/division-not-found', 'org.problem.division-not-found', { code })
  }
}

/** A write names a division that does not exist. */
export class UnknownDivisionError extends RuleError {
  constructor(code: string) {
    super('org/unknown-division', 'org.problem.unknown-division', { code }, { divisionCode: code })
  }
}

/** Grid cells hang only under communities (12-digit codes). */
export class NotACommunityError extends RuleError {
  constructor(code: string) {
    super('org/not-a-community', 'org.problem.not-a-community', { code }, { divisionCode: code })
  }
}

/** The 3-digit grid sequence of a community is used up. */
export class GridFullError extends RuleError {
  constructor(code: string) {
    super('org/grid-full', 'org.problem.grid-full', { code }, { divisionCode: code })
  }
}

export class DepartmentNotFoundError extends NotFoundError {
  constructor() {
    super('org/department-not-found', 'org.problem.department-not-found')
  }
}

/** A division holds one department per name. */
export class DepartmentExistsError extends ConflictError {
  constructor(name: string) {
    super('org/department-exists', 'org.problem.department-exists', { name })
  }
}

/** Optimistic concurrency: the department changed since the caller read it. */
export class StaleDepartmentError extends ConflictError {
  constructor() {
    super('org/stale-version', 'org.problem.stale-version')
  }
}

export class PositionExistsError extends ConflictError {
  constructor(name: string) {
    super('org/position-exists', 'org.problem.position-exists', { name })
  }
}

export class GridCellExistsError extends ConflictError {
  constructor(name: string) {
    super('org/grid-cell-exists', 'org.problem.grid-cell-exists', { name })
  }
}
