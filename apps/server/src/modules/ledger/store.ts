import { sql, type Kysely, type RawBuilder } from 'kysely'
import { scoped, type Db } from '../../db/database.js'
import { isNotNullViolation } from '../../db/pg-errors.js'

/** Tables of schema `ledger` (see migration 0005_ledger). */
export interface LedgerTables {
  'ledger.head': { id: number; seq: number; hash: string; frontier: string[] }
  'ledger.entry': EntryRow
  'ledger.node': { level: number; idx: number; hash: string }
  'ledger.signing_key': SigningKeyRow
  'ledger.checkpoint': CheckpointRow
}

export interface EntryRow {
  seq: number
  kind: string
  payload: Record<string, unknown>
  at: Date
  prev_hash: string
  hash: string
}

export interface HeadRow {
  seq: number
  hash: string
  frontier: string[]
}

export interface SigningKeyRow {
  id: string
  algorithm: string
  public_key: string
  private_key_sealed: string
  created_at: Date
  retired_at: Date | null
}

export interface CheckpointRow {
  id: string
  tree_size: number
  from_seq: number
  root: string
  signature: string
  key_id: string
  at: Date
}

/** A checkpoint with the public key that signed it. */
export type CheckpointWithKey = CheckpointRow & { public_key: string | null }

export interface NodeRow {
  level: number
  idx: number
  hash: string
}

/** The error a statement with `appendCtes` fails with when the head was no longer where it was read. */
export const isAppendConflict = (err: unknown): boolean => isNotNullViolation(err, 'entry', 'seq')

const entryColumns = ['seq', 'kind', 'payload', 'at', 'prev_hash', 'hash'] as const

/**
 * An entry, the subtree hashes it completed and the head's move as data-modifying CTEs (named
 * ledger_head, ledger_entry, ledger_nodes), for `appendEntry` or a statement of the caller's: the head moves only if it is still at `prevSeq` and the entry
 * takes its seq from that move, so a head that moved meanwhile fails the whole statement with
 * `isAppendConflict` and nothing is written.
 */
function appendCtes(e: EntryRow, prevSeq: number, frontier: string[], nodes: NodeRow[] = []): RawBuilder<unknown> {
  return sql`ledger_head as (
      update ledger.head set seq = ${e.seq}, hash = ${e.hash}, frontier = ${JSON.stringify(frontier)}::jsonb
      where id = 1 and seq = ${prevSeq} and hash = ${e.prev_hash} returning seq
    ), ledger_entry as (
      insert into ledger.entry (seq, kind, payload, at, prev_hash, hash)
      values ((select ledger_head.seq from ledger_head), ${e.kind}, ${JSON.stringify(e.payload)}::jsonb, ${e.at}, ${e.prev_hash}, ${e.hash})
    )${
      nodes.length
        ? sql`, ledger_nodes as (
      insert into ledger.node (level, idx, hash) values ${sql.join(nodes.map((n) => sql`(${n.level}, ${n.idx}, ${n.hash})`))}
      on conflict (level, idx) do nothing
    )`
        : sql``
    }`
}

