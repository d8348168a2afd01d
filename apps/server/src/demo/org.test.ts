import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../test/harness.js'
import { demoAgencyCreditCode, demoDepartmentId, demoDepartments, seedOrgDemo } from './org.js'

let t: TestApp
let firstRunMs: number

beforeAll(async () => {
  t = await createTestApp()
  const started = performance.now()
  await seedOrgDemo(t.core, t.services)
  firstRunMs = performance.now() - started
}, 120_000)
afterAll(async () => {
  await t?.close()
})

async function counts() {
  const r = await sql<{ divisions: number; departments: number; positions: number; cells: number }>`
    select (select count(*) from org.division) as divisions, (select count(*) from org.department) as departments,
      (select count(*) from org.position) as positions, (select count(*) from org.grid_cell) as cells`.execute(t.core.db)
  return r.rows[0]
}

describe('org demo seeder', () => {
  it('loads the national tree to streets, the communities of 忻州市, departments and grid cells', async () => {
    const c = await counts()
    expect(c.divisions).toBeGreaterThan(44_000)
    expect(c.departments).toBe(demoDepartments.length)
    expect(c.cells).toBeGreaterThanOrEqual(8)
    expect((await t.services.org.getDivision('440106011'))?.fullName).toBe('广东省广州市天河区棠下街道')
    expect((await t.services.org.listChildren('140902003')).length).toBeGreaterThan(3)
    expect(firstRunMs).toBeLessThan(60_000)
  })

  it('adds nothing when run again', async () => {
    const before = await counts()
    expect(await seedOrgDemo(t.core, t.services)).toEqual([])
    expect(await counts()).toEqual(before)
  })

  it('finds demo departments by name for other seeders', async () => {
    const id = await demoDepartmentId(t.services, '忻州市行政审批服务管理局')
    const d = await t.services.org.getDepartment(id)
    expect(d).toMatchObject({ divisionCode: '140900', divisionName: '忻州市', shortName: '市审批局' })
    expect(d?.creditCode).toBe(demoAgencyCreditCode('140900', '忻州市行政审批服务管理局'))
    await expect(demoDepartmentId(t.services, '不存在的局')).rejects.toThrow()
  })

  it('gives agencies credit codes with valid GB 32100 check characters', () => {
    const chars = '0123456789ABCDEFGHJKLMNPQRTUWXY'
    for (const d of demoDepartments) {
      const code = demoAgencyCreditCode(d.divisionCode, d.name)
      expect(code).toMatch(/^11\d{6}[0-9A-Z]{9}[0-9A-HJ-NPQRTUWXY]$/)
      const sum = [...code].reduce((s, ch, i) => s + chars.indexOf(ch) * (i < 17 ? 3 ** i % 31 : 1), 0)
      expect(sum % 31).toBe(0)
    }
  })
})
