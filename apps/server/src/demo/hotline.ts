import type { Core } from '../platform/core.js'
import { AppError } from '../platform/errors.js'
import type { Principal, Role } from '../platform/roles.js'
import type { Services } from '../services.js'
import { DEMO_PASSWORD } from './identity.js'
import type { DemoLogin } from './index.js'

/**
 * The 12345 hotline of the demo city: the centre's operator and admin, staff of the departments
 * tickets go to, dispatch rules for the demo departments, knowledge-base articles with real-sounding
 * 忻州 answers, an Open311 key for the city's app, and tickets in every state. Idempotent: once the
 * centre has any ticket, nothing is added.
 */

const staff: { username: string; name: string; department: string; role: Role; divisionCode?: string; listed: boolean }[] = [
  { username: 'rx.operator', name: '郝敏', department: '忻州市政务服务中心', role: 'hotline_operator', divisionCode: '140900', listed: true },
  { username: 'rx.admin', name: '田丽', department: '忻州市政务服务中心', role: 'hotline_admin', divisionCode: '140900', listed: true },
  { username: 'xf.street', name: '白雪', department: '新建路街道办事处', role: 'window_clerk', listed: true },
  { username: 'xz.hrss', name: '薛芳', department: '忻州市人力资源和社会保障局', role: 'department_head', listed: true },
  { username: 'xz.housing', name: '韩磊', department: '忻州市住房和城乡建设局', role: 'window_clerk', listed: false },
]

/** category (null: any) × division prefix (null: anywhere) → department name. */
const rules: [string | null, string | null, string][] = [
  [null, null, '忻州市城市运行管理中心'],
  ['social_security', null, '忻州市人力资源和社会保障局'],
  ['labour', null, '忻州市人力资源和社会保障局'],
  ['health', null, '忻州市卫生健康委员会'],
  ['market', null, '忻州市市场监督管理局'],
  ['housing', null, '忻州市住房和城乡建设局'],
  ['civil_affairs', null, '忻州市民政局'],
  ['household', null, '忻州市公安局'],
  ['household', '140902', '忻府区公安分局'],
  ['government_service', null, '忻州市政务服务中心'],
  ['noise', '140902', '忻府区人民政府'],
  ['sanitation', '140902', '忻府区人民政府'],
  ['noise', '140902003', '新建路街道办事处'],
  ['sanitation', '140902003', '新建路街道办事处'],
  ['housing', '140902003', '新建路街道办事处'],
]

const articles: { title: string; department: string; category: string; keywords: string[]; body: string }[] = [
  {
    title: '社会保障卡丢失如何挂失和补办', department: '忻州市人力资源和社会保障局', category: 'social_security', keywords: ['社保卡', '补卡', '挂失', '补办'],
    body: '社保卡丢失后请先挂失：拨打12333，或在“民生山西”App、社保卡服务网点办理临时挂失。补办时携带本人有效身份证件到忻州市任一社保卡服务网点（如忻州市社会保障卡服务中心，忻府区长征街）申请，即时制卡网点可当场领卡；非即时制卡网点约15个工作日后领取。补卡工本费已免收。',
  },
  {
    title: '居住证申领条件和办理流程', department: '忻州市公安局', category: 'household', keywords: ['居住证', '暂住', '流动人口'],
    body: '离开常住户口所在地，到忻州市居住半年以上，并有合法稳定就业、合法稳定住所或连续就读条件之一的，可申领居住证。先到居住地派出所或社区警务室办理居住登记，满半年后携带身份证、近期照片和就业/住所/就读证明到派出所申领，受理后15日内制发。居住证每年签注一次。',
  },
  {
    title: '夜间施工和商铺噪音扰民怎么处理', department: '忻府区人民政府', category: 'noise', keywords: ['噪音', '扰民', '夜间施工', '广场舞'],
    body: '夜间（22时至次日6时）在噪声敏感建筑物集中区域施工，须持有生态环境部门的夜间施工证明，否则属违法施工，可拨打12345或110反映，执法人员到场处置。商铺使用高音喇叭招揽顾客、娱乐场所噪音由城市管理或公安部门处理；邻里噪音可先由社区和物业调解。反映时请说明具体地址、时间段和噪声来源。',
  },
  {
    title: '异地就医备案怎么办', department: '忻州市医疗保障局', category: 'health', keywords: ['异地就医', '备案', '医保', '报销'],
    body: '参保人可通过“国家医保服务平台”App、“山西医保”公众号或到参保地医保经办窗口办理异地就医备案。异地长期居住人员提供备案承诺书即可；临时外出就医人员可直接备案。备案后在就医地定点医疗机构可直接结算，未备案的先行垫付，回参保地按规定报销。',
  },
  {
    title: '个体工商户营业执照办理', department: '忻府区行政审批服务管理局', category: 'government_service', keywords: ['个体户', '营业执照', '开店'],
    body: '个体工商户登记可在“山西政务服务网”全程网办，或到忻府区政务服务中心市场准入窗口办理。需经营者身份证、经营场所使用证明（租赁合同或产权证明）；从事食品经营的还需办理食品经营许可。材料齐全当场办结，营业执照可邮寄或自取，不收费。',
  },
  {
    title: '结婚登记需要哪些材料', department: '忻州市民政局', category: 'civil_affairs', keywords: ['结婚登记', '婚姻登记', '领证'],
    body: '内地居民办理结婚登记，双方须亲自到一方户口所在地或经常居住地的婚姻登记机关，携带本人身份证、户口簿（已实行“跨省通办”的可凭身份证办理）和3张2寸近期半身免冠合影照片。符合条件的当场登记发证，不收费。',
  },
]

