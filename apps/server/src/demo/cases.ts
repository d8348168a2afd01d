import { chinaDate } from '../platform/calendar.js'
import { ManualClock } from '../platform/clock.js'
import type { Core } from '../platform/core.js'
import type { Principal, RoleGrant } from '../platform/roles.js'
import { createCasesService, type ApplicationDetail } from '../modules/cases/index.js'
import { validateFormData, type FormDefinition, type ServiceItemVersion } from '../modules/catalog/index.js'
import { seededRandom, type Random } from '../modules/identity/index.js'
import type { Services } from '../services.js'
import type { DemoLogin } from './index.js'

/** The demo citizen's sign-in number (README). */
const DEMO_LOGIN_PHONE = '13900001409'

/**
 * Demo applications (办件) for the workbench and the citizen face: a few dozen cases of 忻州's
 * citizens in every state — waiting at the window, in 补正, at each review step, decided, issued,
 * delivered, closed, not accepted, withdrawn — some of them close to or past their deadline.
 * They are made through the cases service itself, with a clock moved back to when each step
 * happened, so numbers, timelines and working-day deadlines are what real use would produce.
 * Idempotent: nothing is added once any case exists.
 */

/** What a demo case should reach. `review:k` stops with step k awaited. */
type Target =
  | 'draft'
  | 'submitted'
  | 'supplement:window'
  | 'not_accepted'
  | 'withdrawn'
  | 'accepted'
  | `review:${number}`
  | 'supplement:review'
  | 'approved'
  | 'denied'
  | 'result_issued'
  | 'delivered'
  | 'closed'

interface Scenario {
  item: string
  target: Target
  /** Working days before today on which the applicant submitted. */
  daysAgo: number
  /** Index into the demo citizens (0 is the listed demo login). */
  applicant: number
}

/** 食品经营许可 (三级审批, 5 days), 公共场所卫生许可 and 食品经营许可变更 (审查 → 决定, 5 days), all at the city's 行政审批服务管理局. */
const FOOD = 'XK00505000'
const HYGIENE = 'XK00510000'
const FOOD_CHANGE = 'XK00506000'
/** 个体工商户设立登记 at 忻府区行政审批服务管理局 (当日办结). */
const SOLE_TRADER = 'XK00601000'
/** 出生登记 at 忻州市公安局 (即收即办), received by the city hall's comprehensive window. */
const BIRTH = 'QR00101000'

const scenarios: Scenario[] = [
  // The listed demo citizen: one of each kind of thing a citizen sees.
  { item: BIRTH, target: 'draft', daysAgo: 0, applicant: 0 },
  { item: SOLE_TRADER, target: 'supplement:window', daysAgo: 1, applicant: 0 },
  { item: FOOD, target: 'review:1', daysAgo: 2, applicant: 0 },
  { item: HYGIENE, target: 'closed', daysAgo: 9, applicant: 0 },
  { item: FOOD_CHANGE, target: 'withdrawn', daysAgo: 4, applicant: 0 },
  // 待受理 at the city hall and in 忻府区.
  { item: FOOD, target: 'submitted', daysAgo: 0, applicant: 1 },
  { item: FOOD, target: 'submitted', daysAgo: 0, applicant: 2 },
  { item: FOOD, target: 'submitted', daysAgo: 1, applicant: 3 },
  { item: HYGIENE, target: 'submitted', daysAgo: 1, applicant: 4 },
  { item: BIRTH, target: 'submitted', daysAgo: 0, applicant: 5 },
  { item: BIRTH, target: 'submitted', daysAgo: 0, applicant: 6 },
  { item: SOLE_TRADER, target: 'submitted', daysAgo: 0, applicant: 7 },
  { item: SOLE_TRADER, target: 'submitted', daysAgo: 0, applicant: 8 },
  { item: SOLE_TRADER, target: 'submitted', daysAgo: 1, applicant: 9 },
  // 待补正 and 不予受理.
  { item: FOOD, target: 'supplement:window', daysAgo: 2, applicant: 10 },
  { item: FOOD, target: 'supplement:review', daysAgo: 3, applicant: 11 },
  { item: FOOD, target: 'not_accepted', daysAgo: 3, applicant: 12 },
  { item: SOLE_TRADER, target: 'not_accepted', daysAgo: 2, applicant: 13 },
  // 待审查 / 待决定, green, yellow (day 4 of 5) and red (past the limit).
  { item: FOOD, target: 'accepted', daysAgo: 1, applicant: 14 },
  { item: FOOD, target: 'accepted', daysAgo: 4, applicant: 15 },
  { item: FOOD, target: 'review:1', daysAgo: 2, applicant: 16 },
  { item: FOOD, target: 'review:2', daysAgo: 4, applicant: 17 },
  { item: FOOD, target: 'review:2', daysAgo: 7, applicant: 18 },
  { item: HYGIENE, target: 'accepted', daysAgo: 8, applicant: 19 },
  { item: FOOD_CHANGE, target: 'review:1', daysAgo: 3, applicant: 20 },
  { item: BIRTH, target: 'accepted', daysAgo: 0, applicant: 21 },
  { item: SOLE_TRADER, target: 'accepted', daysAgo: 0, applicant: 22 },
  { item: SOLE_TRADER, target: 'accepted', daysAgo: 2, applicant: 23 },
  // Decided and after.
  { item: FOOD, target: 'approved', daysAgo: 5, applicant: 24 },
  { item: FOOD, target: 'denied', daysAgo: 6, applicant: 25 },
  { item: FOOD_CHANGE, target: 'approved', daysAgo: 3, applicant: 26 },
  { item: FOOD, target: 'result_issued', daysAgo: 6, applicant: 27 },
  { item: FOOD, target: 'delivered', daysAgo: 8, applicant: 28 },
  { item: FOOD, target: 'closed', daysAgo: 10, applicant: 29 },
  { item: HYGIENE, target: 'closed', daysAgo: 12, applicant: 30 },
  { item: FOOD, target: 'withdrawn', daysAgo: 2, applicant: 31 },
]

