import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createIdentityService, generateCreditCode, generateIdNumber, seededRandom } from '../identity/index.js'
import { createOrgService } from '../org/index.js'
import { systemActor } from '../../platform/audit.js'
import { AppError } from '../../platform/errors.js'
import type { Principal } from '../../platform/roles.js'
import { createTestCore, type TestCore } from '../../test/harness.js'
import { ImportRejectedError } from './errors.js'
import { createRegistriesService, type RegistriesService } from './service.js'
import { writeXlsx } from './tabular.js'

let t: TestCore
let registries: RegistriesService
const rng = seededRandom(2026)
const departments: Record<string, string> = {}
const who: Record<string, Principal> = {}

const idOf = (division: string, birthDate: string, sex: 'male' | 'female' = 'male') => generateIdNumber({ divisionCode: division, birthDate, sex, rng })
/** A valid ID number with its check digit changed. */
const badCheckDigit = (id: string) => id.slice(0, 17) + (id[17] === '0' ? '1' : '0')

function staff(name: string, role: Principal['grants'][number]['role'], divisionCode: string | null, departmentId: string | null = null): Principal {
  return { accountId: `acc_${name}`, sessionId: `s_${name}`, kind: 'staff', name, grants: [{ role, divisionCode, departmentId }] }
}

async function failure(p: Promise<unknown>): Promise<{ type: string; status: number }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(AppError)
  const { type, status } = err as AppError
  return { type, status }
}

