import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Principal } from '../../platform/roles.js'
import { createTestApp, type TestApp } from '../../test/harness.js'

let t: TestApp

/** Test sessions: the cookie value names the principal. */
const principals: Record<string, Principal> = {
  admin: { accountId: 'acc_admin', sessionId: 's1', kind: 'staff', name: '平台管理员', grants: [{ role: 'platform_admin', divisionCode: null, departmentId: null }] },
  xinfu: { accountId: 'acc_xinfu', sessionId: 's2', kind: 'staff', name: '忻府区数据管理员', grants: [{ role: 'data_admin', divisionCode: '140902', departmentId: null }] },
  yuanping: { accountId: 'acc_yuanping', sessionId: 's3', kind: 'staff', name: '原平市数据管理员', grants: [{ role: 'data_admin', divisionCode: '140981', departmentId: null }] },
  citizen: { accountId: 'acc_citizen', sessionId: 's4', kind: 'person', name: '张三', grants: [{ role: 'citizen', divisionCode: null, departmentId: null }] },
}
const as = (who: keyof typeof principals) => ({ cookie: `yw_session=${who}` })

beforeAll(async () => {
  t = await createTestApp()
  // Replaces whatever resolver identity installed, for this app instance only.
  t.app.auth.setResolver(async (token) => principals[token] ?? null)
  await t.services.org.importDivisions({ within: '14' })
  await t.services.org.importCommunities({ within: '140902' })
})
afterAll(async () => {
  await t?.close()
})

async function createDepartment(who: keyof typeof principals, body: Record<string, unknown>) {
  return t.app.inject({ method: 'POST', url: '/api/org/departments', headers: as(who), payload: body })
}

describe('division routes (public)', () => {
  it('lists provinces, then the children of a division', async () => {
    const roots = await t.app.inject({ url: '/api/org/divisions' })
    expect(roots.statusCode).toBe(200)
    expect(roots.json().items).toEqual([{ code: '140000', name: '山西省', level: 'province', parentCode: null, hasChildren: true }])
    const counties = await t.app.inject({ url: '/api/org/divisions?parent=1409' })
    expect(counties.json().items[0]).toEqual({ code: '140902', name: '忻府区', level: 'county', parentCode: '140900', hasChildren: true })
  })

  it('searches by name with full names', async () => {
    const res = await t.app.inject({ url: `/api/org/divisions/search?q=${encodeURIComponent('忻府')}&limit=5` })
    expect(res.statusCode).toBe(200)
    expect(res.json().items[0]).toMatchObject({ code: '140902', fullName: '山西省忻州市忻府区' })
    expect(res.json().items.length).toBeLessThanOrEqual(5)
  })

  it('gives a division with its chain', async () => {
    const res = await t.app.inject({ url: '/api/org/divisions/140902003001' })
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body.fullName).toBe('山西省忻州市忻府区新建路街道北关社区居民委员会')
    expect(body.chain.map((d: { code: string }) => d.code)).toEqual(['140000', '140900', '140902', '140902003', '140902003001'])
  })

  it('answers 404 problem+json for an unknown division, in the asked language', async () => {
    const zh = await t.app.inject({ url: '/api/org/divisions/149999' })
    expect(zh.statusCode).toBe(404)
    expect(zh.headers['content-type']).toContain('application/problem+json')
    expect(zh.json()).toMatchObject({ type: 'urn:yiwang:problem:org/division-not-found', title: '行政区划代码 149999 不存在' })
    const en = await t.app.inject({ url: '/api/org/divisions?parent=149999', headers: { 'accept-language': 'en' } })
    expect(en.json().title).toBe('No administrative division has the code 149999')
  })

  it('answers 400 with field errors for malformed codes and limits', async () => {
    const bad = await t.app.inject({ url: '/api/org/divisions/abc' })
    expect(bad.statusCode).toBe(400)
    expect(bad.json()).toMatchObject({ type: 'urn:yiwang:problem:validation', errors: [{ name: 'params.code' }] })
    expect((await t.app.inject({ url: '/api/org/divisions/search?q=' })).statusCode).toBe(400)
    expect((await t.app.inject({ url: '/api/org/divisions/search?q=x&limit=1000' })).statusCode).toBe(400)
    expect((await t.app.inject({ url: '/api/org/divisions?parent=14090' })).statusCode).toBe(400)
  })
})

