import type { Principal } from '../../platform/roles.js'

/**
 * How long a resolved session is trusted without asking the database again. Every signed-in
 * request resolves its session; under load that one query per request was a large share of the
 * database's work. Changes made in this process (sign-out, role granted or revoked) drop the
 * entries at once; a change made by another server process sharing the database (or straight in
 * SQL) reaches this one within this bound.
 */
export const SESSION_CACHE_MS = 5_000

/** Entries kept at most; past it the cache starts over (a burst of sign-ins cannot grow it without bound). */
const MAX_ENTRIES = 10_000

interface Entry {
  principal: Principal
  /** When the entry was read from the database (clock time). */
  readAt: number
  /** The session's sliding and absolute expiry and last touch, as read (ms). */
  expiresAt: number
  absoluteAt: number
  lastSeenAt: number
}

/** A resolved session, trusted for `SESSION_CACHE_MS` unless it is due for expiry or a touch. */
export function createSessionCache(touchEveryMs: number) {
  const byHash = new Map<string, Entry>()
  /** Bumped by every drop: a read that started before a drop must not store what it read. */
  let generation = 0

  return {
    /** The cached principal, or undefined when the database must be asked (absent, old, expiring or due for a touch). */
    get(hash: string, now: number): Principal | undefined {
      const e = byHash.get(hash)
      if (!e) return undefined
      if (now - e.readAt >= SESSION_CACHE_MS || now < e.readAt || now >= e.expiresAt || now >= e.absoluteAt || now - e.lastSeenAt >= touchEveryMs) {
        byHash.delete(hash)
        return undefined
      }
      // A copy: a caller changing its principal must not change the next request's.
      return { ...e.principal, grants: e.principal.grants.map((g) => ({ ...g })) }
    },
    /** Take before reading the session from the database; hand to `set`. */
    generation: () => generation,
    set(hash: string, principal: Principal, session: { readAt: number; expiresAt: number; absoluteAt: number; lastSeenAt: number }, readGeneration: number): void {
      if (readGeneration !== generation) return
      if (byHash.size >= MAX_ENTRIES) byHash.clear()
      byHash.set(hash, { principal: { ...principal, grants: principal.grants.map((g) => ({ ...g })) }, ...session })
    },
    /** Forgets one session (signed out). Call after the change committed (and before, if you like). */
    dropSession(sessionId: string): void {
      generation++
      for (const [k, e] of byHash) if (e.principal.sessionId === sessionId) byHash.delete(k)
    },
    /** Forgets every session of an account (its roles changed). */
    dropAccount(accountId: string): void {
      generation++
      for (const [k, e] of byHash) if (e.principal.accountId === accountId) byHash.delete(k)
    },
  }
}
