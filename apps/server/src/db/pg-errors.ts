/**
 * PostgreSQL errors the modules act on. pg and PGlite raise the same fields (`code`, `table`,
 * `column`), so one test serves both.
 */
interface PgError {
  code?: unknown
  table?: unknown
  column?: unknown
}

const pgError = (err: unknown): PgError | null => (typeof err === 'object' && err !== null ? (err as PgError) : null)

/** A unique constraint fired: a concurrent writer won the race a pre-check could not see (→ 409). */
export function isUniqueViolation(err: unknown): boolean {
  return pgError(err)?.code === '23505'
}

/**
 * A NOT NULL violation on `table.column`. A one-statement change feeds such a column from its own
 * guarded update (`(select id from upd)`): when the update found its row no longer at the expected
 * version, this is how the whole statement fails, with nothing written.
 */
export function isNotNullViolation(err: unknown, table: string, column: string): boolean {
  const e = pgError(err)
  return e?.code === '23502' && e.table === table && e.column === column
}
