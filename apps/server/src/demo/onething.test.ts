import fs from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { systemActor } from '../platform/audit.js'
import type { Principal } from '../platform/roles.js'
import { generateCreditCode, generateIdNumber, seededRandom } from '../modules/identity/index.js'
import { createTestApp, type TestApp } from '../test/harness.js'
import { demoItems } from './catalog.js'
import { demoBundles, seedOnethingDemo } from './onething.js'

/**
 * The demo bundles are made of real items of the demo catalog, across at least four departments,
 * and the birth and business start-up bundles go end to end with two applicants each.
 */

let t: TestApp
const codes = new Set(demoBundles.flatMap((b) => b.items.map((i) => i.code)))

beforeAll(async () => {
  t = await createTestApp()
  const { org, catalog } = t.services
  await org.importDivisions({ within: '140900' })
  const depts = new Map<string, string>()
  for (const item of demoItems.filter((i) => codes.has(i.code))) {
    if (!depts.has(item.department)) depts.set(item.department, (await org.createDepartment(systemActor, { name: item.department, divisionCode: '140900', kind: 'bureau' })).id)
    const { code, department, divisionCode, reviewSteps, ...rest } = item
    const d = await catalog.createItem(systemActor, { ...rest, code, departmentId: depts.get(department)!, divisionCode: divisionCode ?? null, reviewSteps: reviewSteps.map((s) => ({ ...s })) })
    await catalog.publish(systemActor, d.itemId, { revision: d.revision })
  }
  await seedOnethingDemo(t.core, t.services)
})
afterAll(async () => {
  await t?.close()
  if (t) fs.rmSync(t.core.config.DATA_DIR, { recursive: true, force: true })
})

async function principal(phone: string): Promise<Principal> {
  const a = (await t.services.identity.listAccounts('system', { kind: 'person', q: phone, pageSize: 1 })).items[0]!
  return { accountId: a.id, sessionId: `ses_${a.id}`, kind: 'person', name: a.name, grants: [{ role: 'citizen', divisionCode: a.divisionCode, departmentId: null }] }
}

