import { systemActor } from '../platform/audit.js'
import type { Core } from '../platform/core.js'
import { AppError } from '../platform/errors.js'
import { checkIdNumber, generateIdNumber, seededRandom, type Random } from '../modules/identity/index.js'
import type { Division } from '../modules/org/index.js'
import { shortName, type EntityType, type IndicatorCode, type RegistryCode } from '../modules/registries/index.js'
import type { Services } from '../services.js'
import { DEMO_PASSWORD } from './identity.js'
import type { DemoLogin } from './index.js'
import { DEMO_CITY } from './org.js'

/**
 * Demo data of the base registries for 忻州市, built on the identity demo: every natural-person
 * account becomes a population record with the same name and ID number (read back through the
 * identity service), every legal-person account an entity with the same credit code; households
 * group some of those citizens with generated spouses, children and parents (valid GB 11643 ID
 * numbers); a few red- and black-list entries; standard addresses on the org demo's grid cells;
 * approximate outlines of the 14 county-level divisions; and six years of indicator figures.
 *
 * Persons, entities and credit entries go in through the module's own CSV import (one
 * transaction each). Each part is seeded only while its registry is empty, so a second run adds
 * nothing. Figures and outlines are plausible demo values, not official statistics or survey data.
 */

/** Registry owners: existing demo departments, plus three the registries need. */
const owners: readonly { registry: RegistryCode; department: string; create?: { shortName: string; address: string } }[] = [
  { registry: 'population', department: '忻州市公安局' },
  { registry: 'entity', department: '忻州市市场监督管理局' },
  { registry: 'credit', department: '忻州市发展和改革委员会', create: { shortName: '市发改委', address: '山西省忻州市忻府区和平街' } },
  { registry: 'spatial', department: '忻州市规划和自然资源局', create: { shortName: '市自然资源局', address: '山西省忻州市忻府区长征街' } },
  { registry: 'economy', department: '忻州市统计局', create: { shortName: '市统计局', address: '山西省忻州市忻府区和平街' } },
]

/**
 * County seats of 忻州市 (lng, lat, approximate) and land area in km², with demo figures for
 * 2024: resident population (万人) and gross regional product (亿元). The outlines drawn from
 * these are hexagons of the county's area around its seat: approximate demo boundaries only.
 */
const counties: readonly { code: string; seat: [number, number]; areaKm2: number; population: number; gdp: number; coal?: boolean }[] = [
  { code: '140902', seat: [112.734, 38.417], areaKm2: 1981, population: 56.5, gdp: 300 },
  { code: '140921', seat: [112.957, 38.473], areaKm2: 865, population: 19.5, gdp: 95 },
  { code: '140922', seat: [113.255, 38.728], areaKm2: 2865, population: 25.0, gdp: 85 },
  { code: '140923', seat: [112.96, 39.067], areaKm2: 1729, population: 17.0, gdp: 110 },
  { code: '140924', seat: [113.265, 39.188], areaKm2: 2368, population: 20.5, gdp: 105 },
  { code: '140925', seat: [112.304, 39.001], areaKm2: 1950, population: 14.5, gdp: 130, coal: true },
  { code: '140926', seat: [111.94, 38.359], areaKm2: 2058, population: 12.0, gdp: 40 },
  { code: '140927', seat: [112.211, 39.09], areaKm2: 1472, population: 8.3, gdp: 55 },
  { code: '140928', seat: [111.846, 38.91], areaKm2: 1391, population: 8.8, gdp: 40 },
  { code: '140929', seat: [111.573, 38.705], areaKm2: 1984, population: 6.6, gdp: 30 },
  { code: '140930', seat: [111.138, 39.384], areaKm2: 1320, population: 11.8, gdp: 140, coal: true },
  { code: '140931', seat: [111.086, 39.022], areaKm2: 1005, population: 13.2, gdp: 230, coal: true },
  { code: '140932', seat: [111.508, 39.436], areaKm2: 1685, population: 7.2, gdp: 70, coal: true },
  { code: '140981', seat: [112.711, 38.731], areaKm2: 2560, population: 41.0, gdp: 240 },
]

