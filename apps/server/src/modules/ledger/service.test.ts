import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../db/database.js'
import { auditDigest, systemActor } from '../../platform/audit.js'
import { sm2GenerateKeyPair, sm2PublicKeyOf, sm2Sign, sm3Hex, canonicalJson, unseal } from '../../platform/gm.js'
import { createTestCore, type TestCore } from '../../test/harness.js'
import { leafHash, verifyInclusion } from './merkle.js'
import {
  GENESIS_HASH, checkpointMessage, createLedgerService, entryHash, verifyLedger, type LedgerService, type VerifyResult,
} from './service.js'

let t: TestCore
let ledger: LedgerService
let db: Db

/** Appends n entries, each in its own transaction as a request would. */
async function appendMany(n: number, kind = 'test.event') {
  const out: { seq: number; hash: string }[] = []
  for (let i = 0; i < n; i++) {
    out.push(await db.transaction().execute((trx) => ledger.append(trx, { kind, payload: { n: i, targetId: `acc_${i}` } })))
  }
  return out
}

class Rollback extends Error {}

/**
 * Tampers with the committed ledger the way a database operator could (append-only triggers off,
 * then raw SQL), verifies, and rolls everything back so each case starts from the same 20 entries.
 */
async function verifyAfter(tamper: (trx: Db) => Promise<unknown>, opts: { publicKeys?: string[] } = {}): Promise<VerifyResult> {
  let result: VerifyResult | undefined
  await db
    .transaction()
    .execute(async (trx) => {
      await sql`alter table ledger.entry disable trigger user`.execute(trx)
      await sql`alter table ledger.checkpoint disable trigger user`.execute(trx)
      await tamper(trx)
      result = await verifyLedger(trx, {}, opts)
      throw new Rollback()
    })
    .catch((e) => {
      if (!(e instanceof Rollback)) throw e
    })
  return result!
}

const run = (trx: Db, text: string) => sql.raw(text).execute(trx)

/** Re-hashes entries from `fromSeq` on so every hash and link is consistent again, and moves the head. */
async function rechain(trx: Db, fromSeq: number) {
  const rows = (await sql<{ seq: number; kind: string; payload: Record<string, unknown>; at: Date; prev_hash: string; hash: string }>`
    select * from ledger.entry where seq >= ${fromSeq - 1} order by seq`.execute(trx)).rows
  let prev = rows[0]!.seq === fromSeq - 1 ? rows.shift()!.hash : GENESIS_HASH
  for (const r of rows) {
    const hash = entryHash({ seq: r.seq, kind: r.kind, payload: r.payload, at: r.at.toISOString(), prevHash: prev })
    await sql`update ledger.entry set prev_hash = ${prev}, hash = ${hash} where seq = ${r.seq}`.execute(trx)
    prev = hash
  }
  await sql`update ledger.head set hash = ${prev}`.execute(trx)
}

beforeAll(async () => {
  t = await createTestCore()
  db = t.core.db
  ledger = createLedgerService(t.core, { checkpointEvery: 8 })
  t.core.audit.setLedger(ledger)
})
afterAll(async () => {
  await t?.close()
})