describe('department routes', () => {
  it('refuses an anonymous write with 401', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/org/departments', payload: { name: '匿名局', divisionCode: '140900', kind: 'bureau' } })
    expect(res.statusCode).toBe(401)
    expect(res.json().type).toBe('urn:yiwang:problem:unauthenticated')
  })

  it('refuses a citizen with 403', async () => {
    const res = await createDepartment('citizen', { name: '市民局', divisionCode: '140900', kind: 'bureau' })
    expect(res.statusCode).toBe(403)
    expect(res.json().type).toBe('urn:yiwang:problem:forbidden')
  })

  it('refuses a data admin outside its district with 403 out-of-scope', async () => {
    const res = await createDepartment('yuanping', { name: '忻府区越权局', divisionCode: '140902', kind: 'bureau' })
    expect(res.statusCode).toBe(403)
    expect(res.json().type).toBe('urn:yiwang:problem:out-of-scope')
    const above = await createDepartment('xinfu', { name: '忻州市越权局', divisionCode: '140900', kind: 'bureau' })
    expect(above.json().type).toBe('urn:yiwang:problem:out-of-scope')
  })

  it('answers 400 with field errors for bad bodies and queries', async () => {
    const missing = await createDepartment('admin', { divisionCode: '140900', kind: 'bureau' })
    expect(missing.statusCode).toBe(400)
    expect(missing.json().errors).toEqual([{ name: 'body.name', code: 'required', reason: '此项为必填项' }])
    const bad = await createDepartment('admin', { name: '坏码局', divisionCode: 'abc', kind: 'ministry', creditCode: '123', extra: 1 })
    expect(bad.statusCode).toBe(400)
    const names = bad.json().errors.map((e: { name: string }) => e.name)
    expect(names).toEqual(expect.arrayContaining(['body.divisionCode', 'body.kind', 'body.creditCode']))
    expect((await t.app.inject({ url: '/api/org/departments?pageSize=1000' })).statusCode).toBe(400)
    expect((await t.app.inject({ url: '/api/org/departments?page=0' })).statusCode).toBe(400)
  })

  it('lets a data admin create and edit within its district; reads are public', async () => {
    const created = await createDepartment('xinfu', {
      name: '新建路街道便民服务中心',
      shortName: '便民中心',
      divisionCode: '140902003',
      kind: 'service_center',
      creditCode: '',
      phone: '0350-3333333',
    })
    expect(created.statusCode).toBe(201)
    const d = created.json()
    expect(d).toMatchObject({ name: '新建路街道便民服务中心', divisionName: '新建路街道', creditCode: null, version: 1 })
    expect(d.id).toMatch(/^dept_/)
    expect((await t.app.inject({ url: `/api/org/departments/${d.id}` })).json()).toEqual(d)

    const edited = await t.app.inject({ method: 'PATCH', url: `/api/org/departments/${d.id}`, headers: as('xinfu'), payload: { version: 1, address: '忻府区新建路' } })
    expect(edited.statusCode).toBe(200)
    expect(edited.json()).toMatchObject({ version: 2, address: '忻府区新建路' })

    const stale = await t.app.inject({ method: 'PATCH', url: `/api/org/departments/${d.id}`, headers: as('xinfu'), payload: { version: 1, address: '别处' } })
    expect(stale.statusCode).toBe(409)
    expect(stale.json().type).toBe('urn:yiwang:problem:org/stale-version')

    const moveOut = await t.app.inject({ method: 'PATCH', url: `/api/org/departments/${d.id}`, headers: as('xinfu'), payload: { version: 2, divisionCode: '140981' } })
    expect(moveOut.statusCode).toBe(403)
    const foreign = await t.app.inject({ method: 'PATCH', url: `/api/org/departments/${d.id}`, headers: as('yuanping'), payload: { version: 2, name: '改名' } })
    expect(foreign.json().type).toBe('urn:yiwang:problem:out-of-scope')

    const list = await t.app.inject({ url: `/api/org/departments?divisionCode=140902&q=${encodeURIComponent('便民')}` })
    expect(list.json()).toMatchObject({ total: 1, page: 1, pageSize: 20 })
    expect(list.json().items[0].id).toBe(d.id)
  })

  it('answers 409 for a duplicate name and 404 for an unknown department', async () => {
    const body = { name: '忻州市重复局', divisionCode: '140900', kind: 'bureau' }
    expect((await createDepartment('admin', body)).statusCode).toBe(201)
    const dup = await createDepartment('admin', body)
    expect(dup.statusCode).toBe(409)
    expect(dup.json().type).toBe('urn:yiwang:problem:org/department-exists')
    expect((await t.app.inject({ url: '/api/org/departments/dept_nope' })).statusCode).toBe(404)
    const patch = await t.app.inject({ method: 'PATCH', url: '/api/org/departments/dept_nope', headers: as('admin'), payload: { version: 1, name: '无此部门' } })
    expect(patch.statusCode).toBe(404)
  })

  it('records the caller in the audit log', async () => {
    const res = await createDepartment('admin', { name: '忻州市审计局', divisionCode: '140900', kind: 'bureau' })
    const audit = await t.core.audit.list({ targetId: res.json().id }, { limit: 5, offset: 0 })
    expect(audit.items[0]).toMatchObject({ action: 'org.department.created', actorId: 'acc_admin', actorName: '平台管理员', divisionCode: '140900' })
  })
})

