import { systemActor } from '../../platform/audit.js'
import type { Principal, RoleGrant } from '../../platform/roles.js'
import type { OrgService } from '../org/index.js'
import type { HotlineService } from './service.js'

/** Fixtures of the hotline tests: 忻州's divisions, departments, dispatch rules and principals. */
export interface HotlineWorld {
  departments: { xinfuHousing: string; xinfuEnv: string; yuanpingHousing: string; cityHrss: string; cityHall: string }
  people: Record<'operator' | 'admin' | 'xfClerk' | 'xfHead' | 'envClerk' | 'ypClerk' | 'hrssHead' | 'leader' | 'citizen' | 'neighbour', Principal>
}

const person = (accountId: string, name: string, kind: Principal['kind'], ...grants: RoleGrant[]): Principal => ({ accountId, sessionId: `ses_${accountId}`, kind, name, grants })

/** A 1×1 PNG. */
export const samplePng = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64')
/** A Windows program (MZ header) sent as a "JPEG". */
export const disguisedExe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(256, 0x90)])

export async function buildHotlineWorld(org: OrgService, hotline: HotlineService): Promise<HotlineWorld> {
  await org.importDivisions({ within: '140900' })
  const dept = async (name: string, divisionCode: string) => (await org.createDepartment(systemActor, { name, divisionCode, kind: 'bureau' })).id
  const departments = {
    xinfuHousing: await dept('忻府区住房和城乡建设管理局', '140902'),
    xinfuEnv: await dept('忻州市生态环境局忻府分局', '140902'),
    yuanpingHousing: await dept('原平市住房和城乡建设管理局', '140981'),
    cityHrss: await dept('忻州市人力资源和社会保障局', '140900'),
    cityHall: await dept('忻州市政务服务中心', '140900'),
  }
  const people = {
    operator: person('acc_op', '郝敏', 'staff', { role: 'hotline_operator', divisionCode: '140900', departmentId: departments.cityHall }),
    admin: person('acc_rxadmin', '田丽', 'staff', { role: 'hotline_admin', divisionCode: '140900', departmentId: departments.cityHall }),
    xfClerk: person('acc_xf', '周婷', 'staff', { role: 'window_clerk', divisionCode: '140902', departmentId: departments.xinfuHousing }),
    xfHead: person('acc_xfhead', '张建华', 'staff', { role: 'department_head', divisionCode: '140902', departmentId: departments.xinfuHousing }),
    envClerk: person('acc_env', '石磊', 'staff', { role: 'window_clerk', divisionCode: '140902', departmentId: departments.xinfuEnv }),
    ypClerk: person('acc_yp', '武建军', 'staff', { role: 'window_clerk', divisionCode: '140981', departmentId: departments.yuanpingHousing }),
    hrssHead: person('acc_hrss', '薛芳', 'staff', { role: 'department_head', divisionCode: '140900', departmentId: departments.cityHrss }),
    leader: person('acc_leader', '赵国平', 'staff', { role: 'leader', divisionCode: '140900', departmentId: null }),
    citizen: person('acc_citizen', '王秀兰', 'person', { role: 'citizen', divisionCode: '140902', departmentId: null }),
    neighbour: person('acc_neighbour', '李大山', 'person', { role: 'citizen', divisionCode: '140902', departmentId: null }),
  }
  const admin = people.admin
  await hotline.createRule(admin, { categoryCode: null, divisionPrefix: null, departmentId: departments.cityHall })
  await hotline.createRule(admin, { categoryCode: 'housing', divisionPrefix: '140902', departmentId: departments.xinfuHousing })
  await hotline.createRule(admin, { categoryCode: 'housing', divisionPrefix: '140981', departmentId: departments.yuanpingHousing })
  await hotline.createRule(admin, { categoryCode: 'noise', divisionPrefix: '140902', departmentId: departments.xinfuEnv, assistDepartmentIds: [departments.xinfuHousing] })
  await hotline.createRule(admin, { categoryCode: 'social_security', divisionPrefix: null, departmentId: departments.cityHrss })
  return { departments, people }
}
