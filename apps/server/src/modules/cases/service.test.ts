import fs from 'node:fs'
import path from 'node:path'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../platform/errors.js'
import { sm3Hex } from '../../platform/gm.js'
import type { Principal } from '../../platform/roles.js'
import { createTestCore, type TestCore } from '../../test/harness.js'
import { createIdentityService, type IdentityService } from '../identity/index.js'
import { createLedgerService } from '../ledger/index.js'
import { createOrgService } from '../org/index.js'
import { createCasesService, type CasesService } from './service.js'
import { buildWorld, disguisedExe, goodLicenceData, newCitizen, samplePdf, stubCatalog, type CasesWorld } from './test-support.js'
import type { ApplicationDetail } from './types.js'

let t: TestCore
let cases: CasesService
let identity: IdentityService
let w: CasesWorld
let citizen: Principal
let seed = 100
let catalog: ReturnType<typeof stubCatalog>

beforeAll(async () => {
  t = await createTestCore()
  const ledger = createLedgerService(t.core)
  t.core.audit.setLedger(ledger)
  const org = createOrgService(t.core)
  catalog = stubCatalog(org)
  identity = createIdentityService({ ...t.core, org })
  cases = createCasesService({ ...t.core, catalog, org, identity, ledger })
  w = await buildWorld(org, catalog.publish)
  citizen = await newCitizen(identity, seed++)
})
afterAll(async () => {
  await t?.close()
  if (t) fs.rmSync(t.core.config.DATA_DIR, { recursive: true, force: true })
})

/** The problem slug and status an AppError carries, for compact assertions. */
async function failure(p: Promise<unknown>): Promise<{ type: string; status: number }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(AppError)
  const { type, status } = err as AppError
  return { type, status }
}

/** A submitted licence application of `who` with its required material. */
async function submitted(who: Principal = citizen, item: keyof CasesWorld['items'] = 'licence'): Promise<ApplicationDetail> {
  const d = await cases.createDraft(who, { itemVersionId: w.items[item].versionId, formData: goodLicenceData })
  await cases.uploadFile(who, d.id, 'id_card', { bytes: samplePdf, contentType: 'application/pdf', fileName: '身份证.pdf' })
  return cases.submit(who, d.id, { version: d.version })
}

/** Accepted by the 忻府区 clerk. */
async function accepted(who: Principal = citizen): Promise<ApplicationDetail> {
  const s = await submitted(who)
  return cases.accept(w.staff.clerk, s.id, { version: s.version })
}

/** Ledger entries of a case's audit records, oldest first. */
async function ledgerActions(applicationId: string): Promise<string[]> {
  const r = await sql<{ action: string }>`select e.payload->>'action' as action from ledger.entry e
    join platform.audit_log a on a.id = e.payload->>'auditId' where a.target_id = ${applicationId} order by e.seq`.execute(t.core.db)
  return r.rows.map((x) => x.action)
}

async function outboxTypes(subject: string): Promise<string[]> {
  return (await sql<{ type: string }>`select type from platform.outbox where subject = ${subject} order by seq`.execute(t.core.db)).rows.map((r) => r.type)
}

describe('drafts', () => {
  it('starts a draft under the published version, by version id or by item code', async () => {
    const d = await cases.createDraft(citizen, { itemVersionId: w.items.licence.versionId })
    expect(d).toMatchObject({ status: 'draft', number: null, itemName: '个体工商户设立登记', departmentName: '忻府区行政审批服务管理局', divisionCode: '140902', version: 1, view: 'applicant' })
    expect(d.id).toMatch(/^case_/)
    expect(d.reviewSteps.map((s) => s.name)).toEqual(['审查', '审核', '决定'])
    expect(d.materials.map((m) => m.code)).toEqual(['id_card', 'premises'])
    expect(d.allowedActions).toEqual(['submit', 'withdraw'])
    const byCode = await cases.createDraft(citizen, { itemId: w.items.licence.code })
    expect(byCode.itemVersionId).toBe(w.items.licence.versionId)
  })

  it('refuses an unknown item, the wrong applicant kind, and a superseded version', async () => {
    expect(await failure(cases.createDraft(citizen, { itemVersionId: 'itv_nope' }))).toEqual({ type: 'cases/unknown-item', status: 422 })
    expect(await failure(cases.createDraft(citizen, { itemId: 'XK99999999' }))).toEqual({ type: 'cases/unknown-item', status: 422 })
    expect(await failure(cases.createDraft(citizen, { itemVersionId: w.items.enterprise.versionId }))).toEqual({ type: 'cases/not-applicable', status: 422 })
    expect(await failure(cases.createDraft(w.staff.clerk, { itemVersionId: w.items.licence.versionId }))).toEqual({ type: 'cases/not-applicable', status: 422 })
    const city = w.items.city.versionId
    const v2 = catalog.supersede(city)
    expect(await failure(cases.createDraft(citizen, { itemVersionId: city }))).toEqual({ type: 'cases/item-version-not-published', status: 422 })
    expect((await cases.createDraft(citizen, { itemId: w.items.city.itemId })).itemVersionId).toBe(v2)
    w.items.city.versionId = v2
  })

  it('saves form data with the current version only, and only while a draft', async () => {
    const d = await cases.createDraft(citizen, { itemVersionId: w.items.licence.versionId })
    const saved = await cases.updateDraft(citizen, d.id, { version: 1, formData: { applicantName: '王秀兰' } })
    expect(saved).toMatchObject({ version: 2, formData: { applicantName: '王秀兰' } })
    expect(await failure(cases.updateDraft(citizen, d.id, { version: 1, formData: {} }))).toEqual({ type: 'cases/stale-version', status: 409 })
    const other = await newCitizen(identity, seed++)
    expect(await failure(cases.updateDraft(other, d.id, { version: 2, formData: {} }))).toEqual({ type: 'cases/not-found', status: 404 })
  })

  it('keeps drafts away from staff', async () => {
    const d = await cases.createDraft(citizen, { itemVersionId: w.items.licence.versionId })
    expect(await failure(cases.getApplication(w.staff.clerk, d.id))).toEqual({ type: 'cases/not-found', status: 404 })
  })
})

