import crypto from 'node:crypto'
import { deriveKey } from '../../platform/gm.js'

/**
 * The SMS rating link's token: `<subjectId>.<mac>`, the mac an HMAC-SM3 (truncated to 128 bits)
 * of the subject id under a key derived from SECRET_KEY. It names one subject and carries no
 * expiry of its own: it lapses with the subject's rating window, which the service checks.
 */
const MAC_BYTES = 16

function macOf(secret: string, subjectId: string): Buffer {
  return crypto.createHmac('sm3', deriveKey(secret, 'rating-sms-link')).update(subjectId).digest().subarray(0, MAC_BYTES)
}

export function signToken(secret: string, subjectId: string): string {
  return `${subjectId}.${macOf(secret, subjectId).toString('base64url')}`
}

/** The subject id a token names, or null when it is forged or damaged. */
export function verifyToken(secret: string, token: string): string | null {
  const dot = token.lastIndexOf('.')
  if (dot <= 0) return null
  const subjectId = token.slice(0, dot)
  const given = Buffer.from(token.slice(dot + 1), 'base64url')
  if (given.length !== MAC_BYTES || !/^rsub_[0-9a-z]{26}$/.test(subjectId)) return null
  return crypto.timingSafeEqual(given, macOf(secret, subjectId)) ? subjectId : null
}
