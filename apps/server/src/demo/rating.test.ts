import fs from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Principal } from '../platform/roles.js'
import { createTestApp, type TestApp } from '../test/harness.js'
import { loadDemo } from './index.js'
import { seedRatingDemo } from './rating.js'

let t: TestApp

beforeAll(async () => {
  t = await createTestApp()
  await loadDemo(t.core, t.services)
}, 300_000)
afterAll(async () => {
  await t?.close()
  if (t) fs.rmSync(t.core.config.DATA_DIR, { recursive: true, force: true })
})

async function principal(kind: 'staff' | 'person', q: string): Promise<Principal> {
  const a = (await t.services.identity.listAccounts('system', { kind, q })).items[0]!
  return { accountId: a.id, sessionId: 't', kind, name: a.name, grants: a.roles.map(({ role, divisionCode, departmentId }) => ({ role, divisionCode, departmentId })) }
}

describe('rating demo seeder', () => {
  it('leaves the listed citizen a case to rate, publishes figures and gives xz.head a rectification; twice adds nothing', async () => {
    const citizen = await principal('person', '13900001409')
    const mine = await t.services.rating.listMine(citizen, {})
    expect(mine.items.filter((s) => s.canRate).length).toBeGreaterThan(0)

    const figures = await t.services.rating.publicStatistics({})
    expect(figures.overall.total).toBeGreaterThanOrEqual(2)
    expect(figures.overall.bad).toBeGreaterThanOrEqual(1)
    const head = await principal('staff', 'xz.head')
    expect((await t.services.rating.listRectifications(head, { status: 'open' })).total).toBeGreaterThanOrEqual(1)

    await seedRatingDemo(t.core, t.services)
    expect((await t.services.rating.publicStatistics({})).overall.total).toBe(figures.overall.total)
  })
})