describe('submission', () => {
  it('checks the form against the version’s JSON Schema, naming each field', async () => {
    const d = await cases.createDraft(citizen, { itemVersionId: w.items.licence.versionId, formData: { applicantName: 'x', idNumber: '140902199001011234', phone: '123', scope: '炸药' } })
    await cases.uploadFile(citizen, d.id, 'id_card', { bytes: samplePdf, contentType: 'application/pdf' })
    const err = await cases.submit(citizen, d.id, { version: d.version }).catch((e: AppError) => e)
    expect(err).toBeInstanceOf(AppError)
    expect((err as AppError).type).toBe('cases/invalid-form')
    const fields = ((err as AppError).extensions.errors as { name: string; code: string }[]).map((e) => `${e.name.replace('body.formData.', '')}:${e.code}`)
    expect(fields.sort()).toEqual(['applicantName:too_short', 'idNumber:id_number', 'phone:phone', 'scope:not_allowed'])
    expect((await cases.getApplication(citizen, d.id)).status).toBe('draft')
  })

  it('requires every required material, and numbers the case: division + Beijing date + daily sequence', async () => {
    const d = await cases.createDraft(citizen, { itemVersionId: w.items.licence.versionId, formData: goodLicenceData })
    const missing = await cases.submit(citizen, d.id, { version: d.version }).catch((e: AppError) => e)
    expect((missing as AppError).type).toBe('cases/missing-materials')
    expect((missing as AppError).extensions.materials).toEqual([{ code: 'id_card', name: '经营者身份证明' }])
    await cases.uploadFile(citizen, d.id, 'id_card', { bytes: samplePdf, contentType: 'application/pdf' })
    const s = await cases.submit(citizen, d.id, { version: d.version })
    expect(s.status).toBe('submitted')
    expect(s.number).toMatch(/^14090220261123\d{6}$/)
    expect(s.awaitingRole).toBe('window_clerk')
    expect(await outboxTypes(s.id)).toEqual(['cases.application.submitted'])
    expect(catalog.applications).toBeGreaterThan(0)
    // A double submit is out of order.
    expect(await failure(cases.submit(citizen, d.id, { version: s.version }))).toEqual({ type: 'cases/invalid-transition', status: 422 })
  })

  it('hands out distinct consecutive numbers to concurrent submissions', async () => {
    const drafts = await Promise.all(
      Array.from({ length: 12 }, async () => {
        const d = await cases.createDraft(citizen, { itemVersionId: w.items.licence.versionId, formData: goodLicenceData })
        await cases.uploadFile(citizen, d.id, 'id_card', { bytes: samplePdf, contentType: 'application/pdf' })
        return d
      }),
    )
    const numbers = (await Promise.all(drafts.map((d) => cases.submit(citizen, d.id, { version: d.version })))).map((s) => s.number!)
    expect(new Set(numbers).size).toBe(12)
    const seqs = numbers.map((n) => Number(n.slice(-6))).sort((a, b) => a - b)
    expect(seqs.at(-1)! - seqs[0]!).toBe(11)
  })
})