interface Scenario {
  type: 'consult' | 'help' | 'complaint' | 'report' | 'suggestion' | 'praise'
  category: string
  content: string
  address?: string
  phone: string
  name: string
  /** How far it gets. */
  stage: 'registered' | 'dispatched' | 'processing' | 'replied' | 'callback' | 'closed' | 'direct'
  reply?: string
  citizen?: boolean
}

const scenarios: Scenario[] = [
  { type: 'consult', category: 'social_security', content: '社保卡丢了，想问一下怎么补办，要带什么材料？', phone: '13903501201', name: '冯先生', stage: 'direct' },
  { type: 'consult', category: 'household', content: '外地户口在忻州打工一年了，能不能办居住证？', phone: '13903501202', name: '程女士', stage: 'direct' },
  { type: 'complaint', category: 'noise', content: '和平街东口工地每天夜里十一点以后还在打桩施工，严重影响休息', address: '忻州市忻府区新建路街道和平街18号', phone: '13903501203', name: '刘女士', stage: 'processing' },
  { type: 'complaint', category: 'sanitation', content: '七一北路小区门口垃圾桶满了三天没人清运，气味很大', address: '忻州市忻府区新建路街道七一北路66号', phone: '13900001409', name: '冯萍佳', stage: 'closed', reply: '已协调环卫所当日清运，并增加该点位每日清运频次。', citizen: true },
  { type: 'help', category: 'utilities', content: '家里暖气从昨天起不热，室温只有12度，老人受不了', address: '忻州市忻府区新建路街道长征街5号', phone: '13903501205', name: '郭大爷', stage: 'dispatched' },
  { type: 'report', category: 'market', content: '某超市销售过期酸奶，生产日期已过保质期一周', address: '忻州市忻府区新建路街道和平街40号', phone: '13903501206', name: '匿名', stage: 'processing' },
  { type: 'suggestion', category: 'government_service', content: '建议政务服务中心周六上午开放社保、医保窗口，方便上班族办事', phone: '13903501207', name: '赵先生', stage: 'replied', reply: '已采纳，自下月起每周六上午开放社保医保综合窗口。' },
  { type: 'praise', category: 'government_service', content: '表扬政务服务中心不动产登记窗口的工作人员，耐心帮老人填表', phone: '13903501208', name: '李阿姨', stage: 'registered' },
  { type: 'help', category: 'housing', content: '楼道里的声控灯坏了一个多月，晚上上下楼很危险', address: '忻州市忻府区新建路街道和平街22号', phone: '13903501209', name: '王女士', stage: 'callback', reply: '已更换楼道声控灯6盏，物业已建立每月巡检。' },
  { type: 'complaint', category: 'labour', content: '在某装修公司干了三个月活，老板拖欠工资八千元不给', phone: '13903501210', name: '张师傅', stage: 'registered' },
]

function isConflict(err: unknown): boolean {
  return err instanceof AppError && err.status === 409
}

