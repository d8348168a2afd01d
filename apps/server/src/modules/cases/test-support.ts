import { systemActor } from '../../platform/audit.js'
import type { Principal, RoleGrant } from '../../platform/roles.js'
import type { CatalogService, GuideInput, ServiceItemGuide, ServiceItemVersion } from '../catalog/index.js'
import { generateIdNumber, seededRandom, type IdentityService } from '../identity/index.js'
import type { OrgService } from '../org/index.js'

/**
 * Test fixtures shared by the cases tests: 忻州's divisions, a few departments, published items
 * and principals for every role. Built through the owning modules' services, never raw inserts.
 */

export interface CasesWorld {
  departments: { xinfu: string; xinfuPolice: string; yuanping: string; city: string; hall: string }
  items: {
    /** 限时办结, 5 working days, three steps (审查 reviewer, 审核 department_head, 决定 leader), 忻府区. */
    licence: { itemId: string; versionId: string; code: string }
    /** 即收即办, one step (决定 department_head), no form, no materials, 忻府区. */
    instant: { itemId: string; versionId: string; code: string }
    /** For legal persons only, 忻府区. */
    enterprise: { itemId: string; versionId: string; code: string }
    /** City-level item of 忻州市行政审批服务管理局 (140900). */
    city: { itemId: string; versionId: string; code: string }
    /** Same as licence but in 原平市. */
    yuanping: { itemId: string; versionId: string; code: string }
  }
  staff: Record<'clerk' | 'reviewer' | 'head' | 'leader' | 'clerkOther' | 'reviewerPolice' | 'hallClerk' | 'cityReviewer', Principal>
}

export const licenceForm = {
  schema: {
    type: 'object' as const,
    properties: {
      applicantName: { type: 'string' as const, title: '经营者姓名', minLength: 2, maxLength: 50 },
      idNumber: { type: 'string' as const, title: '身份证号码' },
      phone: { type: 'string' as const, title: '联系电话' },
      businessName: { type: 'string' as const, title: '字号名称', maxLength: 100 },
      scope: { type: 'string' as const, title: '经营范围', enum: ['餐饮服务', '食品销售', '日用百货'] },
    },
    required: ['applicantName', 'idNumber', 'phone', 'scope'],
  },
  layout: [
    { field: 'applicantName', widget: 'string' as const, label: '经营者姓名' },
    { field: 'idNumber', widget: 'idNumber' as const, label: '身份证号码' },
    { field: 'phone', widget: 'phone' as const, label: '联系电话' },
    { field: 'businessName', widget: 'string' as const, label: '字号名称' },
    { field: 'scope', widget: 'select' as const, label: '经营范围' },
  ],
}

const threeSteps = [
  { name: '审查', role: 'reviewer' as const },
  { name: '审核', role: 'department_head' as const },
  { name: '决定', role: 'leader' as const },
]

function licenceGuide(departmentId: string, name: string): GuideInput {
  return {
    name,
    type: 'licensing',
    departmentId,
    applicableTo: 'person',
    legalBasis: '《促进个体经济发展条例》第八条',
    conditions: '有经营能力的公民',
    materials: [
      { code: 'id_card', name: '经营者身份证明', requirement: 'required', form: 'copy' },
      { code: 'premises', name: '经营场所使用证明', requirement: 'conditional', condition: '租用场所的', form: 'copy' },
    ],
    form: licenceForm,
    legalDays: 15,
    promisedDays: 5,
    handlingClass: 'time_limited',
    mode: 'one_visit',
    visits: 1,
    reviewSteps: threeSteps,
  }
}

/** A valid ID number of 忻府区 (deterministic). */
export const sampleIdNumber = generateIdNumber({ divisionCode: '140902', birthDate: '1990-05-17', sex: 'female', rng: seededRandom(7) })

/** Form data that passes the licence form. */
export const goodLicenceData = { applicantName: '王秀兰', idNumber: sampleIdNumber, phone: '13812345678', businessName: '秀兰小吃', scope: '餐饮服务' }

/** A tiny valid PDF. */
export const samplePdf = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n')
/** A Windows program (MZ header) to be sent as a "PDF". */
export const disguisedExe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(256, 0x90)])

const staffOf = (accountId: string, name: string, ...grants: RoleGrant[]): Principal => ({ accountId, sessionId: `ses_${accountId}`, kind: 'staff', name, grants })

/** Publishes a guide; returns the ids a case needs. */
export type Publisher = (guide: GuideInput) => Promise<{ itemId: string; versionId: string; code: string }>

/** Publishing through the real catalog service. */
export function catalogPublisher(catalog: CatalogService): Publisher {
  return async (input) => {
    const draft = await catalog.createItem(systemActor, input)
    const v = await catalog.publish(systemActor, draft.itemId, { revision: draft.revision })
    return { itemId: v.itemId, versionId: v.id, code: v.code }
  }
}

/**
 * An in-memory stand-in for the catalog (style.md: service tests stub other modules), holding
 * published versions of whole guides. `supersede` makes a version history for the version checks.
 */
