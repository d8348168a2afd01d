import fs from 'node:fs'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Principal } from '../platform/roles.js'
import { createTestApp, type TestApp } from '../test/harness.js'
import { seedCasesDemo } from './cases.js'
import { loadDemo } from './index.js'

let t: TestApp

beforeAll(async () => {
  t = await createTestApp()
  await loadDemo(t.core, t.services)
}, 180_000)
afterAll(async () => {
  await t?.close()
  if (t) fs.rmSync(t.core.config.DATA_DIR, { recursive: true, force: true })
})

async function byStatus(): Promise<Record<string, number>> {
  const r = await sql<{ status: string; n: number }>`select status, count(*)::int as n from cases.application group by status`.execute(t.core.db)
  return Object.fromEntries(r.rows.map((x) => [x.status, x.n]))
}

async function staff(username: string): Promise<Principal> {
  const a = (await t.services.identity.listAccounts('system', { kind: 'staff', q: username })).items.find((x) => x.username === username)!
  return { accountId: a.id, sessionId: 't', kind: 'staff', name: a.name, grants: a.roles.map(({ role, divisionCode, departmentId }) => ({ role, divisionCode, departmentId })) }
}

describe('cases demo seeder', () => {
  it('creates a few dozen cases in every state, numbered and with timelines', async () => {
    const counts = await byStatus()
    const total = Object.values(counts).reduce((a, b) => a + b, 0)
    expect(total).toBeGreaterThanOrEqual(30)
    for (const status of ['draft', 'submitted', 'supplement_requested', 'not_accepted', 'accepted', 'under_review', 'approved', 'denied', 'result_issued', 'delivered', 'closed', 'withdrawn']) {
      expect(counts[status], status).toBeGreaterThan(0)
    }
    const unnumbered = await sql<{ n: number }>`select count(*)::int as n from cases.application where status <> 'draft' and number is null`.execute(t.core.db)
    expect(unnumbered.rows[0]!.n).toBe(0)
  })

  it('fills the workbench queues of the demo staff, with lights', async () => {
    const cityClerk = await staff('xz.clerk')
    const counts = await t.services.cases.queueCounts(cityClerk)
    expect(counts.to_accept).toBeGreaterThan(0)
    expect(counts.to_supplement).toBeGreaterThan(0)
    expect(counts.overdue + counts.due_soon).toBeGreaterThan(0)
    expect((await t.services.cases.queueCounts(await staff('xz.reviewer'))).to_review).toBeGreaterThan(0)
    expect((await t.services.cases.queueCounts(await staff('xz.leader'))).to_decide).toBeGreaterThan(0)
    const xf = await t.services.cases.listQueue(await staff('xf.clerk'), 'to_accept')
    expect(xf.total).toBeGreaterThan(0)
    expect(xf.items.every((c) => c.divisionCode === '140902')).toBe(true)
    // 原平市's clerk has nothing of 忻府区 or the city.
    expect((await t.services.cases.listInReach(await staff('yp.clerk'))).total).toBe(0)
  })

  it('adds nothing when run again', async () => {
    const before = await byStatus()
    await seedCasesDemo(t.core, t.services)
    expect(await byStatus()).toEqual(before)
  })
})
