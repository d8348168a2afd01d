import fs from 'node:fs'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { systemActor } from '../../platform/audit.js'
import type { Principal } from '../../platform/roles.js'
import { createTestApp, type TestApp } from '../../test/harness.js'
import type { GuideInput } from '../catalog/index.js'
import { generateIdNumber, seededRandom } from '../identity/index.js'
import type { BundleDefinitionInput } from './model.js'

/**
 * 一件事一次办 end to end through the HTTP API on a real database: a birth bundle across four
 * departments, prefill from the population registry, registry-confirmed materials, two parents
 * with field-level merge, submission into one case group, each department's clerk seeing only
 * their own case, one 补正 notice naming the department, results together; and the bad input.
 */

let t: TestApp
const principals: Record<string, Principal> = {}
const as = (who: string) => ({ cookie: `yw_session=${who}` })
function call(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, who?: string, payload?: unknown) {
  return t.app.inject({ method, url, headers: who ? as(who) : {}, ...(payload !== undefined ? { payload: payload as never } : {}) })
}

const depts: Record<string, string> = {}
const codes: Record<string, string> = {}
const rng = seededRandom(42)
const motherId = generateIdNumber({ divisionCode: '140902', birthDate: '1994-04-12', sex: 'female', rng })
const fatherId = generateIdNumber({ divisionCode: '140902', birthDate: '1992-08-03', sex: 'male', rng })
const strangerId = generateIdNumber({ divisionCode: '140902', birthDate: '1990-01-09', sex: 'male', rng })

interface TestField {
  name: string
  label: string
  widget: 'string' | 'idNumber' | 'phone' | 'date' | 'select' | 'textarea'
  options?: string[]
  prefill?: { source: string; party?: string }
}
const field = (name: string, label: string, widget: TestField['widget'], extra: Partial<TestField> = {}): TestField => ({ name, label, widget, ...extra })
function form(fields: TestField[], required: string[]): GuideInput['form'] {
  const properties: Record<string, Record<string, unknown>> = {}
  for (const f of fields) {
    const p: Record<string, unknown> = { type: 'string', title: f.label }
    if (f.widget === 'date') p.format = 'date'
    if (f.widget === 'select') p.enum = f.options
    properties[f.name] = p
  }
  return {
    schema: { type: 'object', properties, required } as never,
    layout: fields.map((f) => ({ field: f.name, widget: f.widget, label: f.label, ...(f.prefill ? { prefill: f.prefill } : {}) })) as never,
  }
}

function guide(name: string, department: string, o: Partial<GuideInput> = {}): GuideInput {
  return {
    name, type: 'public_service', departmentId: depts[department]!, applicableTo: 'person', legalBasis: '《中华人民共和国户口登记条例》第七条', conditions: '新生儿父母',
    promisedDays: 3, handlingClass: 'time_limited', mode: 'fully_online', visits: 0, reviewSteps: [{ name: '审查决定', role: 'reviewer' }], ...o,
  }
}

const idCard = { code: 'id_card', name: '父母居民身份证', requirement: 'required' as const, form: 'original' as const, licenseType: 'resident_id_card' }
const hukou = { code: 'household_register', name: '居民户口簿', requirement: 'required' as const, form: 'original' as const, licenseType: 'household_register' }

const birthBundle: BundleDefinitionInput = {
  code: 'BIRTH',
  name: '出生一件事',
  summary: '新生儿出生后一次申请',
  applicableTo: 'person',
  questions: [
    { key: 'bornHere', label: '新生儿是否在本市出生', options: [{ value: 'yes', label: '是' }, { value: 'no', label: '否' }], default: 'yes' },
    { key: 'wantCard', label: '是否同时申领社保卡', options: [{ value: 'yes', label: '是' }, { value: 'no', label: '否' }] },
  ],
  parties: [{ role: 'father', label: '父亲', relation: 'spouse' }],
  items: [
    { code: 'GG00801000', when: [{ question: 'bornHere', in: ['yes'] }], materials: { birth_record: { via: 'form', label: '合并表单在线填写' } } },
    { code: 'QR00101000', materials: { birth_certificate: { via: 'bundle', from: 'GG00801000', label: '出生医学证明（本件同步签发）' } } },
    { code: 'GG00302000', materials: { birth_certificate: { via: 'bundle', from: 'GG00801000', label: '出生医学证明（本件同步签发）' } } },
    { code: 'GG00201000', when: [{ question: 'wantCard', in: ['yes'] }] },
  ],
  fields: [
    { name: 'babyName', to: ['QR00101000.babyName', 'GG00801000.babyName', 'GG00302000.babyName', 'GG00201000.babyName'] },
    { name: 'birthDate', to: ['QR00101000.birthDate', 'GG00801000.birthDate'] },
    { name: 'birthCertificateNo', to: ['QR00101000.birthCertificateNo'], producedBy: 'GG00801000', producedValue: '卫健部门同步签发', label: '出生医学证明编号', widget: 'string', required: true },
    { name: 'motherName', to: ['QR00101000.motherName', 'GG00302000.motherName'] },
    { name: 'motherIdNumber', to: ['QR00101000.motherIdNumber'] },
    { name: 'householdAddress', to: ['QR00101000.householdAddress'] },
    { name: 'fatherName', party: 'father', to: ['QR00101000.fatherName'] },
    { name: 'fatherIdNumber', party: 'father', to: ['QR00101000.fatherIdNumber'] },
  ],
}