describe('the way through: window → 审查 → 审核 → 决定 → result → delivery → 办结', () => {
  it('moves a case through every step with the right roles, timeline, audit, ledger, events and notices', async () => {
    const me = await newCitizen(identity, seed++)
    const s = await submitted(me)
    const a = await cases.accept(w.staff.clerk, s.id, { version: s.version, opinion: '材料齐全' })
    expect(a).toMatchObject({ status: 'accepted', reviewStep: 0, stepName: '审查', awaitingRole: 'reviewer', view: 'staff' })
    expect(a.progress).toMatchObject({ usedDays: 0, allowedDays: 5, light: 'green', dueDate: '2026-11-30' })
    const r1 = await cases.review(w.staff.reviewer, s.id, { version: a.version, outcome: 'pass', opinion: '符合条件' })
    expect(r1).toMatchObject({ status: 'under_review', reviewStep: 1, stepName: '审核', awaitingRole: 'department_head' })
    const r2 = await cases.review(w.staff.head, s.id, { version: r1.version, outcome: 'pass' })
    expect(r2).toMatchObject({ reviewStep: 2, stepName: '决定', awaitingRole: 'leader' })
    expect(r2.allowedActions).toEqual([])
    const ok = await cases.approve(w.staff.leader, s.id, { version: r2.version, opinion: '同意' })
    expect(ok).toMatchObject({ status: 'approved', decision: { outcome: 'approved', by: '赵国平' } })
    const issued = await cases.issueResult(w.staff.clerk, s.id, { version: ok.version, documentNumber: '忻府审批〔2026〕88号' })
    const delivered = await cases.deliver(w.staff.clerk, s.id, { version: issued.version, method: 'electronic' })
    const closed = await cases.close(w.staff.clerk, s.id, { version: delivered.version })
    expect(closed).toMatchObject({ status: 'closed', result: { documentNumber: '忻府审批〔2026〕88号' }, delivery: { method: 'electronic' } })
    expect(closed.progress).toMatchObject({ usedDays: 0, light: 'green' })

    const mine = await cases.getApplication(me, s.id)
    expect(mine.timeline.map((e) => [e.action, e.toStatus, e.actorRole])).toEqual([
      ['submit', 'submitted', 'citizen'],
      ['accept', 'accepted', 'window_clerk'],
      ['review', 'under_review', 'reviewer'],
      ['review', 'under_review', 'department_head'],
      ['approve', 'approved', 'leader'],
      ['issue_result', 'result_issued', 'window_clerk'],
      ['deliver', 'delivered', 'window_clerk'],
      ['close', 'closed', 'window_clerk'],
    ])
    expect(mine.timeline[1]).toMatchObject({ opinion: '材料齐全', actorName: '周婷' })
    expect(mine.timeline[2]).toMatchObject({ stepName: '审查' })

    const audit = await t.core.audit.list({ targetId: s.id }, { limit: 50, offset: 0 })
    expect(audit.items.map((a) => a.action).reverse()).toEqual([
      'cases.application.drafted',
      'cases.file.uploaded',
      'cases.application.submitted',
      'cases.application.accepted',
      'cases.application.reviewed',
      'cases.application.reviewed',
      'cases.application.approved',
      'cases.application.result-issued',
      'cases.application.delivered',
      'cases.application.closed',
    ])
    expect(await ledgerActions(s.id)).toEqual(['cases.application.approved', 'cases.application.result-issued'])
    const events = await outboxTypes(s.id)
    expect(events).toContain('cases.application.approved')
    expect(events.filter((e) => e.startsWith('cases.application.'))).toHaveLength(8)

    const inbox = await cases.listInbox(me)
    expect(inbox.items.map((n) => n.kind)).toEqual(['closed', 'delivered', 'result_issued', 'approved', 'under_review', 'accepted', 'submitted'])
    expect(inbox.items.find((n) => n.kind === 'accepted')?.text).toContain('2026-11-30')
    expect(inbox.items.find((n) => n.kind === 'delivered')?.text).toContain('电子送达')
    const sms = await sql<{ n: number }>`select count(*)::int as n from platform.outbox where type = 'cases.notification.created' and subject = ${me.accountId}`.execute(t.core.db)
    expect(sms.rows[0]!.n).toBe(7)
  })

  it('lets only the awaited role of the implementing department act', async () => {
    const a = await accepted()
    // The reviewer's turn: neither the head, nor a reviewer of another department, nor a clerk.
    expect(await failure(cases.review(w.staff.head, a.id, { version: a.version, outcome: 'pass' }))).toEqual({ type: 'cases/not-your-step', status: 403 })
    expect(await failure(cases.review(w.staff.reviewerPolice, a.id, { version: a.version, outcome: 'pass' }))).toEqual({ type: 'cases/not-found', status: 404 })
    expect(await failure(cases.approve(w.staff.leader, a.id, { version: a.version }))).toEqual({ type: 'cases/invalid-transition', status: 422 })
    expect(await failure(cases.accept(w.staff.clerk, a.id, { version: a.version }))).toEqual({ type: 'cases/invalid-transition', status: 422 })
    // The applicant cannot act for staff, staff cannot withdraw for the applicant.
    expect(await failure(cases.review(citizen, a.id, { version: a.version, outcome: 'pass' }))).toEqual({ type: 'cases/not-your-step', status: 403 })
    expect(await failure(cases.withdraw(w.staff.reviewer, a.id, { version: a.version }))).toEqual({ type: 'cases/not-your-step', status: 403 })
    expect((await cases.getApplication(citizen, a.id)).version).toBe(a.version)
  })

  it('returns a case to the previous step', async () => {
    const a = await accepted()
    const r1 = await cases.review(w.staff.reviewer, a.id, { version: a.version, outcome: 'pass' })
    const back = await cases.review(w.staff.head, a.id, { version: r1.version, outcome: 'return', opinion: '经营范围需核实' })
    expect(back).toMatchObject({ status: 'under_review', reviewStep: 0, awaitingRole: 'reviewer' })
    expect(await failure(cases.review(w.staff.reviewer, a.id, { version: back.version, outcome: 'return' }))).toEqual({ type: 'cases/invalid-transition', status: 422 })
  })

  it('records 不予受理 and 不予许可 with reasons, on the ledger', async () => {
    const s = await submitted()
    const no = await cases.reject(w.staff.clerk, s.id, { version: s.version, reason: '不属于本机关职权范围', legalBasis: '《行政许可法》第三十二条' })
    expect(no).toMatchObject({ status: 'not_accepted', decision: { outcome: 'not_accepted', reason: '不属于本机关职权范围', legalBasis: '《行政许可法》第三十二条' } })
    expect(await failure(cases.withdraw(citizen, s.id, { version: no.version }))).toEqual({ type: 'cases/invalid-transition', status: 422 })

    const a = await accepted()
    const r1 = await cases.review(w.staff.reviewer, a.id, { version: a.version, outcome: 'pass' })
    const r2 = await cases.review(w.staff.head, a.id, { version: r1.version, outcome: 'pass' })
    const denied = await cases.deny(w.staff.leader, a.id, { version: r2.version, reason: '经营场所不符合规定' })
    expect(denied).toMatchObject({ status: 'denied', decision: { outcome: 'denied', reason: '经营场所不符合规定' } })
    const issued = await cases.issueResult(w.staff.clerk, a.id, { version: denied.version, summary: '不予许可决定书' })
    expect(issued.status).toBe('result_issued')
    expect([...(await ledgerActions(s.id)), ...(await ledgerActions(a.id))]).toEqual(['cases.application.not-accepted', 'cases.application.denied', 'cases.application.result-issued'])
    expect((await cases.listInbox(citizen)).items.find((n) => n.kind === 'denied')?.text).toContain('经营场所不符合规定')
  })

  it('lets the applicant withdraw before a decision, not after', async () => {
    const a = await accepted()
    const gone = await cases.withdraw(citizen, a.id, { version: a.version, reason: '不再需要' })
    expect(gone).toMatchObject({ status: 'withdrawn', allowedActions: [] })
    expect(gone.progress?.paused).toBe(false)
  })
})