const YEARS = [2019, 2020, 2021, 2022, 2023, 2024]
const roads = ['和平街', '建设路', '长征街', '七一路', '健康街', '新建路', '云中路', '光明街', '开莱大街', '雁门大道', '永安街', '秀容路']
const surnames = [...'王李张刘赵杨郭贾梁武田高段闫薛郝申白任霍温乔宋秦韩冯史程孙马胡吴周徐']
const maleChars = [...'伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆建国志文博晨']
const femaleChars = [...'芳娜敏静丽艳娟霞燕玲婷洁琳晶慧雪梅倩颖璐瑶欣悦红英秀兰萍佳']

/** Business scopes by a word in the enterprise's name (illustrative). */
const scopes: readonly [string, string][] = [
  ['锻造', '法兰、锻件的生产、加工与销售；货物进出口'],
  ['建筑', '房屋建筑工程、市政公用工程施工；建筑材料销售'],
  ['旅游', '旅游资源开发；旅游景区管理服务；会议及展览服务'],
  ['食品', '食品生产；食品销售；农副产品收购'],
  ['藜麦', '藜麦种植、加工与销售；农业技术推广服务'],
  ['合作社', '组织成员种植、销售农产品；农业生产资料购买'],
  ['物流', '道路普通货物运输；仓储服务；装卸搬运'],
  ['红枣', '红枣种植、加工与销售；预包装食品销售'],
  ['杂粮', '杂粮收购、加工与销售'],
  ['汽车维修', '机动车维修；汽车零配件零售'],
  ['石材', '石材开采、加工与销售'],
]

function pick<T>(rng: Random, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)]!
}

function isConflict(err: unknown): boolean {
  return err instanceof AppError && err.status === 409
}