describe('appending', () => {
  it('starts empty: no checkpoint, and verification of nothing is ok', async () => {
    expect(await ledger.checkpoint()).toBeNull()
    expect(await verifyLedger(db)).toEqual({ ok: true, checked: 0, checkpointsChecked: 0, firstBroken: null })
  })

  it('chains entries from the genesis hash with SM3 over canonical JSON', async () => {
    const [first, second] = await appendMany(2)
    expect(first!.seq).toBe(1)
    expect(second!.seq).toBe(2)
    const { entry: e1 } = await ledger.getEntry(1)
    const { entry: e2 } = await ledger.getEntry(2)
    expect(e1.prevHash).toBe(GENESIS_HASH)
    expect(e2.prevHash).toBe(e1.hash)
    expect(e1.hash).toBe(sm3Hex(canonicalJson({ seq: 1, kind: 'test.event', payload: { n: 0, targetId: 'acc_0' }, at: e1.at, prevHash: GENESIS_HASH })))
    expect(e1.hash).toBe(first!.hash)
  })

  it('leaves nothing behind when the caller rolls back, and reuses the seq', async () => {
    await db
      .transaction()
      .execute(async (trx) => {
        await ledger.append(trx, { kind: 'test.event', payload: { doomed: true } })
        throw new Rollback()
      })
      .catch((e) => {
        if (!(e instanceof Rollback)) throw e
      })
    const [next] = await appendMany(1)
    expect(next!.seq).toBe(3)
  })

  it('serialises concurrent appends from many transactions into one gap-free chain', async () => {
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        db.transaction().execute(async (trx) => {
          for (let k = 0; k < 3; k++) await ledger.append(trx, { kind: 'test.concurrent', payload: { worker: i, k } })
        }),
      ),
    )
    const head = await sql<{ seq: number }>`select seq from ledger.head`.execute(db)
    expect(head.rows[0]!.seq).toBe(27)
    const seqs = (await sql<{ seq: number }>`select seq from ledger.entry order by seq`.execute(db)).rows.map((r) => r.seq)
    expect(seqs).toEqual(Array.from({ length: 27 }, (_, i) => i + 1))
    expect((await verifyLedger(db)).ok).toBe(true)
  })

  it('appends in the statement of the caller (appendWith): gap-free with other appenders, over checkpoints, nothing on failure', async () => {
    const before = Number((await sql<{ seq: number }>`select seq from ledger.head`.execute(db)).rows[0]!.seq)
    const other = createLedgerService(t.core, { checkpointEvery: 8 })
    /** A caller's statement: its own CTE (a row of its own) with the ledger's after it. */
    const withRow = (tag: string, opts: { fail?: boolean } = {}) => (ex: Db, ctes: Parameters<Parameters<LedgerService['appendWith']>[1]>[1]) =>
      sql`with mine as (select ${tag}::text as tag where ${!opts.fail})${ctes ? sql`, ${ctes}` : sql``}
        select (select tag from mine)::int as n`.execute(ex).then((r) => r.rows[0])
    const results = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        // Another process's appender moves the head under this one's feet every few entries.
        if (i % 4 === 1) {
          await db.transaction().execute((trx) => other.append(trx, { kind: 'test.other', payload: { i } }))
        }
        return ledger.appendWith({ kind: 'test.with', payload: { i } }, withRow(String(i)))
      }),
    )
    expect(results.map((r) => Number((r as { n: number }).n))).toEqual(Array.from({ length: 12 }, (_, i) => i))
    // One after another too: this process knows the head, another appender moves it, the statement fails and runs again.
    // (Twice: an entry that completes a checkpoint goes the locked way and leaves the head unknown.)
    for (const round of [0, 1]) {
      await ledger.appendWith({ kind: 'test.with', payload: { step: 'a', round } }, withRow('100'))
      await db.transaction().execute((trx) => other.append(trx, { kind: 'test.other', payload: { step: 'b', round } }))
      expect(await ledger.appendWith({ kind: 'test.with', payload: { step: 'c', round } }, withRow('101'))).toEqual({ n: 101 })
    }
    // A statement that fails as a whole writes no entry; the next one carries on from the same head.
    await expect(ledger.appendWith({ kind: 'test.with', payload: { doomed: true } }, withRow('not a number'))).rejects.toThrow()
    await ledger.appendWith({ kind: 'test.with', payload: { last: true } }, withRow('99'))
    const rows = (await sql<{ seq: number; kind: string; payload: Record<string, unknown> }>`select seq, kind, payload from ledger.entry where seq > ${before} order by seq`.execute(db)).rows
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 22 }, (_, i) => before + i + 1))
    expect(rows.filter((r) => r.kind === 'test.other')).toHaveLength(5)
    expect(rows.filter((r) => r.payload.doomed)).toHaveLength(0)
    const head = (await sql<{ seq: number }>`select seq from ledger.head`.execute(db)).rows[0]!.seq
    expect(Number(head)).toBe(before + 22)
    // Checkpoints still come every 8 entries (those entries go the locked way).
    const sizes = (await sql<{ tree_size: number }>`select tree_size from ledger.checkpoint where tree_size > ${before} order by tree_size`.execute(db)).rows.map((r) => Number(r.tree_size))
    expect(sizes).toEqual(Array.from({ length: 22 }, (_, i) => before + i + 1).filter((n) => n % 8 === 0))
    expect(await verifyLedger(db)).toMatchObject({ ok: true, firstBroken: null })
  })

  it('opens its own transaction when handed the pool, and hashes what jsonb stores', async () => {
    const r = await ledger.append(db, { kind: 'test.pool', payload: { when: new Date('2026-01-01T00:00:00Z'), gone: undefined } as never })
    const { entry } = await ledger.getEntry(r.seq)
    expect(entry.payload).toEqual({ when: '2026-01-01T00:00:00.000Z' })
    expect((await verifyLedger(db)).ok).toBe(true)
  })

  it('takes security-relevant audit records onto the ledger', async () => {
    const rec = await db.transaction().execute((trx) =>
      t.core.audit.record(trx, systemActor, { action: 'identity.role.granted', targetType: 'account', targetId: 'acc_x', security: true }),
    )
    const { items } = await ledger.listEntries({ page: 1, pageSize: 1 })
    expect(items[0]).toMatchObject({ kind: 'audit', payload: { auditId: rec.id, action: 'identity.role.granted', digest: auditDigest(rec) } })
    expect(JSON.stringify(items[0])).not.toContain('acc_x')
  })

  it('rebuilds a damaged Merkle frontier in the head row instead of refusing to append', async () => {
    await sql`update ledger.head set frontier = '["00"]'::jsonb`.execute(db)
    await appendMany(1)
    const cp = await ledger.checkpoint()
    expect((await verifyLedger(db)).ok).toBe(true)
    expect(cp!.treeSize).toBe((await sql<{ seq: number }>`select seq from ledger.head`.execute(db)).rows[0]!.seq)
  })

  it('refuses updates, deletes and truncation of entries and checkpoints at the database', async () => {
    await expect(sql`update ledger.entry set kind = 'x' where seq = 1`.execute(db)).rejects.toThrow(/append-only/)
    await expect(sql`delete from ledger.entry where seq = 1`.execute(db)).rejects.toThrow(/append-only/)
    await expect(sql`truncate ledger.entry`.execute(db)).rejects.toThrow(/append-only/)
    await expect(sql`delete from ledger.checkpoint`.execute(db)).rejects.toThrow(/append-only/)
  })
})