describe('optimistic concurrency', () => {
  it('lets exactly one of two accepts on the same version win; the other gets 409', async () => {
    const s = await submitted()
    const results = await Promise.allSettled([
      cases.accept(w.staff.clerk, s.id, { version: s.version }),
      cases.accept({ ...w.staff.clerk, accountId: 'acc_clerk2', name: '第二窗口' }, s.id, { version: s.version }),
    ])
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult
    expect(lost.reason).toMatchObject({ type: 'cases/stale-version', status: 409 })
    const now = await cases.getApplication(w.staff.clerk, s.id)
    expect(now.timeline.filter((e) => e.action === 'accept')).toHaveLength(1)
  })

  it('writes nothing for the losing change of a race: no entry, audit record, event or notice; 409 names the current version', async () => {
    const a = await accepted()
    const r1 = await cases.review(w.staff.reviewer, a.id, { version: a.version, outcome: 'pass' })
    const s = await cases.review(w.staff.head, a.id, { version: r1.version, outcome: 'pass' })
    const leader = w.staff.leader
    // Both read version n; the first to write wins, the other's one statement fails as a whole.
    const results = await Promise.allSettled([
      cases.approve(leader, s.id, { version: s.version, opinion: '同意' }),
      cases.deny({ ...leader, accountId: 'acc_leader2', name: '第二领导' }, s.id, { version: s.version, reason: '不符合条件' }),
    ])
    const won = results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<ApplicationDetail>
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult
    expect(won).toBeDefined()
    expect(lost?.reason).toMatchObject({ type: 'cases/stale-version', status: 409, extensions: { currentVersion: s.version + 1 } })
    const decided = won.value.status
    const count = async (q: ReturnType<typeof sql<{ n: number }>>) => (await q.execute(t.core.db)).rows[0]!.n
    expect(await count(sql<{ n: number }>`select count(*)::int as n from cases.transition where application_id = ${s.id} and action in ('approve', 'deny')`)).toBe(1)
    expect(await count(sql<{ n: number }>`select count(*)::int as n from platform.audit_log where target_id = ${s.id} and action in ('cases.application.approved', 'cases.application.denied')`)).toBe(1)
    expect(await count(sql<{ n: number }>`select count(*)::int as n from cases.notification where application_id = ${s.id} and kind in ('approved', 'denied')`)).toBe(1)
    expect(await count(sql<{ n: number }>`select count(*)::int as n from platform.outbox where type in ('cases.application.approved', 'cases.application.denied') and data->>'applicationId' = ${s.id}`)).toBe(1)
    expect(await ledgerActions(s.id)).toEqual([`cases.application.${decided}`])
    const now = await cases.getApplication(w.staff.clerk, s.id)
    expect(now).toMatchObject({ status: decided, version: s.version + 1 })
  })

  it('notices a change another process made since this one wrote the case (409, nothing written)', async () => {
    const other = createCasesService({ ...t.core, catalog, org: createOrgService(t.core), identity })
    // Judged on the case as it is now: 409 for the stale version, not 422 for approving a submitted case.
    const s = await submitted()
    await other.accept(w.staff.clerk, s.id, { version: s.version })
    expect(await failure(cases.approve(w.staff.leader, s.id, { version: s.version }))).toEqual({ type: 'cases/stale-version', status: 409 })
    // An action that looked valid on what this process wrote last.
    const s2 = await submitted()
    await other.accept(w.staff.clerk, s2.id, { version: s2.version })
    const err = await cases.accept(w.staff.clerk, s2.id, { version: s2.version }).catch((e: unknown) => e)
    expect(err).toMatchObject({ type: 'cases/stale-version', status: 409, extensions: { currentVersion: s2.version + 1 } })
    const now = await cases.getApplication(w.staff.clerk, s2.id)
    expect(now.timeline.filter((e) => e.action === 'accept')).toHaveLength(1)
    // And carries on from the version it now knows.
    const r1 = await cases.review(w.staff.reviewer, s2.id, { version: now.version, outcome: 'pass' })
    expect(r1).toMatchObject({ status: 'under_review', version: now.version + 1 })
  })

  it('answers 409 for a stale version before judging the action', async () => {
    const s = await submitted()
    expect(await failure(cases.approve(w.staff.leader, s.id, { version: s.version - 1 }))).toEqual({ type: 'cases/stale-version', status: 409 })
  })
})

