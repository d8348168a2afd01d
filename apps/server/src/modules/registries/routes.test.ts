import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateCreditCode, generateIdNumber, seededRandom } from '../identity/index.js'
import { systemActor } from '../../platform/audit.js'
import type { Principal } from '../../platform/roles.js'
import { createTestApp, type TestApp } from '../../test/harness.js'

let t: TestApp
const rng = seededRandom(1409)
const principals: Record<string, Principal> = {}
const as = (who: string) => ({ cookie: `yw_session=${who}` })
const P = encodeURIComponent('核查户籍信息')
const ids: Record<string, string> = {}

function staff(key: string, role: Principal['grants'][number]['role'], divisionCode: string | null, departmentId: string | null = null) {
  principals[key] = { accountId: `acc_${key}`, sessionId: key, kind: 'staff', name: key, grants: [{ role, divisionCode, departmentId }] }
}

beforeAll(async () => {
  t = await createTestApp()
  t.app.auth.setResolver(async (token) => principals[token] ?? null)
  const { org, identity, registries } = t.services
  await org.importDivisions({ within: '1409' })
  await org.importCommunities({ within: '140902' })
  const police = await org.createDepartment(systemActor, { name: '忻州市公安局', divisionCode: '140900', kind: 'bureau' })
  const stats = await org.createDepartment(systemActor, { name: '忻州市统计局', divisionCode: '140900', kind: 'bureau' })
  ids.police = police.id
  ids.stats = stats.id
  staff('admin', 'platform_admin', null)
  staff('xinfu', 'data_admin', '140902')
  staff('yuanping', 'data_admin', '140981')
  staff('huzheng', 'window_clerk', '140900', police.id)
  staff('clerk', 'window_clerk', '140902')

  ids.citizenIdNumber = generateIdNumber({ divisionCode: '140902', birthDate: '1986-06-06', sex: 'female', rng })
  const account = await identity.createPerson('system', { name: '刘芳', idNumber: ids.citizenIdNumber, phone: '13900001234' })
  principals.citizen = { accountId: account.id, sessionId: 'citizen', kind: 'person', name: '刘芳', grants: [{ role: 'citizen', divisionCode: '140902', departmentId: null }] }
  ids.creditCode = generateCreditCode({ divisionCode: '140902', rng })
  const legal = await identity.createLegal('system', { name: '忻州市测试商贸有限公司', creditCode: ids.creditCode, agentAccountId: account.id })
  principals.enterprise = { accountId: legal.id, sessionId: 'enterprise', kind: 'legal', name: '忻州市测试商贸有限公司', grants: [{ role: 'enterprise_agent', divisionCode: '140902', departmentId: null }] }

  await registries.setOwner('system', 'population', police.id)
  const citizen = await registries.createPerson('system', {
    idNumber: ids.citizenIdNumber, name: '刘芳', ethnicity: '01', householdDivisionCode: '140902003001', phone: '13900001234', address: '忻府区新建路街道北关社区和平街3号',
  })
  ids.citizen = citizen.id
  ids.entity = (await registries.createEntity('system', { creditCode: ids.creditCode, name: '忻州市测试商贸有限公司', type: 'limited_company', legalRepName: '刘芳', legalRepIdNumber: ids.citizenIdNumber })).id
  await registries.upsertBoundary('system', {
    divisionCode: '140902', name: '忻府区', center: [112.734, 38.417], approximate: true, source: 'test',
    geometry: { type: 'Polygon', coordinates: [[[112.5, 38.2], [113, 38.2], [113, 38.6], [112.5, 38.2]]] },
  })
  await registries.putIndicatorValues('system', [{ divisionCode: '140902', code: 'resident_population', period: '2024', value: 56.2 }], 'test')
})
afterAll(async () => {
  await t?.close()
})

