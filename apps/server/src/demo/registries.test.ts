import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkCreditCode, checkIdNumber } from '../modules/identity/index.js'
import { systemActor } from '../platform/audit.js'
import { createTestApp, type TestApp } from '../test/harness.js'
import { seedIdentityDemo } from './identity.js'
import { demoDepartments } from './org.js'
import { approximateOutline, seedRegistriesDemo } from './registries.js'

let t: TestApp
const why = '演示数据核对'

beforeAll(async () => {
  t = await createTestApp()
  // The org demo on 忻州's part of the division tree only (the national tree is slow), then identity's.
  const { org } = t.services
  await org.importDivisions({ within: '140900' })
  await org.importCommunities({ within: '140902' })
  for (const d of demoDepartments.filter((x) => x.divisionCode.length <= 9)) {
    await org.createDepartment(systemActor, { name: d.name, divisionCode: d.divisionCode, kind: d.kind })
  }
  for (const name of ['北关社区第一网格', '北关社区第二网格']) await org.createGridCell(systemActor, { communityCode: '140902003001', name })
  await seedIdentityDemo(t.core, t.services)
  await seedRegistriesDemo(t.core, t.services)
}, 120_000)
afterAll(async () => {
  await t?.close()
})

describe('registries demo data', () => {
  it('holds every demo citizen of identity with the same name and ID number', async () => {
    const { identity, registries } = t.services
    const people = await identity.listAccounts('system', { kind: 'person', pageSize: 100 })
    expect(people.total).toBeGreaterThanOrEqual(50)
    for (const a of people.items) {
      const idNumber = (await identity.revealIdNumber(a.id))!
      const p = await registries.getPersonByIdNumber(idNumber, why, 'system')
      expect(p, a.name).toMatchObject({ name: a.name, idNumber, householdDivisionCode: expect.stringMatching(new RegExp(`^${a.divisionCode}`)) })
    }
  })

  it('holds every demo enterprise with the same credit code, and a legal representative from the population registry', async () => {
    const { identity, registries } = t.services
    const legal = await identity.listAccounts('system', { kind: 'legal', pageSize: 100 })
    expect(legal.total).toBeGreaterThanOrEqual(10)
    for (const a of legal.items) {
      const e = await registries.getEntityByCreditCode(a.creditCode!, why, 'system')
      expect(e, a.name).toMatchObject({ name: a.name, creditCode: a.creditCode, divisionCode: a.divisionCode })
      expect(checkCreditCode(e!.creditCode).ok).toBe(true)
      expect(e!.legalRepresentative.personId).toMatch(/^prs_/)
      expect(checkIdNumber(e!.legalRepresentative.idNumber!).ok).toBe(true)
    }
    const revoked = await registries.searchEntities({ status: 'revoked' }, { page: 1, pageSize: 10 }, why, 'system')
    expect(revoked.items.map((e) => e.name)).toEqual(['繁峙县金山石材有限公司'])
    expect((await registries.entityHistory(revoked.items[0]!.id, why, 'system')).at(-1)).toMatchObject({ field: 'status', newValue: 'revoked' })
  })

  it('groups citizens into households with one head each, valid ID numbers throughout', async () => {
    const { registries } = t.services
    const everyone = await registries.searchPersons({}, { page: 1, pageSize: 100 }, why, 'system')
    const more = await registries.searchPersons({}, { page: 2, pageSize: 100 }, why, 'system')
    const persons = [...everyone.items, ...more.items]
    expect(everyone.total).toBeGreaterThan(80)
    const households = new Set(persons.map((p) => p.householdId).filter(Boolean))
    expect(households.size).toBeGreaterThanOrEqual(25)
    for (const id of households) {
      const h = await registries.getHousehold(id!, why, 'system')
      expect(h.members.filter((m) => m.relation === 'head')).toHaveLength(1)
      for (const m of h.members) expect(checkIdNumber(m.idNumber).ok, m.idNumber).toBe(true)
    }
    // The listed demo citizen (phone 13900001409) heads a household.
    const demoCitizen = (await t.services.identity.listAccounts('system', { kind: 'person', q: '13900001409' })).items[0]!
    const own = await registries.householdForAccount(demoCitizen.id, why, 'system')
    expect(own?.members.find((m) => m.relation === 'head')?.name).toBe(demoCitizen.name)
  })

  it('has credit entries, approximate outlines of the 14 counties and six years of indicators', async () => {
    const { registries } = t.services
    const credit = await registries.listCreditEntries({}, { page: 1, pageSize: 20 }, why, 'system')
    expect(credit.items.map((c) => c.list).sort()).toEqual(['black', 'black', 'red', 'red', 'red'])
    const outlines = await registries.boundaries({ within: '140900' }, why, 'system')
    expect(outlines).toHaveLength(14)
    for (const f of outlines) {
      expect(f.properties.approximate).toBe(true)
      const ring = (f.geometry.coordinates as number[][][])[0]!
      expect(ring[0]).toEqual(ring.at(-1))
    }
    const city = await registries.indicatorSeries('140900', 'gdp', why, 'system')
    expect(city.points.map((p) => p.period)).toEqual(['2019', '2020', '2021', '2022', '2023', '2024'])
    const counties = await registries.listIndicators({ code: 'gdp', from: '2024', to: '2024' }, why, 'system')
    const sum = counties.filter((s) => s.divisionCode !== '140900').reduce((s, x) => s + x.points[0]!.value, 0)
    expect(city.points.at(-1)!.value).toBeCloseTo(sum, 1)
    expect(city.points.at(-1)!.value).toBeGreaterThan(1000)
  })

  it('draws outlines as closed hexagons around the seat', () => {
    const ring = approximateOutline([112.734, 38.417], 1981)
    expect(ring).toHaveLength(7)
    const lngs = ring.map((p) => p[0]!)
    expect(Math.min(...lngs)).toBeLessThan(112.734)
    expect(Math.max(...lngs)).toBeGreaterThan(112.734)
  })

  it('adds nothing when run again', async () => {
    const before = await t.services.registries.stats()
    await seedRegistriesDemo(t.core, t.services)
    expect(await t.services.registries.stats()).toEqual(before)
  })
})