describe('reach: division and department', () => {
  it('hides a case from a clerk of another district (404) and from their queues', async () => {
    const s = await submitted()
    expect(await failure(cases.getApplication(w.staff.clerkOther, s.id))).toEqual({ type: 'cases/not-found', status: 404 })
    expect(await failure(cases.accept(w.staff.clerkOther, s.id, { version: s.version }))).toEqual({ type: 'cases/not-found', status: 404 })
    const theirs = await cases.listQueue(w.staff.clerkOther, 'to_accept', { pageSize: 100 })
    expect(theirs.items.map((c) => c.id)).not.toContain(s.id)
    const ours = await cases.listQueue(w.staff.clerk, 'to_accept', { pageSize: 100 })
    expect(ours.items.map((c) => c.id)).toContain(s.id)
    expect(ours.items.every((c) => c.divisionCode === '140902' && c.status === 'submitted')).toBe(true)
  })

  it('lets a service-centre clerk receive for every department of its own division, not beneath it', async () => {
    const city = await submitted(citizen, 'city')
    const district = await submitted()
    const queue = (await cases.listQueue(w.staff.hallClerk, 'to_accept', { pageSize: 100 })).items.map((c) => c.id)
    expect(queue).toContain(city.id)
    expect(queue).not.toContain(district.id)
    const a = await cases.accept(w.staff.hallClerk, city.id, { version: city.version })
    expect(a.status).toBe('accepted')
    // The city department's reviewer takes over; a reviewer of 忻府区 does not see it.
    expect((await cases.listQueue(w.staff.cityReviewer, 'to_review')).items.map((c) => c.id)).toContain(city.id)
    expect(await failure(cases.getApplication(w.staff.reviewer, city.id))).toEqual({ type: 'cases/not-found', status: 404 })
  })

  it('routes queues by the awaited step: to_review for reviewers, to_decide for the deciding role', async () => {
    const a = await accepted()
    expect((await cases.listQueue(w.staff.reviewer, 'to_review', { pageSize: 100 })).items.map((c) => c.id)).toContain(a.id)
    expect((await cases.listQueue(w.staff.leader, 'to_review', { pageSize: 100 })).items.map((c) => c.id)).not.toContain(a.id)
    const r1 = await cases.review(w.staff.reviewer, a.id, { version: a.version, outcome: 'pass' })
    await cases.review(w.staff.head, a.id, { version: r1.version, outcome: 'pass' })
    expect((await cases.listQueue(w.staff.leader, 'to_decide', { pageSize: 100 })).items.map((c) => c.id)).toContain(a.id)
    expect((await cases.listQueue(w.staff.head, 'to_review', { pageSize: 100 })).items.map((c) => c.id)).not.toContain(a.id)
    const counts = await cases.queueCounts(w.staff.leader)
    expect(counts.to_decide).toBeGreaterThanOrEqual(1)
    expect(Object.keys(counts)).toHaveLength(9)
  })

  it('masks ID numbers and phones for staff, reveals them on request with a ledgered audit', async () => {
    const s = await submitted()
    const staffView = await cases.getApplication(w.staff.clerk, s.id)
    expect(staffView.formData).toMatchObject({ idNumber: expect.stringMatching(/^1409\*{10}[\dX]{4}$/), phone: '138****5678', applicantName: '王秀兰' })
    expect(staffView.applicantMaskedIdNumber).toMatch(/^1409\*+/)
    expect(JSON.stringify(staffView)).not.toContain(goodLicenceData.idNumber)
    const revealed = await cases.getApplication(w.staff.clerk, s.id, { reveal: true })
    expect(revealed.formData.idNumber).toBe(goodLicenceData.idNumber)
    const audit = await t.core.audit.list({ targetId: s.id, action: 'cases.application.revealed' }, { limit: 5, offset: 0 })
    expect(audit.items).toHaveLength(1)
    expect(await ledgerActions(s.id)).toEqual(['cases.application.revealed'])
    expect((await cases.getApplication(citizen, s.id)).formData.idNumber).toBe(goodLicenceData.idNumber)
  })
})

