import fs from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sm3Hex } from '../../platform/gm.js'
import type { Principal } from '../../platform/roles.js'
import { createTestApp, type TestApp } from '../../test/harness.js'
import { buildWorld, catalogPublisher, disguisedExe, goodLicenceData, newCitizen, samplePdf, type CasesWorld } from './test-support.js'

let t: TestApp
let w: CasesWorld
const principals: Record<string, Principal> = {}

/** Test sessions: the cookie value names the principal. */
const as = (who: string) => ({ cookie: `yw_session=${who}` })

beforeAll(async () => {
  t = await createTestApp()
  t.app.auth.setResolver(async (token) => principals[token] ?? null)
  w = await buildWorld(t.services.org, catalogPublisher(t.services.catalog))
  Object.assign(principals, w.staff)
  principals.citizen = await newCitizen(t.services.identity, 1)
  principals.neighbour = await newCitizen(t.services.identity, 2)
})
afterAll(async () => {
  await t?.close()
  if (t) fs.rmSync(t.core.config.DATA_DIR, { recursive: true, force: true })
})

function call(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, who?: string, payload?: unknown, headers: Record<string, string> = {}) {
  return t.app.inject({ method, url, headers: { ...(who ? as(who) : {}), ...headers }, ...(payload !== undefined ? { payload: payload as never } : {}) })
}

const upload = (id: string, material: string, bytes: Buffer, type = 'application/pdf', who = 'citizen', name = '身份证.pdf') =>
  call('PUT', `/api/cases/${id}/materials/${material}?fileName=${encodeURIComponent(name)}`, who, bytes, { 'content-type': type })

/** A submitted licence case of the citizen, through the API. */
async function submitted(item: keyof CasesWorld['items'] = 'licence'): Promise<{ id: string; version: number; number: string }> {
  const created = await call('POST', '/api/cases', 'citizen', { itemVersionId: w.items[item].versionId, formData: goodLicenceData })
  expect(created.statusCode).toBe(201)
  const d = created.json()
  expect((await upload(d.id, 'id_card', samplePdf)).statusCode).toBe(201)
  const s = await call('POST', `/api/cases/${d.id}/submit`, 'citizen', { version: d.version })
  expect(s.statusCode).toBe(200)
  return s.json()
}

describe('who may call', () => {
  it('answers 401 problem+json to anonymous callers', async () => {
    for (const [method, url] of [
      ['POST', '/api/cases'],
      ['GET', '/api/cases/mine'],
      ['GET', '/api/cases/queues/to_accept'],
      ['GET', '/api/cases/case_x'],
      ['GET', '/api/inbox'],
    ] as const) {
      const res = await call(method, url, undefined, method === 'POST' ? {} : undefined)
      expect(res.statusCode, url).toBe(401)
      expect(res.headers['content-type']).toContain('application/problem+json')
    }
    // The upload guard answers before an anonymous body is read (401, not 413).
    const big = await call('PUT', '/api/cases/case_x/materials/id_card', undefined, Buffer.alloc(11 * 1024 * 1024), { 'content-type': 'application/pdf' })
    expect(big.statusCode).toBe(401)
  })

  it('answers 403 to the wrong kind of caller before looking at the input', async () => {
    expect((await call('GET', '/api/cases/queues/to_accept', 'citizen')).statusCode).toBe(403)
    expect((await call('POST', '/api/cases/x/accept', 'citizen', { nonsense: true })).statusCode).toBe(403)
    const staffDraft = await call('POST', '/api/cases', 'clerk', { itemVersionId: w.items.licence.versionId })
    expect(staffDraft.statusCode).toBe(403)
    expect(staffDraft.json().type).toBe('urn:yiwang:problem:forbidden')
  })

  it('hides a case from a clerk of another district: 404 on read and act, absent from lists', async () => {
    const s = await submitted()
    const read = await call('GET', `/api/cases/${s.id}`, 'clerkOther')
    expect(read.statusCode).toBe(404)
    expect(read.json()).toMatchObject({ type: 'urn:yiwang:problem:cases/not-found', title: '办件不存在' })
    expect((await call('POST', `/api/cases/${s.id}/accept`, 'clerkOther', { version: s.version })).statusCode).toBe(404)
    expect((await call('GET', '/api/cases?status=draft', 'clerk')).json()).toMatchObject({ items: [], total: 0 })
    const list = await call('GET', '/api/cases?pageSize=100', 'clerkOther')
    expect(list.json().items.map((c: { id: string }) => c.id)).not.toContain(s.id)
    const queue = await call('GET', '/api/cases/queues/to_accept?pageSize=100', 'clerkOther')
    expect(queue.json().items.map((c: { id: string }) => c.id)).not.toContain(s.id)
    expect((await call('GET', `/api/cases/${s.id}`, 'neighbour')).statusCode).toBe(404)
    // Nothing changed.
    expect((await call('GET', `/api/cases/${s.id}`, 'clerk')).json()).toMatchObject({ status: 'submitted', version: s.version })
  })
})

