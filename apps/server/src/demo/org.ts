import { systemActor } from '../platform/audit.js'
import type { Core } from '../platform/core.js'
import type { Services } from '../services.js'
import type { DepartmentKind } from '../modules/org/index.js'
import type { DemoLogin } from './index.js'

/** The demo city: 忻州市, Shanxi (GB/T 2260 140900). */
export const DEMO_CITY = '140900'

interface DemoDepartment {
  name: string
  shortName: string
  divisionCode: string
  kind: DepartmentKind
  /** Office phone and address are illustrative, not the offices' real ones. */
  phone?: string
  address?: string
  positions?: string[]
}

/**
 * Departments of the demo city and its districts. The identity demo attaches staff to them by
 * name (see `demoDepartmentId`).
 */
export const demoDepartments: readonly DemoDepartment[] = [
  { name: '忻州市人民政府', shortName: '市政府', divisionCode: '140900', kind: 'government', address: '山西省忻州市忻府区和平街' },
  {
    name: '忻州市行政审批服务管理局',
    shortName: '市审批局',
    divisionCode: '140900',
    kind: 'bureau',
    address: '山西省忻州市忻府区七一北路',
    positions: ['综合受理窗口', '审批科科员', '审批科科长', '局长'],
  },
  { name: '忻州市政务服务中心', shortName: '市政务大厅', divisionCode: '140900', kind: 'service_center', phone: '0350-12345', address: '山西省忻州市忻府区七一北路', positions: ['综合受理窗口', '出件窗口'] },
  { name: '忻州市公安局', shortName: '市公安局', divisionCode: '140900', kind: 'bureau', positions: ['户政窗口', '出入境窗口'] },
  { name: '忻州市人力资源和社会保障局', shortName: '市人社局', divisionCode: '140900', kind: 'bureau', positions: ['社保窗口'] },
  { name: '忻州市医疗保障局', shortName: '市医保局', divisionCode: '140900', kind: 'bureau', positions: ['医保窗口'] },
  { name: '忻州市市场监督管理局', shortName: '市市场监管局', divisionCode: '140900', kind: 'bureau', positions: ['登记注册窗口', '执法检查员'] },
  { name: '忻州市卫生健康委员会', shortName: '市卫健委', divisionCode: '140900', kind: 'bureau' },
  { name: '忻州市住房和城乡建设局', shortName: '市住建局', divisionCode: '140900', kind: 'bureau' },
  { name: '忻州市民政局', shortName: '市民政局', divisionCode: '140900', kind: 'bureau', positions: ['婚姻登记窗口'] },
  { name: '忻州市政务信息管理局', shortName: '市数据局', divisionCode: '140900', kind: 'bureau', positions: ['数据管理员'] },
  { name: '忻州市城市运行管理中心', shortName: '市城运中心', divisionCode: '140900', kind: 'other', positions: ['值班员'] },
  { name: '忻府区人民政府', shortName: '区政府', divisionCode: '140902', kind: 'government' },
  { name: '忻府区行政审批服务管理局', shortName: '忻府区审批局', divisionCode: '140902', kind: 'bureau', positions: ['综合受理窗口'] },
  { name: '忻府区公安分局', shortName: '忻府公安分局', divisionCode: '140902', kind: 'bureau', positions: ['户政窗口'] },
  { name: '原平市行政审批服务管理局', shortName: '原平市审批局', divisionCode: '140981', kind: 'bureau', positions: ['综合受理窗口'] },
  { name: '新建路街道办事处', shortName: '新建路街道办', divisionCode: '140902003', kind: 'street_office', positions: ['便民服务窗口'] },
  { name: '北关社区居民委员会', shortName: '北关社区', divisionCode: '140902003001', kind: 'community', positions: ['网格员'] },
]

/** Grid cells under communities of 忻府区's 新建路, 长征街 and 秀容 streets (real community codes). */
const demoGridCells: readonly { communityCode: string; names: string[] }[] = [
  { communityCode: '140902003001', names: ['北关社区第一网格', '北关社区第二网格', '北关社区第三网格'] },
  { communityCode: '140902003002', names: ['新建路社区第一网格', '新建路社区第二网格'] },
  { communityCode: '140902002001', names: ['长征东街社区第一网格', '长征东街社区第二网格'] },
  { communityCode: '140902001002', names: ['东大街社区第一网格'] },
]

/** GB 32100 characters (no I, O, S, V, Z) in value order. */
const creditChars = '0123456789ABCDEFGHJKLMNPQRTUWXY'

/**
 * A well-formed unified social credit code for a demo agency: 11 (机构编制, 机关), the division,
 * a GB 11714 organisation code derived from the name, and the GB 32100 check character.
 */
export function demoAgencyCreditCode(divisionCode: string, name: string): string {
  let h = 0
  for (const ch of name) h = (h * 31 + ch.codePointAt(0)!) % 10_000_000
  const body = `0${String(h).padStart(7, '0')}`
  const orgWeights = [3, 7, 9, 10, 5, 8, 4, 2]
  const c9 = 11 - ([...body].reduce((s, ch, i) => s + Number(ch) * orgWeights[i], 0) % 11)
  const orgCode = body + (c9 === 10 ? 'X' : c9 === 11 ? '0' : String(c9))
  const head = `11${divisionCode.slice(0, 6)}${orgCode}`
  const sum = [...head].reduce((s, ch, i) => s + creditChars.indexOf(ch) * (3 ** i % 31), 0)
  return head + creditChars[(31 - (sum % 31)) % 31]
}

/** The id of a demo department by its exact name (for other demo seeders). */
export async function demoDepartmentId(services: Services, name: string): Promise<string> {
  const page = await services.org.listDepartments({ q: name }, { page: 1, pageSize: 100 })
  const found = page.items.find((d) => d.name === name)
  if (!found) throw new Error(`Demo department missing: ${name}`)
  return found.id
}

/**
 * Demo data owned by the org module: the whole GB/T 2260 tree (to streets/towns), the real
 * communities and villages of 忻州市, its departments with positions, and grid cells. Idempotent.
 */
export async function seedOrgDemo(core: Core, services: Services): Promise<DemoLogin[]> {
  const { org } = services
  const started = performance.now()
  const divisions = await org.importDivisions()
  const communities = await org.importCommunities({ within: DEMO_CITY })
  if (divisions + communities > 0) {
    core.logger.info({ divisions, communities, ms: Math.round(performance.now() - started) }, 'division tree imported')
  }

  for (const d of demoDepartments) {
    const existing = await org.listDepartments({ divisionCode: d.divisionCode, q: d.name }, { page: 1, pageSize: 100 })
    const department =
      existing.items.find((x) => x.name === d.name && x.divisionCode === d.divisionCode) ??
      (await org.createDepartment(systemActor, {
        name: d.name,
        shortName: d.shortName,
        divisionCode: d.divisionCode,
        kind: d.kind,
        creditCode: d.kind === 'community' ? null : demoAgencyCreditCode(d.divisionCode, d.name),
        phone: d.phone ?? null,
        address: d.address ?? null,
      }))
    const positions = new Set((await org.listPositions(department.id)).map((p) => p.name))
    for (const name of d.positions ?? []) {
      if (!positions.has(name)) await org.createPosition(systemActor, department.id, { name })
    }
  }

  for (const g of demoGridCells) {
    const cells = new Set((await org.listGridCells(g.communityCode)).map((c) => c.name))
    for (const name of g.names) {
      if (!cells.has(name)) await org.createGridCell(systemActor, { communityCode: g.communityCode, name })
    }
  }
  return []
}
