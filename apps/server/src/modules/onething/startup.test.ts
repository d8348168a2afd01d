import fs from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { demoItems } from '../../demo/catalog.js'
import { demoBundles } from '../../demo/onething.js'
import { systemActor } from '../../platform/audit.js'
import type { Principal } from '../../platform/roles.js'
import { createTestApp, type TestApp } from '../../test/harness.js'
import { generateCreditCode, generateIdNumber, seededRandom } from '../identity/index.js'

/**
 * 企业开办一件事 end to end through the HTTP API, with the demo catalog's real items and the demo
 * bundle: an enterprise starts it, invites its legal representative (a shareholder) by phone (the
 * invitation goes out by SMS); someone else with a look-alike number is refused; the
 * representative joins from their own session with their part prefilled from the population
 * registry and gives their e-ID card instead of an upload; the submission makes one case per
 * item in four departments, and each department's clerk sees only theirs.
 */

let t: TestApp
const principals: Record<string, Principal> = {}
const call = (method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, who?: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: who ? { cookie: `yw_session=${who}` } : {}, ...(payload !== undefined ? { payload: payload as never } : {}) })

const bundle = demoBundles.find((b) => b.code === 'BUSINESS_STARTUP')!
const itemCodes = new Set(bundle.items.map((i) => i.code))
const depts = new Map<string, string>()
const rng = seededRandom(2024)
const rep = { name: '孙立新', idNumber: generateIdNumber({ divisionCode: '140902', birthDate: '1985-09-09', sex: 'male', rng }), phone: '13900009901' }
let repLicenseId = ''

beforeAll(async () => {
  t = await createTestApp()
  t.app.auth.setResolver(async (token) => principals[token] ?? null)
  const { org, catalog, identity, registries, licenses } = t.services
  await org.importDivisions({ within: '140900' })
  for (const item of demoItems.filter((i) => itemCodes.has(i.code) || i.code === 'QR00101000')) {
    if (!depts.has(item.department)) depts.set(item.department, (await org.createDepartment(systemActor, { name: item.department, divisionCode: '140900', kind: 'bureau' })).id)
    if (!itemCodes.has(item.code)) continue
    const { code, department, divisionCode, reviewSteps, ...rest } = item
    const d = await catalog.createItem(systemActor, { ...rest, code, departmentId: depts.get(department)!, divisionCode: divisionCode ?? null, reviewSteps: reviewSteps.map((s) => ({ ...s })) })
    await catalog.publish(systemActor, d.itemId, { revision: d.revision })
  }

  const person = async (key: string, name: string, idNumber: string, phone: string) => {
    const a = await identity.createPerson('system', { name, idNumber, phone })
    principals[key] = { accountId: a.id, sessionId: `ses_${key}`, kind: 'person', name, grants: [{ role: 'citizen', divisionCode: a.divisionCode, departmentId: null }] }
    return a
  }
  await person('rep', rep.name, rep.idNumber, rep.phone)
  // Same masked number (139****9901) as the representative: only the exact number may join.
  await person('lookalike', '钱多多', generateIdNumber({ divisionCode: '140902', birthDate: '1988-03-03', sex: 'male', rng }), '13911119901')
  const agent = await person('agent', '周敏', generateIdNumber({ divisionCode: '140902', birthDate: '1990-01-01', sex: 'female', rng }), '13900009902')
  const legal = await identity.createLegal('system', { name: '忻州市新禾科技有限公司', creditCode: generateCreditCode({ divisionCode: '140902', rng }), agentAccountId: agent.id })
  principals.company = { accountId: legal.id, sessionId: 'ses_company', kind: 'legal', name: legal.name, grants: [{ role: 'enterprise_agent', divisionCode: '140902', departmentId: null }] }

  // The representative in the population registry, and their e-ID card in their wallet.
  await registries.createPerson('system', { idNumber: rep.idNumber, name: rep.name, ethnicity: '01', householdDivisionCode: '140902', address: '忻府区和平街1号', phone: rep.phone })
  const police = depts.get('忻州市公安局')!
  await licenses.ensureSeal(police)
  repLicenseId = (await licenses.issue('system', { type: 'resident_id_card', departmentId: police, holder: { kind: 'person', id: rep.idNumber, name: rep.name }, fields: { sex: '男', ethnicity: '汉', birthDate: '1985-09-09', address: '忻府区和平街1号' }, validFrom: '2021-01-01' })).id

  for (const [name, id] of depts) {
    principals[`clerk:${name}`] = { accountId: `acc_clerk_${id}`, sessionId: `ses_clerk_${id}`, kind: 'staff', name: `${name}窗口`, grants: [{ role: 'window_clerk', divisionCode: '140900', departmentId: id }, { role: 'reviewer', divisionCode: '140900', departmentId: id }] }
  }
  principals.admin = { accountId: 'acc_admin', sessionId: 'ses_admin', kind: 'staff', name: 'admin', grants: [{ role: 'platform_admin', divisionCode: null, departmentId: null }] }
  const put = await call('PUT', '/api/onething/bundles/BUSINESS_STARTUP', 'admin', { ...bundle, code: undefined })
  expect(put.statusCode, put.body).toBe(200)
})
afterAll(async () => {
  await t?.close()
  if (t) fs.rmSync(t.core.config.DATA_DIR, { recursive: true, force: true })
})

