import { ConflictError, ForbiddenError, NotFoundError, RuleError } from '../../platform/errors.js'
import { registerMessages } from '../../platform/i18n.js'
import zh from './messages/zh-CN.json' with { type: 'json' }
import en from './messages/en.json' with { type: 'json' }

registerMessages({ 'zh-CN': zh, en })

/** No such rateable case or ticket (not closed yet, or never). */
export class SubjectNotFoundError extends NotFoundError {
  constructor() {
    super('rating/subject-not-found', 'rating.problem.subject-not-found')
  }
}

/** Only the applicant of the case (or reporter of the ticket) may rate it or see its rating. */
export class NotRaterError extends ForbiddenError {
  constructor() {
    super('rating/not-rater', 'rating.problem.not-rater')
  }
}

/** One rating per case or ticket (一事一评). */
export class AlreadyRatedError extends ConflictError {
  constructor() {
    super('rating/already-rated', 'rating.problem.already-rated')
  }
}

/** The rating window has passed. */
export class WindowClosedError extends RuleError {
  constructor(until: Date) {
    super('rating/window-closed', 'rating.problem.window-closed', {}, { rateableUntil: until.toISOString() })
  }
}

/** A tag that is not in the vocabulary of the chosen level. */
export class UnknownTagError extends RuleError {
  constructor(tags: string[]) {
    super('rating/unknown-tag', 'rating.problem.unknown-tag', { tags: tags.join(', ') }, { tags })
  }
}

/** The SMS link is forged, damaged or expired. */
export class InvalidTokenError extends NotFoundError {
  constructor() {
    super('rating/invalid-token', 'rating.problem.invalid-token')
  }
}

export class RectificationNotFoundError extends NotFoundError {
  constructor() {
    super('rating/rectification-not-found', 'rating.problem.rectification-not-found')
  }
}

/** A department acts only on its own rectifications. */
export class NotYourDepartmentError extends ForbiddenError {
  constructor() {
    super('rating/not-your-department', 'rating.problem.not-your-department')
  }
}

/** The step does not fit the rectification's status (answer twice, call back before the answer). */
export class InvalidRectificationStateError extends RuleError {
  constructor(status: string, action: string) {
    super('rating/invalid-state', 'rating.problem.invalid-state', { status, action }, { rectificationStatus: status, action })
  }
}

/** Optimistic concurrency: the rectification moved on since the caller read it. */
export class StaleRectificationError extends ConflictError {
  constructor(currentVersion: number) {
    super('rating/stale-version', 'rating.problem.stale-version')
    Object.assign(this.extensions, { currentVersion })
  }
}

/** A statistics period that is reversed or longer than allowed. */
export class InvalidPeriodError extends RuleError {
  constructor() {
    super('rating/invalid-period', 'rating.problem.invalid-period')
  }
}
