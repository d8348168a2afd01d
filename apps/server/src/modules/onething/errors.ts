import { ConflictError, ForbiddenError, NotFoundError, RuleError } from '../../platform/errors.js'
import { registerMessages } from '../../platform/i18n.js'
import zh from './messages/zh-CN.json' with { type: 'json' }
import en from './messages/en.json' with { type: 'json' }

registerMessages({ 'zh-CN': zh, en })

/** No such bundle, or it is retired. */
export class BundleNotFoundError extends NotFoundError {
  constructor() {
    super('onething/bundle-not-found', 'onething.problem.bundle-not-found')
  }
}

/** No such draft, or not one the caller takes part in. */
export class DraftNotFoundError extends NotFoundError {
  constructor() {
    super('onething/draft-not-found', 'onething.problem.draft-not-found')
  }
}

/** The bundle is for the other kind of applicant. */
export class BundleNotApplicableError extends RuleError {
  constructor(applicableTo: string) {
    super('onething/not-applicable', 'onething.problem.not-applicable', {}, { applicableTo })
  }
}

/** The situation answers leave no item to apply for. */
export class NoApplicableItemsError extends RuleError {
  constructor() {
    super('onething/no-applicable-items', 'onething.problem.no-applicable-items')
  }
}

/** An answer is not one of the question's options, or the question is unknown. */
export class InvalidAnswerError extends RuleError {
  constructor(question: string) {
    super('onething/invalid-answer', 'onething.problem.invalid-answer', { question }, { question })
  }
}

/** The bundle names an item that is not published in the catalog. */
export class BundleItemUnavailableError extends RuleError {
  constructor(code: string) {
    super('onething/item-unavailable', 'onething.problem.item-unavailable', { code }, { code })
  }
}

/** The draft was changed by someone else since the caller read it. */
export class StaleDraftError extends ConflictError {
  constructor(current: number) {
    super('onething/stale-draft', 'onething.problem.stale-draft', { current })
  }
}

/** The draft is no longer open (submitted or cancelled). */
export class DraftClosedError extends RuleError {
  constructor(status: string) {
    super('onething/draft-closed', 'onething.problem.draft-closed', { status }, { draftStatus: status })
  }
}

/** Only the first applicant may do this. */
export class NotOwnerError extends ForbiddenError {
  constructor() {
    super('onething/not-owner', 'onething.problem.not-owner')
  }
}

/** The field belongs to another party's part of the form, or does not exist. */
export class NotYourFieldError extends RuleError {
  constructor(field: string) {
    super('onething/not-your-field', 'onething.problem.not-your-field', { field }, { field })
  }
}

/** No such party role in the bundle. */
export class UnknownPartyError extends RuleError {
  constructor(role: string) {
    super('onething/unknown-party', 'onething.problem.unknown-party', { role }, { role })
  }
}

/** The invitation does not exist or was replaced. */
export class InvitationNotFoundError extends NotFoundError {
  constructor() {
    super('onething/invitation-not-found', 'onething.problem.invitation-not-found')
  }
}

/** The account accepting the invitation is not the person invited. */
export class NotInviteeError extends ForbiddenError {
  constructor() {
    super('onething/not-invitee', 'onething.problem.not-invitee')
  }
}

/** Parties that must confirm have not (yet). */
export class PartiesNotConfirmedError extends RuleError {
  constructor(roles: string[]) {
    super('onething/parties-not-confirmed', 'onething.problem.parties-not-confirmed', { roles: roles.join('、') }, { roles })
  }
}

/** Required fields of the merged form are empty. */
export class MissingFieldsError extends RuleError {
  constructor(fields: { name: string; label: string; party: string }[]) {
    super('onething/missing-fields', 'onething.problem.missing-fields', { labels: fields.map((f) => f.label).join('、') }, { fields })
  }
}

/** Required materials are neither provided by a license, a registry nor the bundle. */
export class MaterialsUnsatisfiedError extends RuleError {
  constructor(materials: { itemCode: string; code: string; name: string }[]) {
    super('onething/materials-unsatisfied', 'onething.problem.materials-unsatisfied', { names: materials.map((m) => m.name).join('、') }, { materials })
  }
}

/** A license consented to is no longer usable, or consent was withdrawn, since it was chosen. */
export class ConsentWithdrawnError extends RuleError {
  constructor(licenseType: string) {
    super('onething/consent-withdrawn', 'onething.problem.consent-withdrawn', { licenseType }, { licenseType })
  }
}

/** The license is not one of the holder's valid licenses of that type, or licenses are not available. */
export class LicenseUnavailableError extends RuleError {
  constructor(licenseType: string) {
    super('onething/license-unavailable', 'onething.problem.license-unavailable', { licenseType }, { licenseType })
  }
}

/** No such material of an applicable item of the draft, or one the bundle provides without a file. */
export class UnknownBundleMaterialError extends RuleError {
  constructor(itemCode: string, materialCode: string) {
    super('onething/unknown-material', 'onething.problem.unknown-material', { itemCode, materialCode }, { itemCode, materialCode })
  }
}

/** The material is held by another party of the draft; only they may upload it. */
export class NotYourMaterialError extends RuleError {
  constructor(materialCode: string) {
    super('onething/not-your-material', 'onething.problem.not-your-material', { materialCode }, { materialCode })
  }
}

/** No such upload on the draft. */
export class UploadNotFoundError extends NotFoundError {
  constructor() {
    super('onething/upload-not-found', 'onething.problem.upload-not-found')
  }
}

/** Too many files on one material of the draft. */
export class TooManyUploadsError extends RuleError {
  constructor(max: number) {
    super('onething/too-many-files', 'onething.problem.too-many-files', { max }, { max })
  }
}
