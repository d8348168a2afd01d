import fs from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Principal } from '../../platform/roles.js'
import { createTestApp, type TestApp } from '../../test/harness.js'
import { generateIdNumber, seededRandom } from '../identity/index.js'
import { buildWorld, catalogPublisher, samplePdf, type CasesWorld } from './test-support.js'

/**
 * 免提交 through HTTP with the real licenses module: a material naming a license type is satisfied
 * by the applicant's valid e-license instead of an upload, with the holder's consent; staff in
 * reach read it verified, and the holder sees each use.
 */

let t: TestApp
let w: CasesWorld
let item: { itemId: string; versionId: string; code: string }
let licenseId: string
let otherLicenseId: string
const principals: Record<string, Principal> = {}
const as = (who: string) => ({ cookie: `yw_session=${who}` })

function call(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, who?: string, payload?: unknown, headers: Record<string, string> = {}) {
  return t.app.inject({ method, url, headers: { ...(who ? as(who) : {}), ...headers }, ...(payload !== undefined ? { payload: payload as never } : {}) })
}

async function citizen(key: string, seed: number): Promise<{ principal: Principal; idNumber: string }> {
  const idNumber = generateIdNumber({ divisionCode: '140902', birthDate: '1986-04-12', sex: 'female', rng: seededRandom(seed) })
  const a = await t.services.identity.createPerson('system', { name: `持证人${seed}`, idNumber, phone: `137${String(10_000_000 + seed).slice(-8)}` })
  const principal: Principal = { accountId: a.id, sessionId: `ses_${a.id}`, kind: 'person', name: a.name, grants: [{ role: 'citizen', divisionCode: a.divisionCode, departmentId: null }] }
  principals[key] = principal
  return { principal, idNumber }
}

async function issueHukou(holder: { idNumber: string; name: string }): Promise<string> {
  const l = await t.services.licenses.issue('system', {
    type: 'household_register',
    departmentId: w.departments.xinfuPolice,
    holder: { kind: 'person', id: holder.idNumber, name: holder.name },
    fields: { householdNumber: '140902012345', relation: '户主', sex: '女', birthDate: '1986-04-12', address: '山西省忻州市忻府区和平街12号' },
  })
  return l.id
}

async function draft(who = 'holder'): Promise<{ id: string; version: number }> {
  const res = await call('POST', '/api/cases', who, { itemVersionId: item.versionId })
  expect(res.statusCode, res.body).toBe(201)
  return res.json()
}

beforeAll(async () => {
  t = await createTestApp()
  t.app.auth.setResolver(async (token) => principals[token] ?? null)
  w = await buildWorld(t.services.org, catalogPublisher(t.services.catalog))
  Object.assign(principals, w.staff)
  item = await catalogPublisher(t.services.catalog)({
    name: '居住证明开具',
    type: 'public_service',
    departmentId: w.departments.xinfu,
    applicableTo: 'person',
    legalBasis: '《居住证暂行条例》第九条',
    conditions: '在本区居住的居民',
    materials: [
      { code: 'hukou', name: '居民户口簿', requirement: 'required', form: 'original', licenseType: 'household_register' },
      { code: 'lease', name: '租赁合同', requirement: 'required', form: 'copy' },
    ],
    legalDays: null,
    promisedDays: 3,
    handlingClass: 'time_limited',
    mode: 'fully_online',
    visits: 0,
    reviewSteps: [{ name: '审查', role: 'reviewer' }],
  })
  const holder = await citizen('holder', 11)
  const other = await citizen('other', 12)
  licenseId = await issueHukou({ idNumber: holder.idNumber, name: holder.principal.name })
  otherLicenseId = await issueHukou({ idNumber: other.idNumber, name: other.principal.name })
})
afterAll(async () => {
  await t?.close()
  if (t) fs.rmSync(t.core.config.DATA_DIR, { recursive: true, force: true })
})

