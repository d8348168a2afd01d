import type { Core } from '../platform/core.js'
import { AppError } from '../platform/errors.js'
import type { Role } from '../platform/roles.js'
import { generateCreditCode, generateIdNumber, seededRandom, type Random } from '../modules/identity/index.js'
import type { Services } from '../services.js'
import type { DemoLogin } from './index.js'

/** The one password of every demo account (shown by `npm start` and in the README). */
export const DEMO_PASSWORD = 'Demo@2026'

interface DemoStaff {
  username: string
  name: string
  department: string
  role: Role
  /** Grant scope; omitted = the department's division and the department itself. */
  divisionCode?: string | null
  face: DemoLogin['face']
  /** Listed among the demo logins. */
  listed: boolean
}

/** Staff for every role in 忻州市, plus district staff to show that scopes stop at district borders. */
const demoStaff: readonly DemoStaff[] = [
  { username: 'xz.clerk', name: '王晓燕', department: '忻州市政务服务中心', role: 'window_clerk', face: '/work', listed: true },
  { username: 'xz.reviewer', name: '李志强', department: '忻州市行政审批服务管理局', role: 'reviewer', face: '/work', listed: true },
  { username: 'xz.head', name: '张建华', department: '忻州市行政审批服务管理局', role: 'department_head', face: '/work', listed: true },
  { username: 'xz.leader', name: '赵国平', department: '忻州市人民政府', role: 'leader', divisionCode: '140900', face: '/work', listed: true },
  { username: 'xz.data', name: '郭丽娟', department: '忻州市政务信息管理局', role: 'data_admin', divisionCode: '140900', face: '/admin', listed: true },
  { username: 'xz.ops', name: '杨帆', department: '忻州市城市运行管理中心', role: 'ops_operator', divisionCode: '140900', face: '/ops', listed: true },
  { username: 'admin', name: '刘海涛', department: '忻州市政务信息管理局', role: 'platform_admin', divisionCode: null, face: '/admin', listed: true },
  { username: 'xf.clerk', name: '周婷', department: '忻府区行政审批服务管理局', role: 'window_clerk', face: '/work', listed: true },
  { username: 'yp.clerk', name: '武建军', department: '原平市行政审批服务管理局', role: 'window_clerk', face: '/work', listed: true },
  { username: 'xf.data', name: '梁晓东', department: '忻府区人民政府', role: 'data_admin', divisionCode: '140902', face: '/admin', listed: false },
]

/** County-level divisions of 忻州市 (GB/T 2260), weighted towards the populous ones. */
const counties: readonly [code: string, weight: number][] = [
  ['140902', 8], ['140981', 5], ['140921', 2], ['140922', 2], ['140923', 2], ['140924', 2], ['140925', 1],
  ['140926', 1], ['140927', 1], ['140928', 1], ['140929', 1], ['140930', 1], ['140931', 1], ['140932', 1],
]

// Common surnames in Shanxi first; given-name characters by sex.
const surnames = [...'王李张刘赵杨郭贾梁武田高段闫薛郝申白任霍温乔宋秦韩冯史程孙马胡吴周徐']
const maleChars = [...'伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆建国志文博晨']
const femaleChars = [...'芳娜敏静丽艳娟霞燕玲婷洁琳晶慧雪梅倩颖璐瑶欣悦红英秀兰萍佳']

/** Enterprises of the demo city; authority/category per GB 32100 (9+1 company, 9+2 sole trader, 9+3 co-operative). */
const demoEnterprises: readonly { name: string; county: string; category?: string }[] = [
  { name: '定襄县宏达法兰锻造有限公司', county: '140921' },
  { name: '忻州市秀容建筑工程有限公司', county: '140902' },
  { name: '五台山文化旅游开发有限公司', county: '140922' },
  { name: '原平市华康食品有限公司', county: '140981' },
  { name: '代县雁门关旅游服务有限公司', county: '140923' },
  { name: '静乐县藜麦科技有限公司', county: '140926' },
  { name: '宁武县芦芽山生态农业专业合作社', county: '140925', category: '3' },
  { name: '河曲县黄河物流有限公司', county: '140930' },
  { name: '保德县红枣食品有限公司', county: '140931' },
  { name: '五寨县杂粮加工有限公司', county: '140928' },
  { name: '忻府区恒达汽车维修部', county: '140902', category: '2' },
  { name: '繁峙县金山石材有限公司', county: '140924' },
]

