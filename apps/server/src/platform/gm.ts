/**
 * 国密 (Chinese commercial cryptography) for the whole platform: SM3 hashes (GB/T 32905),
 * SM2 signatures (GB/T 32918.2) that OpenSSL 3 verifies, SM2 public keys as PEM, canonical JSON
 * for hashing and signing, and sealing of private keys at rest.
 *
 * SM2 signing goes through `sm-crypto-v2`, not `crypto.sign`: Node's `crypto.sign` on an SM2-curve
 * key computes ECDSA, whose signatures OpenSSL's SM2 verifier rejects.
 */
import crypto from 'node:crypto'
import { sm2 } from 'sm-crypto-v2'

/** GB/T 32918 / GM/T 0009 default signer ID, used when the parties agree on no other. */
export const SM2_DEFAULT_USER_ID = '1234567812345678'

/** Object identifiers (GM/T 0006): the SM2 curve, SM3, and SM3withSM2. */
export const OID = {
  ecPublicKey: '1.2.840.10045.2.1',
  sm2Curve: '1.2.156.10197.1.301',
  sm3: '1.2.156.10197.1.401',
  sm2WithSm3: '1.2.156.10197.1.501',
} as const

/** Order n of the SM2 base point (GB/T 32918.5). */
const SM2_N = BigInt('0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123')

/** SM3 digest of the bytes (strings as UTF-8). */
export function sm3(data: string | Uint8Array): Buffer {
  return crypto.createHash('sm3').update(data).digest()
}

/** SM3 digest as lowercase hex. */
export function sm3Hex(data: string | Uint8Array): string {
  return crypto.createHash('sm3').update(data).digest('hex')
}

export interface Sm2KeyPair {
  /** 32-byte scalar d, 64 hex digits. */
  privateKeyHex: string
  /** Uncompressed point 04‖x‖y, 130 hex digits. */
  publicKeyHex: string
}

/** A fresh SM2 key pair from the platform's secure random source. */
export function sm2GenerateKeyPair(): Sm2KeyPair {
  const kp = sm2.generateKeyPairHex()
  return { privateKeyHex: kp.privateKey, publicKeyHex: kp.publicKey }
}

/** The public key of a private key (uncompressed hex). */
export function sm2PublicKeyOf(privateKeyHex: string): string {
  return sm2.getPublicKeyFromPrivateKey(privateKeyHex)
}

function isHex(s: string, length?: number): boolean {
  return /^[0-9a-f]*$/i.test(s) && s.length % 2 === 0 && (length === undefined || s.length === length)
}

/** True when the hex string is an uncompressed point on the SM2 curve. */
export function sm2IsValidPublicKey(publicKeyHex: string): boolean {
  if (!isHex(publicKeyHex, 130) || !publicKeyHex.startsWith('04')) return false
  try {
    return sm2.verifyPublicKey(publicKeyHex)
  } catch {
    return false
  }
}

function derInteger(v: bigint): Buffer {
  let hex = v.toString(16)
  if (hex.length % 2) hex = `0${hex}`
  // A leading 1-bit would read as negative: DER then requires one 0x00 in front.
  if (parseInt(hex.slice(0, 2), 16) & 0x80) hex = `00${hex}`
  const body = Buffer.from(hex, 'hex')
  return Buffer.concat([Buffer.from([0x02, body.length]), body])
}

/** DER `SEQUENCE { r INTEGER, s INTEGER }` (GB/T 35276) from the two scalars. */
export function encodeSm2Signature(r: bigint, s: bigint): Buffer {
  const body = Buffer.concat([derInteger(r), derInteger(s)])
  return Buffer.concat([Buffer.from([0x30, body.length]), body])
}

/** Parses a strict DER SM2 signature; null when it is not one (wrong tags, lengths, padding, range). */
export function decodeSm2Signature(der: Uint8Array): { r: bigint; s: bigint } | null {
  const b = Buffer.from(der)
  // Both integers are below 2^256, so every length fits in one byte (short form).
  if (b.length < 8 || b[0] !== 0x30 || b[1] !== b.length - 2) return null
  const ints: bigint[] = []
  let i = 2
  for (let k = 0; k < 2; k++) {
    if (b[i] !== 0x02) return null
    const len = b[i + 1]
    if (len === undefined || len < 1 || len > 33 || i + 2 + len > b.length) return null
    const v = b.subarray(i + 2, i + 2 + len)
    if (v[0]! & 0x80) return null
    if (len > 1 && v[0] === 0 && !(v[1]! & 0x80)) return null
    ints.push(BigInt(`0x${v.toString('hex')}`))
    i += 2 + len
  }
  if (i !== b.length) return null
  const [r, s] = ints as [bigint, bigint]
  if (r < 1n || r >= SM2_N || s < 1n || s >= SM2_N) return null
  return { r, s }
}

/**
 * SM2 signature (GB/T 32918.2) over `message`: e = SM3(Z_A ‖ M) with Z_A from the signer's ID,
 * returned as DER. Verifies with `openssl pkeyutl -verify -rawin -digest sm3 -pkeyopt distid:<id>`.
 */
export function sm2Sign(message: string | Uint8Array, key: Sm2KeyPair, userId = SM2_DEFAULT_USER_ID): Buffer {
  const msg = typeof message === 'string' ? Buffer.from(message, 'utf8') : message
  const raw = sm2.doSignature(msg, key.privateKeyHex, { hash: true, publicKey: key.publicKeyHex, userId })
  return encodeSm2Signature(BigInt(`0x${raw.slice(0, 64)}`), BigInt(`0x${raw.slice(64)}`))
}