describe('bad input', () => {
  it('answers 400 with field errors for malformed bodies and queries', async () => {
    const both = await call('POST', '/api/cases', 'citizen', { itemVersionId: 'a', itemId: 'b' })
    expect(both.statusCode).toBe(400)
    expect(both.json().errors[0].name).toBe('body.itemVersionId')
    const extra = await call('POST', '/api/cases', 'citizen', { itemVersionId: 'a', evil: 1 })
    expect(extra.statusCode).toBe(400)
    const s = await submitted()
    const noVersion = await call('POST', `/api/cases/${s.id}/accept`, 'clerk', {})
    expect(noVersion.statusCode).toBe(400)
    expect(noVersion.json().errors).toEqual([expect.objectContaining({ name: 'body.version', code: 'required' })])
    expect((await call('POST', `/api/cases/${s.id}/reject`, 'clerk', { version: s.version, reason: '' })).statusCode).toBe(400)
    expect((await call('POST', `/api/cases/${s.id}/request-supplement`, 'clerk', { version: s.version, items: [] })).statusCode).toBe(400)
    expect((await call('POST', `/api/cases/${s.id}/deliver`, 'clerk', { version: s.version, method: 'pigeon' })).statusCode).toBe(400)
    expect((await call('GET', '/api/cases/queues/everything', 'clerk')).statusCode).toBe(400)
    expect((await call('GET', '/api/cases/mine?pageSize=1000', 'citizen')).statusCode).toBe(400)
    expect((await call('GET', '/api/cases/mine?status=lost', 'citizen')).statusCode).toBe(400)
  })

  it('answers 422 for an unknown item and for a form that breaks the JSON Schema, in the asked language', async () => {
    const unknown = await call('POST', '/api/cases', 'citizen', { itemVersionId: 'itv_nope' }, { 'accept-language': 'en' })
    expect(unknown.statusCode).toBe(422)
    expect(unknown.json()).toMatchObject({ type: 'urn:yiwang:problem:cases/unknown-item', title: 'The service item or item version does not exist' })
    const d = (await call('POST', '/api/cases', 'citizen', { itemId: w.items.licence.code, formData: { applicantName: '王' } })).json()
    await upload(d.id, 'id_card', samplePdf)
    const bad = await call('POST', `/api/cases/${d.id}/submit`, 'citizen', { version: d.version })
    expect(bad.statusCode).toBe(422)
    expect(bad.json().type).toBe('urn:yiwang:problem:cases/invalid-form')
    expect(bad.json().errors).toEqual(
      expect.arrayContaining([
        { name: 'body.formData.applicantName', code: 'too_short', reason: '内容过短' },
        { name: 'body.formData.idNumber', code: 'required', reason: '此项为必填项' },
      ]),
    )
    const en = await call('POST', `/api/cases/${d.id}/submit`, 'citizen', { version: d.version }, { 'accept-language': 'en' })
    expect(en.json().errors).toEqual(expect.arrayContaining([{ name: 'body.formData.idNumber', code: 'required', reason: 'This field is required' }]))
  })

  it('answers 422 for a transition out of order and 409 for a stale version, changing nothing', async () => {
    const s = await submitted()
    const early = await call('POST', `/api/cases/${s.id}/approve`, 'leader', { version: s.version })
    expect(early.statusCode).toBe(422)
    expect(early.json()).toMatchObject({ type: 'urn:yiwang:problem:cases/invalid-transition', status: 422, caseStatus: 'submitted', action: 'approve' })
    const twice = await call('POST', `/api/cases/${s.id}/submit`, 'citizen', { version: s.version })
    expect(twice.statusCode).toBe(422)
    const stale = await call('POST', `/api/cases/${s.id}/accept`, 'clerk', { version: s.version - 1 })
    expect(stale.statusCode).toBe(409)
    expect(stale.json()).toMatchObject({ type: 'urn:yiwang:problem:cases/stale-version', currentVersion: s.version })
    const wrongRole = await call('POST', `/api/cases/${s.id}/accept`, 'reviewer', { version: s.version })
    expect(wrongRole.statusCode).toBe(403)
    expect(wrongRole.json().type).toBe('urn:yiwang:problem:cases/not-your-step')
    expect((await call('GET', `/api/cases/${s.id}`, 'citizen')).json()).toMatchObject({ status: 'submitted', version: s.version })
  })

  it('refuses disguised (422), unlisted (415) and oversize (413) uploads', async () => {
    const d = (await call('POST', '/api/cases', 'citizen', { itemVersionId: w.items.licence.versionId })).json()
    const disguised = await upload(d.id, 'id_card', disguisedExe)
    expect(disguised.statusCode).toBe(422)
    expect(disguised.json()).toMatchObject({ type: 'urn:yiwang:problem:cases/file-type-mismatch', declared: 'application/pdf', detected: 'application/x-msdownload' })
    expect((await upload(d.id, 'id_card', disguisedExe, 'application/x-msdownload')).statusCode).toBe(415)
    expect((await upload(d.id, 'id_card', samplePdf, 'application/octet-stream')).statusCode).toBe(415)
    const big = Buffer.concat([samplePdf, Buffer.alloc(10 * 1024 * 1024)])
    expect((await upload(d.id, 'id_card', big)).statusCode).toBe(413)
    expect((await upload(d.id, 'nope', samplePdf)).statusCode).toBe(422)
    expect((await upload(d.id, 'id_card', samplePdf, 'application/pdf', 'neighbour')).statusCode).toBe(404)
    expect((await call('GET', `/api/cases/${d.id}`, 'citizen')).json().materials[0].files).toEqual([])
  })
})