beforeAll(async () => {
  t = await createTestApp()
  t.app.auth.setResolver(async (token) => principals[token] ?? null)
  const { org, catalog, identity, registries } = t.services
  await org.importDivisions({ within: '140900' })
  for (const [k, name] of [['police', '忻州市公安局'], ['health', '忻州市卫生健康委员会'], ['medical', '忻州市医疗保障局'], ['hrss', '忻州市人力资源和社会保障局']] as const) {
    depts[k] = (await org.createDepartment(systemActor, { name, divisionCode: '140900', kind: 'bureau' })).id
  }
  const publish = async (code: string, g: GuideInput) => {
    const d = await catalog.createItem(systemActor, { ...g, code } as never)
    const v = await catalog.publish(systemActor, d.itemId, { revision: d.revision })
    codes[code] = v.code
    return v
  }
  await publish('QR00101000', guide('出生登记', 'police', {
    type: 'confirmation',
    materials: [{ code: 'birth_certificate', name: '出生医学证明', requirement: 'required', form: 'original', licenseType: 'birth_medical_certificate' }, hukou, idCard],
    form: form([
      field('babyName', '新生儿姓名', 'string'),
      field('birthDate', '出生日期', 'date'),
      field('birthCertificateNo', '出生医学证明编号', 'string'),
      field('motherName', '母亲姓名', 'string', { prefill: { source: 'person.name' } }),
      field('motherIdNumber', '母亲公民身份号码', 'idNumber', { prefill: { source: 'person.idNumber' } }),
      field('householdAddress', '拟落户地址', 'textarea', { prefill: { source: 'household.address' } }),
      field('fatherName', '父亲姓名', 'string', { prefill: { source: 'person.name', party: 'father' } }),
      field('fatherIdNumber', '父亲公民身份号码', 'idNumber', { prefill: { source: 'person.idNumber', party: 'father' } }),
    ], ['babyName', 'birthDate', 'birthCertificateNo', 'motherName', 'motherIdNumber', 'fatherName', 'fatherIdNumber']),
  }))
  await publish('GG00801000', guide('出生医学证明首次签发', 'health', { materials: [idCard, { code: 'birth_record', name: '新生儿出生信息登记表', requirement: 'required', form: 'original' }] }))
  await publish('GG00302000', guide('新生儿参加城乡居民医疗保险', 'medical', { materials: [{ code: 'birth_certificate', name: '出生医学证明', requirement: 'required', form: 'original', licenseType: 'birth_medical_certificate' }] }))
  await publish('GG00201000', guide('社会保障卡申领', 'hrss', { materials: [{ code: 'photo', name: '近期免冠照片', requirement: 'required', form: 'electronic' }] }))

  const account = async (key: string, name: string, idNumber: string, phone: string) => {
    const a = await identity.createPerson('system', { name, idNumber, phone })
    principals[key] = { accountId: a.id, sessionId: `ses_${key}`, kind: 'person', name, grants: [{ role: 'citizen', divisionCode: a.divisionCode, departmentId: null }] }
  }
  await account('mother', '李红梅', motherId, '13911110001')
  await account('father', '王建国', fatherId, '13911110002')
  await account('stranger', '赵强', strangerId, '13911110003')
  const mother = await registries.createPerson('system', { idNumber: motherId, name: '李红梅', ethnicity: '01', householdDivisionCode: '140902', address: '忻府区七一北路12号' })
  const father = await registries.createPerson('system', { idNumber: fatherId, name: '王建国', ethnicity: '01', householdDivisionCode: '140902', address: '忻府区七一北路12号' })
  const hh = await registries.createHousehold('system', { divisionCode: '140902', address: '山西省忻州市忻府区七一北路12号', headPersonId: mother.id })
  await registries.updatePerson('system', father.id, { version: father.version, householdId: hh.id, relation: 'spouse' })

  for (const k of ['police', 'health', 'medical', 'hrss']) {
    principals[`${k}Clerk`] = { accountId: `acc_${k}_clerk`, sessionId: `ses_${k}`, kind: 'staff', name: `${k} clerk`, grants: [{ role: 'window_clerk', divisionCode: '140900', departmentId: depts[k]! }, { role: 'reviewer', divisionCode: '140900', departmentId: depts[k]! }] }
  }
  principals.admin = { accountId: 'acc_admin', sessionId: 'ses_admin', kind: 'staff', name: 'admin', grants: [{ role: 'platform_admin', divisionCode: null, departmentId: null }] }
  const put = await call('PUT', '/api/onething/bundles/BIRTH', 'admin', { ...birthBundle, code: undefined })
  expect(put.statusCode, put.body).toBe(200)
})
afterAll(async () => {
  await t?.close()
  if (t) fs.rmSync(t.core.config.DATA_DIR, { recursive: true, force: true })
})

async function start(answers: Record<string, string> = { wantCard: 'no' }) {
  const res = await call('POST', '/api/onething/drafts', 'mother', { bundleCode: 'BIRTH', answers })
  expect(res.statusCode, res.body).toBe(201)
  return res.json()
}

