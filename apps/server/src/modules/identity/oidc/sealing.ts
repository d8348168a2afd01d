import crypto from 'node:crypto'

/**
 * Secrets at rest (signing keys, client secrets) sealed with AES-256-GCM under a key derived from
 * the platform's SECRET_KEY by HKDF-SHA256; each purpose gets its own key through `info`, so one
 * leaked derived key opens nothing else.
 */
export function deriveKey(secret: string, purpose: string): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.from('yiwang'), Buffer.from(purpose), 32))
}

const VERSION = 'v1'

/** `v1.<iv>.<tag>.<ciphertext>` in base64url; the purpose is bound in as associated data. */
export function seal(key: Buffer, plaintext: string, aad = ''): string {
  const iv = crypto.randomBytes(12)
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv)
  cipher.setAAD(Buffer.from(aad))
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
  return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.')
}

/** Opens a sealed value; throws when the key, the associated data or the bytes do not match. */
export function unseal(key: Buffer, sealed: string, aad = ''): string {
  const [version, iv, tag, ct] = sealed.split('.')
  if (version !== VERSION || !iv || !tag || ct === undefined) throw new Error('unknown sealed format')
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'))
  decipher.setAAD(Buffer.from(aad))
  decipher.setAuthTag(Buffer.from(tag, 'base64url'))
  return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8')
}