describe('the whole way: citizen → window → 审查 → 审核 → 决定 → result → delivery → 办结', () => {
  it('runs a case end to end over HTTP', async () => {
    const created = await call('POST', '/api/cases', 'citizen', { itemId: w.items.licence.itemId })
    expect(created.statusCode).toBe(201)
    let c = created.json()
    expect(c).toMatchObject({ status: 'draft', view: 'applicant', allowedActions: ['submit', 'withdraw'] })
    c = (await call('PATCH', `/api/cases/${c.id}`, 'citizen', { version: c.version, formData: goodLicenceData })).json()
    const file = await upload(c.id, 'id_card', samplePdf)
    expect(file.json()).toMatchObject({ materialCode: 'id_card', fileName: '身份证.pdf', sm3: sm3Hex(samplePdf) })
    c = (await call('POST', `/api/cases/${c.id}/submit`, 'citizen', { version: c.version })).json()
    expect(c.number).toMatch(/^14090220261123\d{6}$/)

    const inQueue = (await call('GET', '/api/cases/queues/to_accept?pageSize=100', 'clerk')).json()
    expect(inQueue.items.map((x: { id: string }) => x.id)).toContain(c.id)
    const staffView = (await call('GET', `/api/cases/${c.id}`, 'clerk')).json()
    expect(staffView).toMatchObject({ view: 'staff', formData: { idNumber: expect.stringMatching(/^1409\*+/), phone: '138****5678' } })
    expect(JSON.stringify(staffView)).not.toContain(goodLicenceData.idNumber)
    const download = await call('GET', `/api/cases/${c.id}/files/${file.json().id}`, 'clerk')
    expect(download.statusCode).toBe(200)
    expect(download.headers['content-type']).toBe('application/pdf')
    expect(download.headers['content-disposition']).toContain("filename*=UTF-8''")
    expect(download.rawPayload.equals(samplePdf)).toBe(true)

    const step = async (who: string, path: string, body: Record<string, unknown> = {}) => {
      const res = await call('POST', `/api/cases/${c.id}/${path}`, who, { version: c.version, ...body })
      expect(res.statusCode, `${who} ${path}: ${res.body}`).toBe(200)
      c = res.json()
      return c
    }
    await step('clerk', 'accept', { opinion: '材料齐全，予以受理' })
    expect(c.progress).toMatchObject({ usedDays: 0, allowedDays: 5, dueDate: '2026-11-30', light: 'green' })
    expect((await call('GET', '/api/cases/queues/to_review?pageSize=100', 'reviewer')).json().items.map((x: { id: string }) => x.id)).toContain(c.id)
    await step('reviewer', 'review', { outcome: 'pass' })
    await step('head', 'review', { outcome: 'pass' })
    expect((await call('GET', '/api/cases/queues', 'leader')).json().to_decide).toBeGreaterThanOrEqual(1)
    await step('leader', 'approve', { opinion: '准予' })
    await step('clerk', 'issue-result', { documentNumber: '忻府审批〔2026〕1号' })
    await step('clerk', 'deliver', { method: 'mail', trackingNumber: 'EMS1234567890' })
    await step('clerk', 'close')
    expect(c.status).toBe('closed')

    const mine = (await call('GET', `/api/cases/${c.id}`, 'citizen')).json()
    expect(mine.timeline.map((e: { action: string }) => e.action)).toEqual(['submit', 'accept', 'review', 'review', 'approve', 'issue_result', 'deliver', 'close'])
    expect(mine).toMatchObject({ view: 'applicant', formData: goodLicenceData, delivery: { method: 'mail', trackingNumber: 'EMS1234567890' } })
    const list = (await call('GET', '/api/cases/mine?status=closed', 'citizen')).json()
    expect(list.items.map((x: { id: string }) => x.id)).toContain(c.id)

    const inbox = (await call('GET', '/api/inbox', 'citizen')).json()
    expect(inbox.items[0]).toMatchObject({ applicationId: c.id, kind: 'closed' })
    expect(inbox.unread).toBeGreaterThanOrEqual(7)
    expect((await call('POST', `/api/inbox/${inbox.items[0].id}/read`, 'citizen')).statusCode).toBe(204)
    expect((await call('POST', `/api/inbox/${inbox.items[0].id}/read`, 'neighbour')).statusCode).toBe(404)
    expect((await call('POST', '/api/inbox/read-all', 'citizen')).json().updated).toBe(inbox.unread - 1)
  })

  it('runs a 补正 round trip and a withdrawal', async () => {
    const s = await submitted()
    const asked = await call('POST', `/api/cases/${s.id}/request-supplement`, 'clerk', {
      version: s.version,
      items: [{ materialCode: 'premises', description: '请补充经营场所使用证明' }],
      message: '一次性告知',
    })
    expect(asked.json()).toMatchObject({ status: 'supplement_requested', supplement: { items: [{ materialCode: 'premises', field: null }] } })
    expect((await upload(s.id, 'premises', samplePdf, 'application/pdf', 'citizen', '租赁合同.pdf')).statusCode).toBe(201)
    const back = await call('POST', `/api/cases/${s.id}/supplement`, 'citizen', { version: asked.json().version, note: '已补充' })
    expect(back.json()).toMatchObject({ status: 'submitted', number: s.number })
    const gone = await call('POST', `/api/cases/${s.id}/withdraw`, 'citizen', { version: back.json().version, reason: '暂不办理' })
    expect(gone.json()).toMatchObject({ status: 'withdrawn' })
  })

  it('accepts in batch, reporting each case', async () => {
    const a = await submitted()
    const b = await submitted()
    const res = await call('POST', '/api/cases/batch-accept', 'clerk', { cases: [{ id: a.id, version: a.version }, { id: b.id, version: 1 }] })
    expect(res.statusCode).toBe(200)
    expect(res.json().results).toEqual([
      { id: a.id, ok: true, version: a.version + 1 },
      { id: b.id, ok: false, error: { type: 'cases/stale-version', status: 409 } },
    ])
  })

  it('documents every route in the OpenAPI document', async () => {
    const doc = (await call('GET', '/api/openapi.json')).json()
    for (const path of ['/api/cases', '/api/cases/{id}', '/api/cases/{id}/accept', '/api/cases/{id}/materials/{materialCode}', '/api/cases/queues/{queue}', '/api/inbox']) {
      expect(doc.paths[path], path).toBeDefined()
    }
  })
})