async function withFather(draft: { id: string }) {
  const inv = await call('POST', `/api/onething/drafts/${draft.id}/invitations`, 'mother', { role: 'father', phone: '13911110002' })
  expect(inv.statusCode, inv.body).toBe(201)
  return inv.json() as { token: string; path: string }
}

const fieldOf = (d: { fields: { name: string }[] }, name: string) => d.fields.find((f) => f.name === name) as { name: string; value: unknown; source: string | null; sourceLabel: string | null; version: number; editable: boolean; required: boolean }

describe('bundles', () => {
  it('lists the bundle publicly with its items and questions', async () => {
    const res = await call('GET', '/api/onething/bundles/BIRTH')
    expect(res.statusCode).toBe(200)
    const b = res.json()
    expect(b.items.map((i: { code: string }) => i.code)).toEqual(['GG00801000', 'QR00101000', 'GG00302000', 'GG00201000'])
    expect(b.questions).toHaveLength(2)
    expect((await call('GET', '/api/onething/bundles/NOPE')).statusCode).toBe(404)
  })

  it('refuses a bundle naming an unpublished item, and callers without the role', async () => {
    const bad = await call('PUT', '/api/onething/bundles/BAD', 'admin', { ...birthBundle, code: undefined, items: [...birthBundle.items, { code: 'XK99999000' }] })
    expect(bad.statusCode).toBe(422)
    expect(bad.json().type).toBe('urn:yiwang:problem:onething/item-unavailable')
    expect((await call('PUT', '/api/onething/bundles/BAD', 'mother', { ...birthBundle, code: undefined })).statusCode).toBe(403)
  })
})

describe('prefill and situation questions', () => {
  it('prefills the first applicant’s fields from the population registry, marked by source', async () => {
    const d = await start()
    expect(fieldOf(d, 'motherName')).toMatchObject({ value: '李红梅', source: 'prefill', sourceLabel: '来自人口库', editable: true })
    expect(fieldOf(d, 'motherIdNumber').value).toBe(motherId)
    expect(fieldOf(d, 'householdAddress')).toMatchObject({ value: '山西省忻州市忻府区七一北路12号', source: 'prefill' })
    expect(fieldOf(d, 'fatherName')).toMatchObject({ value: null, editable: false })
    // Produced by another item of the bundle: not asked.
    expect(fieldOf(d, 'birthCertificateNo')).toMatchObject({ value: '卫健部门同步签发', source: 'produced', required: false })
    expect(d.counts.prefilled).toBe(3)
    // ID card and household register confirmed from the registry; the birth record replaced by the form.
    const statuses = Object.fromEntries(d.materials.map((m: { itemCode: string; code: string; status: string }) => [`${m.itemCode}.${m.code}`, m.status]))
    expect(statuses).toMatchObject({ 'QR00101000.id_card': 'registry', 'QR00101000.household_register': 'registry', 'GG00801000.birth_record': 'bundle', 'QR00101000.birth_certificate': 'bundle' })
    expect(d.items.find((i: { code: string }) => i.code === 'GG00201000').applies).toBe(false)
  })

  it('refuses answers that exclude every item, and unknown answers, changing nothing', async () => {
    const d = await start()
    // Only GG00801000 depends on bornHere; a bundle where every item is conditional is needed to exclude all.
    const bundle = { ...birthBundle, code: undefined, items: birthBundle.items.map((i) => ({ ...i, when: [{ question: 'bornHere', in: ['yes'] }] })) }
    expect((await call('PUT', '/api/onething/bundles/ALLCOND', 'admin', bundle)).statusCode).toBe(200)
    const none = await call('POST', '/api/onething/drafts', 'mother', { bundleCode: 'ALLCOND', answers: { bornHere: 'no' } })
    expect(none.statusCode).toBe(422)
    expect(none.json().type).toBe('urn:yiwang:problem:onething/no-applicable-items')
    const bad = await call('PUT', `/api/onething/drafts/${d.id}/answers`, 'mother', { version: d.version, answers: { bornHere: 'maybe' } })
    expect(bad.json().type).toBe('urn:yiwang:problem:onething/invalid-answer')
    expect((await call('GET', `/api/onething/drafts/${d.id}`, 'mother')).json().version).toBe(d.version)
    // A staff account cannot start a citizen bundle; another citizen cannot see the draft.
    expect((await call('POST', '/api/onething/drafts', 'policeClerk', { bundleCode: 'BIRTH' })).statusCode).toBe(403)
    expect((await call('GET', `/api/onething/drafts/${d.id}`, 'stranger')).statusCode).toBe(404)
  })
})

