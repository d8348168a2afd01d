import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestCore, type TestCore } from '../test/harness.js'
import { noteChange, runWithCommitHook, type ChangeNote, type CommitHook } from './commit-hooks.js'
import type { Db } from './database.js'

/** A hook that writes one row in the transaction it joins, as the idempotency marker does. */
function recorder(db: Db, tag: string, fail = false) {
  const seen = { before: 0, after: 0, rolledBack: 0, notes: [] as ChangeNote[] }
  const hook: CommitHook = {
    async beforeCommit(execute) {
      seen.before++
      await execute(sql`insert into hook_marks (tag) values (${tag})`.compile(db))
      if (fail) throw new Error('hook refused')
    },
    afterCommit: () => void seen.after++,
    afterRollback: () => void seen.rolledBack++,
    note: (c) => void seen.notes.push(c),
  }
  return { hook, seen }
}

describe('commit hooks on both dialects', () => {
  let t: TestCore
  let db: Db
  beforeAll(async () => {
    t = await createTestCore()
    db = t.core.db
    await sql`create table hook_marks (tag text not null)`.execute(db)
    await sql`create table hook_things (name text not null)`.execute(db)
  })
  afterAll(async () => {
    await t?.close()
  })

  const marks = async (tag: string) => (await sql<{ n: number }>`select count(*)::int as n from hook_marks where tag = ${tag}`.execute(db)).rows[0]!.n
  const things = async (name: string) => (await sql<{ n: number }>`select count(*)::int as n from hook_things where name = ${name}`.execute(db)).rows[0]!.n
  const insertThing = (d: Db, name: string) => sql`insert into hook_things (name) values (${name})`.execute(d)

  it('writes its row in the committing transaction, on the same connection', async () => {
    const { hook, seen } = recorder(db, 'commit')
    await runWithCommitHook(hook, () => db.transaction().execute((trx) => insertThing(trx, 'commit')))
    expect(await marks('commit')).toBe(1)
    expect(await things('commit')).toBe(1)
    expect(seen).toMatchObject({ before: 1, after: 1, rolledBack: 0 })
  })

  it('writes nothing when the transaction rolls back', async () => {
    const { hook, seen } = recorder(db, 'rollback')
    const failing = runWithCommitHook(hook, () =>
      db.transaction().execute(async (trx) => {
        await insertThing(trx, 'rollback')
        throw new Error('business rule')
      }),
    )
    await expect(failing).rejects.toThrow('business rule')
    expect(await marks('rollback')).toBe(0)
    expect(await things('rollback')).toBe(0)
    expect(seen).toMatchObject({ before: 0, after: 0, rolledBack: 1 })
  })

  it('rolls the whole transaction back when the hook throws', async () => {
    const { hook, seen } = recorder(db, 'refused', true)
    await expect(runWithCommitHook(hook, () => db.transaction().execute((trx) => insertThing(trx, 'refused')))).rejects.toThrow('hook refused')
    expect(await marks('refused')).toBe(0)
    expect(await things('refused')).toBe(0)
    expect(seen).toMatchObject({ before: 1, after: 0, rolledBack: 1 })
    // The connection is usable afterwards (PGlite has only one).
    expect(await things('commit')).toBe(1)
  })

  it('leaves statements outside a transaction and read-only transactions alone', async () => {
    const { hook, seen } = recorder(db, 'plain')
    await runWithCommitHook(hook, async () => {
      await insertThing(db, 'plain')
      await db.transaction().setAccessMode('read only').execute((trx) => sql`select 1`.execute(trx))
    })
    expect(await marks('plain')).toBe(0)
    expect(await things('plain')).toBe(1)
    expect(seen.before).toBe(0)
  })

  it('does nothing outside runWithCommitHook, and reaches hooks through awaits and timers', async () => {
    await db.transaction().execute((trx) => insertThing(trx, 'no hook'))
    expect(await things('no hook')).toBe(1)
    const { hook, seen } = recorder(db, 'later')
    await runWithCommitHook(hook, async () => {
      await new Promise((r) => setTimeout(r, 5))
      await db.transaction().execute(async (trx) => {
        await insertThing(trx, 'later')
        noteChange({ action: 'test.thing.created', targetType: 'thing', targetId: 'later', outcome: 'success' })
      })
    })
    expect(await marks('later')).toBe(1)
    expect(seen.notes).toEqual([{ action: 'test.thing.created', targetType: 'thing', targetId: 'later', outcome: 'success' }])
  })

  it('keeps concurrent contexts apart', async () => {
    const a = recorder(db, 'ctx-a')
    const b = recorder(db, 'ctx-b')
    await Promise.all([
      runWithCommitHook(a.hook, () => db.transaction().execute((trx) => insertThing(trx, 'ctx'))),
      runWithCommitHook(b.hook, () => db.transaction().execute((trx) => insertThing(trx, 'ctx'))),
      runWithCommitHook(b.hook, () => db.transaction().execute((trx) => insertThing(trx, 'ctx'))),
    ])
    expect(await marks('ctx-a')).toBe(1)
    expect(await marks('ctx-b')).toBe(2)
  })
})