export function stubCatalog(org: OrgService) {
  const versions = new Map<string, ServiceItemVersion>()
  const published = new Map<string, string>()
  let n = 0
  const find = (idOrCode: string) => [...versions.values()].find((v) => v.itemId === idOrCode || v.code === idOrCode)
  const stub = {
    applications: 0,
    async getVersion(id: string) {
      return versions.get(id) ?? null
    },
    async getPublishedVersion(idOrCode: string) {
      const any = find(idOrCode)
      return any ? (versions.get(published.get(any.itemId)!) ?? null) : null
    },
    async recordApplication() {
      stub.applications++
    },
    publish: (async (input) => {
      const department = (await org.getDepartment(input.departmentId))!
      n++
      const guide: ServiceItemGuide = {
        name: input.name,
        type: input.type,
        departmentId: input.departmentId,
        divisionCode: input.divisionCode ?? department.divisionCode,
        applicableTo: input.applicableTo,
        summary: null,
        legalBasis: input.legalBasis,
        conditions: input.conditions,
        materials: (input.materials ?? []).map((m, i) => ({
          code: m.code ?? `m${i + 1}`, name: m.name, requirement: m.requirement, condition: m.condition ?? null, form: m.form, copies: 1, source: null, licenseType: null, note: null,
        })),
        form: input.form ?? null,
        fees: [],
        legalDays: input.legalDays ?? null,
        promisedDays: input.promisedDays,
        handlingClass: input.handlingClass,
        mode: input.mode,
        visits: input.visits,
        reviewSteps: input.reviewSteps,
        producesLicenseType: null,
        address: null,
        hours: null,
        phone: null,
        faq: [],
        themes: [],
        keywords: [],
      }
      const at = new Date('2026-01-01T00:00:00Z')
      const v: ServiceItemVersion = {
        id: `itv_stub${n}`, itemId: `item_stub${n}`, code: `XK${String(n).padStart(8, '0')}`, version: 1, status: 'published', revision: 1,
        departmentName: department.name, guide, createdAt: at, updatedAt: at, publishedAt: at, supersededAt: null,
      }
      versions.set(v.id, v)
      published.set(v.itemId, v.id)
      return { itemId: v.itemId, versionId: v.id, code: v.code }
    }) as Publisher,
    /** Publishes a version 2 of an item; version 1 becomes superseded. */
    supersede(versionId: string): string {
      const old = versions.get(versionId)!
      const next: ServiceItemVersion = { ...old, id: `${old.id}_v2`, version: 2 }
      versions.set(old.id, { ...old, status: 'superseded', supersededAt: new Date() })
      versions.set(next.id, next)
      published.set(old.itemId, next.id)
      return next.id
    },
  }
  return stub
}

export async function buildWorld(org: OrgService, publish: Publisher): Promise<CasesWorld> {
  await org.importDivisions({ within: '140900' })
  const dept = async (name: string, divisionCode: string, kind: 'bureau' | 'service_center' = 'bureau') =>
    (await org.createDepartment(systemActor, { name, divisionCode, kind })).id
  const departments = {
    xinfu: await dept('忻府区行政审批服务管理局', '140902'),
    xinfuPolice: await dept('忻府区公安分局', '140902'),
    yuanping: await dept('原平市行政审批服务管理局', '140981'),
    city: await dept('忻州市行政审批服务管理局', '140900'),
    hall: await dept('忻州市政务服务中心', '140900', 'service_center'),
  }
  const items = {
    licence: await publish(licenceGuide(departments.xinfu, '个体工商户设立登记')),
    instant: await publish({
      name: '个体工商户名称自主申报',
      type: 'public_service',
      departmentId: departments.xinfu,
      applicableTo: 'both',
      legalBasis: '《企业名称登记管理规定》第十条',
      conditions: '拟设立个体工商户的申请人',
      promisedDays: 0,
      handlingClass: 'immediate',
      mode: 'fully_online',
      visits: 0,
      reviewSteps: [{ name: '决定', role: 'department_head' }],
    }),
    enterprise: await publish({ ...licenceGuide(departments.xinfu, '企业变更登记'), applicableTo: 'legal' }),
    city: await publish(licenceGuide(departments.city, '建筑工程施工许可')),
    yuanping: await publish(licenceGuide(departments.yuanping, '个体工商户变更登记')),
  }
  const staff = {
    clerk: staffOf('acc_clerk', '周婷', { role: 'window_clerk', divisionCode: '140902', departmentId: departments.xinfu }),
    reviewer: staffOf('acc_reviewer', '李志强', { role: 'reviewer', divisionCode: '140902', departmentId: departments.xinfu }),
    head: staffOf('acc_head', '张建华', { role: 'department_head', divisionCode: '140902', departmentId: departments.xinfu }),
    leader: staffOf('acc_leader', '赵国平', { role: 'leader', divisionCode: '140900', departmentId: null }),
    clerkOther: staffOf('acc_clerk_yp', '武建军', { role: 'window_clerk', divisionCode: '140981', departmentId: departments.yuanping }),
    reviewerPolice: staffOf('acc_police', '郝军', { role: 'reviewer', divisionCode: '140902', departmentId: departments.xinfuPolice }),
    hallClerk: staffOf('acc_hall', '王晓燕', { role: 'window_clerk', divisionCode: '140900', departmentId: departments.hall }),
    cityReviewer: staffOf('acc_city_rev', '高明', { role: 'reviewer', divisionCode: '140900', departmentId: departments.city }),
  }
  return { departments, items, staff }
}

/** A natural person with a real account (so staff views can show the masked ID number). */
export async function newCitizen(identity: IdentityService, seed: number): Promise<Principal> {
  const rng = seededRandom(seed)
  const idNumber = generateIdNumber({ divisionCode: '140902', birthDate: `19${50 + (seed % 50)}-03-${String(1 + (seed % 28)).padStart(2, '0')}`, sex: 'male', rng })
  const phone = `139${String(10_000_000 + seed).slice(-8)}`
  const a = await identity.createPerson('system', { name: `市民${seed}`, idNumber, phone })
  return { accountId: a.id, sessionId: `ses_${a.id}`, kind: 'person', name: a.name, grants: [{ role: 'citizen', divisionCode: a.divisionCode, departmentId: null }] }
}
