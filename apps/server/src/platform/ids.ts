import { randomFillSync } from 'node:crypto'
import { monotonicFactory } from 'ulidx'

/**
 * ulidx asks the crypto module for one byte per character (16 calls per id), which showed up in
 * server profiles; the same bytes come from a pool refilled 4 KiB at a time.
 */
const pool = Buffer.alloc(4096)
let next = pool.length
function pooledRandom(): number {
  if (next >= pool.length) {
    randomFillSync(pool)
    next = 0
  }
  return pool[next++]! / 0xff
}

const ulid = monotonicFactory(pooledRandom)

/** Prefixed, time-ordered ids (`acc_01J…`) so a log line tells what kind of thing it names. */
export function newId(prefix: string): string {
  return `${prefix}_${ulid().toLowerCase()}`
}
