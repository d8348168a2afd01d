import { systemActor } from '../../platform/audit.js'
import type { Principal, RoleGrant } from '../../platform/roles.js'
import type { TestApp } from '../../test/harness.js'
import { generateIdNumber, seededRandom } from '../identity/index.js'

/** Fixtures of the rating tests: two departments of 忻府区, one of 原平市, and staff of each kind. */
export interface RatingWorld {
  departments: { xinfu: string; xinfuPolice: string; yuanping: string }
  staff: Record<'head' | 'headPolice' | 'headOther' | 'centre' | 'centreOther' | 'leader' | 'clerk', Principal>
}

const staffOf = (accountId: string, name: string, ...grants: RoleGrant[]): Principal => ({ accountId, sessionId: `ses_${accountId}`, kind: 'staff', name, grants })

export async function buildRatingWorld(t: TestApp): Promise<RatingWorld> {
  const { org } = t.services
  await org.importDivisions({ within: '1409' })
  const dept = async (name: string, divisionCode: string) => (await org.createDepartment(systemActor, { name, divisionCode, kind: 'bureau' })).id
  const departments = {
    xinfu: await dept('忻府区行政审批服务管理局', '140902'),
    xinfuPolice: await dept('忻府区公安分局', '140902'),
    yuanping: await dept('原平市行政审批服务管理局', '140981'),
  }
  return {
    departments,
    staff: {
      head: staffOf('acc_head', '张建华', { role: 'department_head', divisionCode: '140902', departmentId: departments.xinfu }),
      headPolice: staffOf('acc_head_police', '郝军', { role: 'department_head', divisionCode: '140902', departmentId: departments.xinfuPolice }),
      headOther: staffOf('acc_head_yp', '武建军', { role: 'department_head', divisionCode: '140981', departmentId: departments.yuanping }),
      centre: staffOf('acc_centre', '刘芳', { role: 'data_admin', divisionCode: '140900', departmentId: null }),
      centreOther: staffOf('acc_centre_yp', '孙丽', { role: 'data_admin', divisionCode: '140981', departmentId: null }),
      leader: staffOf('acc_leader', '赵国平', { role: 'leader', divisionCode: '140900', departmentId: null }),
      clerk: staffOf('acc_clerk', '周婷', { role: 'window_clerk', divisionCode: '140902', departmentId: departments.xinfu }),
    },
  }
}

/** A natural person with a real account and phone (the SMS invitation goes there). */
export async function newRater(t: TestApp, seed: number): Promise<Principal & { phone: string }> {
  const idNumber = generateIdNumber({ divisionCode: '140902', birthDate: `19${50 + (seed % 50)}-04-${String(1 + (seed % 28)).padStart(2, '0')}`, sex: 'female', rng: seededRandom(seed) })
  const phone = `137${String(20_000_000 + seed).slice(-8)}`
  const a = await t.services.identity.createPerson('system', { name: `评价人${seed}`, idNumber, phone })
  return { accountId: a.id, sessionId: `ses_${a.id}`, kind: 'person', name: a.name, grants: [{ role: 'citizen', divisionCode: a.divisionCode, departmentId: null }], phone }
}

let counter = 0

/** Publishes `cases.application.closed` for a case of the rater, as the cases module does, and delivers it. */
export async function closeCase(t: TestApp, raterId: string, departmentId: string, divisionCode = '140902'): Promise<string> {
  const applicationId = `app_rating_${Date.now()}_${++counter}`
  await t.core.db.transaction().execute((trx) =>
    t.core.outbox.add(trx, {
      type: 'cases.application.closed',
      subject: applicationId,
      data: {
        applicationId,
        number: `${divisionCode}20261123${String(counter).padStart(6, '0')}`,
        itemId: 'item_rating_test',
        itemVersionId: 'itv_missing',
        itemCode: 'XK00001000',
        divisionCode,
        departmentId,
        applicantId: raterId,
        status: 'closed',
        fromStatus: 'delivered',
        reviewStep: null,
        actorId: 'acc_clerk',
      },
    }),
  )
  await t.core.outbox.drain()
  return applicationId
}
