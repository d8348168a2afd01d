import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { systemActor } from '../../platform/audit.js'
import { AppError, OutOfScopeError } from '../../platform/errors.js'
import { createTestCore, type TestCore } from '../../test/harness.js'
import { createOrgService, type OrgService } from './service.js'

let t: TestCore
let org: OrgService
let shanxi: number

beforeAll(async () => {
  t = await createTestCore()
  org = createOrgService(t.core)
  shanxi = await org.importDivisions({ within: '14' })
  await org.importCommunities({ within: '140902' })
})
afterAll(async () => {
  await t?.close()
})

/** The problem slug an AppError carries, for compact assertions. */
async function failure(p: Promise<unknown>): Promise<{ type: string; status: number }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(AppError)
  const { type, status } = err as AppError
  return { type, status }
}

describe('division import', () => {
  it('loads a province down to its streets with GB/T 2260 codes', async () => {
    expect(shanxi).toBeGreaterThan(1300)
    expect(await org.getDivision('140000')).toMatchObject({ name: '山西省', level: 'province', parentCode: null })
    expect(await org.getDivision('140900')).toMatchObject({ name: '忻州市', level: 'city', parentCode: '140000' })
    expect(await org.getDivision('140902')).toMatchObject({ name: '忻府区', level: 'county', parentCode: '140900' })
    expect(await org.getDivision('140902003')).toMatchObject({ name: '新建路街道', level: 'street', parentCode: '140902' })
    expect(await org.divisionExists('110000')).toBe(false)
  })

  it('adds nothing when run again', async () => {
    expect(await org.importDivisions({ within: '14' })).toBe(0)
    expect(await org.importDivisions({ within: '140900' })).toBe(0)
    expect(await org.importCommunities({ within: '140902' })).toBe(0)
  })

  it('loads the real communities and villages of a district under their streets', async () => {
    const north = await org.getDivision('140902003001')
    expect(north).toMatchObject({ name: '北关社区居民委员会', level: 'community', parentCode: '140902003', hasChildren: false })
    expect(north?.fullName).toBe('山西省忻州市忻府区新建路街道北关社区居民委员会')
    const streets = await org.listChildren('140902003')
    expect(streets.length).toBeGreaterThan(3)
    expect(streets.every((c) => c.level === 'community' && c.code.length === 12)).toBe(true)
  })

  it('keeps the placeholder level of a municipality but leaves it out of the full name', async () => {
    await org.importDivisions({ within: '11' })
    const dongcheng = await org.getDivision('110101')
    expect(dongcheng?.chain.map((d) => [d.code, d.name])).toEqual([
      ['110000', '北京市'],
      ['110100', '市辖区'],
      ['110101', '东城区'],
    ])
    expect(dongcheng?.fullName).toBe('北京市东城区')
  })
})

describe('division reads', () => {
  it('gives the chain of a street, root first, with its full name', async () => {
    const street = await org.getDivision('140902003')
    expect(street?.fullName).toBe('山西省忻州市忻府区新建路街道')
    expect(street?.chain.map((d) => d.code)).toEqual(['140000', '140900', '140902', '140902003'])
    expect(street?.chain.every((d) => d.hasChildren)).toBe(true)
  })

  it('answers null for an unknown code', async () => {
    expect(await org.getDivision('149999')).toBeNull()
  })

  it('lists provinces at the root and children with hasChildren', async () => {
    const roots = await org.listChildren(null)
    expect(roots.map((d) => d.code)).toEqual(['110000', '140000'])
    const counties = await org.listChildren('140900')
    expect(counties[0]).toMatchObject({ code: '140902', name: '忻府区', level: 'county', hasChildren: true })
    expect(counties.map((d) => d.name)).toContain('原平市')
  })

  it('ranks 忻府区 first for 忻府', async () => {
    const hits = await org.searchDivisions('忻府', 10)
    expect(hits[0]).toMatchObject({ code: '140902', fullName: '山西省忻州市忻府区' })
  })

  it('finds by code prefix, the exact code first', async () => {
    const hits = await org.searchDivisions('1409', 5)
    expect(hits.map((d) => d.code)).toEqual(['140900', '140902', '140921', '140922', '140923'])
    expect((await org.searchDivisions('140902003', 1))[0]?.name).toBe('新建路街道')
  })

  it('finds by full name and by trigram similarity', async () => {
    expect((await org.searchDivisions('山西省忻州市忻府区', 3))[0]?.code).toBe('140902')
    expect((await org.searchDivisions('北关社区', 3))[0]?.code).toBe('140902003001')
    expect((await org.searchDivisions('忻府县', 3))[0]?.code).toBe('140902')
    expect(await org.searchDivisions('   ', 3)).toEqual([])
    expect(await org.searchDivisions('%', 3)).toEqual([])
  })
})