describe('deadlines across a public holiday (moved clock)', () => {
  it('counts 5 working days from 29 Sep 2026 over National Day, lights yellow then red', async () => {
    t.clock.set('2026-09-29T10:00:00+08:00')
    const s = await submitted()
    const a = await cases.accept(w.staff.clerk, s.id, { version: s.version })
    expect(a.progress).toMatchObject({ dueDate: '2026-10-12', allowedDays: 5, usedDays: 0, light: 'green' })
    expect(a.number).toMatch(/^14090220260929/)

    t.clock.set('2026-10-08T09:00:00+08:00')
    expect(await cases.markDeadlines()).toBe(0)
    expect((await cases.getApplication(w.staff.clerk, s.id)).progress).toMatchObject({ usedDays: 2, light: 'green' })

    t.clock.set('2026-10-10T09:00:00+08:00') // a Saturday, but a make-up workday: day 4 of 5
    expect(await cases.markDeadlines()).toBeGreaterThanOrEqual(1)
    expect((await cases.getApplication(w.staff.clerk, s.id)).progress).toMatchObject({ usedDays: 4, light: 'yellow' })
    expect((await cases.listQueue(w.staff.head, 'due_soon', { pageSize: 100 })).items.map((c) => c.id)).toContain(s.id)
    expect(await outboxTypes(s.id)).toContain('cases.application.deadline-approaching')

    t.clock.set('2026-10-13T08:00:00+08:00')
    await cases.markDeadlines()
    expect((await cases.getApplication(w.staff.clerk, s.id)).progress).toMatchObject({ usedDays: 6, remainingDays: -1, light: 'red' })
    expect((await cases.listQueue(w.staff.reviewer, 'overdue', { pageSize: 100 })).items.map((c) => c.id)).toContain(s.id)
    expect((await cases.listQueue(w.staff.clerkOther, 'overdue', { pageSize: 100 })).items.map((c) => c.id)).not.toContain(s.id)
    expect(await cases.markDeadlines()).toBe(0)
    expect((await outboxTypes(s.id)).filter((e) => e === 'cases.application.overdue')).toHaveLength(1)
    t.clock.set('2026-11-23T09:00:00+08:00')
  })

  it('pauses the clock in 补正 and extends the limit by the working days spent there; back to the step that asked', async () => {
    t.clock.set('2026-09-29T10:00:00+08:00')
    const a = await accepted()
    t.clock.set('2026-10-08T10:00:00+08:00')
    const asked = await cases.requestSupplement(w.staff.reviewer, a.id, {
      version: a.version,
      items: [
        { materialCode: 'premises', description: '请补充租赁合同' },
        { field: 'businessName', description: '字号名称与核准名称不一致' },
      ],
      message: '请一次性补齐以下材料',
    })
    expect(asked).toMatchObject({ status: 'supplement_requested', awaitingRole: null, progress: { paused: true, usedDays: 2 } })
    expect(asked.supplement?.items).toHaveLength(2)
    expect((await cases.listQueue(w.staff.clerk, 'to_supplement', { pageSize: 100 })).items.map((c) => c.id)).toContain(a.id)

    t.clock.set('2026-10-12T15:00:00+08:00')
    // Still paused: neither yellow nor red while the applicant holds the case.
    expect(await cases.markDeadlines()).toBe(0)
    await cases.uploadFile(citizen, a.id, 'premises', { bytes: samplePdf, contentType: 'application/pdf', fileName: '租赁合同.pdf' })
    const back = await cases.supplement(citizen, a.id, { version: asked.version, formData: { ...goodLicenceData, businessName: '秀兰小吃店' }, note: '已补充' })
    expect(back).toMatchObject({ status: 'accepted', reviewStep: 0, awaitingRole: 'reviewer', formData: { businessName: '秀兰小吃店' } })
    expect(back.progress).toMatchObject({ dueDate: '2026-10-15', allowedDays: 5, usedDays: 2, paused: false, light: 'green' })
    expect(back.supplement).toMatchObject({ note: '已补充' })
    t.clock.set('2026-11-23T09:00:00+08:00')
  })

  it('sends a 补正 before acceptance back to the window, with no clock', async () => {
    const s = await submitted()
    const asked = await cases.requestSupplement(w.staff.clerk, s.id, { version: s.version, items: [{ description: '身份证复印件不清晰' }] })
    const back = await cases.supplement(citizen, s.id, { version: asked.version })
    expect(back).toMatchObject({ status: 'submitted', number: s.number, progress: null, awaitingRole: 'window_clerk' })
  })

  it('gives 即收即办 items the day of acceptance', async () => {
    t.clock.set('2026-11-23T09:00:00+08:00')
    const d = await cases.createDraft(citizen, { itemVersionId: w.items.instant.versionId })
    const s = await cases.submit(citizen, d.id, { version: d.version })
    const a = await cases.accept(w.staff.clerk, s.id, { version: s.version })
    expect(a.progress).toMatchObject({ dueDate: '2026-11-23', allowedDays: 0 })
    const ok = await cases.approve(w.staff.head, s.id, { version: a.version })
    expect(ok.status).toBe('approved')
  })
})

