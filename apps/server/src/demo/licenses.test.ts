import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { systemActor } from '../platform/audit.js'
import type { Principal } from '../platform/roles.js'
import { createTestApp, type TestApp } from '../test/harness.js'
import { seedIdentityDemo } from './identity.js'
import { seedLicensesDemo } from './licenses.js'
import { demoDepartments } from './org.js'

let t: TestApp

beforeAll(async () => {
  t = await createTestApp()
  const { org } = t.services
  await org.importDivisions({ within: '140900' })
  for (const d of demoDepartments.filter((x) => x.divisionCode.length <= 6)) {
    await org.createDepartment(systemActor, { name: d.name, divisionCode: d.divisionCode, kind: d.kind })
  }
  await seedIdentityDemo(t.core, t.services)
  await seedLicensesDemo(t.core, t.services)
}, 120_000)
afterAll(async () => {
  await t?.close()
})

describe('licenses demo data', () => {
  it('fills the demo citizen\'s and the demo enterprise\'s wallets with valid, verifiable licenses, once', async () => {
    const { identity, licenses } = t.services
    const citizen = (await identity.listAccounts('system', { kind: 'person', q: '13900001409', pageSize: 1 })).items[0]!
    const legal = (await identity.listAccounts('system', { kind: 'legal', q: '91140921301127208P', pageSize: 1 })).items[0]!
    const asPerson: Principal = { accountId: citizen.id, sessionId: 'd1', kind: 'person', name: citizen.name, grants: [{ role: 'citizen', divisionCode: '140902', departmentId: null }] }
    const asLegal: Principal = { accountId: legal.id, sessionId: 'd2', kind: 'legal', name: legal.name, grants: [{ role: 'enterprise_agent', divisionCode: '140981', departmentId: null }] }
    const mine = await licenses.listMine(asPerson, {})
    expect(mine.items.map((l) => l.type).sort()).toEqual(['driving_licence', 'household_register', 'resident_id_card', 'social_security_card'])
    expect(mine.items.every((l) => l.status === 'valid')).toBe(true)
    const ent = await licenses.listMine(asLegal, {})
    expect(ent.items.map((l) => l.type).sort()).toEqual(['business_license', 'food_business_license'])
    const d = await licenses.getMine(asLegal, ent.items[0]!.id)
    expect((await licenses.verifyCode(d.verificationCode)).outcome).toBe('valid')
    await seedLicensesDemo(t.core, t.services)
    expect((await licenses.listMine(asPerson, {})).total).toBe(4)
  })
})