const CITIZENS = 60
/** The citizen listed as a demo login, with an easy phone number. */
const DEMO_CITIZEN_PHONE = '13900001409'

function pick<T>(rng: Random, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)]
}

function pickCounty(rng: Random): string {
  const total = counties.reduce((s, [, w]) => s + w, 0)
  let r = rng() * total
  for (const [code, w] of counties) {
    r -= w
    if (r < 0) return code
  }
  return counties[0][0]
}

function birthDate(rng: Random): string {
  const year = 1950 + Math.floor(rng() * 56)
  const month = 1 + Math.floor(rng() * 12)
  const day = 1 + Math.floor(rng() * 28)
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`
}

const phonePrefixes = ['130', '131', '132', '133', '135', '136', '137', '138', '139', '150', '151', '152', '155', '156', '157', '158', '159', '180', '182', '183', '186', '187', '188', '189']

/** True for "already exists" answers, which make seeding idempotent. */
function isConflict(err: unknown): boolean {
  return err instanceof AppError && err.status === 409
}

/**
 * Demo data owned by the identity module: staff for every role (attached to the org demo's
 * departments; skipped when a department is missing), 60 citizens with valid ID numbers in
 * 忻州's counties, and a dozen enterprises with valid credit codes and citizen agents. The data is
 * generated from a fixed seed, so a second run finds everything in place and adds nothing.
 */
export async function seedIdentityDemo(core: Core, services: Services): Promise<DemoLogin[]> {
  const { identity, org } = services
  const logins: DemoLogin[] = []
  // One argon2id hash for every demo account keeps seeding fast.
  const passwordHash = await identity.hashPassword(DEMO_PASSWORD)
  let created = 0

  for (const s of demoStaff) {
    const found = await org.listDepartments({ q: s.department }, { page: 1, pageSize: 100 })
    const department = found.items.find((d) => d.name === s.department)
    if (!department) {
      core.logger.warn({ department: s.department }, 'demo department missing; demo staff skipped')
      continue
    }
    try {
      const grant = s.divisionCode === undefined ? { role: s.role } : { role: s.role, divisionCode: s.divisionCode, departmentId: null }
      await identity.createStaff('system', { name: s.name, username: s.username, passwordHash, departmentId: department.id, roles: [grant] })
      created++
    } catch (err) {
      if (!isConflict(err)) throw err
    }
    if (s.listed) logins.push({ face: s.face, role: s.role, username: s.username, password: DEMO_PASSWORD })
  }

  const rng = seededRandom(140900)
  const phones = new Set<string>([DEMO_CITIZEN_PHONE])
  const citizenIds: string[] = []
  for (let i = 0; i < CITIZENS; i++) {
    const sex = rng() < 0.5 ? 'male' : 'female'
    const chars = sex === 'male' ? maleChars : femaleChars
    const name = pick(rng, surnames) + pick(rng, chars) + (rng() < 0.6 ? pick(rng, chars) : '')
    const county = i === 0 ? '140902' : pickCounty(rng)
    const idNumber = generateIdNumber({ divisionCode: county, birthDate: birthDate(rng), sex, rng })
    let phone = i === 0 ? DEMO_CITIZEN_PHONE : ''
    while (!phone || (i > 0 && phones.has(phone))) phone = pick(rng, phonePrefixes) + String(Math.floor(rng() * 1e8)).padStart(8, '0')
    phones.add(phone)
    try {
      citizenIds.push((await identity.createPerson('system', { name, idNumber, phone, passwordHash })).id)
      created++
    } catch (err) {
      if (!isConflict(err)) throw err
      const existing = await identity.findPersonIdByIdNumber(idNumber)
      if (existing) citizenIds.push(existing)
    }
    if (i === 0) logins.push({ face: '/m', role: 'citizen', username: phone, password: DEMO_PASSWORD })
  }

  for (const [i, e] of demoEnterprises.entries()) {
    const creditCode = generateCreditCode({ divisionCode: e.county, category: e.category, rng })
    const agentAccountId = citizenIds[(i + 1) % citizenIds.length]
    if (!agentAccountId) break
    try {
      await identity.createLegal('system', { name: e.name, creditCode, agentAccountId, passwordHash })
      created++
    } catch (err) {
      if (!isConflict(err)) throw err
    }
    if (i === 0) logins.push({ face: '/m', role: 'enterprise_agent', username: creditCode, password: DEMO_PASSWORD })
  }

  if (created > 0) core.logger.info({ accounts: created }, 'identity demo accounts created')
  return logins
}