describe('materials', () => {
  it('stores an upload with its SM3 digest and lets the applicant and staff in reach download it', async () => {
    const d = await cases.createDraft(citizen, { itemVersionId: w.items.licence.versionId, formData: goodLicenceData })
    const f = await cases.uploadFile(citizen, d.id, 'id_card', { bytes: samplePdf, contentType: 'application/pdf', fileName: '../../etc/身份证.pdf' })
    expect(f).toMatchObject({ materialCode: 'id_card', fileName: '身份证.pdf', contentType: 'application/pdf', sizeBytes: samplePdf.length, sm3: sm3Hex(samplePdf) })
    const s = await cases.submit(citizen, d.id, { version: d.version })
    expect((await cases.readFile(citizen, s.id, f.id)).bytes.equals(samplePdf)).toBe(true)
    expect((await cases.readFile(w.staff.clerk, s.id, f.id)).file.id).toBe(f.id)
    expect(await failure(cases.readFile(w.staff.clerkOther, s.id, f.id))).toEqual({ type: 'cases/not-found', status: 404 })
    expect(await failure(cases.readFile(citizen, s.id, 'file_nope'))).toEqual({ type: 'cases/file-not-found', status: 404 })
    // Submitted: the files are the record now.
    expect(await failure(cases.uploadFile(citizen, s.id, 'id_card', { bytes: samplePdf, contentType: 'application/pdf' }))).toEqual({ type: 'cases/files-locked', status: 422 })
    expect(await failure(cases.removeFile(citizen, s.id, f.id))).toEqual({ type: 'cases/files-locked', status: 422 })
  })

  it('refuses disguised, empty, unlisted and unknown-material files', async () => {
    const d = await cases.createDraft(citizen, { itemVersionId: w.items.licence.versionId })
    const up = (bytes: Buffer, contentType: string, material = 'id_card') => failure(cases.uploadFile(citizen, d.id, material, { bytes, contentType }))
    expect(await up(disguisedExe, 'application/pdf')).toEqual({ type: 'cases/file-type-mismatch', status: 422 })
    expect(await up(samplePdf, 'image/png')).toEqual({ type: 'cases/file-type-mismatch', status: 422 })
    expect(await up(Buffer.alloc(0), 'application/pdf')).toEqual({ type: 'cases/empty-file', status: 422 })
    expect(await up(disguisedExe, 'application/x-msdownload')).toEqual({ type: 'cases/file-type-not-allowed', status: 415 })
    expect(await up(samplePdf, 'application/pdf', 'nope')).toEqual({ type: 'cases/unknown-material', status: 422 })
    expect((await cases.getApplication(citizen, d.id)).materials.every((m) => m.files.length === 0)).toBe(true)
  })

  it('keeps at most 10 files per material and leaves no stray bytes behind a refused one', async () => {
    const d = await cases.createDraft(citizen, { itemVersionId: w.items.licence.versionId })
    for (let i = 0; i < 10; i++) await cases.uploadFile(citizen, d.id, 'premises', { bytes: samplePdf, contentType: 'application/pdf' })
    expect(await failure(cases.uploadFile(citizen, d.id, 'premises', { bytes: samplePdf, contentType: 'application/pdf' }))).toEqual({ type: 'cases/too-many-files', status: 422 })
    expect(fs.readdirSync(path.join(t.core.config.DATA_DIR, 'files', d.id))).toHaveLength(10)
  })

  it('stores a file for another module (storeFile) under the same checks, and discards it on request', async () => {
    const f = await cases.storeFile('otd_test', 'medical_record', { bytes: samplePdf, contentType: 'application/pdf', fileName: 'a/b/出院记录.pdf' })
    expect(f).toMatchObject({ fileName: '出院记录.pdf', contentType: 'application/pdf', sizeBytes: samplePdf.length, sm3: sm3Hex(samplePdf) })
    const full = path.join(t.core.config.DATA_DIR, 'files', f.storageKey)
    expect(fs.readFileSync(full).equals(samplePdf)).toBe(true)
    await cases.discardStoredFile(f.storageKey)
    expect(fs.existsSync(full)).toBe(false)
    const store = (bytes: Buffer, contentType: string) => failure(cases.storeFile('otd_test', 'x', { bytes, contentType }))
    expect(await store(disguisedExe, 'application/pdf')).toEqual({ type: 'cases/file-type-mismatch', status: 422 })
    expect(await store(Buffer.alloc(0), 'application/pdf')).toEqual({ type: 'cases/empty-file', status: 422 })
    expect(await store(Buffer.alloc(10 * 1024 * 1024 + 1), 'application/pdf')).toEqual({ type: 'cases/file-too-large', status: 413 })
    expect(fs.readdirSync(path.join(t.core.config.DATA_DIR, 'files', 'otd_test'))).toHaveLength(0)
  })

  it('removes a file from a draft', async () => {
    const d = await cases.createDraft(citizen, { itemVersionId: w.items.licence.versionId })
    const f = await cases.uploadFile(citizen, d.id, 'premises', { bytes: samplePdf, contentType: 'application/pdf' })
    await cases.removeFile(citizen, d.id, f.id)
    expect((await cases.getApplication(citizen, d.id)).materials.find((m) => m.code === 'premises')?.files).toEqual([])
  })
})