const company = {
  companyName: '忻州市新禾科技有限公司', companyType: '有限责任公司（自然人投资或控股）', registeredCapital: 100, domicile: '忻府区和平街1号', businessScope: '软件开发；信息技术咨询服务',
  operatingTerm: '长期', shareholders: '孙立新 60万元 货币\n周敏 40万元 货币', liaisonPhone: '13900009902', needSeal: '是', bankAccount: '6217000000000000001',
}

describe('企业开办一件事 with two applicants', () => {
  it('the enterprise applies, the representative joins and gives their e-ID card, four departments each see their own case', async () => {
    const started = await call('POST', '/api/onething/drafts', 'company', { bundleCode: 'BUSINESS_STARTUP', answers: { hireNow: 'yes' } })
    expect(started.statusCode, started.body).toBe(201)
    let d = started.json()
    expect(d.items.filter((i: { applies: boolean }) => i.applies)).toHaveLength(4)
    // The representative's ID card is theirs to provide: not offered to, nor consentable by, the company.
    const repMaterials = () => d.materials.filter((m: { party: string }) => m.party === 'legalRep')
    expect(repMaterials().map((m: { itemCode: string; status: string }) => [m.itemCode, m.status])).toEqual([['XK00501000', 'missing'], ['QT00113000', 'missing']])
    expect((await call('PUT', `/api/onething/drafts/${d.id}/licenses/resident_id_card`, 'company', { licenseId: repLicenseId })).statusCode).toBe(422)

    const typed = await call('PATCH', `/api/onething/drafts/${d.id}/fields`, 'company', { changes: Object.entries(company).map(([field, value]) => ({ field, value, baseVersion: 0 })) })
    expect(typed.statusCode, typed.body).toBe(200)
    expect(typed.json().conflicts).toEqual([])

    // Invited by phone: the link goes out by SMS, in Chinese, with no ID number in it.
    const smsBefore = (await t.services.identity.listSmsOutbox('system', { pageSize: 100 })).total
    const inv = await call('POST', `/api/onething/drafts/${d.id}/invitations`, 'company', { role: 'legalRep', phone: rep.phone })
    expect(inv.statusCode, inv.body).toBe(201)
    const { token, path } = inv.json()
    const sms = (await t.services.identity.listSmsOutbox('system', { pageSize: 100 })).items.filter((m) => m.phone === rep.phone)
    expect((await t.services.identity.listSmsOutbox('system', { pageSize: 100 })).total).toBe(smsBefore + 1)
    expect(sms).toHaveLength(1)
    expect(sms[0]!.text).toContain(`${t.core.config.publicUrl}${path}`)
    expect(sms[0]!.text).toContain('企业开办一件事')
    expect(sms[0]!.text).not.toMatch(/\d{17}[\dX]/)

    // Someone whose number merely looks the same is refused, and nothing changes.
    const wrong = await call('POST', `/api/onething/invitations/${token}/accept`, 'lookalike')
    expect(wrong.statusCode).toBe(403)
    expect(wrong.headers['content-type']).toContain('application/problem+json')
    expect(wrong.json().type).toBe('urn:yiwang:problem:onething/not-invitee')
    const after = (await call('GET', `/api/onething/drafts/${d.id}`, 'company')).json()
    expect(after.parties).toEqual([expect.objectContaining({ role: 'legalRep', status: 'invited', accountName: null })])
    expect(after.version).toBe(d.version)
    expect((await call('GET', `/api/onething/drafts/${d.id}`, 'lookalike')).statusCode).toBe(404)

    // The representative joins from their own session: their part is prefilled, their ID card confirmed.
    const joined = await call('POST', `/api/onething/invitations/${token}/accept`, 'rep')
    expect(joined.statusCode, joined.body).toBe(200)
    d = joined.json()
    expect(d.you).toMatchObject({ role: 'legalRep', isOwner: false, status: 'joined' })
    const mine = d.fields.filter((f: { party: string }) => f.party === 'legalRep')
    expect(mine.map((f: { name: string; value: unknown; source: string; sourceLabel: string }) => [f.name, f.value, f.source, f.sourceLabel])).toEqual([
      ['legalRepName', rep.name, 'prefill', '来自人口库'],
      ['legalRepIdNumber', rep.idNumber, 'prefill', '来自人口库'],
      ['legalRepPhone', rep.phone, 'prefill', '来自人口库'],
    ])
    expect(repMaterials().map((m: { status: string }) => m.status)).toEqual(['registry', 'registry'])
    expect(repMaterials()[0].licenses.map((l: { id: string }) => l.id)).toEqual([repLicenseId])
    // The company's part is not theirs to change.
    expect((await call('PATCH', `/api/onething/drafts/${d.id}/fields`, 'rep', { changes: [{ field: 'companyName', value: '别的公司', baseVersion: 1 }] })).json().type).toBe('urn:yiwang:problem:onething/not-your-field')

    // Their e-ID card instead of the registry confirmation (or an upload), with their consent.
    const used = await call('PUT', `/api/onething/drafts/${d.id}/licenses/resident_id_card`, 'rep', { licenseId: repLicenseId })
    expect(used.statusCode, used.body).toBe(200)
    d = used.json()
    expect(repMaterials().map((m: { status: string }) => m.status)).toEqual(['license', 'license'])
    expect(d.counts.materialsFromLicenses).toBe(2)
    // The company's view shows the materials provided, never the representative's wallet.
    const companyView = (await call('GET', `/api/onething/drafts/${d.id}`, 'company')).json()
    expect(companyView.materials.filter((m: { party: string }) => m.party === 'legalRep').map((m: { status: string; licenses: unknown[] }) => [m.status, m.licenses.length])).toEqual([['license', 0], ['license', 0]])

    const early = await call('POST', `/api/onething/drafts/${d.id}/submit`, 'company', { version: d.version })
    expect(early.json().type).toBe('urn:yiwang:problem:onething/parties-not-confirmed')
    const confirmed = await call('POST', `/api/onething/drafts/${d.id}/confirm`, 'rep')
    expect(confirmed.statusCode, confirmed.body).toBe(200)
    expect(confirmed.json().you.status).toBe('confirmed')
    expect((await call('GET', `/api/onething/drafts/${d.id}`, 'company')).json().parties[0].status).toBe('confirmed')

    // One submission: one parent, one case per item, four departments.
    const res = await call('POST', `/api/onething/drafts/${d.id}/submit`, 'company', { version: d.version })
    expect(res.statusCode, res.body).toBe(201)
    const { group } = res.json()
    expect(group.children.map((c: { itemCode: string }) => c.itemCode).sort()).toEqual(['GG00209000', 'GG01104000', 'QT00113000', 'XK00501000'])
    expect(new Set(group.children.map((c: { departmentId: string }) => c.departmentId)).size).toBe(4)
    expect(group.parties).toEqual([{ accountId: principals.rep!.accountId, name: rep.name, role: 'legalRep' }])
    expect(group.fill).toMatchObject({ prefilled: 3, typed: 10, materialsFromLicenses: 2 })
    const registration = group.children.find((c: { itemCode: string }) => c.itemCode === 'XK00501000')
    expect(registration.materials).toContainEqual(expect.objectContaining({ code: 'id_card', kind: 'license' }))
    expect(registration.fill).toMatchObject({ prefilled: 3, materialsFromLicenses: 1 })

    // The representative's consent is in their own license use log, one per case it went to.
    const uses = await t.services.licenses.listMyUses(principals.rep!, { licenseId: repLicenseId })
    const attached = uses.items.filter((u) => u.kind === 'case_attach').map((u) => u.applicationId).sort()
    expect(attached).toEqual(group.children.filter((c: { itemCode: string }) => c.itemCode === 'XK00501000' || c.itemCode === 'QT00113000').map((c: { id: string }) => c.id).sort())

    // Each department's clerk sees only their own case of the bundle.
    for (const c of group.children as { id: string; departmentName: string }[]) {
      const clerk = `clerk:${c.departmentName}`
      const queue = (await call('GET', '/api/cases/queues/to_accept', clerk)).json()
      const ids = queue.items.map((x: { id: string }) => x.id)
      expect(ids, c.departmentName).toContain(c.id)
      expect(ids.filter((id: string) => group.children.some((o: { id: string }) => o.id === id))).toEqual([c.id])
      for (const other of group.children as { id: string; departmentName: string }[]) {
        if (other.id !== c.id) expect((await call('GET', `/api/cases/${other.id}`, clerk)).statusCode, `${c.departmentName} → ${other.departmentName}`).toBe(404)
      }
    }
    const regClerk = `clerk:${registration.departmentName}`
    const caseView = (await call('GET', `/api/cases/${registration.id}`, regClerk)).json()
    // The representative's part reached the case (staff see the ID number masked).
    expect(caseView.formData).toMatchObject({ companyName: company.companyName, legalRepName: rep.name, legalRepIdNumber: `${rep.idNumber.slice(0, 4)}**********${rep.idNumber.slice(-4)}` })

    // Both see the one application.
    expect((await call('GET', `/api/onething/applications/${group.id}`, 'rep')).statusCode).toBe(200)
    expect((await call('GET', `/api/onething/applications/${group.id}`, 'lookalike')).statusCode).toBe(404)
  })

  it('a representative without a registry record or license cannot confirm: their ID card is named as missing', async () => {
    const { identity } = t.services
    const other = await identity.createPerson('system', { name: '吴新', idNumber: generateIdNumber({ divisionCode: '140902', birthDate: '1979-07-07', sex: 'male', rng }), phone: '13900009903' })
    principals.other = { accountId: other.id, sessionId: 'ses_other', kind: 'person', name: '吴新', grants: [{ role: 'citizen', divisionCode: '140902', departmentId: null }] }
    const d = (await call('POST', '/api/onething/drafts', 'company', { bundleCode: 'BUSINESS_STARTUP' })).json()
    const { token } = (await call('POST', `/api/onething/drafts/${d.id}/invitations`, 'company', { role: 'legalRep', phone: '13900009903' })).json()
    expect((await call('POST', `/api/onething/invitations/${token}/accept`, 'other')).statusCode).toBe(200)
    await call('PATCH', `/api/onething/drafts/${d.id}/fields`, 'other', { changes: [{ field: 'legalRepName', value: '吴新', baseVersion: 0 }, { field: 'legalRepIdNumber', value: (await identity.revealIdNumber(other.id))!, baseVersion: 0 }, { field: 'legalRepPhone', value: '13900009903', baseVersion: 0 }] })
    const res = await call('POST', `/api/onething/drafts/${d.id}/confirm`, 'other')
    expect(res.statusCode).toBe(422)
    expect(res.json().type).toBe('urn:yiwang:problem:onething/materials-unsatisfied')
    expect(res.json().materials.map((m: { itemCode: string; code: string }) => `${m.itemCode}.${m.code}`)).toEqual(['XK00501000.id_card', 'QT00113000.id_card'])
    // Declining takes what they provided with them; the company may invite again.
    expect((await call('POST', `/api/onething/drafts/${d.id}/decline`, 'other')).statusCode).toBe(200)
    expect((await call('GET', `/api/onething/drafts/${d.id}`, 'company')).json().parties[0].status).toBe('declined')
  })
})
