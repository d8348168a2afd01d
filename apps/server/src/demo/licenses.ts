import type { Core } from '../platform/core.js'
import type { Services } from '../services.js'
import type { DemoLogin } from './index.js'
import { demoDepartmentId } from './org.js'

/** Departments that seal licenses in the demo: each gets its electronic seal (SM2 key, generated image). */
const sealingDepartments = [
  '忻州市公安局',
  '忻府区公安分局',
  '忻州市人力资源和社会保障局',
  '忻州市市场监督管理局',
  '忻州市民政局',
  '忻州市行政审批服务管理局',
  '忻府区行政审批服务管理局',
  '忻州市卫生健康委员会',
]

const DEMO_CITIZEN_PHONE = '13900001409'
const DEMO_ENTERPRISE = '91140921301127208P'

/**
 * Demo data owned by the licenses module: seals for the issuing departments, and a wallet that is
 * not empty — the demo citizen's ID card, household register, social security card and driving
 * licence, and the demo enterprise's business and food business licenses, as aggregated (汇聚)
 * from the issuing departments' data. Idempotent: a holder who has a type already gets none.
 */
export async function seedLicensesDemo(core: Core, services: Services): Promise<DemoLogin[]> {
  const { licenses, identity } = services
  const dept: Record<string, string> = {}
  for (const name of sealingDepartments) {
    dept[name] = await demoDepartmentId(services, name)
    await licenses.ensureSeal(dept[name])
  }
  let issued = 0
  const give = async (accountId: string, type: string, make: () => Promise<unknown>) => {
    if ((await licenses.validLicensesOf(accountId, type)).length > 0) return
    await make()
    issued++
  }

  const citizen = (await identity.listAccounts('system', { kind: 'person', q: DEMO_CITIZEN_PHONE, pageSize: 1 })).items[0]
  const idNumber = citizen ? await identity.revealIdNumber(citizen.id) : null
  if (citizen && idNumber) {
    const holder = { kind: 'person' as const, id: idNumber, name: citizen.name }
    const birthDate = `${idNumber.slice(6, 10)}-${idNumber.slice(10, 12)}-${idNumber.slice(12, 14)}`
    const sex = Number(idNumber[16]) % 2 === 1 ? '男' : '女'
    const address = '山西省忻州市忻府区新建路街道和平街18号'
    await give(citizen.id, 'resident_id_card', () =>
      licenses.issue('system', { type: 'resident_id_card', departmentId: dept['忻府区公安分局']!, holder, fields: { sex, ethnicity: '汉', birthDate, address }, validFrom: '2019-03-12' }),
    )
    await give(citizen.id, 'household_register', () =>
      licenses.issue('system', { type: 'household_register', departmentId: dept['忻府区公安分局']!, holder, fields: { householdNumber: '140902003018', relation: '户主', sex, birthDate, address }, validFrom: '2015-06-01' }),
    )
    await give(citizen.id, 'social_security_card', () =>
      licenses.issue('system', { type: 'social_security_card', departmentId: dept['忻州市人力资源和社会保障局']!, holder, fields: { cardNumber: idNumber, bank: '中国工商银行忻州分行' }, validFrom: '2021-09-01' }),
    )
    await give(citizen.id, 'driving_licence', () =>
      licenses.issue('system', { type: 'driving_licence', departmentId: dept['忻州市公安局']!, holder, fields: { sex, birthDate, vehicleClass: 'C1', firstIssuedOn: '2012-07-20' }, validFrom: '2024-07-20' }),
    )
  }

  const legal = (await identity.listAccounts('system', { kind: 'legal', q: DEMO_ENTERPRISE, pageSize: 1 })).items[0]
  if (legal?.creditCode) {
    const holder = { kind: 'entity' as const, id: legal.creditCode, name: legal.name }
    const market = dept['忻州市市场监督管理局']!
    await give(legal.id, 'business_license', () =>
      licenses.issue('system', {
        type: 'business_license', departmentId: market, holder, validFrom: '2018-04-16',
        fields: { entityType: '有限责任公司(自然人投资或控股)', legalRepresentative: '冯萍佳', registeredCapital: '500万元', establishedOn: '2018-04-16', address: '山西省忻州市原平市东街12号', businessScope: '食品销售；餐饮服务；日用百货销售' },
      }),
    )
    await give(legal.id, 'food_business_license', () =>
      licenses.issue('system', { type: 'food_business_license', departmentId: market, holder, validFrom: '2023-05-10', fields: { operator: legal.name, premises: '山西省忻州市原平市东街12号', mainBusiness: '食品销售经营者（商场超市）', items: '预包装食品（含冷藏冷冻食品）销售' } }),
    )
  }
  if (issued > 0) core.logger.info({ licenses: issued }, 'licenses demo wallet filled')
  return []
}