describe('demo bundles', () => {
  it('loads four bundles of real demo items across at least four departments, idempotently', async () => {
    await seedOnethingDemo(t.core, t.services)
    const bundles = await t.services.onething.listBundles()
    expect(bundles.map((b) => b.code).sort()).toEqual(['BIRTH', 'BUSINESS_STARTUP', 'POSTHUMOUS', 'RETIREMENT'])
    for (const b of bundles) expect(b.items.length, b.code).toBe(demoBundles.find((d) => d.code === b.code)!.items.length)
    const departments = new Set(bundles.flatMap((b) => b.items.map((i) => i.departmentName)))
    expect(departments.size).toBeGreaterThanOrEqual(4)
    for (const code of ['BIRTH', 'BUSINESS_STARTUP']) expect(new Set(bundles.find((b) => b.code === code)!.items.map((i) => i.departmentName)).size, code).toBe(4)
  })

  it('出生一件事: the demo family, five typed fields, the father confirms, four departments', async () => {
    const { onething } = t.services
    const mother = await principal('13900001501')
    const father = await principal('13900001502')
    const d = await onething.startDraft(mother, 'BIRTH')
    const prefilled = d.fields.filter((f) => f.source === 'prefill').map((f) => f.name)
    expect(prefilled.sort()).toEqual(['contactPhone', 'householdAddress', 'motherIdNumber', 'motherName'])
    const typed = { babyName: '刘子安', babySex: '男', birthDate: '2026-11-20', birthPlace: '山西省忻州市忻府区', settleWith: '随父' }
    const { conflicts } = await onething.putFields(mother, d.id, Object.entries(typed).map(([field, value]) => ({ field, value, baseVersion: 0 })))
    expect(conflicts).toEqual([])
    const { token } = await onething.invite(mother, d.id, { role: 'father', phone: '13900001502' })
    const fd = await onething.acceptInvitation(father, token)
    expect(fd.fields.filter((f) => f.party === 'father').map((f) => [f.name, f.source])).toEqual([['fatherName', 'prefill'], ['fatherIdNumber', 'prefill']])
    await onething.confirm(father, d.id)
    // 生育津贴's 诊断证明或出院记录 comes from no license or registry: the mother uploads it.
    const before = await onething.getDraft(mother, d.id)
    expect(before.materials.filter((m) => m.status === 'missing').map((m) => `${m.itemCode}.${m.code}`)).toEqual(['JF00305000.medical_record'])
    await onething.uploadFile(mother, d.id, { itemCode: 'JF00305000', materialCode: 'medical_record' }, { bytes: Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n'), contentType: 'application/pdf', fileName: '出院记录.pdf' })
    const { group, draft } = await onething.submit(mother, d.id, { version: d.version })
    expect(draft.counts).toMatchObject({ typed: 5, prefilled: 6 })
    expect(group.children.map((c) => c.itemCode).sort()).toEqual(['GG00201000', 'GG00302000', 'GG00801000', 'JF00305000', 'QR00101000'])
    expect(new Set(group.children.map((c) => c.departmentName)).size).toBe(4)
    expect(group.fill.typed).toBe(5)
  })

  it('企业开办一件事: an enterprise applies, the legal representative joins by link and confirms, four departments', async () => {
    const { identity, onething, registries } = t.services
    const rng = seededRandom(9)
    const repId = generateIdNumber({ divisionCode: '140902', birthDate: '1985-09-09', sex: 'male', rng })
    const rep = await identity.createPerson('system', { name: '孙立新', idNumber: repId, phone: '13900009901' })
    await registries.createPerson('system', { idNumber: repId, name: '孙立新', ethnicity: '01', householdDivisionCode: '140902', address: '忻府区和平街1号', phone: '13900009901' })
    const agent = await identity.createPerson('system', { name: '周敏', idNumber: generateIdNumber({ divisionCode: '140902', birthDate: '1990-01-01', sex: 'female', rng }), phone: '13900009902' })
    const legal = await identity.createLegal('system', { name: '忻州市新禾科技有限公司', creditCode: generateCreditCode({ divisionCode: '140902', rng }), agentAccountId: agent.id })
    const company: Principal = { accountId: legal.id, sessionId: 's_l', kind: 'legal', name: legal.name, grants: [{ role: 'enterprise_agent', divisionCode: '140902', departmentId: null }] }
    const repP: Principal = { accountId: rep.id, sessionId: 's_r', kind: 'person', name: rep.name, grants: [{ role: 'citizen', divisionCode: '140902', departmentId: null }] }
    const d = await onething.startDraft(company, 'BUSINESS_STARTUP')
    const values: Record<string, string | number> = {
      companyName: '忻州市新禾科技有限公司', companyType: '有限责任公司（自然人独资）', registeredCapital: 100, domicile: '忻府区和平街1号', businessScope: '软件开发',
      operatingTerm: '长期', shareholders: '孙立新 100万元 货币', liaisonPhone: '13900009901', needSeal: '是', bankAccount: '6217000000000000001',
    }
    await onething.putFields(company, d.id, Object.entries(values).map(([field, value]) => ({ field, value, baseVersion: 0 })))
    const { token } = await onething.invite(company, d.id, { role: 'legalRep' })
    const joined = await onething.acceptInvitation(repP, token)
    // The representative's own part comes from their population-registry record; their ID card is confirmed there too.
    expect(joined.fields.filter((f) => f.party === 'legalRep').map((f) => [f.name, f.value, f.source])).toEqual([['legalRepName', '孙立新', 'prefill'], ['legalRepIdNumber', repId, 'prefill'], ['legalRepPhone', '13900009901', 'prefill']])
    expect(joined.materials.filter((m) => m.party === 'legalRep').map((m) => m.status)).toEqual(['registry', 'registry'])
    await onething.confirm(repP, d.id)
    const { group } = await onething.submit(company, d.id, { version: d.version })
    expect(group.children.map((c) => c.itemCode).sort()).toEqual(['GG00209000', 'GG01104000', 'QT00113000', 'XK00501000'])
    expect(new Set(group.children.map((c) => c.departmentName)).size).toBe(4)
    expect(group.parties).toEqual([{ accountId: rep.id, name: '孙立新', role: 'legalRep' }])
  })
})
