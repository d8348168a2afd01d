import type { RawBuilder } from 'kysely'
import type { Logger } from 'pino'
import type { Config } from '../../config.js'
import { oneStatement } from '../../db/commit-hooks.js'
import type { Db } from '../../db/database.js'
import type { Audit, AuditActor, LedgerAppender } from '../../platform/audit.js'
import type { Clock } from '../../platform/clock.js'
import {
  canonicalJson, seal, sm2GenerateKeyPair, sm2PublicKeyOf, sm2PublicKeyToPem, sm2Sign, sm2Verify, sm3Hex, unseal, type Sm2KeyPair,
} from '../../platform/gm.js'
import { newId } from '../../platform/ids.js'
import type { Outbox } from '../../platform/outbox.js'
import { EmptyLedgerError, CheckpointNotFoundError, EntryNotFoundError, InvalidRangeError, SigningUnavailableError, type BrokenReason } from './errors.js'
import { MerkleFrontier, auditPathRanges, foldPieces, leafHash, merkleRoot, piecesOf, verifyInclusion, type Subtree } from './merkle.js'
import { createLedgerStore, isAppendConflict, type CheckpointWithKey, type EntryRow, type HeadRow, type LedgerStore } from './store.js'

/** prev_hash of entry 1. */
export const GENESIS_HASH = '0'.repeat(64)
/** Perfect subtrees from this level up (16+ leaves) are cached in ledger.node for proofs. */
const NODE_MIN_LEVEL = 4
/** Rows per round trip when streaming the log. */
const BATCH = 2000
const KEY_CONTEXT = 'ledger.signing-key'

/** One ledger entry as the API shows it; `hash` = SM3(canonicalJson({seq, kind, payload, at, prevHash})). */
export interface Entry {
  seq: number
  kind: string
  payload: Record<string, unknown>
  prevHash: string
  hash: string
  /** ISO 8601, exactly the string that was hashed. */
  at: string
}

/** A signed Merkle root over entries 1..treeSize; it is the first to cover fromSeq..toSeq. */
export interface Checkpoint {
  id: string
  treeSize: number
  fromSeq: number
  toSeq: number
  root: string
  /** Hex DER SM2 signature over `checkpointMessage(…)`. */
  signature: string
  publicKey: string
  at: string
}

/** RFC 6962 audit path for leaf `leafIndex` (= seq − 1) against a checkpoint's root. */
export interface InclusionProof {
  checkpointId: string
  treeSize: number
  leafIndex: number
  root: string
  path: string[]
}

export interface VerifyRange {
  fromSeq?: number
  toSeq?: number
}

export interface VerifyResult {
  ok: boolean
  /** Entries whose hash and link were recomputed. */
  checked: number
  checkpointsChecked: number
  firstBroken: { seq: number; reason: BrokenReason } | null
}

/** The hash of an entry: SM3 over the canonical JSON of its fields (RFC 8785 style). */
export function entryHash(e: { seq: number; kind: string; payload: unknown; at: string; prevHash: string }): string {
  return sm3Hex(canonicalJson({ seq: e.seq, kind: e.kind, payload: e.payload, at: e.at, prevHash: e.prevHash }))
}

/**
 * The exact bytes a checkpoint's SM2 signature covers (UTF-8): the root bound to its tree size and
 * time, with a type tag so the key's signatures cannot be replayed as anything else.
 */
export function checkpointMessage(c: { treeSize: number; root: string; at: string }): string {
  return canonicalJson({ type: 'yiwang.ledger.checkpoint', treeSize: c.treeSize, root: c.root, at: c.at })
}

function toEntry(r: EntryRow): Entry {
  return { seq: r.seq, kind: r.kind, payload: r.payload, prevHash: r.prev_hash, hash: r.hash, at: new Date(r.at).toISOString() }
}

function toCheckpoint(r: CheckpointWithKey): Checkpoint {
  return {
    id: r.id, treeSize: r.tree_size, fromSeq: r.from_seq, toSeq: r.tree_size, root: r.root, signature: r.signature,
    publicKey: r.public_key ?? '', at: new Date(r.at).toISOString(),
  }
}