/** A one-page PDF standing in for every scanned material. */
const SAMPLE_PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n')

const addresses = ['山西省忻州市忻府区和平街12号', '山西省忻州市忻府区七一北路88号', '山西省原平市新原街36号', '山西省忻州市忻府区长征街105号', '山西省定襄县晋昌镇东大街8号']
const shopNames = ['秀容', '晋北', '云中', '雁门', '滹沱', '五台', '忻口', '九原']

function pick<T>(rng: Random, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)]!
}

/** Who fills the form: the applicant's own details, plus plausible values for everything else. */
interface Filler {
  name: string
  idNumber: string | null
  phone: string
  rng: Random
}

/** Form data that passes the item's form, or null when a required field cannot be filled plausibly. */
function fillForm(form: FormDefinition | null, who: Filler): Record<string, unknown> | null {
  if (!form) return {}
  const data: Record<string, unknown> = {}
  const widgets = new Map(form.layout.map((l) => [l.field, l]))
  const required = new Set(form.schema.required ?? [])
  for (const [field, p] of Object.entries(form.schema.properties)) {
    const layout = widgets.get(field)
    const label = layout?.label ?? p.title ?? field
    let value: unknown
    if (p.type === 'array') {
      if (p.items?.enum) value = p.items.enum.slice(0, Math.max(1, p.minItems ?? 1))
      else if (!required.has(field)) continue
    } else if (p.enum) value = p.enum[0]
    else if (p.type === 'number' || p.type === 'integer') value = Math.max(p.minimum ?? 1, Math.min(p.maximum ?? 50, 10))
    else if (p.type === 'boolean') value = true
    else if (layout?.widget === 'idNumber') value = who.idNumber
    else if (layout?.widget === 'phone') value = who.phone
    else if (layout?.widget === 'date' || p.format === 'date') value = '2026-10-08'
    else if (p.format === 'email') value = 'demo@example.cn'
    else if (p.format === 'uri') value = 'https://www.example.cn'
    else if (/姓名|联系人|经营者|申请人/.test(label) && !/名称/.test(label)) value = who.name
    else if (/地址|住所|场所|地/.test(label)) value = pick(who.rng, addresses)
    else if (/名称/.test(label)) value = `忻州市${pick(who.rng, shopNames)}餐饮店`
    else if (/范围/.test(label)) value = '餐饮服务；食品销售'
    else value = `${label}（演示）`
    if (typeof value === 'string' && p.maxLength !== undefined) value = value.slice(0, p.maxLength)
    if (value === null || value === undefined) {
      if (required.has(field)) return null
      continue
    }
    data[field] = value
  }
  const issues = validateFormData(form, data)
  for (const issue of issues) {
    if (required.has(issue.field)) return null
    delete data[issue.field]
  }
  return data
}