describe('co-applicants', () => {
  it('lets only the invited spouse join; the joiner gets their own prefill', async () => {
    const d = await start()
    const { token } = await withFather(d)
    const wrong = await call('POST', `/api/onething/invitations/${token}/accept`, 'stranger')
    expect(wrong.statusCode).toBe(403)
    expect(wrong.json().type).toBe('urn:yiwang:problem:onething/not-invitee')
    expect((await call('POST', `/api/onething/invitations/${token}/accept`, 'mother')).statusCode).toBe(403)
    const ok = await call('POST', `/api/onething/invitations/${token}/accept`, 'father')
    expect(ok.statusCode, ok.body).toBe(200)
    const fd = ok.json()
    expect(fd.you).toMatchObject({ role: 'father', isOwner: false, status: 'joined' })
    expect(fieldOf(fd, 'fatherName')).toMatchObject({ value: '王建国', source: 'prefill', editable: true })
    expect(fieldOf(fd, 'fatherIdNumber').value).toBe(fatherId)
    expect(fieldOf(fd, 'motherName').editable).toBe(false)
    // The stranger still cannot see it.
    expect((await call('GET', `/api/onething/drafts/${d.id}`, 'stranger')).statusCode).toBe(404)
  })

  it('merges field by field: a stale write comes back as a conflict, nothing is lost', async () => {
    const d = await start()
    const name = fieldOf(d, 'babyName')
    const first = await call('PATCH', `/api/onething/drafts/${d.id}/fields`, 'mother', { changes: [{ field: 'babyName', value: '王小禾', baseVersion: name.version }] })
    expect(first.json().conflicts).toEqual([])
    // A second device of the same applicant still holds version 0 of babyName but edits birthDate too.
    const second = await call('PATCH', `/api/onething/drafts/${d.id}/fields`, 'mother', {
      changes: [{ field: 'babyName', value: '王小苗', baseVersion: 0 }, { field: 'birthDate', value: '2026-11-20', baseVersion: 0 }],
    })
    const body = second.json()
    expect(body.conflicts).toEqual([{ field: 'babyName', value: '王小禾', version: 1, updatedBy: '李红梅' }])
    expect(fieldOf(body.draft, 'babyName').value).toBe('王小禾')
    expect(fieldOf(body.draft, 'birthDate').value).toBe('2026-11-20')
    // Someone else's part is refused.
    const other = await call('PATCH', `/api/onething/drafts/${d.id}/fields`, 'mother', { changes: [{ field: 'fatherName', value: 'x', baseVersion: 0 }] })
    expect(other.json().type).toBe('urn:yiwang:problem:onething/not-your-field')
  })

  it('a decline returns the draft to the first applicant, who may invite again', async () => {
    const d = await start()
    const { token } = await withFather(d)
    await call('POST', `/api/onething/invitations/${token}/accept`, 'father')
    expect((await call('POST', `/api/onething/drafts/${d.id}/decline`, 'father')).statusCode).toBe(200)
    expect((await call('GET', `/api/onething/drafts/${d.id}`, 'father')).statusCode).toBe(404)
    const mine = (await call('GET', `/api/onething/drafts/${d.id}`, 'mother')).json()
    expect(mine.parties[0]).toMatchObject({ role: 'father', status: 'declined' })
    const again = await withFather(d)
    expect((await call('POST', `/api/onething/invitations/${again.token}/accept`, 'father')).statusCode).toBe(200)
  })
})

async function readyDraft() {
  const d = await start()
  await call('PATCH', `/api/onething/drafts/${d.id}/fields`, 'mother', { changes: [{ field: 'babyName', value: '王小禾', baseVersion: 0 }, { field: 'birthDate', value: '2026-11-20', baseVersion: 0 }] })
  const { token } = await withFather(d)
  await call('POST', `/api/onething/invitations/${token}/accept`, 'father')
  return d
}

