import type { Core } from '../platform/core.js'
import type { Principal } from '../platform/roles.js'
import type { Services } from '../services.js'
import type { DemoLogin } from './index.js'

/**
 * Demo 好差评: the closed demo cases become rateable (the outbox delivers `cases.application.closed`);
 * the applicants other than the listed demo citizen rate theirs — one 非常满意, one 不满意 — so the
 * public page has figures and 张建华 (xz.head) has a rectification to answer. The listed citizen's
 * own closed case is left for them to rate. Idempotent: a subject rated before is skipped.
 */
export async function seedRatingDemo(core: Core, services: Services): Promise<DemoLogin[]> {
  const { identity, cases, rating } = services
  await core.outbox.drain()
  const leaders = await identity.listAccounts('system', { kind: 'staff', q: 'xz.leader', pageSize: 10 })
  const leader = leaders.items.find((a) => a.username === 'xz.leader')
  if (!leader) return []
  const reader: Principal = { accountId: leader.id, sessionId: 'demo', kind: 'staff', name: leader.name, grants: leader.roles.map((g) => ({ role: g.role, divisionCode: g.divisionCode, departmentId: g.departmentId })) }
  const demoLogin = (await identity.listAccounts('system', { kind: 'person', q: '13900001409', pageSize: 1 })).items[0]
  const closed = (await cases.listInReach(reader, { statuses: ['closed'], pageSize: 100 })).items
  const levels = [5, 2, 4] as const
  let n = 0
  for (const c of closed) {
    const found = await cases.findApplication(c.id)
    if (!found || found.applicantId === demoLogin?.id) continue
    const rater: Principal = { accountId: found.applicantId, sessionId: 'demo', kind: 'person', name: found.applicantName, grants: [{ role: 'citizen', divisionCode: found.divisionCode, departmentId: null }] }
    const subject = await rating.getSubject(rater, 'case', c.id).catch(() => null)
    if (!subject?.canRate) continue
    const level = levels[n++ % levels.length]!
    const input =
      level === 2
        ? { level, tags: ['overdue', 'repeated-materials'], comment: '材料交了两次,窗口说系统里看不到第一次上传的', channel: 'mobile' as const }
        : { level, tags: ['efficient', 'friendly'], comment: null, channel: 'web' as const }
    await rating.rate(rater, 'case', c.id, input, {})
  }
  return []
}