describe('an e-license instead of an upload (免提交)', () => {
  it('refuses a material that names no license type, and a license that is not the applicant’s, changing nothing', async () => {
    const c = await draft()
    const wrongMaterial = await call('PUT', `/api/cases/${c.id}/materials/lease/license`, 'holder', { licenseId })
    expect(wrongMaterial.statusCode).toBe(422)
    expect(wrongMaterial.json().type).toBe('urn:yiwang:problem:cases/not-license-material')
    const notMine = await call('PUT', `/api/cases/${c.id}/materials/hukou/license`, 'holder', { licenseId: otherLicenseId })
    expect(notMine.statusCode).toBeGreaterThanOrEqual(400)
    expect(notMine.statusCode).toBeLessThan(500)
    expect(notMine.json().type).toMatch(/^urn:yiwang:problem:licenses\//)
    const unknown = await call('PUT', `/api/cases/${c.id}/materials/nope/license`, 'holder', { licenseId })
    expect(unknown.statusCode).toBe(422)
    // Someone else's case is not found.
    expect((await call('PUT', `/api/cases/${c.id}/materials/hukou/license`, 'other', { licenseId: otherLicenseId })).statusCode).toBe(404)
    const detail = (await call('GET', `/api/cases/${c.id}`, 'holder')).json()
    expect(detail.materials.find((m: { code: string }) => m.code === 'hukou').license).toBeNull()
    // Without an upload or a license the required material is still missing.
    const submit = await call('POST', `/api/cases/${c.id}/submit`, 'holder', { version: detail.version })
    expect(submit.statusCode).toBe(422)
    expect(submit.json().type).toBe('urn:yiwang:problem:cases/missing-materials')
  })

  it('satisfies the material with the holder’s consent; staff in reach read it verified; the holder sees both uses', async () => {
    const c = await draft()
    const attached = await call('PUT', `/api/cases/${c.id}/materials/hukou/license`, 'holder', { licenseId })
    expect(attached.statusCode, attached.body).toBe(200)
    expect(attached.json()).toMatchObject({ licenseId, type: 'household_register', typeName: '居民户口簿' })
    expect((await call('PUT', `/api/cases/${c.id}/materials/lease?fileName=lease.pdf`, 'holder', samplePdf, { 'content-type': 'application/pdf' })).statusCode).toBe(201)
    const before = (await call('GET', `/api/cases/${c.id}`, 'holder')).json()
    const hukou = before.materials.find((m: { code: string }) => m.code === 'hukou')
    expect(hukou.files).toEqual([])
    expect(hukou.license).toMatchObject({ licenseId, number: expect.any(String) })
    const submit = await call('POST', `/api/cases/${c.id}/submit`, 'holder', { version: before.version })
    expect(submit.statusCode, submit.body).toBe(200)
    // Once submitted the choice is locked like the files.
    expect((await call('DELETE', `/api/cases/${c.id}/materials/hukou/license`, 'holder')).json().type).toBe('urn:yiwang:problem:cases/files-locked')

    // The reviewer of the department reads it: the licenses service verifies status and seal.
    const read = await call('GET', `/api/cases/${c.id}/materials/hukou/license`, 'reviewer')
    expect(read.statusCode, read.body).toBe(200)
    const body = read.json()
    expect(body).toMatchObject({ id: licenseId, materialCode: 'hukou', status: 'valid', verification: { outcome: 'valid', signatureValid: true } })
    expect(body.fields.some((f: { key: string; value: string }) => f.key === 'householdNumber' && f.value === '140902012345')).toBe(true)
    // Staff out of reach learn nothing (another district's clerk), and the applicant reads it in the wallet, not here.
    expect((await call('GET', `/api/cases/${c.id}/materials/hukou/license`, 'clerkOther')).statusCode).toBe(404)
    expect((await call('GET', `/api/cases/${c.id}/materials/hukou/license`, 'holder')).statusCode).toBe(403)
    expect((await call('GET', `/api/cases/${c.id}/materials/lease/license`, 'reviewer')).json().type).toBe('urn:yiwang:problem:cases/no-license-material')

    const uses = (await call('GET', `/api/licenses/mine/uses?licenseId=${licenseId}`, 'holder')).json()
    const kinds = uses.items.filter((u: { applicationId: string }) => u.applicationId === c.id).map((u: { kind: string }) => u.kind)
    expect(kinds).toEqual(expect.arrayContaining(['case_attach', 'read']))
    expect(uses.items.find((u: { kind: string; applicationId: string }) => u.kind === 'read' && u.applicationId === c.id).purpose).toBe('办理“居住证明开具”')
  })

  it('after the holder withdraws the consent the department’s read is refused and logged', async () => {
    const c = await draft()
    expect((await call('PUT', `/api/cases/${c.id}/materials/hukou/license`, 'holder', { licenseId })).statusCode).toBe(200)
    expect((await call('PUT', `/api/cases/${c.id}/materials/lease?fileName=lease.pdf`, 'holder', samplePdf, { 'content-type': 'application/pdf' })).statusCode).toBe(201)
    const d = (await call('GET', `/api/cases/${c.id}`, 'holder')).json()
    expect((await call('POST', `/api/cases/${c.id}/submit`, 'holder', { version: d.version })).statusCode).toBe(200)
    const grants = (await call('GET', '/api/licenses/mine/grants?pageSize=100', 'holder')).json()
    const grant = grants.items.find((g: { applicationId: string; status: string }) => g.applicationId === c.id && g.status === 'active')
    expect(grant).toBeTruthy()
    expect((await call('POST', `/api/licenses/mine/grants/${grant.id}/withdraw`, 'holder', {})).statusCode).toBe(200)
    const refused = await call('GET', `/api/cases/${c.id}/materials/hukou/license`, 'reviewer')
    expect(refused.statusCode).toBe(403)
    expect(refused.json().type).toBe('urn:yiwang:problem:licenses/no-grant')
    const uses = (await call('GET', `/api/licenses/mine/uses?licenseId=${licenseId}`, 'holder')).json()
    expect(uses.items.some((u: { kind: string; applicationId: string }) => u.kind === 'denied' && u.applicationId === c.id)).toBe(true)
  })

  it('lets the applicant switch back to an upload', async () => {
    const c = await draft()
    expect((await call('PUT', `/api/cases/${c.id}/materials/hukou/license`, 'holder', { licenseId })).statusCode).toBe(200)
    expect((await call('DELETE', `/api/cases/${c.id}/materials/hukou/license`, 'holder')).statusCode).toBe(204)
    expect((await call('DELETE', `/api/cases/${c.id}/materials/hukou/license`, 'holder')).statusCode).toBe(404)
    const d = (await call('GET', `/api/cases/${c.id}`, 'holder')).json()
    expect(d.materials.find((m: { code: string }) => m.code === 'hukou').license).toBeNull()
    // The consent given for this case is taken back with it.
    const grants = (await call('GET', '/api/licenses/mine/grants?pageSize=100', 'holder')).json()
    const mine = grants.items.filter((g: { applicationId: string }) => g.applicationId === c.id)
    expect(mine.length).toBeGreaterThan(0)
    expect(mine.every((g: { status: string }) => g.status === 'withdrawn')).toBe(true)
  })

  it('refuses a revoked license, changing nothing', async () => {
    const policeHead: Principal = { accountId: 'acc_police_head', sessionId: 'ses_police_head', kind: 'staff', name: '郝军', grants: [{ role: 'department_head', divisionCode: '140902', departmentId: w.departments.xinfuPolice }] }
    await t.services.licenses.changeStatus(policeHead, otherLicenseId, 'revoke', '户口已迁出')
    const c = await draft('other')
    const res = await call('PUT', `/api/cases/${c.id}/materials/hukou/license`, 'other', { licenseId: otherLicenseId })
    expect(res.statusCode).toBeGreaterThanOrEqual(400)
    expect(res.statusCode).toBeLessThan(500)
    expect(res.json().type).toBe('urn:yiwang:problem:licenses/not-usable')
    expect((await call('GET', `/api/cases/${c.id}`, 'other')).json().materials.find((m: { code: string }) => m.code === 'hukou').license).toBeNull()
  })
})