function checkpointSignatureValid(c: CheckpointWithKey, pinned?: ReadonlySet<string>): boolean {
  if (!c.public_key || (pinned && !pinned.has(c.public_key))) return false
  const message = checkpointMessage({ treeSize: c.tree_size, root: c.root, at: new Date(c.at).toISOString() })
  return /^[0-9a-f]+$/i.test(c.signature) && sm2Verify(message, Buffer.from(c.signature, 'hex'), c.public_key)
}

/**
 * Recomputes every entry's hash and link in order and every checkpoint's root and signature, and
 * names the first problem by sequence number. Reads only; the CLI runs it without the server.
 * A range checks the entries in it and the checkpoints ending in it (roots still cover 1..treeSize,
 * so earlier hashes are read, though not re-derived). `publicKeys` pins the keys a checkpoint may
 * be signed with; by default any key in ledger.signing_key is accepted.
 */
export async function verifyLedger(db: Db, range: VerifyRange = {}, opts: { publicKeys?: string[] } = {}): Promise<VerifyResult> {
  const store = createLedgerStore(db)
  const head = await store.readHead()
  const end = Math.max(head.seq, await store.maxSeq(), await store.maxCheckpointSize())
  const from = Math.max(range.fromSeq ?? 1, 1)
  const to = Math.min(range.toSeq ?? end, end)
  const whole = from === 1 && to === end
  const pinned = opts.publicKeys ? new Set(opts.publicKeys.map((k) => k.toLowerCase())) : undefined

  let checked = 0
  let checkpointsChecked = 0
  const result = (firstBroken: VerifyResult['firstBroken']): VerifyResult => ({ ok: !firstBroken, checked, checkpointsChecked, firstBroken })
  if (from > to) return result(null)

  const frontier = MerkleFrontier.empty()
  let prevHash = GENESIS_HASH
  let last = 0
  // Before the range: stored hashes feed the tree (checkpoint roots start at entry 1) and the first link.
  while (last < from - 1) {
    const rows = await store.hashesAfter(last, from, BATCH)
    if (!rows.length) break
    for (const r of rows) {
      frontier.push(leafHash(r.hash))
      prevHash = r.hash
      last = r.seq
    }
  }
  last = from - 1

  const checkpoints = await store.checkpointsBetween(from, to)
  let next = 0
  for (;;) {
    const rows = await store.entriesAfter(last, to, BATCH)
    if (!rows.length) break
    for (const r of rows) {
      if (r.seq !== last + 1) return result({ seq: last + 1, reason: 'gap' })
      const at = new Date(r.at).toISOString()
      if (entryHash({ seq: r.seq, kind: r.kind, payload: r.payload, at, prevHash: r.prev_hash }) !== r.hash) {
        return result({ seq: r.seq, reason: 'hash-mismatch' })
      }
      if (r.prev_hash !== prevHash) return result({ seq: r.seq, reason: 'link-broken' })
      frontier.push(leafHash(r.hash))
      prevHash = r.hash
      last = r.seq
      checked++
      while (next < checkpoints.length && checkpoints[next]!.tree_size === last) {
        const c = checkpoints[next++]!
        if (frontier.root().toString('hex') !== c.root) return result({ seq: c.tree_size, reason: 'checkpoint-root-mismatch' })
        if (!checkpointSignatureValid(c, pinned)) return result({ seq: c.tree_size, reason: 'checkpoint-signature-invalid' })
        checkpointsChecked++
      }
    }
  }
  if (last < to) return result({ seq: last + 1, reason: 'gap' })
  // The head row is the link after the last entry: a changed, dropped or extra tail shows here.
  if (whole && (head.seq !== last || head.hash !== prevHash)) {
    return result({ seq: head.seq < last ? head.seq + 1 : last, reason: 'head-mismatch' })
  }
  return result(null)
}