describe('position and grid routes', () => {
  it('adds and lists positions of a department', async () => {
    const d = (await createDepartment('admin', { name: '忻府区岗位局', divisionCode: '140902', kind: 'bureau' })).json()
    const url = `/api/org/departments/${d.id}/positions`
    expect((await t.app.inject({ method: 'POST', url, payload: { name: '窗口' } })).statusCode).toBe(401)
    expect((await t.app.inject({ method: 'POST', url, headers: as('yuanping'), payload: { name: '窗口' } })).statusCode).toBe(403)
    const created = await t.app.inject({ method: 'POST', url, headers: as('xinfu'), payload: { name: '综合受理窗口' } })
    expect(created.statusCode).toBe(201)
    expect(created.json()).toMatchObject({ departmentId: d.id, name: '综合受理窗口' })
    expect((await t.app.inject({ url })).json().items.map((p: { name: string }) => p.name)).toEqual(['综合受理窗口'])
    expect((await t.app.inject({ url: '/api/org/departments/dept_nope/positions' })).statusCode).toBe(404)
  })

  it('assigns grid codes under a community', async () => {
    const post = (who: keyof typeof principals, payload: Record<string, unknown>) =>
      t.app.inject({ method: 'POST', url: '/api/org/grid-cells', headers: as(who), payload })
    const first = await post('xinfu', { communityCode: '140902003001', name: '北关社区第一网格' })
    expect(first.statusCode).toBe(201)
    expect(first.json()).toMatchObject({ code: '140902003001001', communityCode: '140902003001' })
    expect((await post('admin', { communityCode: '140902003001', name: '北关社区第二网格' })).json().code).toBe('140902003001002')
    expect((await post('yuanping', { communityCode: '140902003001', name: '越权网格' })).statusCode).toBe(403)
    expect((await post('citizen', { communityCode: '140902003001', name: '市民网格' })).statusCode).toBe(403)
    expect((await post('admin', { communityCode: '140902003', name: '街道网格' })).statusCode).toBe(400)
    expect((await post('admin', { communityCode: '140902003999', name: '无此社区' })).statusCode).toBe(422)
    const list = await t.app.inject({ url: '/api/org/grid-cells?communityCode=140902003001' })
    expect(list.json().items.map((c: { code: string }) => c.code)).toEqual(['140902003001001', '140902003001002'])
    expect((await t.app.inject({ url: '/api/org/grid-cells' })).statusCode).toBe(400)
  })

  it('documents the routes in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ url: '/api/openapi.json' })).json()
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/org/divisions', '/api/org/divisions/search', '/api/org/divisions/{code}', '/api/org/departments/{id}', '/api/org/grid-cells']),
    )
  })
})
