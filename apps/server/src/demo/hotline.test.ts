import fs from 'node:fs'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Principal } from '../platform/roles.js'
import { createTestApp, type TestApp } from '../test/harness.js'
import { seedHotlineDemo } from './hotline.js'
import { seedIdentityDemo } from './identity.js'
import { seedOrgDemo } from './org.js'

let t: TestApp

beforeAll(async () => {
  t = await createTestApp()
  // Only what the hotline demo stands on (the whole demo takes minutes): the city's departments and staff.
  await seedOrgDemo(t.core, t.services)
  await seedIdentityDemo(t.core, t.services)
  await seedHotlineDemo(t.core, t.services)
}, 600_000)
afterAll(async () => {
  await t?.close()
  if (t) fs.rmSync(t.core.config.DATA_DIR, { recursive: true, force: true })
})

async function staff(username: string): Promise<Principal> {
  const a = (await t.services.identity.listAccounts('system', { kind: 'staff', q: username })).items.find((x) => x.username === username)!
  return { accountId: a.id, sessionId: 't', kind: 'staff', name: a.name, grants: a.roles.map(({ role, divisionCode, departmentId }) => ({ role, divisionCode, departmentId })) }
}

describe('hotline demo seeder', () => {
  it('loads rules, knowledge-base answers and tickets in many states, once', async () => {
    const r = await sql<{ status: string; n: number }>`select status, count(*)::int as n from hotline.ticket group by status`.execute(t.core.db)
    const counts = Object.fromEntries(r.rows.map((x) => [x.status, x.n]))
    for (const s of ['registered', 'dispatched', 'processing', 'replied', 'callback', 'closed']) expect(counts[s], s).toBeGreaterThan(0)
    const admin = await staff('rx.admin')
    expect((await t.services.hotline.rules(admin)).length).toBeGreaterThanOrEqual(10)
    const hits = await t.services.hotline.searchArticles({ q: '居住证怎么办理' })
    expect(hits.items[0]?.title).toContain('居住证')
    // A complaint at 新建路街道 goes to the street office, whose clerk signs in as xf.street.
    const street = await staff('xf.street')
    const queue = await t.services.hotline.listForDepartment(street, { queue: 'processing' })
    expect(queue.total).toBeGreaterThan(0)
    const before = await sql<{ n: number }>`select count(*)::int as n from hotline.ticket`.execute(t.core.db)
    await seedHotlineDemo(t.core, t.services)
    const after = await sql<{ n: number }>`select count(*)::int as n from hotline.ticket`.execute(t.core.db)
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n)
  })
})