export interface LedgerDeps {
  db: Db
  clock: Clock
  /** SECRET_KEY seals the signing key at rest (bootstrap always resolves one). */
  config: Pick<Config, 'SECRET_KEY'>
  audit?: Audit
  outbox?: Outbox
  logger?: Logger
}

export interface LedgerOptions {
  /** Sign a checkpoint every this many entries (inside the appending transaction). */
  checkpointEvery?: number
}

/**
 * The tamper-evident ledger: append-only SM3 hash chain, RFC 6962 Merkle checkpoints signed with
 * the platform SM2 key, inclusion proofs and verification. It is the audit log's LedgerAppender.
 */
export function createLedgerService(deps: LedgerDeps, opts: LedgerOptions = {}) {
  const { db, clock } = deps
  const every = Math.max(1, Math.floor(opts.checkpointEvery ?? 64))
  const keyCache = new Map<string, { sealed: string; pair: Sm2KeyPair }>()

  /** The active signing key, opened from its sealed form; created (or replaced) under the head lock. */
  async function signingKey(store: LedgerStore): Promise<{ id: string; pair: Sm2KeyPair }> {
    const secret = deps.config.SECRET_KEY
    if (!secret) throw new SigningUnavailableError()
    const row = await store.activeKey()
    if (row) {
      const cached = keyCache.get(row.id)
      if (cached && cached.sealed === row.private_key_sealed && cached.pair.publicKeyHex === row.public_key) return { id: row.id, pair: cached.pair }
      try {
        const privateKeyHex = unseal(secret, KEY_CONTEXT, row.private_key_sealed, row.public_key).toString('hex')
        if (sm2PublicKeyOf(privateKeyHex) !== row.public_key) throw new Error('sealed key does not match its public key')
        const pair = { privateKeyHex, publicKeyHex: row.public_key }
        keyCache.set(row.id, { sealed: row.private_key_sealed, pair })
        return { id: row.id, pair }
      } catch (err) {
        // The secret changed (or the row did): old checkpoints stay verifiable by their public key; sign on with a new one.
        deps.logger?.warn({ keyId: row.id, reason: err instanceof Error ? err.message : String(err) }, 'ledger signing key cannot be opened; retiring it')
        await store.retireKey(row.id, clock.now())
      }
    }
    const pair = sm2GenerateKeyPair()
    const id = newId('lsk')
    const sealed = seal(secret, KEY_CONTEXT, Buffer.from(pair.privateKeyHex, 'hex'), pair.publicKeyHex)
    await store.insertKey({ id, algorithm: 'SM2', public_key: pair.publicKeyHex, private_key_sealed: sealed, created_at: clock.now(), retired_at: null })
    keyCache.set(id, { sealed, pair })
    return { id, pair }
  }

  /** Signs the root of the first `frontier.size` entries; the caller holds the head lock. */
  async function signCheckpoint(trx: Db, frontier: MerkleFrontier): Promise<Checkpoint> {
    const store = createLedgerStore(trx)
    const key = await signingKey(store)
    const fromSeq = (await store.maxCheckpointSize()) + 1
    const at = clock.now()
    const root = frontier.root().toString('hex')
    const treeSize = frontier.size
    const signature = sm2Sign(checkpointMessage({ treeSize, root, at: at.toISOString() }), key.pair).toString('hex')
    const row = { id: newId('ckp'), tree_size: treeSize, from_seq: fromSeq, root, signature, key_id: key.id, at }
    await store.insertCheckpoint(row)
    const checkpoint = toCheckpoint({ ...row, public_key: key.pair.publicKeyHex })
    await deps.outbox?.add(trx, { type: 'ledger.checkpoint.created', subject: checkpoint.id, data: checkpoint })
    return checkpoint
  }

  /** The head's frontier; rebuilt from stored hashes if the cached copy does not fit (never blocks appends). */
  async function frontierOf(store: LedgerStore, head: { seq: number; frontier: string[] }): Promise<MerkleFrontier> {
    try {
      return MerkleFrontier.restore(head.seq, head.frontier)
    } catch {
      deps.logger?.error({ seq: head.seq }, 'ledger head frontier is inconsistent; rebuilding it from the entries')
      const f = MerkleFrontier.empty()
      for (let after = 0; ; ) {
        const rows = await store.hashesAfter(after, head.seq + 1, BATCH)
        if (!rows.length) break
        for (const r of rows) f.push(leafHash(r.hash))
        after = rows[rows.length - 1]!.seq
      }
      return f
    }
  }

  /** The latest checkpoint, first signing one over the head when none covers it yet. */
  async function checkpointCovering(seq: number): Promise<Checkpoint | null> {
    const latest = await createLedgerStore(db).latestCheckpoint()
    if (latest && latest.tree_size >= seq) return toCheckpoint(latest)
    return service.checkpoint()
  }

  /** Hash of a perfect subtree from the node cache, else from its leaves. */
  async function pieceHashes(store: LedgerStore, pieces: Subtree[], useCache: boolean): Promise<Map<string, Buffer>> {
    const key = (p: Subtree) => `${p.level}:${p.index}`
    const out = new Map<string, Buffer>()
    if (useCache) {
      const cached = await store.nodes(pieces.filter((p) => p.level >= NODE_MIN_LEVEL).map((p) => ({ level: p.level, idx: p.index })))
      for (const n of cached) out.set(`${n.level}:${n.idx}`, Buffer.from(n.hash, 'hex'))
    }
    const missing = pieces.filter((p) => !out.has(key(p)))
    const span = (p: Subtree) => ({ from: p.index * 2 ** p.level + 1, to: (p.index + 1) * 2 ** p.level })
    const rows = await store.hashesIn(missing.map(span))
    const bySeq = new Map(rows.map((r) => [r.seq, r.hash]))
    for (const p of missing) {
      const { from, to } = span(p)
      const leaves: Buffer[] = []
      for (let seq = from; seq <= to; seq++) {
        const h = bySeq.get(seq)
        if (h !== undefined) leaves.push(leafHash(h))
      }
      out.set(key(p), merkleRoot(leaves))
    }
    return out
  }

  /** RFC 6962 audit path for `seq` in the checkpoint's tree, from O(log n) cached subtrees. */
  async function inclusionProof(entry: Entry, checkpoint: Checkpoint): Promise<InclusionProof> {
    const store = createLedgerStore(db)
    const leafIndex = entry.seq - 1
    const ranges = auditPathRanges(leafIndex, checkpoint.treeSize).map(piecesOf)
    const unique = new Map(ranges.flat().map((p) => [`${p.level}:${p.index}`, p]))
    const build = async (useCache: boolean) => {
      const hashes = await pieceHashes(store, [...unique.values()], useCache)
      return ranges.map((pieces) => foldPieces(pieces.map((p) => hashes.get(`${p.level}:${p.index}`)!)))
    }
    const root = Buffer.from(checkpoint.root, 'hex')
    let path = await build(true)
    if (!verifyInclusion(leafHash(entry.hash), leafIndex, checkpoint.treeSize, path, root)) {
      // A damaged cache must not cost a valid proof; a damaged log yields a proof that honestly fails.
      deps.logger?.warn({ seq: entry.seq, checkpoint: checkpoint.id }, 'ledger proof from cached nodes failed; recomputing from entries')
      path = await build(false)
    }
    return { checkpointId: checkpoint.id, treeSize: checkpoint.treeSize, leafIndex, root: checkpoint.root, path: path.map((p) => p.toString('hex')) }
  }

  /** The head as this process last moved it with `appendWith` (null: read it first). */
  let knownHead: HeadRow | null = null
  /** `appendWith` calls, one at a time in this process (they would only fail one another). */
  let appendQueue: Promise<unknown> = Promise.resolve()

  /** The entry after `head`, its hash, the head's new frontier and the subtrees it completes. */
  function nextEntry(head: HeadRow, frontier: MerkleFrontier, input: { kind: string; payload: Record<string, unknown> }) {
    if (typeof input.kind !== 'string' || !input.kind || input.kind.length > 100) throw new TypeError('ledger entry kind must be 1..100 characters')
    const seq = head.seq + 1
    const at = clock.now()
    // Hash exactly what jsonb will hand back (toJSON applied, undefined members gone).
    const payload = JSON.parse(JSON.stringify(input.payload ?? {})) as Record<string, unknown>
    const hash = entryHash({ seq, kind: input.kind, payload, at: at.toISOString(), prevHash: head.hash })
    const completed = frontier.push(leafHash(hash))
    const nodes = completed.filter((n) => n.level >= NODE_MIN_LEVEL).map((n) => ({ level: n.level, idx: n.index, hash: n.hash.toString('hex') }))
    return { entry: { seq, kind: input.kind, payload, at, prev_hash: head.hash, hash } satisfies EntryRow, frontier, nodes }
  }

  const service = {
    /**
     * Appends an entry inside the caller's transaction. The head row lock serialises concurrent
     * appenders until that transaction ends, so seq stays gap-free and the chain linear.
     */
    async append(trx: Db, input: { kind: string; payload: Record<string, unknown> }): Promise<{ seq: number; hash: string }> {
      if (!trx.isTransaction) return trx.transaction().execute((t) => service.append(t, input))
      if (typeof input.kind !== 'string' || !input.kind || input.kind.length > 100) throw new TypeError('ledger entry kind must be 1..100 characters')
      const store = createLedgerStore(trx)
      const head = await store.lockHead()
      const { entry, frontier, nodes } = nextEntry(head, await frontierOf(store, head), input)
      await store.appendEntry(entry, frontier.toJSON(), nodes)
      if (entry.seq % every === 0) await signCheckpoint(trx, frontier)
      return { seq: entry.seq, hash: entry.hash }
    },

    /**
     * Appends an entry together with the caller's change in ONE statement of the caller's, so the
     * head's row lock is held for that statement only, not for round trips until a COMMIT (every
     * other appender waits on it). `write` runs the statement on `ex` with `ledgerCtes` spliced into
     * its WITH list (after its own CTEs, comma first: `, ${ledgerCtes}`) and must fail as a whole
     * when its own change does not apply. The entry follows the head as this process last moved it;
     * when another appender moved it since, the statement fails, nothing is written, and it runs
     * again on the head read anew. An entry that completes a checkpoint, or a third attempt, goes
     * the locked way: `write(trx, null)` then `append` in one transaction.
     */
    async appendWith<T>(input: { kind: string; payload: Record<string, unknown> }, write: (ex: Db, ledgerCtes: RawBuilder<unknown> | null) => Promise<T>): Promise<T> {
      const run = async (): Promise<T> => {
        for (let attempt = 0; attempt < 2; attempt++) {
          const head = knownHead ?? (await createLedgerStore(db).readHead())
          knownHead = null
          if ((head.seq + 1) % every === 0) break
          let frontier: MerkleFrontier
          try {
            frontier = MerkleFrontier.restore(head.seq, head.frontier)
          } catch {
            break // the locked way rebuilds it
          }
          const next = nextEntry(head, frontier, input)
          const json = next.frontier.toJSON()
          try {
            const result = await oneStatement(db, (ex) => write(ex, createLedgerStore(ex).appendCtes(next.entry, head.seq, json, next.nodes)))
            knownHead = { seq: next.entry.seq, hash: next.entry.hash, frontier: json }
            return result
          } catch (err) {
            if (!isAppendConflict(err)) throw err
          }
        }
        return db.transaction().execute(async (trx) => {
          const result = await write(trx, null)
          await service.append(trx, input)
          return result
        })
      }
      const done = appendQueue.then(run, run)
      appendQueue = done.catch(() => undefined)
      return done
    },

    /** Signs a checkpoint over every entry so far (or returns the one that already covers them); null when empty. */
    async checkpoint(): Promise<Checkpoint | null> {
      return db.transaction().execute(async (trx) => {
        const store = createLedgerStore(trx)
        const head = await store.lockHead()
        if (head.seq === 0) return null
        const latest = await store.latestCheckpoint()
        if (latest && latest.tree_size >= head.seq) return toCheckpoint(latest)
        return signCheckpoint(trx, await frontierOf(store, head))
      })
    },

    /**
     * An entry with its inclusion proof against the latest checkpoint (signed on demand if none covers it yet).
     * @throws EntryNotFoundError
     */
    async getEntry(seq: number): Promise<{ entry: Entry; proof: InclusionProof | null }> {
      const row = await createLedgerStore(db).entry(seq)
      if (!row) throw new EntryNotFoundError(seq)
      const entry = toEntry(row)
      const checkpoint = await checkpointCovering(seq)
      // Only a row beyond the head (i.e. one slipped in by hand) can be left uncovered.
      return { entry, proof: checkpoint && checkpoint.treeSize >= seq ? await inclusionProof(entry, checkpoint) : null }
    },

    /** Entries, newest first. */
    async listEntries(page: { page: number; pageSize: number }): Promise<{ items: Entry[]; total: number; page: number; pageSize: number }> {
      const store = createLedgerStore(db)
      const [rows, total] = [await store.listEntries(page.pageSize, (page.page - 1) * page.pageSize), await store.countEntries()]
      return { items: rows.map(toEntry), total, page: page.page, pageSize: page.pageSize }
    },

    /**
     * The newest checkpoint; the first one is signed on demand once there are entries.
     * @throws EmptyLedgerError
     */
    async latestCheckpoint(): Promise<Checkpoint> {
      const latest = await createLedgerStore(db).latestCheckpoint()
      if (latest) return toCheckpoint(latest)
      const made = await service.checkpoint()
      if (!made) throw new EmptyLedgerError()
      return made
    },

    /** @throws CheckpointNotFoundError */
    async getCheckpoint(id: string): Promise<Checkpoint> {
      const row = await createLedgerStore(db).checkpoint(id)
      if (!row) throw new CheckpointNotFoundError()
      return toCheckpoint(row)
    },

    /** The platform's current SM2 public key (created on first use); the private key never leaves the server. */
    async publicKey(): Promise<{ algorithm: 'SM2'; publicKeyHex: string; pem: string }> {
      const existing = await createLedgerStore(db).activeKey()
      let publicKeyHex = existing?.public_key
      if (!existing || !keyCache.has(existing.id)) {
        publicKeyHex = await db.transaction().execute(async (trx) => {
          const store = createLedgerStore(trx)
          await store.lockHead()
          return (await signingKey(store)).pair.publicKeyHex
        })
      }
      return { algorithm: 'SM2', publicKeyHex: publicKeyHex!, pem: sm2PublicKeyToPem(publicKeyHex!) }
    },

    /**
     * Verifies the chain and checkpoints in the range (default: all) and records who asked in the
     * audit log; a failed verification is security-relevant and so also lands on the ledger.
     * @throws InvalidRangeError when fromSeq > toSeq
     */
    async verify(range: VerifyRange = {}, actor?: AuditActor): Promise<VerifyResult> {
      if (range.fromSeq !== undefined && range.toSeq !== undefined && range.fromSeq > range.toSeq) throw new InvalidRangeError()
      const result = await verifyLedger(db, range)
      if (actor && deps.audit) {
        const audit = deps.audit
        await db.transaction().execute((trx) =>
          audit.record(trx, actor, {
            action: 'ledger.verify.completed',
            targetType: 'ledger',
            outcome: result.ok ? 'success' : 'failure',
            detail: { fromSeq: range.fromSeq ?? null, toSeq: range.toSeq ?? null, checked: result.checked, firstBroken: result.firstBroken },
            security: !result.ok,
          }),
        )
      }
      return result
    },
  } satisfies LedgerAppender & Record<string, unknown>

  return service
}

/** The ledger module's public service. */
export type LedgerService = ReturnType<typeof createLedgerService>
