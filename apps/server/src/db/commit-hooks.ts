import { AsyncLocalStorage } from 'node:async_hooks'
import type { CompiledQuery, DatabaseConnection, Dialect, Driver, Kysely, QueryResult, TransactionSettings } from 'kysely'

/**
 * Work that must commit or roll back together with whatever transaction the current async context
 * opens, without the code that opens it knowing. The Idempotency-Key plugin uses it to write "this
 * key's request committed" in the same transaction as the business change, so a crash between the
 * commit and storing the answer can never make a retry run the change a second time.
 */
export interface CommitHook {
  /**
   * Runs on the transaction's own connection right before COMMIT (on PGlite's one connection too).
   * Throwing rolls the transaction back and reaches the caller of `transaction().execute()`.
   */
  beforeCommit(execute: (query: CompiledQuery) => Promise<QueryResult<unknown>>): Promise<void>
  afterCommit?(): void
  afterRollback?(): void
  /** What a transaction changed (`noteChange`), for the hook to record with its own row. */
  note?(change: ChangeNote): void
}

/** One change as the audit log names it. */
export interface ChangeNote {
  action: string
  targetType: string | null
  targetId: string | null
  outcome: string
}

const scope = new AsyncLocalStorage<CommitHook>()

/** Runs `fn` (and everything it starts) with `hook` on every transaction it commits. */
export function runWithCommitHook<T>(hook: CommitHook, fn: () => T): T {
  return scope.run(hook, fn)
}

/**
 * Runs a change that is a single statement (atomic by itself, e.g. an update whose timeline, audit
 * and event inserts ride in its CTEs) without BEGIN and COMMIT, which were two of its three round
 * trips; inside a transaction when a commit hook must join it (a request with Idempotency-Key).
 * `fn` must issue exactly one writing statement on the executor it is given.
 */
export function oneStatement<T>(db: Kysely<any>, fn: (executor: Kysely<any>) => Promise<T>): Promise<T> {
  return scope.getStore() ? db.transaction().execute(fn) : fn(db)
}

/** Tells the current hook, if any, what the open transaction changed (the audit log calls it). */
export function noteChange(change: ChangeNote): void {
  scope.getStore()?.note?.(change)
}

/**
 * Wraps a dialect so its driver calls the current context's hook around COMMIT. Statements outside
 * a transaction and read-only transactions are left alone: they commit nothing a hook could join.
 */
export function withCommitHooks(dialect: Dialect): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createDriver: () => hookedDriver(dialect.createDriver()),
  }
}

function hookedDriver(driver: Driver): Driver {
  const readOnly = new WeakSet<DatabaseConnection>()
  return {
    init: (options) => driver.init(options),
    acquireConnection: (options) => driver.acquireConnection(options),
    releaseConnection: (connection, options) => driver.releaseConnection(connection, options),
    destroy: (options) => driver.destroy(options),
    async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings) {
      if (settings.accessMode === 'read only') readOnly.add(connection)
      else readOnly.delete(connection)
      await driver.beginTransaction(connection, settings)
    },
    async commitTransaction(connection) {
      const hook = readOnly.has(connection) ? undefined : scope.getStore()
      if (hook) await hook.beforeCommit((query) => connection.executeQuery(query))
      await driver.commitTransaction(connection)
      hook?.afterCommit?.()
    },
    async rollbackTransaction(connection) {
      try {
        await driver.rollbackTransaction(connection)
      } finally {
        if (!readOnly.has(connection)) scope.getStore()?.afterRollback?.()
      }
    },
    ...(driver.savepoint && { savepoint: driver.savepoint.bind(driver) }),
    ...(driver.rollbackToSavepoint && { rollbackToSavepoint: driver.rollbackToSavepoint.bind(driver) }),
    ...(driver.releaseSavepoint && { releaseSavepoint: driver.releaseSavepoint.bind(driver) }),
  }
}
