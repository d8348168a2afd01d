import { monotonicFactory } from 'ulidx'

const ulid = monotonicFactory()

/** Prefixed, time-ordered ids (`acc_01J…`) so a log line tells what kind of thing it names. */
export function newId(prefix: string): string {
  return `${prefix}_${ulid().toLowerCase()}`
}