export async function seedHotlineDemo(core: Core, services: Services): Promise<DemoLogin[]> {
  const { identity, org, hotline } = services
  const logins: DemoLogin[] = []
  const departmentId = async (name: string) => (await org.listDepartments({ q: name }, { page: 1, pageSize: 100 })).items.find((d) => d.name === name)?.id ?? null
  const passwordHash = await identity.hashPassword(DEMO_PASSWORD)
  const people = new Map<string, Principal>()
  for (const s of staff) {
    const dept = await departmentId(s.department)
    if (!dept) continue
    try {
      await identity.createStaff('system', { name: s.name, username: s.username, passwordHash, departmentId: dept, roles: [s.divisionCode ? { role: s.role, divisionCode: s.divisionCode, departmentId: null } : { role: s.role }] })
    } catch (err) {
      if (!isConflict(err)) throw err
    }
    const a = (await identity.listAccounts('system', { kind: 'staff', q: s.username, pageSize: 10 })).items.find((x) => x.username === s.username)
    if (a) people.set(s.username, { accountId: a.id, sessionId: 'demo-seed', kind: 'staff', name: a.name, grants: a.roles.map(({ role, divisionCode, departmentId: d }) => ({ role, divisionCode, departmentId: d })) })
    if (s.listed) logins.push({ face: '/work', role: s.role, username: s.username, password: DEMO_PASSWORD })
  }
  const admin = people.get('rx.admin')
  const operator = people.get('rx.operator')
  if (!admin || !operator) {
    core.logger.warn('demo hotline staff missing; hotline demo skipped')
    return logins
  }
  if ((await hotline.listForCentre(admin, { pageSize: 1 })).total > 0) return logins

  for (const [category, prefix, name] of rules) {
    const d = await departmentId(name)
    if (d) await hotline.createRule(admin, { categoryCode: category, divisionPrefix: prefix, departmentId: d }).catch((err) => { if (!isConflict(err)) throw err })
  }
  const articleIds = new Map<string, string>()
  for (const a of articles) {
    const d = await departmentId(a.department)
    if (!d) continue
    const created = await hotline.createArticle(admin, { title: a.title, body: a.body, keywords: a.keywords, departmentId: d, categoryCode: a.category })
    articleIds.set(a.category, created.id)
  }
  await hotline.createApiKey('system', '忻州市民通 App（演示）')

  const citizen = (await identity.listAccounts('system', { kind: 'person', q: '13900001409', pageSize: 1 })).items[0]
  // Department staff act through a principal of their department (the demo has few department accounts).
  const handler = (deptId: string): Principal => ({ accountId: 'demo-dept', sessionId: 'demo-seed', kind: 'staff', name: '承办人', grants: [{ role: 'department_head', divisionCode: null, departmentId: deptId }] })
  for (const s of scenarios) {
    const input = { type: s.type, categoryCode: s.category, content: s.content, address: s.address ?? null, reporter: { name: s.name, phone: s.phone } }
    let d =
      s.citizen && citizen
        ? await hotline.createByCitizen({ accountId: citizen.id, sessionId: 'demo-seed', kind: 'person', name: citizen.name, grants: [{ role: 'citizen', divisionCode: citizen.divisionCode, departmentId: null }] }, { ...input, reporter: { phone: s.phone } }, 'mobile')
        : await hotline.createByOperator(operator, input)
    if (s.stage === 'registered') continue
    if (s.stage === 'direct') {
      await hotline.act(operator, d.id, 'direct-close', { version: d.version, answer: '已按知识库答复来电人', articleId: articleIds.get(s.category) ?? null })
      continue
    }
    d = await hotline.act(operator, d.id, 'dispatch', { version: d.version })
    if (s.stage === 'dispatched' || !d.departmentId) continue
    const dept = handler(d.departmentId)
    d = await hotline.act(dept, d.id, 'sign', { version: d.version })
    if (s.stage === 'processing') continue
    d = await hotline.act(dept, d.id, 'reply', { version: d.version, content: s.reply ?? '已办理。' })
    if (s.stage === 'replied') continue
    d = await hotline.act(admin, d.id, 'review', { version: d.version, approve: true })
    if (s.stage === 'callback') continue
    await hotline.act(operator, d.id, 'callback', { version: d.version, satisfaction: 'satisfied' })
  }
  return logins
}
