import { hash, verify, type Algorithm } from '@node-rs/argon2'

/**
 * argon2id with the library defaults (m=19 MiB, t=2, p=1), OWASP's minimum recommendation.
 * `Algorithm` is an ambient const enum, so its value is written out (2 = Argon2id).
 */
const ARGON2ID = 2 as Algorithm

export async function hashPassword(password: string): Promise<string> {
  return hash(password, { algorithm: ARGON2ID })
}

/** False for a wrong password or a malformed stored hash; never throws on user input. */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password)
  } catch {
    return false
  }
}

let dummy: Promise<string> | undefined

/**
 * Spends the same work as a real check when no account matches, so response time does not tell
 * whether an account exists.
 */
export async function verifyAgainstDummy(password: string): Promise<void> {
  dummy ??= hashPassword('yiwang-dummy-password-0')
  await verifyPassword(await dummy, password)
}

/** 8–128 characters with at least one letter and one digit. */
export function isAcceptablePassword(password: string): boolean {
  return password.length >= 8 && password.length <= 128 && /\p{L}/u.test(password) && /\d/.test(password)
}
