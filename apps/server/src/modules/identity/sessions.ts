import type { AccountKind } from '../../platform/roles.js'

/**
 * Session lifetimes. Staff sessions slide with activity for a working day and end after 24 h
 * whatever happens (shared office computers); citizens and enterprises stay signed in for a
 * week of inactivity, at most 30 days.
 */
export const sessionPolicy: Record<AccountKind, { idleSeconds: number; absoluteSeconds: number }> = {
  staff: { idleSeconds: 8 * 3600, absoluteSeconds: 24 * 3600 },
  person: { idleSeconds: 7 * 86400, absoluteSeconds: 30 * 86400 },
  legal: { idleSeconds: 7 * 86400, absoluteSeconds: 30 * 86400 },
}

/** A session's expiry is pushed forward at most once a minute, so reads stay reads. */
export const SESSION_TOUCH_SECONDS = 60

/** Sign-in throttling: 5 failures lock for 1 minute, each further lock twice as long (max 24 h). */
export const lockoutPolicy = {
  maxFailures: 5,
  baseLockSeconds: 60,
  maxLockSeconds: 24 * 3600,
  /** Failures further apart than this start counting again. */
  failureWindowSeconds: 15 * 60,
  /** A day without failures forgets earlier locks (the back-off starts at 1 minute again). */
  levelResetSeconds: 24 * 3600,
}

export interface ThrottleState {
  failures: number
  lockLevel: number
  lockedUntil: Date | null
  lastFailureAt: Date | null
}

export const freshThrottle: ThrottleState = { failures: 0, lockLevel: 0, lockedUntil: null, lastFailureAt: null }

/** Seconds until the lock lifts (0 when not locked), rounded up. */
export function lockRemainingSeconds(state: ThrottleState | null, now: Date): number {
  if (!state?.lockedUntil) return 0
  const ms = state.lockedUntil.getTime() - now.getTime()
  return ms > 0 ? Math.ceil(ms / 1000) : 0
}

/** The state after one more failed sign-in, and the lock it started (seconds) if any. */
export function afterFailure(state: ThrottleState | null, now: Date): { state: ThrottleState; lockedForSeconds: number | null } {
  const s = { ...(state ?? freshThrottle) }
  const since = s.lastFailureAt ? (now.getTime() - s.lastFailureAt.getTime()) / 1000 : Infinity
  if (since > lockoutPolicy.levelResetSeconds) {
    s.lockLevel = 0
    s.failures = 0
  } else if (since > lockoutPolicy.failureWindowSeconds) {
    s.failures = 0
  }
  s.failures += 1
  s.lastFailureAt = now
  if (s.failures < lockoutPolicy.maxFailures) return { state: s, lockedForSeconds: null }
  const seconds = Math.min(lockoutPolicy.baseLockSeconds * 2 ** s.lockLevel, lockoutPolicy.maxLockSeconds)
  s.lockedUntil = new Date(now.getTime() + seconds * 1000)
  s.lockLevel += 1
  s.failures = 0
  return { state: s, lockedForSeconds: seconds }
}
