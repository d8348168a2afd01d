import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedIdentityDemo } from '../../demo/identity.js'
import type { DemoLogin } from '../../demo/index.js'
import { demoDepartments } from '../../demo/org.js'
import { systemActor } from '../../platform/audit.js'
import { createTestApp, type TestApp } from '../../test/harness.js'
import { checkCreditCode, checkIdNumber } from './validators.js'

let t: TestApp
let logins: DemoLogin[]
beforeAll(async () => {
  t = await createTestApp()
  // The org demo's departments, on 忻州's part of the division tree only (the full tree is slow).
  await t.services.org.importDivisions({ within: '140900' })
  for (const d of demoDepartments.filter((x) => x.divisionCode.length <= 9)) {
    await t.services.org.createDepartment(systemActor, { name: d.name, divisionCode: d.divisionCode, kind: d.kind })
  }
  logins = await seedIdentityDemo(t.core, t.services)
})
afterAll(async () => {
  await t?.close()
})

describe('identity demo data', () => {
  it('lists a login for a citizen, an enterprise and every staff role', () => {
    const roles = new Set(logins.map((l) => l.role))
    for (const r of ['citizen', 'enterprise_agent', 'window_clerk', 'reviewer', 'department_head', 'leader', 'data_admin', 'ops_operator', 'platform_admin']) {
      expect(roles.has(r), r).toBe(true)
    }
  })

  it('creates 50+ citizens with valid ID numbers and 10+ enterprises with valid credit codes in 忻州', async () => {
    const people = await t.services.identity.listAccounts('system', { kind: 'person', pageSize: 100 })
    expect(people.total).toBeGreaterThanOrEqual(50)
    for (const p of people.items) {
      expect(p.divisionCode).toMatch(/^1409\d\d$/)
      const id = await t.services.identity.revealIdNumber(p.id)
      expect(checkIdNumber(id!).ok, id!).toBe(true)
      expect(p.maskedPhone).toMatch(/^1[358]\d\*{4}\d{4}$/)
    }
    const firms = await t.services.identity.listAccounts('system', { kind: 'legal', pageSize: 100 })
    expect(firms.total).toBeGreaterThanOrEqual(10)
    for (const f of firms.items) expect(checkCreditCode(f.creditCode!)).toMatchObject({ ok: true, orgCodeValid: true })
    expect(firms.items.every((f) => f.divisionCode?.startsWith('1409'))).toBe(true)
  })

  it('lets every listed demo account sign in on its face', async () => {
    for (const l of logins) {
      const res = await t.app.inject({ method: 'POST', url: '/api/auth/login/password', payload: { username: l.username, password: l.password } })
      expect(res.statusCode, `${l.role} ${l.username}`).toBe(200)
    }
  })

  it('scopes the district window clerks to their districts', async () => {
    const xf = await t.app.inject({ method: 'POST', url: '/api/auth/login/password', payload: { username: 'xf.clerk', password: 'Demo@2026' } })
    expect(xf.json().account.roles).toMatchObject([{ role: 'window_clerk', divisionCode: '140902' }])
    const yp = await t.app.inject({ method: 'POST', url: '/api/auth/login/password', payload: { username: 'yp.clerk', password: 'Demo@2026' } })
    expect(yp.json().account.roles).toMatchObject([{ role: 'window_clerk', divisionCode: '140981' }])
  })

  it('adds nothing when run again', async () => {
    const count = async () => Number((await sql<{ n: number }>`select count(*) as n from identity.account`.execute(t.core.db)).rows[0].n)
    const before = await count()
    const again = await seedIdentityDemo(t.core, t.services)
    expect(await count()).toBe(before)
    expect(again).toEqual(logins)
  })
})
