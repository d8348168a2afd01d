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

/**
 * The one-time rating link of a reporter without an account (a 12345 phone caller): 192 random
 * bits, base64url (32 characters). The database keeps only its SM3 hash, so a leaked table does
 * not rate for anyone; the row expires with the subject's window and is spent by the rating.
 */
export const LINK_TOKEN = /^[A-Za-z0-9_-]{32}$/

export function newLinkToken(): { token: string; hash: string } {
  const token = crypto.randomBytes(24).toString('base64url')
  return { token, hash: hashLinkToken(token) }
}

export function hashLinkToken(token: string): string {
  return crypto.createHash('sm3').update(token).digest('hex')
}

/** A stable pseudonym for a phone-only rater (rating never stores the number itself). */
export function phoneRaterId(secret: string, phone: string): string {
  return `tel_${crypto.createHmac('sm3', deriveKey(secret, 'rating-phone-rater')).update(phone).digest('hex').slice(0, 32)}`
}
