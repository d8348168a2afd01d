import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../test/harness.js'
import { auditDigest, systemActor } from './audit.js'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t?.close())

describe('audit log', () => {
  it('puts a digest of security entries on the public ledger, never who acted on whom', async () => {
    const actor = { ...systemActor, actorId: 'acc_admin', actorName: '管理员' }
    const rec = await t.core.db.transaction().execute((trx) =>
      t.core.audit.record(trx, actor, { action: 'test.role.granted', targetType: 'account', targetId: 'acc_target', detail: { phone: '13812345678' }, security: true }),
    )
    expect(rec.detail).toEqual({ phone: '[phone]' })
    const entries = await t.services.ledger.listEntries({ page: 1, pageSize: 5 })
    const entry = entries.items.find((e: { payload: Record<string, unknown> }) => e.payload.auditId === rec.id)
    expect(entry?.payload).toEqual({ auditId: rec.id, at: rec.at.toISOString(), action: 'test.role.granted', outcome: 'success', digest: auditDigest(rec) })
    expect(JSON.stringify(entry)).not.toContain('acc_target')

    // A later edit of the private audit row no longer matches the digest on the ledger.
    await sql`update platform.audit_log set target_id = 'acc_other' where id = ${rec.id}`.execute(t.core.db)
    const { items } = await t.core.audit.list({ targetId: 'acc_other' }, { limit: 1, offset: 0 })
    expect(auditDigest(items[0]!)).not.toBe(entry?.payload.digest)
  })

  it('keeps ordinary entries off the ledger', async () => {
    const before = (await t.services.ledger.listEntries({ page: 1, pageSize: 1 })).total
    await t.core.db.transaction().execute((trx) => t.core.audit.record(trx, systemActor, { action: 'test.viewed' }))
    expect((await t.services.ledger.listEntries({ page: 1, pageSize: 1 })).total).toBe(before)
  })
})