describe('submission', () => {
  it('waits for every required party, then creates one case per department in one go', async () => {
    const d = await readyDraft()
    const early = await call('POST', `/api/onething/drafts/${d.id}/submit`, 'mother', { version: d.version })
    expect(early.json().type).toBe('urn:yiwang:problem:onething/parties-not-confirmed')
    expect((await call('POST', `/api/onething/drafts/${d.id}/confirm`, 'father')).json().you.status).toBe('confirmed')
    const res = await call('POST', `/api/onething/drafts/${d.id}/submit`, 'mother', { version: d.version })
    expect(res.statusCode, res.body).toBe(201)
    const { group, draft } = res.json()
    expect(draft.status).toBe('submitted')
    expect(group.status).toBe('submitted')
    expect(group.children.map((c: { departmentName: string }) => c.departmentName).sort()).toEqual(['忻州市公安局', '忻州市医疗保障局', '忻州市卫生健康委员会'])
    expect(group.fill).toMatchObject({ prefilled: 5, typed: 2, materialsFromLicenses: 0 })
    const police = group.children.find((c: { itemCode: string }) => c.itemCode === 'QR00101000')
    expect(police.fill).toMatchObject({ prefilled: 5, typed: 2 })

    // Each department's clerk sees only their own case.
    const queue = (await call('GET', '/api/cases/queues/to_accept', 'policeClerk')).json()
    expect(queue.items.map((c: { id: string }) => c.id)).toContain(police.id)
    expect(queue.items.every((c: { departmentName: string }) => c.departmentName === '忻州市公安局')).toBe(true)
    expect((await call('GET', `/api/cases/${police.id}`, 'healthClerk')).statusCode).toBe(404)
    const caseView = (await call('GET', `/api/cases/${police.id}`, 'policeClerk')).json()
    expect(caseView.formData).toMatchObject({ babyName: '王小禾', birthCertificateNo: '卫健部门同步签发', fatherName: '王建国' })
    const fill = await call('GET', `/api/onething/cases/${police.id}/fill`, 'policeClerk')
    expect(fill.json()).toMatchObject({ groupNumber: group.number, fill: { prefilled: 5, typed: 2 } })
    expect((await call('GET', `/api/onething/cases/${police.id}/fill`, 'healthClerk')).statusCode).toBe(404)

    // The father sees the application too; the mother sees it in her list.
    expect((await call('GET', `/api/onething/applications/${group.id}`, 'father')).statusCode).toBe(200)
    expect((await call('GET', `/api/onething/applications/${group.id}`, 'stranger')).statusCode).toBe(404)
    const list = (await call('GET', '/api/onething/applications', 'mother')).json()
    expect(list.items[0]).toMatchObject({ id: group.id, children: expect.any(Array) })

    // A 补正 from one department reaches the applicant once, naming it; the parent shows it.
    const accept = await call('POST', `/api/cases/${police.id}/request-supplement`, 'policeClerk', { version: police.version, items: [{ description: '请补充父母结婚证' }] })
    expect(accept.statusCode, accept.body).toBe(200)
    await t.core.outbox.drain()
    const parent = (await call('GET', `/api/onething/applications/${group.id}`, 'mother')).json()
    expect(parent.status).toBe('supplement_requested')
    expect(parent.supplements).toEqual([expect.objectContaining({ departmentName: '忻州市公安局', items: [{ description: '请补充父母结婚证' }] })])
    const inbox = (await call('GET', '/api/inbox', 'mother')).json()
    const texts = inbox.items.map((n: { text: string }) => n.text)
    expect(texts.filter((x: string) => x.includes('忻州市公安局'))).toHaveLength(1)
    expect(texts.filter((x: string) => x.includes('补正'))).toHaveLength(1)

    // Metrics per item.
    const m = (await call('GET', '/api/onething/metrics', 'admin')).json()
    expect(m.items.find((i: { itemCode: string }) => i.itemCode === 'QR00101000')).toMatchObject({ cases: 1, prefilled: 5, typed: 2 })
    expect((await call('GET', '/api/onething/metrics', 'mother')).statusCode).toBe(403)
  })

  it('results arrive together: one notice when the last department is done', async () => {
    const d = await readyDraft()
    await call('POST', `/api/onething/drafts/${d.id}/confirm`, 'father')
    const { group } = (await call('POST', `/api/onething/drafts/${d.id}/submit`, 'mother', { version: d.version })).json()
    const before = (await call('GET', '/api/inbox', 'mother')).json().total
    for (const [i, c] of group.children.entries()) {
      const clerk = { 忻州市公安局: 'policeClerk', 忻州市卫生健康委员会: 'healthClerk', 忻州市医疗保障局: 'medicalClerk' }[c.departmentName as string]!
      let v = c.version
      for (const [path, body] of [['accept', {}], ['approve', {}], ['issue-result', { documentNumber: `R-${i}` }]] as const) {
        const r = await call('POST', `/api/cases/${c.id}/${path}`, clerk, { version: v, ...body })
        expect(r.statusCode, `${path} ${r.body}`).toBe(200)
        v = r.json().version
      }
      await t.core.outbox.drain()
      const parent = (await call('GET', `/api/onething/applications/${group.id}`, 'mother')).json()
      if (i < group.children.length - 1) expect(parent.results).toBeNull()
      else expect(parent.results.map((r: { documentNumber: string }) => r.documentNumber).sort()).toEqual(['R-0', 'R-1', 'R-2'])
    }
    const inbox = (await call('GET', '/api/inbox', 'mother')).json()
    expect(inbox.total - before).toBe(1)
    expect(inbox.items[0].text).toContain('已全部办结')
  })

  it('a sub-case failing to be created leaves nothing behind', async () => {
    const d = await readyDraft()
    await call('POST', `/api/onething/drafts/${d.id}/confirm`, 'father')
    const count = async () => Number((await t.core.db.selectFrom('cases.application' as never).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n)
    const groupsCount = async () => Number((await t.core.db.selectFrom('cases.application_group' as never).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n)
    const [cases0, groups0] = [await count(), await groupsCount()]
    // The outbox refuses the third case's event: the transaction must roll back entirely.
    const add = t.core.outbox.add.bind(t.core.outbox)
    let n = 0
    const spy = vi.spyOn(t.core.outbox, 'add').mockImplementation(async (trx, e) => {
      if (e.type === 'cases.application.submitted' && ++n === 3) throw new Error('disk full')
      return add(trx, e)
    })
    const res = await call('POST', `/api/onething/drafts/${d.id}/submit`, 'mother', { version: d.version })
    spy.mockRestore()
    expect(res.statusCode).toBe(500)
    expect([await count(), await groupsCount()]).toEqual([cases0, groups0])
    expect((await call('GET', `/api/onething/drafts/${d.id}`, 'mother')).json().status).toBe('open')
    // And it can be submitted afterwards.
    expect((await call('POST', `/api/onething/drafts/${d.id}/submit`, 'mother', { version: d.version })).statusCode).toBe(201)
  })

  it('refuses missing materials by name (a photo nobody can provide without upload)', async () => {
    const d = await readyDraft()
    await call('POST', `/api/onething/drafts/${d.id}/confirm`, 'father')
    const v = (await call('PUT', `/api/onething/drafts/${d.id}/answers`, 'mother', { version: d.version, answers: { wantCard: 'yes' } })).json()
    const res = await call('POST', `/api/onething/drafts/${d.id}/submit`, 'mother', { version: v.version })
    expect(res.json().type).toBe('urn:yiwang:problem:onething/materials-unsatisfied')
    expect(res.json().materials).toEqual([{ itemCode: 'GG00201000', code: 'photo', name: '社会保障卡申领：近期免冠照片' }])
  })

  it('refuses a license consent for a license the applicant does not hold', async () => {
    const d = await start()
    const res = await call('PUT', `/api/onething/drafts/${d.id}/licenses/resident_id_card`, 'mother', { licenseId: 'lic_x' })
    expect(res.statusCode).toBe(422)
    expect(res.json().type).toBe('urn:yiwang:problem:onething/license-unavailable')
  })
})

describe('e-licenses instead of uploads', () => {
  let licenseId = ''
  beforeAll(async () => {
    const { licenses } = t.services
    await licenses.ensureSeal(depts.police!)
    const l = await licenses.issue('system', { type: 'resident_id_card', departmentId: depts.police!, holder: { kind: 'person', id: motherId, name: '李红梅' }, fields: { sex: '女', ethnicity: '汉', birthDate: '1994-04-12', address: '忻府区七一北路12号' }, validFrom: '2020-01-01' })
    licenseId = l.id
  })

  it('with consent, the license stands in for every ID-card material; the use is in the holder’s log and on the case', async () => {
    const d = await readyDraft()
    await call('POST', `/api/onething/drafts/${d.id}/confirm`, 'father')
    const offered = d.materials.find((m: { itemCode: string; code: string }) => m.itemCode === 'QR00101000' && m.code === 'id_card')
    expect(offered.licenses.map((l: { id: string }) => l.id)).toEqual([licenseId])
    const used = await call('PUT', `/api/onething/drafts/${d.id}/licenses/resident_id_card`, 'mother', { licenseId })
    expect(used.statusCode, used.body).toBe(200)
    const licensed = used.json().materials.filter((m: { status: string }) => m.status === 'license')
    expect(licensed.map((m: { itemCode: string }) => m.itemCode).sort()).toEqual(['GG00801000', 'QR00101000'])
    expect(used.json().counts.materialsFromLicenses).toBe(2)
    const res = await call('POST', `/api/onething/drafts/${d.id}/submit`, 'mother', { version: d.version })
    expect(res.statusCode, res.body).toBe(201)
    const { group } = res.json()
    expect(group.fill.materialsFromLicenses).toBe(2)
    const police = group.children.find((c: { itemCode: string }) => c.itemCode === 'QR00101000')
    expect(police.materials).toContainEqual(expect.objectContaining({ code: 'id_card', kind: 'license' }))
    // The holder's use log has one case_attach per case, naming the case.
    const uses = await t.services.licenses.listMyUses(principals.mother!, { licenseId })
    const attached = uses.items.filter((u) => u.kind === 'case_attach').map((u) => u.applicationId)
    expect(attached).toEqual(expect.arrayContaining(group.children.filter((c: { itemCode: string }) => c.itemCode !== 'GG00302000').map((c: { id: string }) => c.id)))
  })

  it('a consent no longer standing at submission (license revoked since) refuses the submission, nothing created', async () => {
    const { licenses } = t.services
    const second = await licenses.issue('system', { type: 'household_register', departmentId: depts.police!, holder: { kind: 'person', id: motherId, name: '李红梅' }, fields: { householdNumber: '140902100001', relation: '户主', sex: '女', birthDate: '1994-04-12', address: '忻府区七一北路12号' }, validFrom: '2020-01-01' })
    const d = await readyDraft()
    await call('POST', `/api/onething/drafts/${d.id}/confirm`, 'father')
    expect((await call('PUT', `/api/onething/drafts/${d.id}/licenses/household_register`, 'mother', { licenseId: second.id })).statusCode).toBe(200)
    const head: Principal = { accountId: 'acc_police_head', sessionId: 's', kind: 'staff', name: 'head', grants: [{ role: 'department_head', divisionCode: '140900', departmentId: depts.police! }] }
    await licenses.changeStatus(head, second.id, 'revoke', '户口簿信息变更，原证照作废')
    const before = (await call('GET', '/api/onething/applications', 'mother')).json().total
    const res = await call('POST', `/api/onething/drafts/${d.id}/submit`, 'mother', { version: d.version })
    expect(res.statusCode).toBe(422)
    expect(res.json().type).toBe('urn:yiwang:problem:onething/consent-withdrawn')
    expect((await call('GET', '/api/onething/applications', 'mother')).json().total).toBe(before)
    // Withdrawing the consent brings the registry confirmation back, and the draft can go.
    const back = (await call('DELETE', `/api/onething/drafts/${d.id}/licenses/household_register`, 'mother')).json()
    expect(back.materials.find((m: { itemCode: string; code: string }) => m.itemCode === 'QR00101000' && m.code === 'household_register').status).toBe('registry')
    expect((await call('POST', `/api/onething/drafts/${d.id}/submit`, 'mother', { version: d.version })).statusCode).toBe(201)
  })

  it('prefills any declared field of the holder’s valid license (not only its number); the use reaches the case in the holder’s log', async () => {
    const prefillFrom = (name: string, source: string) => (f: (typeof birthBundle.fields)[number]) => (f.name === name ? { ...f, prefill: { source } } : f)
    const variant = { ...birthBundle, code: undefined, fields: birthBundle.fields.map(prefillFrom('householdAddress', 'license.resident_id_card.address')).map(prefillFrom('birthDate', 'license.resident_id_card.noSuchField')) }
    expect((await call('PUT', '/api/onething/bundles/BIRTH_LIC', 'admin', variant)).statusCode).toBe(200)
    const d = (await call('POST', '/api/onething/drafts', 'mother', { bundleCode: 'BIRTH_LIC', answers: { wantCard: 'no' } })).json()
    expect(fieldOf(d, 'householdAddress')).toMatchObject({ value: '忻府区七一北路12号', source: 'prefill', sourceLabel: '来自您的居民身份证' })
    // A field the license type does not declare resolves to nothing.
    expect(fieldOf(d, 'birthDate')).toMatchObject({ value: null, source: null })
    // The father has no license: his part still comes from the registry only.
    await call('PATCH', `/api/onething/drafts/${d.id}/fields`, 'mother', { changes: [{ field: 'babyName', value: '王小禾', baseVersion: 0 }, { field: 'birthDate', value: '2026-11-20', baseVersion: 0 }] })
    const { token } = await withFather(d)
    await call('POST', `/api/onething/invitations/${token}/accept`, 'father')
    await call('POST', `/api/onething/drafts/${d.id}/confirm`, 'father')
    const res = await call('POST', `/api/onething/drafts/${d.id}/submit`, 'mother', { version: d.version })
    expect(res.statusCode, res.body).toBe(201)
    const police = res.json().group.children.find((c: { itemCode: string }) => c.itemCode === 'QR00101000')
    const uses = await t.services.licenses.listMyUses(principals.mother!, { licenseId })
    expect(uses.items).toContainEqual(expect.objectContaining({ kind: 'case_attach', applicationId: police.id, departmentName: '忻州市公安局', purpose: expect.stringContaining('householdAddress') }))
  })

  it('a license revoked after it prefilled the form refuses the submission, nothing created', async () => {
    const { licenses } = t.services
    const own = await licenses.issue('system', { type: 'driving_licence', departmentId: depts.police!, holder: { kind: 'person', id: motherId, name: '李红梅' }, fields: { sex: '女', birthDate: '1994-04-12', vehicleClass: 'C1', firstIssuedOn: '2015-06-01' }, validFrom: '2021-06-01' })
    const variant = { ...birthBundle, code: undefined, fields: birthBundle.fields.map((f) => (f.name === 'birthDate' ? { ...f, prefill: { source: 'license.driving_licence.birthDate' } } : f)) }
    expect((await call('PUT', '/api/onething/bundles/BIRTH_LIC2', 'admin', variant)).statusCode).toBe(200)
    const d = (await call('POST', '/api/onething/drafts', 'mother', { bundleCode: 'BIRTH_LIC2', answers: { wantCard: 'no' } })).json()
    expect(fieldOf(d, 'birthDate')).toMatchObject({ value: '1994-04-12', sourceLabel: '来自您的机动车驾驶证' })
    await call('PATCH', `/api/onething/drafts/${d.id}/fields`, 'mother', { changes: [{ field: 'babyName', value: '王小禾', baseVersion: 0 }] })
    const { token } = await withFather(d)
    await call('POST', `/api/onething/invitations/${token}/accept`, 'father')
    await call('POST', `/api/onething/drafts/${d.id}/confirm`, 'father')
    const head: Principal = { accountId: 'acc_police_head', sessionId: 's', kind: 'staff', name: 'head', grants: [{ role: 'department_head', divisionCode: '140900', departmentId: depts.police! }] }
    await licenses.changeStatus(head, own.id, 'revoke', '信息有误')
    const before = (await call('GET', '/api/onething/applications', 'mother')).json().total
    const res = await call('POST', `/api/onething/drafts/${d.id}/submit`, 'mother', { version: d.version })
    expect(res.statusCode, res.body).toBe(422)
    expect(res.json().type).toBe('urn:yiwang:problem:onething/consent-withdrawn')
    expect((await call('GET', '/api/onething/applications', 'mother')).json().total).toBe(before)
  })
})

describe('uploads inside a bundle', () => {
  // A real 1×1 PNG, and text bytes that claim to be one.
  const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64')
  const upload = (draftId: string, who: string, material: string, bytes: Buffer, type = 'image/png', item = 'GG00201000') =>
    t.app.inject({ method: 'POST', url: `/api/onething/drafts/${draftId}/materials/${item}/${material}/files?fileName=${encodeURIComponent('照片.png')}`, headers: { ...as(who), 'content-type': type }, payload: bytes })
  const uploadsCount = async () => Number((await t.core.db.selectFrom('onething.upload' as never).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n)

  it('takes a file for a material nothing else provides; at submission it is a file of that item’s case for its clerk', async () => {
    const d0 = await readyDraft()
    await call('POST', `/api/onething/drafts/${d0.id}/confirm`, 'father')
    const d = (await call('PUT', `/api/onething/drafts/${d0.id}/answers`, 'mother', { version: d0.version, answers: { wantCard: 'yes' } })).json()
    expect(d.materials.find((m: { code: string }) => m.code === 'photo')).toMatchObject({ status: 'missing', files: [] })

    // Bad input answers problem+json and writes nothing.
    const before = await uploadsCount()
    const disguised = await upload(d.id, 'mother', 'photo', Buffer.from('MZ this is a program, not a picture'))
    expect([disguised.statusCode, disguised.json().type]).toEqual([422, 'urn:yiwang:problem:cases/file-type-mismatch'])
    expect(disguised.headers['content-type']).toContain('application/problem+json')
    const big = await upload(d.id, 'mother', 'photo', Buffer.concat([PNG, Buffer.alloc(10 * 1024 * 1024)]))
    expect([big.statusCode, big.json().type]).toEqual([413, 'urn:yiwang:problem:payload-too-large'])
    expect((await upload(d.id, 'mother', 'no_such', PNG)).json().type).toBe('urn:yiwang:problem:onething/unknown-material')
    // A material the bundle provides (produced by another item) takes no file.
    expect((await upload(d.id, 'mother', 'birth_certificate', PNG, 'image/png', 'QR00101000')).json().type).toBe('urn:yiwang:problem:onething/unknown-material')
    expect((await upload(d.id, 'father', 'photo', PNG)).json().type).toBe('urn:yiwang:problem:onething/not-your-material')
    expect((await upload(d.id, 'stranger', 'photo', PNG)).statusCode).toBe(404)
    expect((await upload(d.id, 'mother', 'photo', PNG, 'image/gif')).statusCode).toBe(415)
    expect(await uploadsCount()).toBe(before)

    // Upload, remove, upload again.
    const first = await upload(d.id, 'mother', 'photo', PNG)
    expect(first.statusCode, first.body).toBe(201)
    expect((await call('GET', `/api/onething/drafts/${d.id}/files`, 'father')).json().items).toEqual([])
    expect((await call('DELETE', `/api/onething/drafts/${d.id}/files/${first.json().id}`, 'father')).statusCode).toBe(404)
    expect((await call('DELETE', `/api/onething/drafts/${d.id}/files/${first.json().id}`, 'mother')).statusCode).toBe(204)
    expect((await call('GET', `/api/onething/drafts/${d.id}/files`, 'mother')).json().items).toEqual([])
    const file = (await upload(d.id, 'mother', 'photo', PNG)).json()
    expect(file).toMatchObject({ itemCode: 'GG00201000', materialCode: 'photo', fileName: '照片.png', contentType: 'image/png', sizeBytes: PNG.length })
    const view = (await call('GET', `/api/onething/drafts/${d.id}`, 'mother')).json()
    expect(view.materials.find((m: { code: string }) => m.code === 'photo')).toMatchObject({ status: 'upload', files: [expect.objectContaining({ id: file.id })] })

    const res = await call('POST', `/api/onething/drafts/${d.id}/submit`, 'mother', { version: d.version })
    expect(res.statusCode, res.body).toBe(201)
    const child = res.json().group.children.find((c: { itemCode: string }) => c.itemCode === 'GG00201000')
    const seen = (await call('GET', `/api/cases/${child.id}`, 'hrssClerk')).json()
    const photo = seen.materials.find((m: { code: string }) => m.code === 'photo')
    expect(photo.files).toEqual([expect.objectContaining({ fileName: '照片.png', contentType: 'image/png', sizeBytes: PNG.length })])
    const bytes = await call('GET', `/api/cases/${child.id}/files/${photo.files[0].id}`, 'hrssClerk')
    expect(bytes.statusCode).toBe(200)
    expect(Buffer.from(bytes.rawPayload).equals(PNG)).toBe(true)
    // The other departments' cases carry no file; the draft takes no more.
    const police = res.json().group.children.find((c: { itemCode: string }) => c.itemCode === 'QR00101000')
    expect((await call('GET', `/api/cases/${police.id}`, 'policeClerk')).json().materials.flatMap((m: { files: unknown[] }) => m.files)).toEqual([])
    expect((await upload(d.id, 'mother', 'photo', PNG)).json().type).toBe('urn:yiwang:problem:onething/draft-closed')
  })

  it('a failed submission leaves the uploads on the draft and no case file behind', async () => {
    const d0 = await readyDraft()
    await call('POST', `/api/onething/drafts/${d0.id}/confirm`, 'father')
    const d = (await call('PUT', `/api/onething/drafts/${d0.id}/answers`, 'mother', { version: d0.version, answers: { wantCard: 'yes' } })).json()
    expect((await upload(d.id, 'mother', 'photo', PNG)).statusCode).toBe(201)
    const files = async () => Number((await t.core.db.selectFrom('cases.file' as never).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n)
    const files0 = await files()
    const add = t.core.outbox.add.bind(t.core.outbox)
    const spy = vi.spyOn(t.core.outbox, 'add').mockImplementation(async (trx, e) => {
      if (e.type === 'cases.application.submitted') throw new Error('disk full')
      return add(trx, e)
    })
    const res = await call('POST', `/api/onething/drafts/${d.id}/submit`, 'mother', { version: d.version })
    spy.mockRestore()
    expect(res.statusCode).toBe(500)
    expect(await files()).toBe(files0)
    expect((await call('GET', `/api/onething/drafts/${d.id}/files`, 'mother')).json().items).toHaveLength(1)
  })
})