const precomputed = new Map<string, ReturnType<typeof sm2.precomputePublicKey>>()

/** Verifies a DER SM2 signature; false (never a throw) for any malformed input. */
export function sm2Verify(message: string | Uint8Array, signatureDer: Uint8Array, publicKeyHex: string, userId = SM2_DEFAULT_USER_ID): boolean {
  const sig = decodeSm2Signature(signatureDer)
  if (!sig || !sm2IsValidPublicKey(publicKeyHex)) return false
  const msg = typeof message === 'string' ? Buffer.from(message, 'utf8') : message
  // A precomputed window table makes repeated verifications with one key ~6× faster.
  let point = precomputed.get(publicKeyHex)
  if (!point) {
    point = sm2.precomputePublicKey(publicKeyHex)
    if (precomputed.size > 64) precomputed.clear()
    precomputed.set(publicKeyHex, point)
  }
  const rs = sig.r.toString(16).padStart(64, '0') + sig.s.toString(16).padStart(64, '0')
  try {
    return sm2.doVerifySignature(msg, rs, point, { hash: true, userId })
  } catch {
    return false
  }
}

/** SubjectPublicKeyInfo prefix: SEQUENCE{ SEQUENCE{ id-ecPublicKey, sm2 curve }, BIT STRING(0 unused bits) }. */
const SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a811ccf5501822d034200', 'hex')

/** The public key as a PEM SubjectPublicKeyInfo (id-ecPublicKey with the SM2 curve OID), as OpenSSL 3 reads it. */
export function sm2PublicKeyToPem(publicKeyHex: string): string {
  if (!sm2IsValidPublicKey(publicKeyHex)) throw new Error('not an uncompressed SM2 public key')
  const der = Buffer.concat([SPKI_PREFIX, Buffer.from(publicKeyHex, 'hex')])
  const lines = der.toString('base64').match(/.{1,64}/g) ?? []
  return `-----BEGIN PUBLIC KEY-----\n${lines.join('\n')}\n-----END PUBLIC KEY-----\n`
}

/** The uncompressed hex point from a PEM written by `sm2PublicKeyToPem` (or OpenSSL). */
export function sm2PublicKeyFromPem(pem: string): string {
  const b64 = pem.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, '').replace(/\s+/g, '')
  const der = Buffer.from(b64, 'base64')
  if (der.length !== SPKI_PREFIX.length + 65 || !der.subarray(0, SPKI_PREFIX.length).equals(SPKI_PREFIX)) {
    throw new Error('not an SM2 SubjectPublicKeyInfo')
  }
  const hex = der.subarray(SPKI_PREFIX.length).toString('hex')
  if (!sm2IsValidPublicKey(hex)) throw new Error('point is not on the SM2 curve')
  return hex
}

/**
 * Canonical JSON in the manner of RFC 8785 (JCS): object keys sorted by UTF-16 code units, no
 * whitespace, ECMAScript number and string serialization. Values go through `toJSON` (so a Date
 * becomes its ISO string) and undefined object members are left out, exactly as JSON.stringify
 * would store them; non-finite numbers, bigints and functions are refused.
 */
export function canonicalJson(value: unknown): string {
  return serialize(value, false) ?? 'null'
}

function serialize(value: unknown, inArray: boolean): string | undefined {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON: () => unknown }).toJSON()
  }
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value)
    case 'boolean':
      return value ? 'true' : 'false'
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonicalJson: non-finite number')
      return JSON.stringify(value)
    case 'undefined':
      return inArray ? 'null' : undefined
    case 'object': {
      if (value === null) return 'null'
      if (Array.isArray(value)) return `[${value.map((v) => serialize(v, true)).join(',')}]`
      const obj = value as Record<string, unknown>
      const parts: string[] = []
      for (const key of Object.keys(obj).sort()) {
        const v = serialize(obj[key], false)
        if (v !== undefined) parts.push(`${JSON.stringify(key)}:${v}`)
      }
      return `{${parts.join(',')}}`
    }
    default:
      throw new TypeError(`canonicalJson: cannot serialize a ${typeof value}`)
  }
}

/** A 32-byte key derived (HKDF-SHA256) from the server secret; each `context` gets its own. */
export function deriveKey(secret: string, context: string): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', secret, 'yiwang/seal/v1', context, 32))
}

/**
 * Encrypts key material at rest with AES-256-GCM under a key derived (HKDF-SHA256) from the
 * server secret and `context`; `aad` (e.g. the matching public key) is authenticated, so a sealed
 * blob moved to another row no longer opens. Format: `v1.<base64url(iv ‖ tag ‖ ciphertext)>`.
 */
export function seal(secret: string, context: string, plaintext: Uint8Array, aad = ''): string {
  const iv = crypto.randomBytes(12)
  const cipher = crypto.createCipheriv('aes-256-gcm', deriveKey(secret, context), iv)
  cipher.setAAD(Buffer.from(aad, 'utf8'))
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return `v1.${Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64url')}`
}

/** Opens a `seal` blob; throws when the secret, context or aad differ or the blob was altered. */
export function unseal(secret: string, context: string, sealed: string, aad = ''): Buffer {
  if (!sealed.startsWith('v1.')) throw new Error('unknown sealed format')
  const raw = Buffer.from(sealed.slice(3), 'base64url')
  if (raw.length < 29) throw new Error('sealed blob too short')
  const decipher = crypto.createDecipheriv('aes-256-gcm', deriveKey(secret, context), raw.subarray(0, 12))
  decipher.setAAD(Buffer.from(aad, 'utf8'))
  decipher.setAuthTag(raw.subarray(12, 28))
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()])
}
