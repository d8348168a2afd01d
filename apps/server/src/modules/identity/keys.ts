import crypto from 'node:crypto'

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
  const derive = (info: string) => Buffer.from(crypto.hkdfSync('sha256', Buffer.from(secret, 'utf8'), 'yiwang-identity', info, 32))
  const macKey = derive('lookup-hmac-sm3')
  const sealKey = derive('seal-aes-256-gcm')
  return {
    lookupHash(purpose, value) {
      return crypto.createHmac('sm3', macKey).update(`${purpose}:${value}`).digest('hex')
    },
    seal(plain) {
      const iv = crypto.randomBytes(12)
      const cipher = crypto.createCipheriv('aes-256-gcm', sealKey, iv)
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
      return ['v1', iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.')
    },
    unseal(sealed) {
      const [version, iv, body, tag] = sealed.split('.')
      if (version !== 'v1' || !iv || !body || !tag) throw new Error('unknown sealed format')
      const decipher = crypto.createDecipheriv('aes-256-gcm', sealKey, Buffer.from(iv, 'base64url'))
      decipher.setAuthTag(Buffer.from(tag, 'base64url'))
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8')
    },
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