describe('checkpoints and proofs', () => {
  it('signs a checkpoint every N entries inside the appending transaction', async () => {
    const cps = (await sql<{ tree_size: number; from_seq: number }>`select tree_size, from_seq from ledger.checkpoint order by tree_size`.execute(db)).rows
    // 30 entries so far with N = 8: 8, 16, 24 (proofs and explicit calls above signed extra ones on demand).
    for (const size of [8, 16, 24]) expect(cps.map((c) => c.tree_size)).toContain(size)
    for (let i = 1; i < cps.length; i++) expect(cps[i]!.from_seq).toBe(cps[i - 1]!.tree_size + 1)
  })

  it('signs checkpoints that openssl pkeyutl -verify -digest sm3 accepts', async () => {
    const cp = await ledger.latestCheckpoint()
    const key = await ledger.publicKey()
    expect(key.publicKeyHex).toBe(cp.publicKey)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yiwang-ledger-'))
    try {
      fs.writeFileSync(path.join(dir, 'pub.pem'), key.pem)
      fs.writeFileSync(path.join(dir, 'msg'), checkpointMessage(cp))
      fs.writeFileSync(path.join(dir, 'sig.der'), Buffer.from(cp.signature, 'hex'))
      const args = ['pkeyutl', '-verify', '-pubin', '-inkey', 'pub.pem', '-rawin', '-in', 'msg', '-sigfile', 'sig.der', '-digest', 'sm3', '-pkeyopt', 'distid:1234567812345678']
      const ok = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' })
      expect(ok.stdout).toContain('Signature Verified Successfully')
      expect(ok.status).toBe(0)
      fs.writeFileSync(path.join(dir, 'msg'), checkpointMessage({ ...cp, treeSize: cp.treeSize + 1 }))
      expect(spawnSync('openssl', args, { cwd: dir }).status).not.toBe(0)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it('keeps the private key sealed at rest and never in the clear', async () => {
    const row = (await sql<{ public_key: string; private_key_sealed: string }>`select * from ledger.signing_key where retired_at is null`.execute(db)).rows[0]!
    const d = unseal(t.core.config.SECRET_KEY!, 'ledger.signing-key', row.private_key_sealed, row.public_key).toString('hex')
    expect(sm2PublicKeyOf(d)).toBe(row.public_key)
    expect(row.private_key_sealed).not.toContain(d)
  })

  it('proves every entry of a 100-entry ledger against the latest checkpoint, odd tree sizes included', async () => {
    const have = (await sql<{ seq: number }>`select seq from ledger.head`.execute(db)).rows[0]!.seq
    await appendMany(100 - have)
    for (const size of [100, 101]) {
      if (size === 101) await appendMany(1)
      // The latest checkpoint is the one proofs use; sign one over exactly `size` entries.
      expect((await ledger.checkpoint())!.treeSize).toBe(size)
      for (let seq = 1; seq <= size; seq++) {
        const { entry, proof } = await ledger.getEntry(seq)
        expect(proof, `seq ${seq}`).not.toBeNull()
        expect(proof!.treeSize).toBe(size)
        expect(proof!.leafIndex).toBe(seq - 1)
        const path = proof!.path.map((p) => Buffer.from(p, 'hex'))
        expect(verifyInclusion(leafHash(entry.hash), proof!.leafIndex, proof!.treeSize, path, Buffer.from(proof!.root, 'hex')), `seq ${seq} of ${size}`).toBe(true)
      }
    }
    // The cache really holds the big subtrees the proofs use.
    const levels = (await sql<{ level: number }>`select distinct level from ledger.node order by level`.execute(db)).rows.map((r) => r.level)
    expect(levels).toEqual([4, 5, 6])
  })

  it('still serves a valid proof when the node cache is damaged', async () => {
    await sql`update ledger.node set hash = ${sm3Hex('junk')} where level = 6`.execute(db)
    const { entry, proof } = await ledger.getEntry(3)
    expect(verifyInclusion(leafHash(entry.hash), proof!.leafIndex, proof!.treeSize, proof!.path.map((p) => Buffer.from(p, 'hex')), Buffer.from(proof!.root, 'hex'))).toBe(true)
  })

  it('signs on with a new key when the server secret changes; old checkpoints still verify', async () => {
    const other = createLedgerService({ ...t.core, config: { SECRET_KEY: 'another-secret-another-secret-another!' } }, { checkpointEvery: 8 })
    const before = await ledger.publicKey()
    await other.append(db, { kind: 'test.rotated', payload: {} })
    const made = await other.checkpoint()
    expect(made!.publicKey).not.toBe(before.publicKeyHex)
    expect((await verifyLedger(db)).ok).toBe(true)
    // Back to the original secret: that key was retired, so it too signs with a fresh key.
    await appendMany(1)
    expect((await ledger.checkpoint())!.publicKey).not.toBe(made!.publicKey)
    expect((await verifyLedger(db)).ok).toBe(true)
  })
})

describe('verification catches tampering', () => {
  let ctx: TestCore
  let saved: { db: Db; ledger: LedgerService }
  beforeAll(async () => {
    // A fresh ledger of exactly 20 entries, checkpoints at 8 and 16.
    saved = { db, ledger }
    ctx = await createTestCore()
    db = ctx.core.db
    ledger = createLedgerService(ctx.core, { checkpointEvery: 8 })
    await appendMany(20)
  })
  afterAll(async () => {
    ;({ db, ledger } = saved)
    await ctx?.close()
  })

  it('passes the untouched ledger: 20 entries, 2 checkpoints', async () => {
    expect(await verifyLedger(db)).toEqual({ ok: true, checked: 20, checkpointsChecked: 2, firstBroken: null })
  })

  it('catches a changed payload at that entry', async () => {
    const r = await verifyAfter((trx) => run(trx, `update ledger.entry set payload = jsonb_set(payload, '{n}', '999') where seq = 7`))
    expect(r).toMatchObject({ ok: false, firstBroken: { seq: 7, reason: 'hash-mismatch' }, checked: 6 })
  })

  it('catches a changed payload whose hash was recomputed too: the next link breaks', async () => {
    const r = await verifyAfter(async (trx) => {
      await run(trx, `update ledger.entry set payload = jsonb_set(payload, '{n}', '999') where seq = 7`)
      const row = (await sql<{ kind: string; payload: unknown; at: Date; prev_hash: string }>`select * from ledger.entry where seq = 7`.execute(trx)).rows[0]!
      const hash = entryHash({ seq: 7, kind: row.kind, payload: row.payload, at: row.at.toISOString(), prevHash: row.prev_hash })
      await sql`update ledger.entry set hash = ${hash} where seq = 7`.execute(trx)
    })
    expect(r.firstBroken).toEqual({ seq: 8, reason: 'link-broken' })
  })

  it('catches a rewritten chain (every later hash and link redone) by the signed checkpoint root', async () => {
    const r = await verifyAfter(async (trx) => {
      await run(trx, `update ledger.entry set payload = jsonb_set(payload, '{n}', '999') where seq = 12`)
      await rechain(trx, 12)
    })
    expect(r.firstBroken).toEqual({ seq: 16, reason: 'checkpoint-root-mismatch' })
  })

  it('catches a deleted entry', async () => {
    expect((await verifyAfter((trx) => run(trx, 'delete from ledger.entry where seq = 7'))).firstBroken).toEqual({ seq: 7, reason: 'gap' })
  })

  it('catches a deleted last entry and a changed last entry', async () => {
    expect((await verifyAfter((trx) => run(trx, 'delete from ledger.entry where seq = 20'))).firstBroken).toEqual({ seq: 20, reason: 'gap' })
    const r = await verifyAfter(async (trx) => {
      await run(trx, `update ledger.entry set payload = '{"n":-1}' where seq = 20`)
      const row = (await sql<{ kind: string; payload: unknown; at: Date; prev_hash: string }>`select * from ledger.entry where seq = 20`.execute(trx)).rows[0]!
      await sql`update ledger.entry set hash = ${entryHash({ seq: 20, kind: row.kind, payload: row.payload, at: row.at.toISOString(), prevHash: row.prev_hash })} where seq = 20`.execute(trx)
    })
    expect(r.firstBroken).toEqual({ seq: 20, reason: 'head-mismatch' })
  })

  it('catches an appended forged entry the head does not know', async () => {
    const r = await verifyAfter(async (trx) => {
      const prev = (await sql<{ hash: string; at: Date }>`select hash, at from ledger.entry where seq = 20`.execute(trx)).rows[0]!
      const at = prev.at.toISOString()
      const hash = entryHash({ seq: 21, kind: 'forged', payload: {}, at, prevHash: prev.hash })
      await sql`insert into ledger.entry values (21, 'forged', '{}'::jsonb, ${prev.at}, ${prev.hash}, ${hash})`.execute(trx)
    })
    expect(r.firstBroken).toEqual({ seq: 21, reason: 'head-mismatch' })
  })

  it('catches two entries swapped by seq', async () => {
    const r = await verifyAfter(async (trx) => {
      await run(trx, 'update ledger.entry set seq = 1000000 where seq = 5')
      await run(trx, 'update ledger.entry set seq = 5 where seq = 9')
      await run(trx, 'update ledger.entry set seq = 9 where seq = 1000000')
    })
    expect(r.firstBroken).toEqual({ seq: 5, reason: 'hash-mismatch' })
  })

  it('catches a changed checkpoint root and a forged checkpoint signature', async () => {
    const root = sm3Hex('forged root')
    expect((await verifyAfter((trx) => sql`update ledger.checkpoint set root = ${root} where tree_size = 16`.execute(trx))).firstBroken).toEqual({
      seq: 16, reason: 'checkpoint-root-mismatch',
    })
    const r = await verifyAfter(async (trx) => {
      const cp = (await sql<{ root: string; at: Date }>`select root, at from ledger.checkpoint where tree_size = 8`.execute(trx)).rows[0]!
      const sig = sm2Sign(checkpointMessage({ treeSize: 8, root: cp.root, at: cp.at.toISOString() }), sm2GenerateKeyPair()).toString('hex')
      await sql`update ledger.checkpoint set signature = ${sig} where tree_size = 8`.execute(trx)
    })
    expect(r.firstBroken).toEqual({ seq: 8, reason: 'checkpoint-signature-invalid' })
  })

  it('with a pinned public key, catches checkpoints re-signed under a swapped-in key', async () => {
    const real = (await ledger.publicKey()).publicKeyHex
    const forge = async (trx: Db) => {
      const attacker = sm2GenerateKeyPair()
      await sql`update ledger.signing_key set public_key = ${attacker.publicKeyHex}`.execute(trx)
      const cps = (await sql<{ tree_size: number; root: string; at: Date }>`select tree_size, root, at from ledger.checkpoint`.execute(trx)).rows
      for (const c of cps) {
        const sig = sm2Sign(checkpointMessage({ treeSize: c.tree_size, root: c.root, at: c.at.toISOString() }), attacker).toString('hex')
        await sql`update ledger.checkpoint set signature = ${sig} where tree_size = ${c.tree_size}`.execute(trx)
      }
    }
    expect((await verifyAfter(forge)).ok).toBe(true)
    expect((await verifyAfter(forge, { publicKeys: [real] })).firstBroken).toEqual({ seq: 8, reason: 'checkpoint-signature-invalid' })
  })

  it('detects changing, deleting or reordering any single row, at that row', async () => {
    for (let seq = 1; seq <= 20; seq++) {
      expect((await verifyAfter((trx) => run(trx, `update ledger.entry set kind = 'changed' where seq = ${seq}`))).firstBroken, `change ${seq}`).toEqual({ seq, reason: 'hash-mismatch' })
      expect((await verifyAfter((trx) => run(trx, `update ledger.entry set at = at + interval '1 second' where seq = ${seq}`))).firstBroken).toEqual({ seq, reason: 'hash-mismatch' })
      expect((await verifyAfter((trx) => run(trx, `delete from ledger.entry where seq = ${seq}`))).firstBroken, `delete ${seq}`).toEqual({ seq, reason: 'gap' })
      if (seq < 20) {
        const swapped = await verifyAfter(async (trx) => {
          await run(trx, `update ledger.entry set seq = 1000000 where seq = ${seq}`)
          await run(trx, `update ledger.entry set seq = ${seq} where seq = ${seq + 1}`)
          await run(trx, `update ledger.entry set seq = ${seq + 1} where seq = 1000000`)
        })
        expect(swapped.firstBroken, `swap ${seq}/${seq + 1}`).toEqual({ seq, reason: 'hash-mismatch' })
      }
    }
  })

  it('verifies a range: problems outside it are not reported, problems inside are', async () => {
    let r: VerifyResult | undefined
    await db
      .transaction()
      .execute(async (trx) => {
        await sql`alter table ledger.entry disable trigger user`.execute(trx)
        await run(trx, `update ledger.entry set kind = 'changed' where seq = 3`)
        r = await verifyLedger(trx, { fromSeq: 10, toSeq: 18 })
        expect(r).toEqual({ ok: true, checked: 9, checkpointsChecked: 1, firstBroken: null })
        await run(trx, `update ledger.entry set kind = 'changed' where seq = 12`)
        r = await verifyLedger(trx, { fromSeq: 10, toSeq: 18 })
        expect(r.firstBroken).toEqual({ seq: 12, reason: 'hash-mismatch' })
        throw new Rollback()
      })
      .catch((e) => {
        if (!(e instanceof Rollback)) throw e
      })
    expect((await verifyLedger(db, { fromSeq: 19 })).checked).toBe(2)
  })

  it('records who verified in the audit log', async () => {
    const result = await ledger.verify({}, { ...systemActor, actorId: 'acc_admin' })
    expect(result.ok).toBe(true)
    const { items } = await ctx.core.audit.list({ action: 'ledger.verify' }, { limit: 5, offset: 0 })
    expect(items[0]).toMatchObject({ actorId: 'acc_admin', action: 'ledger.verify.completed', outcome: 'success' })
  })
})
