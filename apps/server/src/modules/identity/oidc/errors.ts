import { AppError, ConflictError, NotFoundError } from '../../../platform/errors.js'
import { registerMessages } from '../../../platform/i18n.js'
import zh from './messages/zh-CN.json' with { type: 'json' }
import en from './messages/en.json' with { type: 'json' }

registerMessages({ 'zh-CN': zh, en })

/** No registered relying party with that client id. */
export class OidcClientNotFoundError extends NotFoundError {
  constructor() {
    super('identity/oidc-client-not-found', 'identity.oidc.client-not-found')
  }
}

/** oidc-provider refused the client metadata (e.g. a redirect URI it cannot accept). */
export class OidcInvalidClientError extends AppError {
  constructor(errors: { name: string; code: string; reason: string }[]) {
    super('identity/oidc-invalid-client', 400, 'identity.oidc.invalid-client', {}, { errors })
  }
}

/** The sign-in request behind a consent page is gone: expired, finished, or opened in another browser. */
export class OidcInteractionNotFoundError extends NotFoundError {
  constructor() {
    super('identity/oidc-interaction-not-found', 'identity.oidc.interaction-not-found')
  }
}

/** The consent page asked for a step the sign-in request is not waiting for. */
export class OidcWrongPromptError extends AppError {
  constructor(prompt: string) {
    super('identity/oidc-wrong-prompt', 409, 'identity.oidc.wrong-prompt', {}, { prompt })
  }
}

/** The platform session now belongs to someone other than the one the sign-in request started with. */
export class OidcAccountChangedError extends ConflictError {
  constructor() {
    super('identity/oidc-account-changed', 'identity.oidc.account-changed')
  }
}