async function count(table: string): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(`registries.${table}`)}`.execute(t.core.db)
  return Number(r.rows[0]!.n)
}

beforeAll(async () => {
  t = await createTestCore()
  const org = createOrgService(t.core)
  const identity = createIdentityService({ ...t.core, org })
  registries = createRegistriesService({ ...t.core, org, identity })
  await org.importDivisions({ within: '1409' })
  await org.importCommunities({ within: '140902' })
  for (const [key, name, divisionCode] of [
    ['police', '忻州市公安局', '140900'],
    ['market', '忻州市市场监督管理局', '140900'],
    ['ndrc', '忻州市发展和改革委员会', '140900'],
    ['stats', '忻州市统计局', '140900'],
    ['xinfuBureau', '忻府区行政审批服务管理局', '140902'],
  ] as const) {
    departments[key] = (await org.createDepartment(systemActor, { name, divisionCode, kind: 'bureau' })).id
  }
  await registries.setOwner('system', 'population', departments.police!)
  await registries.setOwner('system', 'entity', departments.market!)
  await registries.setOwner('system', 'credit', departments.ndrc!)
  await registries.setOwner('system', 'economy', departments.stats!)
  who.admin = staff('平台管理员', 'platform_admin', null)
  who.xinfuData = staff('忻府区数据管理员', 'data_admin', '140902')
  who.yuanpingData = staff('原平市数据管理员', 'data_admin', '140981')
  who.policeClerk = staff('户政窗口', 'window_clerk', '140900', departments.police!)
  who.otherClerk = staff('审批窗口', 'window_clerk', '140902', departments.xinfuBureau!)
  const cell = await org.createGridCell(systemActor, { communityCode: '140902003001', name: '北关社区第一网格' })
  await org.createGridCell(systemActor, { communityCode: '140902003001', name: '北关社区第二网格' })
  await registries.addAddressPoint('system', { divisionCode: '140902003001', localAddress: '和平街 12 号', gridCode: cell.code, lng: 112.734, lat: 38.417 })

  // A citizen with an account (so "own record" can be tested through identity).
  const idNumber = idOf('140902', '1985-04-12', 'female')
  const account = await identity.createPerson('system', { name: '张丽', idNumber, phone: '13900001409' })
  who.citizen = { accountId: account.id, sessionId: 's_citizen', kind: 'person', name: '张丽', grants: [{ role: 'citizen', divisionCode: '140902', departmentId: null }] }
  await registries.createPerson('system', { idNumber, name: '张丽', ethnicity: '01', householdDivisionCode: '140902003001', address: '忻府区新建路街道北关社区和平街12号', phone: '13900001409' })
})
afterAll(async () => {
  await t?.close()
})

describe('persons', () => {
  it('derives sex and birth date from the ID number and locates the address', async () => {
    const id = idOf('140902', '1990-02-03', 'male')
    const p = await registries.createPerson(who.xinfuData!, { idNumber: id, name: '王强', ethnicity: '01', householdDivisionCode: '140902', address: '山西省忻州市忻府区新建路街道北关社区和平街12号' })
    expect(p).toMatchObject({ sex: 'male', birthDate: '1990-02-03', addressDivisionCode: '140902003001', maritalStatus: 'unknown', status: 'active', version: 1 })
    expect(p.gridCode).toMatch(/^140902003001\d{3}$/)
  })

  it('refuses a wrong check digit, an unknown division and a duplicate', async () => {
    const id = idOf('140902', '1991-05-06')
    expect(await failure(registries.createPerson(who.admin!, { idNumber: badCheckDigit(id), name: '错码', ethnicity: '01', householdDivisionCode: '140902' }))).toEqual({
      type: 'registries/invalid-id-number',
      status: 422,
    })
    expect((await failure(registries.createPerson(who.admin!, { idNumber: id, name: '无区', ethnicity: '01', householdDivisionCode: '140999' }))).type).toBe('registries/unknown-division')
    await registries.createPerson(who.admin!, { idNumber: id, name: '甲', ethnicity: '01', householdDivisionCode: '140902' })
    expect((await failure(registries.createPerson(who.admin!, { idNumber: id, name: '乙', ethnicity: '01', householdDivisionCode: '140902' }))).status).toBe(409)
  })

  it('shows the ID number, phone and address in full only to the owner department, platform admins and the person', async () => {
    const id = idOf('140902', '1970-07-07', 'female')
    const created = await registries.createPerson(who.policeClerk!, { idNumber: id, name: '郭芳', ethnicity: '03', householdDivisionCode: '140902', phone: '13812345678', address: '忻府区和平街8号' })
    const asOwner = await registries.getPerson(created.id, '户籍业务核查', who.policeClerk!)
    expect(asOwner).toMatchObject({ idNumber: id, phone: '13812345678', address: '忻府区和平街8号', revealed: true })
    expect((await registries.getPerson(created.id, '平台运维核查', who.admin!)).idNumber).toBe(id)
    const asDataAdmin = await registries.getPerson(created.id, '数据质量核查', who.xinfuData!)
    expect(asDataAdmin).toMatchObject({ idNumber: `${id.slice(0, 4)}**********${id.slice(-4)}`, phone: '138****5678', address: '忻府区和平街*号', revealed: false })
    const list = await registries.searchPersons({ q: '郭芳' }, { page: 1, pageSize: 20 }, '数据质量核查', who.policeClerk!)
    expect(list.items).toHaveLength(1)
    expect(list.items[0]).toMatchObject({ idNumber: asDataAdmin.idNumber, phone: '138****5678', revealed: false })
  })

  it('searches by ID-number prefix within the caller’s divisions', async () => {
    const yuanping = await registries.createPerson('system', { idNumber: idOf('140981', '1966-06-06'), name: '原平人', ethnicity: '01', householdDivisionCode: '140981' })
    const own = await registries.searchPersons({ q: '1409' }, { page: 1, pageSize: 100 }, '辖区人口统计', who.xinfuData!)
    expect(own.total).toBeGreaterThan(0)
    expect(own.items.every((p) => p.householdDivisionCode.startsWith('140902'))).toBe(true)
    expect(own.items.map((p) => p.id)).not.toContain(yuanping.id)
    const all = await registries.searchPersons({ q: '140981' }, { page: 1, pageSize: 100 }, '全市人口统计', who.admin!)
    expect(all.items.map((p) => p.id)).toContain(yuanping.id)
  })

  it('requires a purpose and logs each read with it, in the access log and the audit log', async () => {
    const p = (await registries.searchPersons({ q: '郭芳' }, { page: 1, pageSize: 1 }, '查询', who.admin!)).items[0]!
    expect((await failure(registries.getPerson(p.id, ' ', who.admin!))).type).toBe('registries/purpose-required')
    await registries.getPerson(p.id, '核查低保申请 110', who.xinfuData!, { via: 'api', ip: '10.0.0.1' })
    const log = await registries.listAccessLog('system', { actorId: who.xinfuData!.accountId }, { page: 1, pageSize: 1 })
    expect(log.items[0]).toMatchObject({ registry: 'population', action: 'read', recordIds: [p.id], purpose: '核查低保申请 110', revealed: false, divisionCode: '140902', via: 'api' })
    const audit = await t.core.audit.list({ targetId: p.id, action: 'registries.person.read' }, { limit: 1, offset: 0 })
    expect(audit.items[0]).toMatchObject({ actorId: who.xinfuData!.accountId, ip: '10.0.0.1', detail: { purpose: '核查低保申请 110', revealed: false } })
  })

  it('refuses a data admin of another district, and logs the refusal', async () => {
    const p = (await registries.searchPersons({ q: '郭芳' }, { page: 1, pageSize: 1 }, '查询', who.admin!)).items[0]!
    expect(await failure(registries.getPerson(p.id, '跨区查询', who.yuanpingData!))).toEqual({ type: 'out-of-scope', status: 403 })
    expect((await failure(registries.searchPersons({ divisionCode: '140902' }, { page: 1, pageSize: 5 }, '跨区查询', who.yuanpingData!))).type).toBe('out-of-scope')
    const refused = await t.core.audit.list({ targetId: p.id, action: 'registries.person.read' }, { limit: 10, offset: 0 })
    expect(refused.items.some((e) => e.outcome === 'failure' && e.actorId === who.yuanpingData!.accountId)).toBe(true)
    // Staff outside the owner department, without data_admin, read nothing at all.
    expect((await failure(registries.getPerson(p.id, '越权查询', who.otherClerk!))).type).toBe('forbidden')
  })

  it('gives a citizen their own record in full and nobody else’s', async () => {
    const own = await registries.getPersonForAccount(who.citizen!.accountId, '查看本人户籍信息', who.citizen!)
    expect(own).toMatchObject({ name: '张丽', phone: '13900001409', revealed: true })
    expect(own!.idNumber).toMatch(/^140902\d{11}[\dX]$/)
    const other = (await registries.searchPersons({ q: '郭芳' }, { page: 1, pageSize: 1 }, '查询', who.admin!)).items[0]!
    expect((await failure(registries.getPerson(other.id, '查看他人', who.citizen!))).type).toBe('forbidden')
    expect((await failure(registries.searchPersons({}, { page: 1, pageSize: 5 }, '查看他人', who.citizen!))).type).toBe('forbidden')
  })

  it('keeps a history row for each changed field, with who, when and from where', async () => {
    const p = await registries.createPerson(who.policeClerk!, { idNumber: idOf('140902', '1988-08-08'), name: '李明', ethnicity: '01', householdDivisionCode: '140902', address: '忻府区七一路1号' })
    t.clock.advance(60_000)
    const changed = await registries.updatePerson(who.policeClerk!, p.id, { version: 1, name: '李明亮', address: '忻府区七一路2号', maritalStatus: 'married' }, { via: 'api' })
    expect(changed).toMatchObject({ name: '李明亮', maritalStatus: 'married', version: 2 })
    const history = await registries.personHistory(p.id, '核对变更记录', who.policeClerk!)
    expect(history.map((h) => [h.field, h.oldValue, h.newValue])).toEqual([
      ['record', null, 'created'],
      ['name', '李明', '李明亮'],
      ['address', '忻府区七一路1号', '忻府区七一路2号'],
      ['maritalStatus', 'unknown', 'married'],
    ])
    expect(history[1]).toMatchObject({ actorId: who.policeClerk!.accountId, actorName: '户政窗口', source: 'api' })
    // A data admin sees the history masked.
    const masked = await registries.personHistory(p.id, '核对变更记录', who.xinfuData!)
    expect(masked.find((h) => h.field === 'address')?.newValue).toBe('忻府区七一路*号')
    expect((await failure(registries.updatePerson(who.policeClerk!, p.id, { version: 1, name: '旧版本' }))).type).toBe('registries/stale-version')
    expect((await failure(registries.updatePerson(who.yuanpingData!, p.id, { version: 2, name: '越权' }))).type).toBe('out-of-scope')
  })
})

describe('households', () => {
  it('groups people under one head, with relations, and shows a citizen their own household', async () => {
    const own = (await registries.getPersonForAccount(who.citizen!.accountId, '办理户籍业务', 'system'))!
    const household = await registries.createHousehold(who.policeClerk!, { divisionCode: '140902003001', headPersonId: own.id })
    expect(household.number).toMatch(/^140902\d{6}$/)
    const spouse = await registries.createPerson('system', { idNumber: idOf('140902', '1984-01-01', 'male'), name: '王伟', ethnicity: '01', householdDivisionCode: '140902003001' })
    await registries.updatePerson(who.policeClerk!, spouse.id, { version: spouse.version, householdId: household.id, relation: 'spouse' })
    const child = await registries.createPerson('system', { idNumber: idOf('140902', '2012-09-01', 'female'), name: '王欣', ethnicity: '01', householdDivisionCode: '140902003001' })
    await registries.updatePerson(who.policeClerk!, child.id, { version: 1, householdId: household.id, relation: 'daughter' })
    expect((await failure(registries.updatePerson(who.policeClerk!, child.id, { version: 2, relation: 'head' }))).type).toBe('registries/household-has-head')
    expect((await failure(registries.updatePerson(who.policeClerk!, child.id, { version: 2, householdId: null }))).type).toBe('registries/relation-without-household')

    const mine = await registries.householdForAccount(who.citizen!.accountId, '查看本户成员', who.citizen!)
    expect(mine!.members.map((m) => [m.name, m.relation])).toEqual([['张丽', 'head'], ['王伟', 'spouse'], ['王欣', 'daughter']])
    expect(mine!.members.map((m) => m.revealed)).toEqual([true, false, false])
    expect(mine!.members[1]!.idNumber).toContain('**********')
    const byStaff = await registries.listHousehold(child.id, '户籍核查', who.policeClerk!)
    expect(byStaff!.members.every((m) => m.revealed)).toBe(true)
    const history = await registries.personHistory(spouse.id, '户籍核查', who.policeClerk!)
    expect(history.filter((h) => h.field === 'relation').map((h) => h.newValue)).toEqual(['spouse'])
  })
})

describe('legal entities and credit', () => {
  it('registers an entity linked to its legal representative, and records status changes', async () => {
    const rep = await registries.createPerson('system', { idNumber: idOf('140921', '1975-03-03'), name: '贾建国', ethnicity: '01', householdDivisionCode: '140921' })
    const code = generateCreditCode({ divisionCode: '140921', rng })
    const e = await registries.createEntity(who.admin!, {
      creditCode: code, name: '定襄县测试法兰有限公司', type: 'limited_company', legalRepName: '贾建国', legalRepIdNumber: (await registries.getPerson(rep.id, '登记', 'system')).idNumber,
      registeredCapital: 500, establishedOn: '2010-05-20', address: '定襄县晋昌镇',
    })
    expect(e).toMatchObject({ divisionCode: '140921', status: 'active', registeredCapital: 500, legalRepresentative: { name: '贾建国', personId: rep.id } })
    const revoked = await registries.updateEntity(who.admin!, e.id, { version: 1, status: 'revoked', statusChangedOn: '2026-01-15' })
    expect(revoked).toMatchObject({ status: 'revoked', statusChangedOn: '2026-01-15', version: 2 })
    const history = await registries.entityHistory(e.id, '登记信息核查', who.admin!)
    expect(history.at(-1)).toMatchObject({ field: 'status', oldValue: 'active', newValue: 'revoked' })
    expect((await failure(registries.createEntity(who.admin!, { creditCode: code.slice(0, 17) + (code[17] === '0' ? '1' : '0'), name: '错码', type: 'limited_company' }))).type).toBe(
      'registries/invalid-credit-code',
    )
    const market = staff('登记窗口', 'window_clerk', '140900', departments.market!)
    const found = await registries.getEntityByCreditCode(code, '企业登记核查', market)
    expect(found?.legalRepresentative.idNumber).toMatch(/^140921\d{11}[\dX]$/)
    expect((await registries.searchEntities({ q: code.slice(0, 8) }, { page: 1, pageSize: 5 }, '查询', market)).items[0]!.legalRepresentative.idNumber).toContain('*')
  })

  it('lists and ends red- and black-list entries', async () => {
    const p = await registries.createPerson('system', { idNumber: idOf('140902', '1980-10-10'), name: '失信人', ethnicity: '01', householdDivisionCode: '140902' })
    const entry = await registries.addCreditEntry(who.admin!, {
      subjectType: 'person', subjectId: p.id, list: 'black', reason: '拒不履行法院判决', sourceDepartmentId: departments.ndrc!, validFrom: '2025-01-01', validTo: '2028-12-31',
    })
    expect(entry).toMatchObject({ list: 'black', active: true, sourceDepartmentName: '忻州市发展和改革委员会' })
    expect((await registries.creditEntriesFor({ type: 'person', id: p.id }, '信用核查', who.xinfuData!)).map((c) => c.id)).toEqual([entry.id])
    const ended = await registries.endCreditEntry(who.admin!, entry.id, { validTo: '2025-06-30' })
    expect(ended.active).toBe(false)
    expect((await failure(registries.endCreditEntry(who.admin!, entry.id, { validTo: '2024-01-01' }))).type).toBe('registries/invalid-date')
    expect((await failure(registries.addCreditEntry(who.yuanpingData!, { subjectType: 'person', subjectId: p.id, list: 'red', reason: 'x', sourceDepartmentId: departments.ndrc!, validFrom: '2025-01-01' }))).type).toBe('out-of-scope')
  })
})

describe('geocoding', () => {
  it('finds the community and grid cell of a 忻府区 address by the names in it', async () => {
    const g = await registries.geocode('山西省忻州市忻府区新建路街道北关社区第二网格内某小区')
    expect(g).toMatchObject({ divisionCode: '140902003001', divisionName: '北关社区居民委员会', level: 'community', precision: 'grid' })
    expect(g.matched).toEqual(['山西省', '忻州市', '忻府区', '新建路街道', '北关社区', '北关社区第二网格'])
    const street = await registries.geocode('忻府区新建路街道七一北路5号')
    expect(street).toMatchObject({ divisionCode: '140902003', level: 'street', precision: 'street', gridCode: null })
  })

  it('tells a town whose name holds 村 from the village, and reads committee names as addresses write them', async () => {
    const dong = await registries.geocode('忻州市忻府区董村镇董村村委会5号')
    expect(dong, JSON.stringify(dong)).toMatchObject({ divisionCode: '140902105205', level: 'community', matched: ['忻州市', '忻府区', '董村镇', '董村村委会'] })
    expect((await registries.geocode('忻府区董村镇南胡村18号')).divisionCode).toBe('140902105202')
    expect((await registries.geocode('山西忻州市忻府区兰村乡兰村5号')).divisionCode).toBe('140902206222')
  })

  it('uses a standard address point when the rest of the text names one', async () => {
    const g = await registries.geocode('忻府区新建路街道北关社区和平街１２号３单元')
    expect(g).toMatchObject({ divisionCode: '140902003001', precision: 'address-point', point: { lng: 112.734, lat: 38.417 } })
    expect(g.gridCode).toMatch(/^140902003001\d{3}$/)
  })

  it('answers precision none for text without division names', async () => {
    expect(await registries.geocode('和平小区')).toMatchObject({ divisionCode: null, precision: 'none' })
  })
})

describe('economy', () => {
  it('stores indicator values and reads a series in period order', async () => {
    await registries.putIndicatorValues('system', [
      { divisionCode: '140902', code: 'gdp', period: '2024', value: 301.2 },
      { divisionCode: '140902', code: 'gdp', period: '2023', value: 288.5 },
    ], 'test')
    const s = await registries.indicatorSeries('140902', 'gdp', '经济运行分析', who.otherClerk!)
    expect(s).toEqual({ divisionCode: '140902', code: 'gdp', unit: 'yi_yuan', points: [{ period: '2023', value: 288.5 }, { period: '2024', value: 301.2 }] })
    expect((await failure(registries.indicatorSeries('140902', 'gdp', '经济运行分析', who.citizen!))).type).toBe('forbidden')
  })
})

describe('bulk import', () => {
  const header = '姓名,公民身份号码,民族,户籍地区划代码,住址,联系电话,户号,与户主关系'

  it('imports valid CSV rows, grouping households, and updates existing persons with history', async () => {
    const a = idOf('140902', '1960-01-01', 'male')
    const b = idOf('140902', '1962-02-02', 'female')
    const csv = [header, `赵国强,${a},汉族,140902002001,忻府区长征街街道长征东街社区1号,13700001111,HH0001,户主`, `"孙秀英",${b},汉,140902002001,,,HH0001,妻`].join('\r\n')
    const result = await registries.importTable(who.policeClerk!, 'persons', { format: 'csv', content: csv })
    expect(result).toMatchObject({ kind: 'persons', rows: 2, created: 2, updated: 0, dryRun: false })
    const head = await registries.getPersonByIdNumber(a, '导入核对', 'system')
    expect(head).toMatchObject({ householdNumber: 'HH0001', relation: 'head', addressDivisionCode: '140902002001' })
    const household = await registries.listHousehold(head!.id, '导入核对', 'system')
    expect(household!.members.map((m) => m.relation)).toEqual(['head', 'spouse'])

    const again = await registries.importTable(who.policeClerk!, 'persons', { format: 'csv', content: [header, `赵国强,${a},汉族,140902002001,忻府区长征街街道长征东街社区2号,,,`].join('\n') })
    expect(again).toMatchObject({ created: 0, updated: 1 })
    const history = await registries.personHistory(head!.id, '导入核对', 'system')
    expect(history.at(-1)).toMatchObject({ field: 'address', source: `import:${again.batchId}`, actorName: '户政窗口' })
  })

  it('swaps the head of a household within one import', async () => {
    const a = idOf('140902', '1955-05-05', 'male')
    const b = idOf('140902', '1956-06-06', 'female')
    await registries.importTable('system', 'persons', { format: 'csv', content: [header, `冯一,${a},汉族,140902,,,HH0100,户主`, `冯二,${b},汉族,140902,,,HH0100,配偶`].join('\n') })
    const swapped = await registries.importTable('system', 'persons', { format: 'csv', content: [header, `冯一,${a},汉族,140902,,,HH0100,配偶`, `冯二,${b},汉族,140902,,,HH0100,户主`].join('\n') })
    expect(swapped).toMatchObject({ updated: 2 })
    const head = await registries.getPersonByIdNumber(b, '户主变更核对', 'system')
    expect((await registries.listHousehold(head!.id, '户主变更核对', 'system'))!.members.map((m) => [m.name, m.relation])).toEqual([['冯二', 'head'], ['冯一', 'spouse']])
  })

  it('writes nothing when one row has a wrong check digit, and lists every failing row and column', async () => {
    const before = await count('person')
    const good = idOf('140902', '1970-03-03')
    const csv = [
      header,
      `周一,${good},汉族,140902,,,,`,
      `周二,${badCheckDigit(idOf('140902', '1971-04-04'))},汉族,140902,,,,`,
      `周三,${idOf('140902', '1972-05-05')},火星族,149999,,12345,,`,
      `周四,${good},汉族,140902,,,,`,
    ].join('\n')
    const err = await registries.importTable(who.admin!, 'persons', { format: 'csv', content: csv }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ImportRejectedError)
    const rows = (err as ImportRejectedError).rowErrors.map((e) => [e.row, e.column, e.code])
    expect(rows).toEqual([
      [3, '公民身份号码', 'id-number-check-digit'],
      [4, '民族', 'unknown-value'],
      [4, '户籍地区划代码', 'unknown-division'],
      [4, '联系电话', 'invalid-phone'],
      [5, '公民身份号码', 'duplicate-in-file'],
    ])
    const en = (err as ImportRejectedError).localized('en')
    expect((en.extensions.errors as { message: string }[])[0]!.message).toBe('“公民身份号码” has a wrong check digit (GB 11643)')
    expect(await count('person')).toBe(before)
    const audit = await t.core.audit.list({ action: 'registries.import.rejected' }, { limit: 1, offset: 0 })
    expect(audit.items[0]).toMatchObject({ outcome: 'failure', detail: { kind: 'persons', errors: 5 } })
  })

  it('writes nothing when a later row would break the one-head rule of a new household', async () => {
    const before = await count('person')
    const csv = [header, `钱一,${idOf('140902', '1950-01-01')},汉族,140902,,,HH0009,户主`, `钱二,${idOf('140902', '1951-01-01')},汉族,140902,,,HH0009,户主`].join('\n')
    const err = (await registries.importTable(who.admin!, 'persons', { format: 'csv', content: csv }).catch((e: unknown) => e)) as ImportRejectedError
    expect(err.rowErrors.map((e) => e.code)).toEqual(['household-two-heads', 'household-two-heads'])
    expect(await count('person')).toBe(before)
    expect(await count('household')).toBeGreaterThan(0)
  })

  it('refuses rows outside the caller’s district as a whole (403), writing nothing', async () => {
    const before = await count('person')
    const csv = [header, `原平一,${idOf('140981', '1980-01-01')},汉族,140981,,,,`].join('\n')
    expect((await failure(registries.importTable(who.xinfuData!, 'persons', { format: 'csv', content: csv }))).type).toBe('out-of-scope')
    expect((await failure(registries.importTable(who.otherClerk!, 'persons', { format: 'csv', content: csv }))).type).toBe('forbidden')
    expect(await count('person')).toBe(before)
  })

  it('reads Excel, including date cells, and flags ID numbers Excel stored as numbers', async () => {
    const id = idOf('140902', '1993-12-24', 'female')
    const xlsx = await writeXlsx(['姓名', '公民身份号码', '出生日期', '民族', '户籍地区划代码'], [
      ['吴静', id, new Date(Date.UTC(1993, 11, 24)), '01', '140902'],
    ])
    const ok = await registries.importTable(who.admin!, 'persons', { format: 'xlsx', content: xlsx.toString('base64') }, { dryRun: true })
    expect(ok).toMatchObject({ dryRun: true, rows: 1, created: 1, batchId: null })
    const rounded = await writeXlsx(['姓名', '公民身份号码', '民族', '户籍地区划代码'], [['吴静', Number(id.slice(0, 17)) * 10, '01', '140902']])
    const err = (await registries.importTable(who.admin!, 'persons', { format: 'xlsx', content: rounded }).catch((e: unknown) => e)) as ImportRejectedError
    expect(err.rowErrors[0]).toMatchObject({ row: 2, column: '公民身份号码', code: 'number-precision' })
    expect((await failure(registries.importTable(who.admin!, 'persons', { format: 'xlsx', content: Buffer.from('not a workbook') }))).type).toBe('registries/unreadable-file')
  })

  it('imports entities, credit entries and indicators', async () => {
    const code = generateCreditCode({ divisionCode: '140902', category: '2', rng })
    const entities = [
      '统一社会信用代码,名称,类型,法定代表人,注册资本（万元）,成立日期,登记状态,住所',
      `${code},忻府区老王面馆,个体工商户,王五,3,2019/6/1,存续,忻府区新建路街道北关社区和平街12号`,
    ].join('\n')
    expect(await registries.importTable(who.admin!, 'entities', { format: 'csv', content: entities })).toMatchObject({ created: 1 })
    const e = (await registries.getEntityByCreditCode(code, '核查', 'system'))!
    expect(e).toMatchObject({ type: 'individual_business', establishedOn: '2019-06-01', addressDivisionCode: '140902003001' })
    const credit = ['主体代码,名单类型,列入事由,认定部门,有效期起', `${code},红名单,纳税信用A级,忻州市发展和改革委员会,2025-01-01`].join('\n')
    expect(await registries.importTable(who.admin!, 'credit-entries', { format: 'csv', content: credit })).toMatchObject({ created: 1 })
    expect((await registries.creditEntriesFor({ type: 'entity', code }, '核查', 'system'))[0]).toMatchObject({ list: 'red', subjectName: '忻府区老王面馆' })
    const indicators = ['区划代码,指标,统计期,数值', '140981,地区生产总值,2024,231.5', '140981,gdp,2023,220.1'].join('\n')
    expect(await registries.importTable(who.admin!, 'indicators', { format: 'csv', content: indicators })).toMatchObject({ rows: 2, created: 2 })
    const badCredit = ['主体代码,名单类型,列入事由,认定部门,有效期起', `${generateCreditCode({ divisionCode: '140902', rng })},黑名单,x,不存在的局,2025-13-01`].join('\n')
    const err = (await registries.importTable(who.admin!, 'credit-entries', { format: 'csv', content: badCredit }).catch((x: unknown) => x)) as ImportRejectedError
    expect(err.rowErrors.map((x) => x.code), JSON.stringify(err.rowErrors)).toEqual(['invalid-date'])
    const missing = (await registries.importTable(who.admin!, 'indicators', { format: 'csv', content: '区划代码,数值\n140902,1' }).catch((x: unknown) => x)) as ImportRejectedError
    expect(missing.rowErrors.map((x) => [x.row, x.code])).toEqual([[1, 'missing-column'], [1, 'missing-column']])
  })
})