describe('departments', () => {
  it('creates a department, audited and announced in the same transaction', async () => {
    const d = await org.createDepartment(systemActor, {
      name: ' 忻州市测试局 ',
      shortName: '',
      divisionCode: '140900',
      kind: 'bureau',
      creditCode: '11140900mb1234567x',
    })
    expect(d).toMatchObject({ name: '忻州市测试局', shortName: null, divisionName: '忻州市', version: 1, creditCode: '11140900MB1234567X' })
    expect(await org.getDepartment(d.id)).toEqual(d)
    const audit = await t.core.audit.list({ targetId: d.id }, { limit: 10, offset: 0 })
    expect(audit.items.map((a) => a.action)).toEqual(['org.department.created'])
    const events = await sql<{ type: string }>`select type from platform.outbox where subject = ${d.id}`.execute(t.core.db)
    expect(events.rows.map((e) => e.type)).toEqual(['org.department.created'])
  })

  it('refuses a second department of the same name in a division', async () => {
    const input = { name: '忻州市重名局', divisionCode: '140900', kind: 'bureau' as const }
    await org.createDepartment(systemActor, input)
    expect(await failure(org.createDepartment(systemActor, input))).toEqual({ type: 'org/department-exists', status: 409 })
    await org.createDepartment(systemActor, { ...input, divisionCode: '140902' })
  })

  it('refuses a department in an unknown division', async () => {
    expect(await failure(org.createDepartment(systemActor, { name: '某局', divisionCode: '149999', kind: 'bureau' }))).toEqual({
      type: 'org/unknown-division',
      status: 422,
    })
  })

  it('writes nothing when the scope check refuses', async () => {
    const refuse = { authorize: () => { throw new OutOfScopeError() } }
    expect(await failure(org.createDepartment(systemActor, { name: '越权局', divisionCode: '140900', kind: 'bureau' }, refuse))).toEqual({
      type: 'out-of-scope',
      status: 403,
    })
    expect((await org.listDepartments({ q: '越权局' })).total).toBe(0)
  })

  it('updates with the current version and rejects a stale one with 409', async () => {
    const d = await org.createDepartment(systemActor, { name: '忻府区版本局', divisionCode: '140902', kind: 'bureau' })
    const seen: string[] = []
    const updated = await org.updateDepartment(
      systemActor,
      d.id,
      { version: 1, shortName: '版本局', divisionCode: '140902003', phone: '0350-1234567' },
      { authorize: (code) => void seen.push(code) },
    )
    expect(updated).toMatchObject({ version: 2, shortName: '版本局', divisionCode: '140902003', divisionName: '新建路街道', phone: '0350-1234567' })
    expect(seen).toEqual(['140902', '140902003'])
    expect(await failure(org.updateDepartment(systemActor, d.id, { version: 1, name: '忻府区晚到局' }))).toEqual({
      type: 'org/stale-version',
      status: 409,
    })
    const unchanged = await org.updateDepartment(systemActor, d.id, { version: 2, shortName: '版本局' })
    expect(unchanged.version).toBe(2)
    const audit = await t.core.audit.list({ targetId: d.id, action: 'org.department.updated' }, { limit: 10, offset: 0 })
    expect(audit.items).toHaveLength(1)
    expect(audit.items[0]?.detail).toMatchObject({ changes: { short_name: { from: null, to: '版本局' } } })
  })

  it('answers 404 for an update of a missing department', async () => {
    expect(await failure(org.updateDepartment(systemActor, 'dept_missing', { version: 1, name: 'x' }))).toEqual({
      type: 'org/department-not-found',
      status: 404,
    })
  })

  it('lists departments within a division including those beneath it, and by name', async () => {
    await org.createDepartment(systemActor, { name: '原平市列表局', divisionCode: '140981', kind: 'bureau' })
    await org.createDepartment(systemActor, { name: '新建路街道列表办', divisionCode: '140902003', kind: 'street_office' })
    const xinfu = await org.listDepartments({ divisionCode: '140902' }, { page: 1, pageSize: 100 })
    expect(xinfu.items.every((d) => d.divisionCode.startsWith('140902'))).toBe(true)
    expect(xinfu.items.map((d) => d.name)).toContain('新建路街道列表办')
    const city = await org.listDepartments({ divisionCode: '140900' }, { page: 1, pageSize: 2 })
    expect(city.total).toBeGreaterThan(3)
    expect(city.items).toHaveLength(2)
    expect(city).toMatchObject({ page: 1, pageSize: 2 })
    const byName = await org.listDepartments({ q: '列表' })
    expect(byName.items.map((d) => d.name).sort()).toEqual(['原平市列表局', '新建路街道列表办'])
    expect((await org.listDepartments({ q: '100%' })).total).toBe(0)
  })
})

