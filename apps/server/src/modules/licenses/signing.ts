import crypto from 'node:crypto'
import { canonicalJson, deriveKey, seal, sm2Sign, sm2Verify, sm3Hex, SM2_DEFAULT_USER_ID, unseal, type Sm2KeyPair } from '../../platform/gm.js'

/**
 * The cryptography of a license: keyed holder hashes, sealing content at rest, SM2 signatures over
 * canonical JSON, and verification whose hot path pays for SM2 at most once per distinct signature.
 */

export interface SignedContent {
  canonical: string
  /** SM3 of the canonical content, hex. */
  digest: string
  /** DER SM2 signature (GB/T 32918.2, user ID 1234567812345678) over the canonical bytes, base64. */
  signature: string
}

export interface LicenseKeys {
  holderKey(kind: 'person' | 'entity', id: string): string
  sealContent(licenseId: string, canonical: string): string
  unsealContent(licenseId: string, sealed: string): string
  sealPrivateKey(publicKeyHex: string, privateKeyHex: string): string
  openPrivateKey(publicKeyHex: string, sealed: string): Sm2KeyPair
  tokenHash(token: string): string
}

export function deriveLicenseKeys(secret: string): LicenseKeys {
  const macKey = deriveKey(secret, 'licenses.holder-hmac-sm3')
  return {
    holderKey: (kind, id) => crypto.createHmac('sm3', macKey).update(`${kind}:${id.trim().toUpperCase()}`).digest('hex'),
    sealContent: (licenseId, canonical) => seal(secret, 'licenses.content', Buffer.from(canonical, 'utf8'), licenseId),
    unsealContent: (licenseId, sealed) => unseal(secret, 'licenses.content', sealed, licenseId).toString('utf8'),
    sealPrivateKey: (pub, priv) => seal(secret, 'licenses.seal-key', Buffer.from(priv, 'hex'), pub),
    openPrivateKey: (pub, sealed) => ({ publicKeyHex: pub, privateKeyHex: unseal(secret, 'licenses.seal-key', sealed, pub).toString('hex') }),
    tokenHash: (token) => sm3Hex(`licenses.token:${token}`),
  }
}

export function signContent(content: unknown, key: Sm2KeyPair): SignedContent {
  const canonical = canonicalJson(content)
  return { canonical, digest: sm3Hex(canonical), signature: sm2Sign(canonical, key).toString('base64') }
}

/** Most remembered SM2 outcomes; each entry is ~300 bytes, so the cache stays under ~15 MB. */
const MAX_CACHED = 50_000
const outcomes = new Map<string, boolean>()

/**
 * Whether `signature` is the seal's SM2 signature over `canonical`. The SM3 of the content is
 * recomputed every time (native, microseconds) and must equal `digest`; the SM2 check itself
 * (pure JS, a few milliseconds) is remembered per (public key, digest, signature), so a repeated
 * verification of the same license costs one hash, while any changed byte in content or signature
 * changes the key, misses the cache and is verified for real.
 */
export function verifySigned(canonical: string, digest: string, signature: string, publicKeyHex: string): boolean {
  if (sm3Hex(canonical) !== digest) return false
  const key = `${publicKeyHex}|${digest}|${signature}`
  const known = outcomes.get(key)
  if (known !== undefined) return known
  const der = Buffer.from(signature, 'base64')
  // base64 decoding forgives; a signature that does not round-trip is not the one that was signed.
  const ok = der.toString('base64') === signature && sm2Verify(canonical, der, publicKeyHex, SM2_DEFAULT_USER_ID)
  if (outcomes.size >= MAX_CACHED) outcomes.delete(outcomes.keys().next().value as string)
  outcomes.set(key, ok)
  return ok
}

/** For tests and the benchmark: forget remembered outcomes. */
export function clearVerificationCache(): void {
  outcomes.clear()
}

/** A random code: `prefix` + base64url of `bytes` random bytes. */
export function randomCode(prefix: string, bytes: number): string {
  return prefix + crypto.randomBytes(bytes).toString('base64url')
}