describe('batch accept and the inbox', () => {
  it('accepts each case on its own: stale and out-of-reach ones fail alone', async () => {
    const one = await submitted()
    const two = await submitted()
    const far = await submitted(citizen, 'yuanping')
    const results = await cases.batchAccept(w.staff.clerk, [
      { id: one.id, version: one.version },
      { id: two.id, version: two.version - 1 },
      { id: far.id, version: far.version },
    ])
    expect(results).toEqual([
      { id: one.id, ok: true, version: one.version + 1 },
      { id: two.id, ok: false, error: { type: 'cases/stale-version', status: 409 } },
      { id: far.id, ok: false, error: { type: 'cases/not-found', status: 404 } },
    ])
  })

  it('lists notices newest first with an unread count, and marks them read', async () => {
    const me = await newCitizen(identity, seed++)
    await accepted(me)
    const inbox = await cases.listInbox(me, {}, 'en')
    expect(inbox).toMatchObject({ total: 2, unread: 2 })
    expect(inbox.items[0]!.text).toMatch(/has been accepted/)
    await cases.markRead(me, inbox.items[0]!.id)
    expect((await cases.listInbox(me, { unreadOnly: true })).total).toBe(1)
    expect(await cases.markAllRead(me)).toBe(1)
    expect((await cases.listInbox(me)).unread).toBe(0)
    expect(await failure(cases.markRead(citizen, inbox.items[0]!.id))).toEqual({ type: 'cases/notification-not-found', status: 404 })
  })

  it('lists the applicant’s own cases with a status filter', async () => {
    const me = await newCitizen(identity, seed++)
    await submitted(me)
    await cases.createDraft(me, { itemVersionId: w.items.licence.versionId })
    expect((await cases.listMine(me)).total).toBe(2)
    expect((await cases.listMine(me, { statuses: ['draft'] })).items.map((c) => c.status)).toEqual(['draft'])
  })
})