/** A CSV field, quoted when it needs to be (RFC 4180). */
function csvField(v: string | number | null | undefined): string {
  const s = v === null || v === undefined ? '' : String(v)
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

function csv(headers: string[], rows: (string | number | null | undefined)[][]): string {
  return [headers, ...rows].map((r) => r.map(csvField).join(',')).join('\n')
}

/** A hexagon of the given area around a point, as a closed GeoJSON ring (counter-clockwise, RFC 7946). */
export function approximateOutline(center: [number, number], areaKm2: number): number[][] {
  // Hexagon area = 3√3/2 · r²; shrunk a little so neighbours overlap less.
  const r = Math.sqrt((2 * areaKm2) / (3 * Math.sqrt(3))) * 0.85
  const [lng, lat] = center
  const ring: number[][] = []
  for (let i = 0; i < 6; i++) {
    const a = (Math.PI / 3) * i + Math.PI / 6
    const dLat = (r * Math.sin(a)) / 111.32
    const dLng = (r * Math.cos(a)) / (111.32 * Math.cos((lat * Math.PI) / 180))
    ring.push([Number((lng + dLng).toFixed(5)), Number((lat + dLat).toFixed(5))])
  }
  ring.push(ring[0]!)
  return ring
}

/** Six years of figures per county (deterministic), and the city's totals and averages. */
export function demoIndicators(): { divisionCode: string; code: IndicatorCode; period: string; value: number }[] {
  const rng = seededRandom(1409_2024)
  const out: { divisionCode: string; code: IndicatorCode; period: string; value: number }[] = []
  const city = new Map<string, number>()
  const add = (divisionCode: string, code: IndicatorCode, year: number, value: number) => {
    out.push({ divisionCode, code, period: String(year), value })
    if (['gdp', 'resident_population', 'registered_population', 'urban_new_jobs', 'retail_sales', 'fiscal_revenue'].includes(code)) {
      city.set(`${code}|${year}`, (city.get(`${code}|${year}`) ?? 0) + value)
    }
  }
  const round = (v: number, digits: number) => Number(v.toFixed(digits))
  for (const c of counties) {
    const growth = YEARS.map((y) => (y === 2020 ? 0.02 : 0.045) + (rng() - 0.5) * 0.03 + (c.coal && (y === 2021 || y === 2022) ? 0.06 : 0))
    let gdp = c.gdp
    const gdpByYear = new Map<number, number>()
    for (let i = YEARS.length - 1; i >= 0; i--) {
      gdpByYear.set(YEARS[i]!, gdp)
      gdp = gdp / (1 + growth[i]!)
    }
    YEARS.forEach((y, i) => {
      const years = 2024 - y
      const g = gdpByYear.get(y)!
      const pop = c.population * (1 + 0.006 * years)
      add(c.code, 'gdp', y, round(g, 1))
      add(c.code, 'gdp_growth', y, round(growth[i]! * 100 - 1.5, 1))
      add(c.code, 'resident_population', y, round(pop, 2))
      add(c.code, 'registered_population', y, round(pop * 1.12, 2))
      add(c.code, 'urban_new_jobs', y, Math.round(pop * 55 * (0.9 + rng() * 0.2)))
      add(c.code, 'urban_unemployment_rate', y, round(2.8 + rng() * 0.8 + (y === 2020 ? 0.4 : 0), 1))
      add(c.code, 'urban_income', y, Math.round((c.code === '140902' ? 38500 : 33000) / 1.045 ** years))
      add(c.code, 'rural_income', y, Math.round((c.code === '140902' || c.code === '140981' ? 18500 : 13500) / 1.07 ** years))
      add(c.code, 'retail_sales', y, round(g * 0.33, 1))
      add(c.code, 'fiscal_revenue', y, round(g * (c.coal ? 0.2 : 0.09), 1))
    })
  }
  for (const [key, value] of city) {
    const [code, year] = key.split('|') as [IndicatorCode, string]
    out.push({ divisionCode: DEMO_CITY, code, period: year, value: Number(value.toFixed(code === 'urban_new_jobs' ? 0 : 2)) })
  }
  for (const y of YEARS) {
    const weight = (code: IndicatorCode) => {
      const rows = out.filter((r) => r.code === code && r.period === String(y) && r.divisionCode !== DEMO_CITY)
      return Number((rows.reduce((s, r) => s + r.value, 0) / rows.length).toFixed(code.endsWith('income') ? 0 : 1))
    }
    for (const code of ['gdp_growth', 'urban_unemployment_rate', 'urban_income', 'rural_income'] as IndicatorCode[]) {
      out.push({ divisionCode: DEMO_CITY, code, period: String(y), value: weight(code) })
    }
  }
  return out
}

/** Divisions beneath a division, cached for the run. */
function childrenOf(services: Services) {
  const cache = new Map<string, Promise<Division[]>>()
  return (code: string) => {
    let hit = cache.get(code)
    if (!hit) {
      hit = services.org.listChildren(code)
      cache.set(code, hit)
    }
    return hit
  }
}

interface DemoPersonRow {
  name: string
  idNumber: string
  ethnicity: string
  householdDivisionCode: string
  address: string
  maritalStatus: string
  householdNumber: string
  relation: string
}

/**
 * Demo data of the registries module (see the module comment above). Needs the org and identity
 * demos first; parts whose prerequisites are missing are skipped with a warning.
 */
export async function seedRegistriesDemo(core: Core, services: Services): Promise<DemoLogin[]> {
  const { org, identity, registries } = services
  const before = await registries.stats()
  const meta = { via: 'demo' }
  const today = new Date(core.clock.now().getTime() + 8 * 3600_000).toISOString().slice(0, 10)

  // --- owners (only where none is set, so an admin's choice stands) -------------------------
  const departmentIds = new Map<string, string>()
  for (const o of owners) {
    const found = (await org.listDepartments({ divisionCode: DEMO_CITY, q: o.department }, { page: 1, pageSize: 50 })).items.find((d) => d.name === o.department)
    const department =
      found ?? (o.create ? await org.createDepartment(systemActor, { name: o.department, shortName: o.create.shortName, divisionCode: DEMO_CITY, kind: 'bureau', address: o.create.address }) : null)
    if (!department) {
      core.logger.warn({ department: o.department }, 'demo department missing; registry owner not set')
      continue
    }
    departmentIds.set(o.department, department.id)
  }
  for (const r of await registries.listRegistries('system')) {
    const o = owners.find((x) => x.registry === r.code)
    const id = o && departmentIds.get(o.department)
    if (!r.ownerDepartmentId && id) await registries.setOwner('system', r.code, id, meta)
  }
  const police = departmentIds.get('忻州市公安局')
  if (police) {
    // Staff of the owner department: they see population records in full (not listed as a demo login).
    try {
      const passwordHash = await identity.hashPassword(DEMO_PASSWORD)
      await identity.createStaff('system', { name: '白文静', username: 'xz.huzheng', passwordHash, departmentId: police, roles: [{ role: 'window_clerk' }] })
    } catch (err) {
      if (!isConflict(err)) throw err
    }
  }

  const children = childrenOf(services)
  const rng = seededRandom(140_901)
  const countyNames = new Map<string, string>()
  for (const c of await children(DEMO_CITY)) countyNames.set(c.code, c.name)
  if (countyNames.size === 0) {
    core.logger.warn('demo city divisions missing; registries demo skipped')
    return []
  }

  /** A community (or village) of the county, and an address in it. */
  async function placeIn(county: string): Promise<{ divisionCode: string; address: string }> {
    const streets = await children(county)
    const street = streets.length > 0 ? pick(rng, streets.slice(0, Math.min(streets.length, 6))) : null
    const communities = street ? await children(street.code) : []
    const community = communities.length > 0 ? pick(rng, communities.slice(0, Math.min(communities.length, 8))) : null
    const number = 1 + Math.floor(rng() * 120)
    const countyName = countyNames.get(county) ?? ''
    if (!street || !community) return { divisionCode: street?.code ?? county, address: `${countyName}${street?.name ?? ''}${pick(rng, roads)}${number}号` }
    const local = shortName(community.name)
    const address = local.endsWith('社区') ? `${countyName}${street.name}${local}${pick(rng, roads)}${number}号` : `${countyName}${street.name}${local}${number}号`
    return { divisionCode: community.code, address }
  }

  function newName(sex: 'male' | 'female', surname?: string): string {
    const chars = sex === 'male' ? maleChars : femaleChars
    return (surname ?? pick(rng, surnames)) + pick(rng, chars) + (rng() < 0.6 ? pick(rng, chars) : '')
  }

  function birthNear(year: number, spread: number): string {
    const y = Math.min(2023, Math.max(1930, year + Math.round((rng() - 0.5) * 2 * spread)))
    return `${y}-${String(1 + Math.floor(rng() * 12)).padStart(2, '0')}-${String(1 + Math.floor(rng() * 28)).padStart(2, '0')}`
  }

  const ethnicity = () => (rng() < 0.96 ? '01' : pick(rng, ['03', '11', '02']))
  const maritalFor = (birthDate: string) => {
    const age = 2026 - Number(birthDate.slice(0, 4))
    if (age < 23) return 'unmarried'
    if (age > 75 && rng() < 0.4) return 'widowed'
    return rng() < 0.08 ? 'divorced' : rng() < 0.15 ? 'unmarried' : 'married'
  }

  // --- the citizens of the identity demo, and their households --------------------------------
  const citizens: { name: string; idNumber: string; county: string }[] = []
  for (let page = 1; ; page++) {
    const accounts = await identity.listAccounts('system', { kind: 'person', page, pageSize: 100 })
    for (const a of accounts.items) {
      const idNumber = await identity.revealIdNumber(a.id)
      if (idNumber && a.divisionCode?.startsWith('1409')) citizens.push({ name: a.name, idNumber, county: a.divisionCode.slice(0, 6) })
    }
    if (accounts.items.length < 100) break
  }
  // Oldest account first (ids are time-ordered), so the same citizens get the same households every run.
  citizens.reverse()
  const rows: DemoPersonRow[] = []
  const seq = new Map<string, number>()
  const used = new Set(citizens.map((c) => c.idNumber))
  const uniqueId = (opts: Parameters<typeof generateIdNumber>[0]) => {
    let id = generateIdNumber({ ...opts, rng })
    while (used.has(id)) id = generateIdNumber({ ...opts, rng })
    used.add(id)
    return id
  }
  for (const [i, c] of citizens.entries()) {
    const info = checkIdNumber(c.idNumber)
    if (!info.ok) continue
    const place = await placeIn(c.county)
    const born = Number(info.birthDate.slice(0, 4))
    const withHousehold = (i === 0 || i % 3 !== 2) && born <= 2000
    if (!withHousehold) {
      rows.push({ name: c.name, idNumber: c.idNumber, ethnicity: ethnicity(), householdDivisionCode: place.divisionCode, address: place.address, maritalStatus: maritalFor(info.birthDate), householdNumber: '', relation: '' })
      continue
    }
    const n = (seq.get(c.county) ?? 0) + 1
    seq.set(c.county, n)
    const number = `${c.county}${String(100_000 + n).padStart(6, '0')}`
    const member = (name: string, idNumber: string, relation: string, maritalStatus: string) =>
      rows.push({ name, idNumber, ethnicity: ethnicity(), householdDivisionCode: place.divisionCode, address: place.address, maritalStatus, householdNumber: number, relation })
    member(c.name, c.idNumber, 'head', 'married')
    const spouseSex = info.sex === 'male' ? 'female' : 'male'
    const spouseBirth = birthNear(born, 4)
    const spouseName = newName(spouseSex)
    member(spouseName, uniqueId({ divisionCode: rng() < 0.8 ? c.county : pick(rng, counties).code, birthDate: spouseBirth, sex: spouseSex }), 'spouse', 'married')
    const familyName = (info.sex === 'male' ? c.name : spouseName).slice(0, 1)
    const kids = born >= 1950 ? Math.floor(rng() * 3) : 0
    for (let k = 0; k < kids; k++) {
      const sex = rng() < 0.5 ? 'male' : 'female'
      const birth = birthNear(born + 28, 4)
      if (Number(birth.slice(0, 4)) > 2023) continue
      member(newName(sex, familyName), uniqueId({ divisionCode: c.county, birthDate: birth, sex }), sex === 'male' ? 'son' : 'daughter', 'unmarried')
    }
    if (born >= 1965 && rng() < 0.2) {
      const sex = rng() < 0.5 ? 'male' : 'female'
      member(newName(sex, sex === 'male' ? c.name.slice(0, 1) : undefined), uniqueId({ divisionCode: c.county, birthDate: birthNear(born - 27, 3), sex }), sex === 'male' ? 'father' : 'mother', 'widowed')
    }
  }
  const adults = rows.filter((r) => Number(r.idNumber.slice(6, 10)) <= 1995)

  let created = 0
  if (before.persons === 0 && rows.length > 0) {
    const result = await registries.importTable(
      'system',
      'persons',
      {
        format: 'csv',
        content: csv(
          ['name', 'idNumber', 'ethnicity', 'householdDivisionCode', 'address', 'householdNumber', 'relation', 'maritalStatus'],
          rows.map((r) => [r.name, r.idNumber, r.ethnicity, r.householdDivisionCode, r.address, r.householdNumber, r.relation, r.maritalStatus]),
        ),
      },
      {},
      meta,
    )
    created += result.created
  }

  // --- the enterprises of the identity demo ----------------------------------------------------
  const enterprises: { name: string; creditCode: string; county: string }[] = []
  for (let page = 1; ; page++) {
    const accounts = await identity.listAccounts('system', { kind: 'legal', page, pageSize: 100 })
    for (const a of accounts.items) if (a.creditCode && a.divisionCode?.startsWith('1409')) enterprises.push({ name: a.name, creditCode: a.creditCode, county: a.divisionCode.slice(0, 6) })
    if (accounts.items.length < 100) break
  }
  enterprises.reverse()
  const typeOf = (e: { name: string; creditCode: string }): EntityType =>
    e.creditCode[1] === '2' ? 'individual_business' : e.creditCode[1] === '3' ? 'farmer_cooperative' : e.name.endsWith('股份有限公司') ? 'joint_stock_company' : 'limited_company'
  const entityRows = []
  for (const e of enterprises) {
    const local = adults.filter((r) => r.householdDivisionCode.startsWith(e.county))
    const rep = local.length > 0 ? pick(rng, local) : adults.length > 0 ? pick(rng, adults) : null
    const type = typeOf(e)
    const capital = type === 'individual_business' ? 5 + Math.floor(rng() * 45) : type === 'farmer_cooperative' ? 50 + Math.floor(rng() * 450) : 100 + Math.floor(rng() * 49) * 100
    const place = await placeIn(e.county)
    entityRows.push([
      e.creditCode, e.name, type, rep?.name ?? '', rep?.idNumber ?? '', capital, `${countyNames.get(e.county) ?? ''}市场监督管理局`, place.address,
      scopes.find(([word]) => e.name.includes(word))?.[1] ?? '一般项目：货物销售', birthNear(2011, 12),
    ])
  }
  if (before.entities === 0 && entityRows.length > 0) {
    const result = await registries.importTable(
      'system',
      'entities',
      { format: 'csv', content: csv(['creditCode', 'name', 'type', 'legalRepName', 'legalRepIdNumber', 'registeredCapital', 'registrationAuthority', 'address', 'businessScope', 'establishedOn'], entityRows) },
      {},
      meta,
    )
    created += result.created
    // Two status changes with history: a licence revoked, a business closed.
    for (const [name, status, day] of [['繁峙县金山石材有限公司', 'revoked', '2024-08-15'], ['五寨县杂粮加工有限公司', 'deregistered', '2025-03-10']] as const) {
      const e = enterprises.find((x) => x.name === name)
      const entity = e ? await registries.getEntityByCreditCode(e.creditCode, '演示数据初始化：登记状态变更', 'system', meta) : null
      if (entity) await registries.updateEntity('system', entity.id, { version: entity.version, status, statusChangedOn: day }, meta)
    }
  }

  // --- public credit ---------------------------------------------------------------------------
  if (before.creditEntries === 0) {
    const ndrc = '忻州市发展和改革委员会'
    const market = '忻州市市场监督管理局'
    const civil = '忻州市民政局'
    const byName = (name: string) => enterprises.find((e) => e.name === name)?.creditCode
    const creditRows = [
      [byName('定襄县宏达法兰锻造有限公司'), 'red', '2024年度纳税信用A级纳税人', '国家税务总局忻州市税务局认定', ndrc, '2025-04-01', '2026-03-31'],
      [byName('原平市华康食品有限公司'), 'red', '守合同重信用企业', '山西省市场监督管理局公示', market, '2024-06-01', '2026-05-31'],
      [byName('繁峙县金山石材有限公司'), 'black', '被吊销营业执照，列入严重违法失信名单', '《市场监督管理严重违法失信名单管理办法》第十条', market, '2024-08-20', '2027-08-19'],
      [rows.filter((r) => r.relation === 'spouse')[3]?.idNumber, 'black', '失信被执行人：有履行能力而拒不履行生效法律文书确定的义务', '《最高人民法院关于公布失信被执行人名单信息的若干规定》', ndrc, '2025-03-01', '2028-02-29'],
      [citizens[3]?.idNumber, 'red', '忻州市道德模范（助人为乐）', '忻州市精神文明建设委员会表彰决定', civil, '2024-09-20', ''],
    ].filter((r) => r[0])
    const known = await Promise.all(creditRows.map(async (r) => !!(await org.listDepartments({ q: r[4] as string }, { page: 1, pageSize: 5 })).items.find((d) => d.name === r[4])))
    const rowsToImport = creditRows.filter((_, i) => known[i])
    if (rowsToImport.length > 0) {
      const result = await registries.importTable(
        'system',
        'credit-entries',
        { format: 'csv', content: csv(['subjectCode', 'list', 'reason', 'basis', 'sourceDepartment', 'validFrom', 'validTo'], rowsToImport) },
        {},
        meta,
      )
      created += result.created
    }
  }

  // --- spatial: standard addresses on the org demo's grid cells, and outlines -----------------
  if (before.addressPoints === 0) {
    for (const community of ['140902003001', '140902003002', '140902002001']) {
      const cells = await org.listGridCells(community)
      for (const [i, cell] of cells.entries()) {
        for (let n = 1; n <= 3; n++) {
          await registries.addAddressPoint('system', {
            divisionCode: community, localAddress: `${roads[i % roads.length]}${i * 10 + n}号`, gridCode: cell.code,
            lng: Number((112.73 + i * 0.003 + n * 0.0004).toFixed(5)), lat: Number((38.415 + i * 0.002).toFixed(5)),
          }, meta)
          created++
        }
      }
    }
  }
  if (before.boundaries === 0) {
    for (const c of counties) {
      const name = countyNames.get(c.code)
      if (!name) continue
      await registries.upsertBoundary('system', {
        divisionCode: c.code, name, center: c.seat, approximate: true, source: 'demo-approximate-hexagon',
        geometry: { type: 'Polygon', coordinates: [approximateOutline(c.seat, c.areaKm2)] },
      }, meta)
      created++
    }
  }

  // --- macro-economy ---------------------------------------------------------------------------
  if (before.indicatorValues === 0) {
    const values = demoIndicators().filter((v) => v.period <= today.slice(0, 4))
    created += (await registries.putIndicatorValues('system', values, 'demo', meta)).created
  }

  if (created > 0) core.logger.info({ records: created }, 'registries demo data created')
  return []
}