/** The ledger's SQL; every method runs on the handle it was built with (a transaction or the pool). */
export function createLedgerStore(handle: Db) {
  const db: Kysely<LedgerTables> = scoped<LedgerTables>(handle)

  const checkpointsWithKey = () =>
    db
      .selectFrom('ledger.checkpoint as c')
      .leftJoin('ledger.signing_key as k', 'k.id', 'c.key_id')
      .select(['c.id', 'c.tree_size', 'c.from_seq', 'c.root', 'c.signature', 'c.key_id', 'c.at', 'k.public_key'])

  return {
    /** Locks the head row until the caller's transaction ends: appends and checkpoints queue here. */
    async lockHead(): Promise<HeadRow> {
      return db.selectFrom('ledger.head').select(['seq', 'hash', 'frontier']).where('id', '=', 1).forUpdate().executeTakeFirstOrThrow()
    },

    async readHead(): Promise<HeadRow> {
      return db.selectFrom('ledger.head').select(['seq', 'hash', 'frontier']).where('id', '=', 1).executeTakeFirstOrThrow()
    },

    /**
     * Inserts the entry, the subtree hashes it completed and moves the head in one statement (one
     * round trip while every other appender waits on the head's lock): `appendCtes` from the head
     * the caller locked.
     */
    async appendEntry(e: EntryRow, frontier: string[], nodes: NodeRow[] = []): Promise<void> {
      await sql`with ${appendCtes(e, e.seq - 1, frontier, nodes)} select 1`.execute(handle)
    },

    appendCtes,

    /** Cached subtree hashes for the given (level, idx) pairs. */
    async nodes(keys: { level: number; idx: number }[]): Promise<NodeRow[]> {
      if (!keys.length) return []
      return db
        .selectFrom('ledger.node')
        .select(['level', 'idx', 'hash'])
        .where((eb) => eb.or(keys.map((k) => eb.and([eb('level', '=', k.level), eb('idx', '=', k.idx)]))))
        .execute()
    },

    async entry(seq: number): Promise<EntryRow | undefined> {
      return db.selectFrom('ledger.entry').select(entryColumns).where('seq', '=', seq).executeTakeFirst()
    },

    async listEntries(limit: number, offset: number): Promise<EntryRow[]> {
      return db.selectFrom('ledger.entry').select(entryColumns).orderBy('seq', 'desc').limit(limit).offset(offset).execute()
    },

    async countEntries(): Promise<number> {
      const r = await db.selectFrom('ledger.entry').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
      return Number(r.n)
    },

    async maxSeq(): Promise<number> {
      const r = await db.selectFrom('ledger.entry').select((eb) => eb.fn.max<number | null>('seq').as('m')).executeTakeFirstOrThrow()
      return Number(r.m ?? 0)
    },

    /** Entries after `afterSeq` up to `toSeq`, in order, at most `limit` (keyset paging for verification). */
    async entriesAfter(afterSeq: number, toSeq: number, limit: number): Promise<EntryRow[]> {
      return db
        .selectFrom('ledger.entry')
        .select(entryColumns)
        .where('seq', '>', afterSeq)
        .where('seq', '<=', toSeq)
        .orderBy('seq')
        .limit(limit)
        .execute()
    },

    /** Stored hashes only (seq, hash) after `afterSeq` and below `beforeSeq`. */
    async hashesAfter(afterSeq: number, beforeSeq: number, limit: number): Promise<{ seq: number; hash: string }[]> {
      return db
        .selectFrom('ledger.entry')
        .select(['seq', 'hash'])
        .where('seq', '>', afterSeq)
        .where('seq', '<', beforeSeq)
        .orderBy('seq')
        .limit(limit)
        .execute()
    },

    /** Stored hashes of the entries with seq in any of the inclusive ranges, in one round trip. */
    async hashesIn(ranges: { from: number; to: number }[]): Promise<{ seq: number; hash: string }[]> {
      if (!ranges.length) return []
      return db
        .selectFrom('ledger.entry')
        .select(['seq', 'hash'])
        .where((eb) => eb.or(ranges.map((r) => eb.between('seq', r.from, r.to))))
        .orderBy('seq')
        .execute()
    },

    async activeKey(): Promise<SigningKeyRow | undefined> {
      return db.selectFrom('ledger.signing_key').selectAll().where('retired_at', 'is', null).executeTakeFirst()
    },

    async insertKey(row: SigningKeyRow): Promise<void> {
      await db.insertInto('ledger.signing_key').values(row).execute()
    },

    async retireKey(id: string, at: Date): Promise<void> {
      await db.updateTable('ledger.signing_key').set({ retired_at: at }).where('id', '=', id).execute()
    },

    async insertCheckpoint(row: CheckpointRow): Promise<void> {
      await db.insertInto('ledger.checkpoint').values(row).execute()
    },

    async latestCheckpoint(): Promise<CheckpointWithKey | undefined> {
      return checkpointsWithKey().orderBy('c.tree_size', 'desc').limit(1).executeTakeFirst()
    },

    async checkpoint(id: string): Promise<CheckpointWithKey | undefined> {
      return checkpointsWithKey().where('c.id', '=', id).executeTakeFirst()
    },

    /** Checkpoints whose tree size lies in [from, to], smallest first. */
    async checkpointsBetween(from: number, to: number): Promise<CheckpointWithKey[]> {
      return checkpointsWithKey().where('c.tree_size', '>=', from).where('c.tree_size', '<=', to).orderBy('c.tree_size').execute()
    },

    async maxCheckpointSize(): Promise<number> {
      const r = await db.selectFrom('ledger.checkpoint').select((eb) => eb.fn.max<number | null>('tree_size').as('m')).executeTakeFirstOrThrow()
      return Number(r.m ?? 0)
    },
  }
}

export type LedgerStore = ReturnType<typeof createLedgerStore>