/** A principal for a demo account, as a session would carry it. */
function principalOf(a: { id: string; kind: 'person' | 'legal' | 'staff'; name: string; roles: { role: RoleGrant['role']; divisionCode: string | null; departmentId: string | null }[] }): Principal {
  return { accountId: a.id, sessionId: 'demo-seed', kind: a.kind, name: a.name, grants: a.roles.map(({ role, divisionCode, departmentId }) => ({ role, divisionCode, departmentId })) }
}

export async function seedCasesDemo(core: Core, services: Services): Promise<DemoLogin[]> {
  const { identity, catalog, org, cases } = services
  const staff = async (username: string): Promise<Principal | null> => {
    const found = await identity.listAccounts('system', { kind: 'staff', q: username, pageSize: 10 })
    const a = found.items.find((x) => x.username === username)
    return a ? principalOf(a) : null
  }
  const [cityClerk, reviewer, head, leader, xfClerk] = await Promise.all(['xz.clerk', 'xz.reviewer', 'xz.head', 'xz.leader', 'xf.clerk'].map(staff))
  if (!cityClerk || !reviewer || !head || !leader || !xfClerk) {
    core.logger.warn('demo staff missing; demo cases skipped')
    return []
  }
  // Idempotent: the city's leader sees every case of 忻州; any case means the demo is in place.
  if ((await cases.listInReach(leader, { pageSize: 1 })).total > 0) return []

  const people = (await identity.listAccounts('system', { kind: 'person', pageSize: 100 })).items
  const demoLogin = (await identity.listAccounts('system', { kind: 'person', q: DEMO_LOGIN_PHONE, pageSize: 1 })).items[0]
  const citizens = [...(demoLogin ? [demoLogin] : []), ...people.filter((p) => p.id !== demoLogin?.id)].map(principalOf)
  if (citizens.length === 0) return []

  const versions = new Map<string, ServiceItemVersion>()
  for (const code of new Set(scenarios.map((s) => s.item))) {
    const v = await catalog.getPublishedVersion(code)
    if (v) versions.set(code, v)
  }

  // A cases service of its own, on a clock the seeder moves back to when each step happened.
  const clock = new ManualClock(core.clock.now())
  const demo = createCasesService({ ...core, clock, catalog, org, identity })
  const calendar = core.calendar
  const today = chinaDate(core.clock.now())
  const rng = seededRandom(1409_2026)

  /** The `n`-th working day before today (0: today), at a time of day in Beijing. */
  const workingDayBefore = (n: number): string => {
    let day = today
    let left = n
    while (left > 0) {
      const d = new Date(`${day}T12:00:00+08:00`)
      d.setUTCDate(d.getUTCDate() - 1)
      day = chinaDate(d)
      if (calendar.isWorkingDay(day)) left--
    }
    return day
  }
  const at = (day: string, hhmm: string) => new Date(`${day}T${hhmm}:00+08:00`)
  const nowCap = core.clock.now().getTime() - 60_000
  /** Moves the demo clock, never past the real now. */
  const set = (d: Date) => clock.set(new Date(Math.min(d.getTime(), nowCap)))

  const stepStaff: Record<string, Principal> = { reviewer, department_head: head, leader }
  let made = 0

  for (const [i, s] of scenarios.entries()) {
    const version = versions.get(s.item)
    const applicant = citizens[s.applicant % citizens.length]!
    if (!version) continue
    const idNumber = await identity.revealIdNumber(applicant.accountId)
    // The demo login's forms carry its own number (its cases are what a visitor sees); others get one of their own.
    const phone = applicant.accountId === demoLogin?.id ? DEMO_LOGIN_PHONE : `139${String(14_090_000 + i).padStart(8, '0')}`
    const formData = fillForm(version.guide.form, { name: applicant.name, idNumber, phone, rng })
    if (!formData) {
      core.logger.warn({ item: s.item }, 'demo case skipped: its form cannot be filled')
      continue
    }
    const clerk = version.guide.divisionCode === '140902' ? xfClerk : cityClerk
    const start = workingDayBefore(s.daysAgo)
    let day = start
    const nextDay = () => {
      const d = new Date(`${day}T12:00:00+08:00`)
      do d.setUTCDate(d.getUTCDate() + 1)
      while (!calendar.isWorkingDay(chinaDate(d)) && chinaDate(d) < today)
      day = chinaDate(d) > today ? today : chinaDate(d)
    }

    set(at(start, `0${8 + (i % 2)}:${String(10 + ((i * 7) % 50)).padStart(2, '0')}`))
    let c: ApplicationDetail = await demo.createDraft(applicant, { itemVersionId: version.id, formData })
    made++
    if (s.target === 'draft') continue
    for (const m of version.guide.materials.filter((x) => x.requirement === 'required')) {
      await demo.uploadFile(applicant, c.id, m.code, { bytes: SAMPLE_PDF, contentType: 'application/pdf', fileName: `${m.name}.pdf` })
    }
    c = await demo.submit(applicant, c.id, { version: c.version })
    if (s.target === 'submitted') continue
    if (s.target === 'withdrawn') {
      set(at(start, '15:20'))
      await demo.withdraw(applicant, c.id, { version: c.version, reason: '信息填写有误，重新申请' })
      continue
    }
    set(at(start, '10:45'))
    if (s.target === 'supplement:window') {
      await demo.requestSupplement(clerk, c.id, {
        version: c.version,
        items: [{ materialCode: version.guide.materials[0]?.code ?? null, description: '材料不清晰，请上传清晰的扫描件' }, { description: '请补充经营场所产权证明或租赁合同' }],
        message: '请一次性补齐以下材料后重新提交。',
      })
      continue
    }
    if (s.target === 'not_accepted') {
      await demo.reject(clerk, c.id, { version: c.version, reason: '申请事项不属于本机关职权范围', legalBasis: '《中华人民共和国行政许可法》第三十二条第一款第（二）项' })
      continue
    }
    c = await demo.accept(clerk, c.id, { version: c.version, opinion: '材料齐全，符合法定形式，予以受理' })
    if (s.target === 'accepted') continue

    const steps = version.guide.reviewSteps
    const stopAt = s.target.startsWith('review:') ? Number(s.target.slice(7)) : steps.length
    let stuck = false
    for (let k = 0; k < Math.min(stopAt, steps.length - 1); k++) {
      const who = stepStaff[steps[k]!.role]
      if (!who) {
        stuck = true
        break
      }
      nextDay()
      set(at(day, '10:30'))
      if (s.target === 'supplement:review' && k === 0) break
      c = await demo.review(who, c.id, { version: c.version, outcome: 'pass', opinion: k === 0 ? '经审查，材料真实有效' : '同意，报请决定' })
    }
    if (stuck || s.target.startsWith('review:')) continue
    if (s.target === 'supplement:review') {
      await demo.requestSupplement(reviewer, c.id, {
        version: c.version,
        items: [{ description: '现场核查发现经营场所布局与平面图不一致，请补充最新平面布局图' }],
        message: '请一次性补齐以下材料。',
      })
      continue
    }
    const decider = stepStaff[steps[steps.length - 1]!.role]
    if (!decider) continue
    nextDay()
    set(at(day, '11:00'))
    if (s.target === 'denied') {
      await demo.deny(decider, c.id, { version: c.version, reason: '现场核查经营场所与食品安全要求不符', legalBasis: '《中华人民共和国食品安全法》第三十三条' })
      continue
    }
    c = await demo.approve(decider, c.id, { version: c.version, opinion: '准予许可' })
    if (s.target === 'approved') continue
    set(at(day, '15:00'))
    c = await demo.issueResult(cityClerk, c.id, { version: c.version, documentNumber: `忻审批许〔${today.slice(0, 4)}〕${100 + i}号`, summary: '准予行政许可决定书' })
    if (s.target === 'result_issued') continue
    nextDay()
    set(at(day, '09:30'))
    c = await demo.deliver(cityClerk, c.id, { version: c.version, method: i % 2 ? 'mail' : 'electronic', trackingNumber: i % 2 ? `EMS98${String(1000000 + i)}` : null })
    if (s.target === 'delivered') continue
    set(at(day, '16:00'))
    await demo.close(cityClerk, c.id, { version: c.version })
  }
  // Light yellow and red as of the real now.
  await cases.markDeadlines()
  if (made > 0) core.logger.info({ cases: made }, 'demo cases created')
  return []
}
