import { ConflictError, ForbiddenError, NotFoundError, RuleError } from '../../platform/errors.js'
import { registerMessages } from '../../platform/i18n.js'
import zh from './messages/zh-CN.json' with { type: 'json' }
import en from './messages/en.json' with { type: 'json' }

registerMessages({ 'zh-CN': zh, en })

/** Ticket not found. */
export class TicketNotFoundError extends NotFoundError {
  constructor() {
    super('hotline/not-found', 'hotline.problem.not-found')
  }
}

/** Someone else has acted on this ticket; reload and try again. */
export class StaleTicketError extends ConflictError {
  constructor(currentVersion: number) {
    super('hotline/version-conflict', 'hotline.problem.version-conflict')
    Object.assign(this.extensions, { currentVersion })
  }
}

/** The ticket's current status does not allow this action. */
export class ActionNotAllowedError extends RuleError {
  constructor() {
    super('hotline/not-allowed', 'hotline.problem.not-allowed')
  }
}

/** This ticket is not handled by your department. */
export class NotYourDepartmentError extends ForbiddenError {
  constructor() {
    super('hotline/not-your-department', 'hotline.problem.not-your-department')
  }
}

/** Only the 12345 hotline centre may do this. */
export class NotCentreError extends ForbiddenError {
  constructor() {
    super('hotline/centre-only', 'hotline.problem.centre-only')
  }
}

/** Unknown category. */
export class UnknownCategoryError extends RuleError {
  constructor() {
    super('hotline/unknown-category', 'hotline.problem.unknown-category')
  }
}

/** The location is outside the city. */
export class OutsideCityError extends RuleError {
  constructor() {
    super('hotline/outside-city', 'hotline.problem.outside-city')
  }
}

/** An address or a latitude/longitude is required. */
export class LocationRequiredError extends RuleError {
  constructor() {
    super('hotline/location-required', 'hotline.problem.location-required')
  }
}

/** No dispatch rule applies; name the department. */
export class NoDispatchRuleError extends RuleError {
  constructor() {
    super('hotline/no-dispatch-rule', 'hotline.problem.no-dispatch-rule')
  }
}

/** Unknown department. */
export class UnknownDepartmentError extends RuleError {
  constructor() {
    super('hotline/unknown-department', 'hotline.problem.unknown-department')
  }
}

/** The reporter of a report is visible to the hotline centre only. */
export class ReporterHiddenError extends ForbiddenError {
  constructor() {
    super('hotline/reporter-hidden', 'hotline.problem.reporter-hidden')
  }
}

/** Photos may be at most 5 MB. */
export class PhotoTooLargeError extends RuleError {
  constructor() {
    super('hotline/photo-too-large', 'hotline.problem.photo-too-large')
  }
}

/** Only JPG, PNG and WebP photos are accepted. */
export class PhotoTypeError extends RuleError {
  constructor() {
    super('hotline/photo-type', 'hotline.problem.photo-type')
  }
}

/** The photo's content does not match its declared type. */
export class PhotoMismatchError extends RuleError {
  constructor() {
    super('hotline/photo-mismatch', 'hotline.problem.photo-mismatch')
  }
}

/** At most 9 photos per ticket. */
export class TooManyPhotosError extends RuleError {
  constructor() {
    super('hotline/too-many-photos', 'hotline.problem.too-many-photos')
  }
}

/** Photo not found. */
export class PhotoNotFoundError extends NotFoundError {
  constructor() {
    super('hotline/photo-not-found', 'hotline.problem.photo-not-found')
  }
}

/** A ticket cannot be merged into itself or into a finished ticket. */
export class MergeSelfError extends RuleError {
  constructor() {
    super('hotline/merge-self', 'hotline.problem.merge-self')
  }
}

/** Knowledge-base article not found. */
export class ArticleNotFoundError extends NotFoundError {
  constructor() {
    super('hotline/kb-not-found', 'hotline.problem.kb-not-found')
  }
}

/** Someone else has changed this article; reload and try again. */
export class StaleArticleError extends ConflictError {
  constructor() {
    super('hotline/kb-version-conflict', 'hotline.problem.kb-version-conflict')
  }
}

/** Dispatch rule not found. */
export class RuleNotFoundError extends NotFoundError {
  constructor() {
    super('hotline/rule-not-found', 'hotline.problem.rule-not-found')
  }
}

/** A rule for this category and division already exists. */
export class RuleExistsError extends ConflictError {
  constructor() {
    super('hotline/rule-exists', 'hotline.problem.rule-exists')
  }
}

/** Someone else has changed this rule; reload and try again. */
export class StaleRuleError extends ConflictError {
  constructor() {
    super('hotline/rule-version-conflict', 'hotline.problem.rule-version-conflict')
  }
}

/** Someone else has changed the settings; reload and try again. */
export class StaleSettingsError extends ConflictError {
  constructor() {
    super('hotline/settings-version-conflict', 'hotline.problem.settings-version-conflict')
  }
}

/** A category with this code already exists. */
export class CategoryExistsError extends ConflictError {
  constructor() {
    super('hotline/category-exists', 'hotline.problem.category-exists')
  }
}

/** API key not found. */
export class ApiKeyNotFoundError extends NotFoundError {
  constructor() {
    super('hotline/api-key-not-found', 'hotline.problem.api-key-not-found')
  }
}

/** Only consultations can be closed on the call. */
export class TypeNotConsultError extends RuleError {
  constructor() {
    super('hotline/not-consult', 'hotline.problem.not-consult')
  }
}

/** A 协办 department gives its opinion after signing for its part. */
export class AssistNotSignedError extends RuleError {
  constructor() {
    super('hotline/assist-not-signed', 'hotline.problem.assist-not-signed')
  }
}

/** Open311 media_url must be an absolute http(s) link of at most 500 characters. */
export class InvalidMediaUrlError extends RuleError {
  constructor() {
    super('hotline/invalid-media-url', 'hotline.problem.invalid-media-url')
  }
}