describe('reads', () => {
  it('asks for a session, a staff role and a purpose', async () => {
    expect((await t.app.inject({ url: `/api/registries/persons?purpose=${P}` })).statusCode).toBe(401)
    const citizen = await t.app.inject({ url: `/api/registries/persons?purpose=${P}`, headers: as('citizen') })
    expect(citizen.statusCode).toBe(403)
    const noPurpose = await t.app.inject({ url: '/api/registries/persons', headers: as('admin') })
    expect(noPurpose.statusCode).toBe(400)
    expect(noPurpose.json().errors).toEqual([expect.objectContaining({ name: 'querystring.purpose', code: 'required' })])
    const clerk = await t.app.inject({ url: `/api/registries/persons?purpose=${P}`, headers: as('clerk') })
    expect(clerk.statusCode).toBe(403)
    expect(clerk.json().type).toBe('urn:yiwang:problem:forbidden')
  })

  it('masks ID numbers and phones in lists, even for the platform admin', async () => {
    const res = await t.app.inject({ url: `/api/registries/persons?purpose=${P}&q=${encodeURIComponent('刘芳')}`, headers: as('admin') })
    expect(res.statusCode).toBe(200)
    const item = res.json().items[0]
    expect(item.idNumber).toBe(`${ids.citizenIdNumber!.slice(0, 4)}**********${ids.citizenIdNumber!.slice(-4)}`)
    expect(item.phone).toBe('139****1234')
    expect(res.body).not.toContain(ids.citizenIdNumber)
    expect(res.body).not.toContain('13900001234')
  })

  it('shows one record in full to the owner department, masked to a data admin, and refuses another district', async () => {
    const owner = await t.app.inject({ url: `/api/registries/persons/${ids.citizen}?purpose=${P}`, headers: as('huzheng') })
    expect(owner.json()).toMatchObject({ idNumber: ids.citizenIdNumber, phone: '13900001234', revealed: true })
    const dataAdmin = await t.app.inject({ url: `/api/registries/persons/${ids.citizen}?purpose=${P}`, headers: as('xinfu') })
    expect(dataAdmin.json()).toMatchObject({ phone: '139****1234', revealed: false })
    const other = await t.app.inject({ url: `/api/registries/persons/${ids.citizen}?purpose=${P}`, headers: as('yuanping') })
    expect(other.statusCode).toBe(403)
    expect(other.json().type).toBe('urn:yiwang:problem:out-of-scope')
    expect((await t.app.inject({ url: `/api/registries/persons/prs_nope?purpose=${P}`, headers: as('admin') })).statusCode).toBe(404)
  })

  it('records the purpose of each read in the access log', async () => {
    await t.app.inject({ url: `/api/registries/persons/${ids.citizen}?purpose=${encodeURIComponent('办理低保复核')}`, headers: as('xinfu') })
    const log = await t.app.inject({ url: '/api/registries/access-log?registry=population&actorId=acc_xinfu', headers: as('admin') })
    expect(log.json().items[0]).toMatchObject({ action: 'read', purpose: '办理低保复核', via: 'api', recordIds: [ids.citizen] })
    const r = await sql<{ n: number }>`select count(*)::int as n from platform.audit_log where action = 'registries.person.read' and detail->>'purpose' = '办理低保复核'`.execute(t.core.db)
    expect(r.rows[0]!.n).toBe(1)
    // A data admin sees the log of its district only.
    const other = await t.app.inject({ url: '/api/registries/access-log?actorId=acc_xinfu', headers: as('yuanping') })
    expect(other.json().items.filter((e: { divisionCode: string | null }) => e.divisionCode === '140902')).toEqual([])
  })

  it('gives a citizen their own record, and an enterprise its own', async () => {
    const me = await t.app.inject({ url: `/api/registries/persons/me?purpose=${encodeURIComponent('查看本人信息')}`, headers: as('citizen') })
    expect(me.statusCode).toBe(200)
    expect(me.json()).toMatchObject({ id: ids.citizen, idNumber: ids.citizenIdNumber, revealed: true })
    expect((await t.app.inject({ url: `/api/registries/households/me?purpose=${P}`, headers: as('citizen') })).statusCode).toBe(404)
    expect((await t.app.inject({ url: `/api/registries/persons/me?purpose=${P}`, headers: as('admin') })).statusCode).toBe(403)
    const ent = await t.app.inject({ url: `/api/registries/entities/me?purpose=${P}`, headers: as('enterprise') })
    expect(ent.json()).toMatchObject({ id: ids.entity, creditCode: ids.creditCode })
    expect(ent.json().legalRepresentative.idNumber).toContain('*')
  })

  it('geocodes a 忻府区 address, serves boundaries as GeoJSON and indicators with names', async () => {
    const g = await t.app.inject({
      method: 'POST', url: '/api/registries/geocode', headers: as('clerk'),
      payload: { address: '山西省忻州市忻府区新建路街道北关社区和平街3号', purpose: '12345 工单定位' },
    })
    expect(g.statusCode).toBe(200)
    expect(g.json()).toMatchObject({ divisionCode: '140902003001', level: 'community' })
    const b = await t.app.inject({ url: `/api/registries/boundaries?purpose=${P}&within=140900`, headers: as('clerk') })
    expect(b.json()).toMatchObject({ type: 'FeatureCollection', features: [{ type: 'Feature', id: '140902', properties: { approximate: true } }] })
    const i = await t.app.inject({ url: `/api/registries/indicators?purpose=${P}&divisionCode=140902`, headers: { ...as('clerk'), 'accept-language': 'en' } })
    expect(i.json().items[0]).toMatchObject({ code: 'resident_population', name: 'Resident population', unit: 'wan_persons', points: [{ period: '2024', value: 56.2 }] })
  })
})