describe('positions', () => {
  it('adds positions to a department and refuses duplicates', async () => {
    const d = await org.createDepartment(systemActor, { name: '忻州市岗位局', divisionCode: '140900', kind: 'bureau' })
    await org.createPosition(systemActor, d.id, { name: '综合受理窗口' })
    await org.createPosition(systemActor, d.id, { name: '审批科科长' })
    expect((await org.listPositions(d.id)).map((p) => p.name)).toEqual(['综合受理窗口', '审批科科长'])
    expect(await failure(org.createPosition(systemActor, d.id, { name: '综合受理窗口' }))).toEqual({ type: 'org/position-exists', status: 409 })
    expect(await failure(org.listPositions('dept_missing'))).toEqual({ type: 'org/department-not-found', status: 404 })
  })
})

describe('grid cells', () => {
  it('numbers cells as community code plus a 3-digit sequence', async () => {
    const a = await org.createGridCell(systemActor, { communityCode: '140902003002', name: '新建路社区第一网格' })
    const b = await org.createGridCell(systemActor, { communityCode: '140902003002', name: '新建路社区第二网格' })
    const other = await org.createGridCell(systemActor, { communityCode: '140902003003', name: '龙岗社区第一网格' })
    expect([a.code, b.code, other.code]).toEqual(['140902003002001', '140902003002002', '140902003003001'])
    expect((await org.listGridCells('140902003002')).map((c) => c.name)).toEqual(['新建路社区第一网格', '新建路社区第二网格'])
  })

  it('gives concurrent cells distinct numbers', async () => {
    const cells = await Promise.all([1, 2, 3, 4].map((i) => org.createGridCell(systemActor, { communityCode: '140902003004', name: `长南社区网格${i}` })))
    expect(cells.map((c) => c.code).sort()).toEqual(['140902003004001', '140902003004002', '140902003004003', '140902003004004'])
  })

  it('puts cells only under existing communities, once per name', async () => {
    expect(await failure(org.createGridCell(systemActor, { communityCode: '140902003', name: '街道网格' }))).toEqual({
      type: 'org/not-a-community',
      status: 422,
    })
    expect(await failure(org.createGridCell(systemActor, { communityCode: '140902003999', name: '无' }))).toEqual({
      type: 'org/unknown-division',
      status: 422,
    })
    expect(await failure(org.createGridCell(systemActor, { communityCode: '140902003002', name: '新建路社区第一网格' }))).toEqual({
      type: 'org/grid-cell-exists',
      status: 409,
    })
  })
})
