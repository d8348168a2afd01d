import crypto from 'node:crypto'
import { deriveKey, seal, unseal } from '../../platform/gm.js'

/**
 * Keys the module derives from the deployment secret (SECRET_KEY): one for keyed lookup hashes
 * (HMAC-SM3, so a leaked table cannot be reversed by hashing every possible ID number), one for
 * sealing ID numbers at rest (AES-256-GCM). Changing SECRET_KEY makes both unreadable.
 */
export interface IdentityKeys {
  /** Keyed hash of a value for equality lookups; `purpose` separates the domains. */
  lookupHash(purpose: string, value: string): string
  seal(plain: string): string
  unseal(sealed: string): string
}

export function deriveKeys(secret: string): IdentityKeys {
  const macKey = deriveKey(secret, 'identity.lookup-hmac-sm3')
  return {
    lookupHash(purpose, value) {
      return crypto.createHmac('sm3', macKey).update(`${purpose}:${value}`).digest('hex')
    },
    seal: (plain) => seal(secret, 'identity.id-number', Buffer.from(plain, 'utf8')),
    unseal: (sealed) => unseal(secret, 'identity.id-number', sealed).toString('utf8'),
  }
}

/** Session tokens are stored as their SM3 digest: a database leak yields no usable cookie. */
export function tokenHash(token: string): string {
  return crypto.createHash('sm3').update(token).digest('hex')
}

/** A 32-byte random token, base64url (43 characters). */
export function newToken(): string {
  return crypto.randomBytes(32).toString('base64url')
}