describe('writes', () => {
  it('adds and changes a person, keeping the history', async () => {
    const idNumber = generateIdNumber({ divisionCode: '140902', birthDate: '1990-01-01', sex: 'male', rng })
    const created = await t.app.inject({
      method: 'POST', url: '/api/registries/persons', headers: as('huzheng'),
      payload: { idNumber, name: '陈刚', ethnicity: '01', householdDivisionCode: '140902', phone: '13512345678' },
    })
    expect(created.statusCode).toBe(201)
    expect(created.json()).toMatchObject({ idNumber, sex: 'male', birthDate: '1990-01-01', revealed: true })
    const id = created.json().id
    const patched = await t.app.inject({ method: 'PATCH', url: `/api/registries/persons/${id}`, headers: as('xinfu'), payload: { version: 1, maritalStatus: 'married' } })
    expect(patched.json()).toMatchObject({ maritalStatus: 'married', version: 2, idNumber: expect.stringContaining('*') })
    const history = await t.app.inject({ url: `/api/registries/persons/${id}/history?purpose=${P}`, headers: as('huzheng') })
    expect(history.json().items.map((h: { field: string }) => h.field)).toEqual(['record', 'maritalStatus'])
    const bad = await t.app.inject({
      method: 'POST', url: '/api/registries/persons', headers: as('huzheng'),
      payload: { idNumber: `${idNumber.slice(0, 17)}${idNumber[17] === '1' ? '2' : '1'}`, name: '错码', ethnicity: '01', householdDivisionCode: '140902' },
    })
    expect(bad.statusCode).toBe(422)
    expect(bad.json()).toMatchObject({ type: 'urn:yiwang:problem:registries/invalid-id-number', title: '身份证号码校验位不正确，请核对' })
    const foreign = await t.app.inject({ method: 'PATCH', url: `/api/registries/persons/${id}`, headers: as('yuanping'), payload: { version: 2, name: '越权' } })
    expect(foreign.json().type).toBe('urn:yiwang:problem:out-of-scope')
  })

  it('imports a CSV file, or rejects it whole with row and column errors in the caller’s language', async () => {
    const before = await sql<{ n: number }>`select count(*)::int as n from registries.person`.execute(t.core.db)
    const good = generateIdNumber({ divisionCode: '140902', birthDate: '1977-07-07', sex: 'male', rng })
    const bad = generateIdNumber({ divisionCode: '140902', birthDate: '1978-08-08', sex: 'male', rng })
    const csv = `name,idNumber,ethnicity,householdDivisionCode\n郑一,${good},01,140902\n郑二,${bad.slice(0, 17)}${bad[17] === '1' ? '2' : '1'},01,140902\n`
    const rejected = await t.app.inject({ method: 'POST', url: '/api/registries/imports/persons', headers: { ...as('xinfu'), 'accept-language': 'en' }, payload: { format: 'csv', content: csv } })
    expect(rejected.statusCode).toBe(422)
    expect(rejected.json()).toMatchObject({
      type: 'urn:yiwang:problem:registries/import-rejected',
      title: 'Problems found: 1; nothing was imported',
      total: 1,
      errors: [{ row: 3, column: 'idNumber', code: 'id-number-check-digit', message: '“idNumber” has a wrong check digit (GB 11643)' }],
    })
    const zh = await t.app.inject({ method: 'POST', url: '/api/registries/imports/persons', headers: as('xinfu'), payload: { format: 'csv', content: csv } })
    expect(zh.json().errors[0].message).toBe('“idNumber”校验位不正确（GB 11643）')
    const after = await sql<{ n: number }>`select count(*)::int as n from registries.person`.execute(t.core.db)
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n)

    const ok = await t.app.inject({ method: 'POST', url: '/api/registries/imports/persons', headers: as('xinfu'), payload: { format: 'csv', content: csv.split('\n').slice(0, 2).join('\n') } })
    expect(ok.statusCode).toBe(201)
    expect(ok.json()).toMatchObject({ kind: 'persons', rows: 1, created: 1 })
    const dry = await t.app.inject({ method: 'POST', url: '/api/registries/imports/persons', headers: as('xinfu'), payload: { format: 'csv', content: csv.split('\n').slice(0, 2).join('\n'), dryRun: true } })
    expect(dry.statusCode).toBe(200)
    expect((await t.app.inject({ method: 'POST', url: '/api/registries/imports/persons', headers: as('clerk'), payload: { format: 'csv', content: csv } })).statusCode).toBe(403)
    expect((await t.app.inject({ method: 'POST', url: '/api/registries/imports/people', headers: as('admin'), payload: { format: 'csv', content: csv } })).statusCode).toBe(400)
  })

  it('lets only a platform-wide admin name a registry’s owner', async () => {
    expect((await t.app.inject({ method: 'PUT', url: '/api/registries/owners/economy', headers: as('xinfu'), payload: { departmentId: ids.stats } })).statusCode).toBe(403)
    const res = await t.app.inject({ method: 'PUT', url: '/api/registries/owners/economy', headers: as('admin'), payload: { departmentId: ids.stats } })
    expect(res.json()).toMatchObject({ code: 'economy', name: '宏观经济基础信息库', ownerDepartmentId: ids.stats, ownerDepartmentName: '忻州市统计局' })
    const list = await t.app.inject({ url: '/api/registries/owners', headers: as('clerk') })
    expect(list.json().items.map((r: { code: string }) => r.code)).toEqual(['credit', 'economy', 'entity', 'population', 'spatial'])
    expect((await t.app.inject({ method: 'PUT', url: '/api/registries/owners/economy', headers: as('admin'), payload: { departmentId: 'dept_nope' } })).statusCode).toBe(422)
  })

  it('masks a person’s ID number in credit-entry answers, even to the platform admin who wrote the entry', async () => {
    const masked = `${ids.citizenIdNumber!.slice(0, 4)}**********${ids.citizenIdNumber!.slice(-4)}`
    const added = await t.app.inject({
      method: 'POST', url: '/api/registries/credit-entries', headers: as('admin'),
      payload: { subjectType: 'person', subjectId: ids.citizen, list: 'red', reason: '忻州市道德模范', sourceDepartmentId: ids.police, validFrom: '2025-01-01' },
    })
    expect(added.statusCode).toBe(201)
    expect(added.json().subjectCode).toBe(masked)
    expect(added.body).not.toContain(ids.citizenIdNumber)
    const ended = await t.app.inject({ method: 'PATCH', url: `/api/registries/credit-entries/${added.json().id}`, headers: as('admin'), payload: { validTo: '2025-12-31' } })
    expect(ended.statusCode).toBe(200)
    expect(ended.json()).toMatchObject({ subjectCode: masked, validTo: '2025-12-31' })
    expect(ended.body).not.toContain(ids.citizenIdNumber)
    const list = await t.app.inject({ url: `/api/registries/credit-entries?purpose=${P}&subjectType=person&subjectId=${ids.citizen}`, headers: as('admin') })
    expect(list.json().items.map((e: { subjectCode: string }) => e.subjectCode)).toEqual([masked])
    expect(list.body).not.toContain(ids.citizenIdNumber)
    // Stored in full: the service's purposeful, logged read of the person's own entries still shows it.
    const own = await t.services.registries.creditEntriesFor({ type: 'person', id: ids.citizen! }, '信用核查', 'system')
    expect(own[0]!.subjectCode).toBe(ids.citizenIdNumber)
  })

  it('documents the routes in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ url: '/api/openapi.json' })).json()
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/registries/persons', '/api/registries/persons/{id}', '/api/registries/imports/{kind}', '/api/registries/geocode']))
  })
})
