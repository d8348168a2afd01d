import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { systemActor } from '../../platform/audit.js'
import type { Principal } from '../../platform/roles.js'
import { createTestApp, type TestApp } from '../../test/harness.js'
import { generateIdNumber, seededRandom } from '../identity/index.js'

let t: TestApp
const principals: Record<string, Principal> = {}
const as = (who: string) => ({ cookie: `yw_session=${who}` })
const ids: Record<string, string> = {}

beforeAll(async () => {
  t = await createTestApp()
  t.app.auth.setResolver(async (token) => principals[token] ?? null)
  const { org, identity, licenses } = t.services
  await org.importDivisions({ within: '140900' })
  ids.police = (await org.createDepartment(systemActor, { name: '忻府区公安分局', divisionCode: '140902', kind: 'bureau' })).id
  ids.idNumber = generateIdNumber({ divisionCode: '140902', birthDate: '1991-02-03', sex: 'male', rng: seededRandom(11) })
  const person = await identity.createPerson('system', { name: '郝建国', idNumber: ids.idNumber, phone: '13900007777' })
  principals.citizen = { accountId: person.id, sessionId: 'citizen', kind: 'person', name: '郝建国', grants: [{ role: 'citizen', divisionCode: '140902', departmentId: null }] }
  principals.head = { accountId: 'acc_head', sessionId: 'head', kind: 'staff', name: '张建华', grants: [{ role: 'department_head', divisionCode: '140902', departmentId: ids.police }] }
  const lic = await licenses.issue('system', { type: 'resident_id_card', departmentId: ids.police, holder: { kind: 'person', id: ids.idNumber, name: '郝建国' }, fields: { sex: '男', birthDate: '1991-02-03', address: '忻府区长征街5号' } })
  ids.license = lic.id
  ids.hrss = (await org.createDepartment(systemActor, { name: '忻州市人力资源和社会保障局', divisionCode: '140900', kind: 'bureau' })).id
  ids.center = (await org.createDepartment(systemActor, { name: '忻府区政务服务中心', divisionCode: '140902', kind: 'bureau' })).id
  principals.hrss = { accountId: 'acc_hrss', sessionId: 'hrss', kind: 'staff', name: '李社保', grants: [{ role: 'department_head', divisionCode: '140900', departmentId: ids.hrss }] }
  principals.centerClerk = { accountId: 'acc_center', sessionId: 'centerClerk', kind: 'staff', name: '王窗口', grants: [{ role: 'window_clerk', divisionCode: '140902', departmentId: ids.center }] }
  const card = await licenses.issue('system', { type: 'social_security_card', departmentId: ids.hrss, holder: { kind: 'person', id: ids.idNumber, name: '郝建国' }, fields: { cardNumber: ids.idNumber, bank: '中国工商银行忻州分行' } })
  ids.card = card.id
})
afterAll(async () => {
  await t?.close()
})

describe('public verification over HTTP', () => {
  it('needs no login, answers JSON without personal data, and flips to revoked', async () => {
    const mine = await t.app.inject({ url: `/api/licenses/mine/${ids.license}`, headers: as('citizen') })
    expect(mine.statusCode).toBe(200)
    const code = mine.json().verificationCode as string
    expect(mine.json().verifyUrl).toBe(`http://localhost:3000/verify/${code}`)
    const v = await t.app.inject({ url: `/api/licenses/verify/${code}` })
    expect(v.statusCode).toBe(200)
    expect(v.headers['cache-control']).toBe('no-store')
    expect(v.json()).toMatchObject({ outcome: 'valid', signatureValid: true, license: { holderName: '郝*国', issuer: { name: '忻府区公安分局' }, fields: [] } })
    expect(v.body).not.toContain(ids.idNumber)
    const img = await t.app.inject({ url: v.json().license.seal.imageUrl })
    expect(img.statusCode).toBe(200)
    expect(img.headers['content-type']).toContain('image/svg+xml')

    const noReason = await t.app.inject({ method: 'POST', url: `/api/licenses/issued/${ids.license}/revoke`, headers: as('head'), payload: {} })
    expect(noReason.statusCode).toBe(400)
    const revoked = await t.app.inject({ method: 'POST', url: `/api/licenses/issued/${ids.license}/revoke`, headers: as('head'), payload: { reason: '证件已挂失' } })
    expect(revoked.statusCode).toBe(200)
    expect((await t.app.inject({ url: `/api/licenses/verify/${code}` })).json().outcome).toBe('revoked')
  })

  it('answers an unknown code with 404 and an expired QR token with 410, in the caller\'s language', async () => {
    const unknown = await t.app.inject({ url: '/api/licenses/verify/Lnope', headers: { 'accept-language': 'en' } })
    expect(unknown.statusCode).toBe(404)
    expect(unknown.json()).toMatchObject({ type: 'urn:yiwang:problem:licenses/code-not-found', title: 'Unknown verification code: no license matches it' })
    const tok = await t.app.inject({ method: 'POST', url: `/api/licenses/mine/${ids.license}/tokens`, headers: as('citizen'), payload: { disclose: ['address'], ttlSeconds: 60 } })
    expect(tok.statusCode).toBe(201)
    const token = tok.json().token as string
    expect((await t.app.inject({ url: `/api/licenses/verify/${token}` })).json().license.fields).toEqual([{ key: 'address', label: '住址', value: '忻府区长征街5号' }])
    t.clock.advance(61_000)
    const late = await t.app.inject({ url: `/api/licenses/verify/${token}` })
    expect(late.statusCode).toBe(410)
    expect(late.json()).toMatchObject({ type: 'urn:yiwang:problem:licenses/token-expired', title: '二维码已过期，请持证人刷新后重新出示' })
  })

  it('checks a posted document: the original verifies, a changed byte is invalid', async () => {
    const doc = (await t.app.inject({ url: `/api/licenses/mine/${ids.license}/document`, headers: as('citizen') })).json()
    const ok = await t.app.inject({ method: 'POST', url: '/api/licenses/verify', payload: { document: doc } })
    expect(ok.json()).toMatchObject({ codeKind: 'document', signatureValid: true, outcome: 'revoked' })
    doc.content.holder.name = '郝建图'
    expect((await t.app.inject({ method: 'POST', url: '/api/licenses/verify', payload: { document: doc } })).json()).toMatchObject({ outcome: 'invalid', signatureValid: false })
  })
})

describe('wallet and issuer over HTTP', () => {
  it('serves the PDF, and refuses staff a wallet and citizens the issuer routes', async () => {
    const pdf = await t.app.inject({ url: `/api/licenses/mine/${ids.license}/pdf`, headers: as('citizen') })
    expect(pdf.statusCode).toBe(200)
    expect(pdf.headers['content-type']).toBe('application/pdf')
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-')
    expect((await t.app.inject({ url: '/api/licenses/mine', headers: as('head') })).statusCode).toBe(403)
    expect((await t.app.inject({ url: '/api/licenses/seals', headers: as('citizen') })).statusCode).toBe(403)
  })

  it('rejects an import with a malformed ID number, naming row and column, and writes nothing', async () => {
    const before = (await t.app.inject({ url: '/api/licenses/issued', headers: as('head') })).json().total
    const content = `姓名,身份证号码,性别,出生日期\n李四,${ids.idNumber.slice(0, 17)}Y,男,1991-02-03\n王五,${generateIdNumber({ divisionCode: '140902', birthDate: '1992-02-03', sex: 'male', rng: seededRandom(3) })},男,1992-02-03\n`
    const res = await t.app.inject({ method: 'POST', url: '/api/licenses/imports', headers: { ...as('head'), 'accept-language': 'en' }, payload: { departmentId: ids.police, type: 'resident_id_card', format: 'csv', content } })
    expect(res.statusCode).toBe(422)
    expect(res.json()).toMatchObject({ type: 'urn:yiwang:problem:licenses/import-rejected', total: 1 })
    expect(res.json().errors[0]).toMatchObject({ row: 2, column: '身份证号码', code: 'invalid-id-number' })
    expect(res.json().errors[0].message).toContain('is not a valid ID number')
    expect((await t.app.inject({ url: '/api/licenses/issued', headers: as('head') })).json().total).toBe(before)
  })
})

describe('personal identifiers in license fields', () => {
  const masked = () => `${ids.idNumber!.slice(0, 4)}**********${ids.idNumber!.slice(-4)}`
  const cardNumberOf = (fields: { key: string; value: string }[]) => fields.find((f) => f.key === 'cardNumber')?.value

  it('shows the holder their own social security number in full, and the issuing staff only masked', async () => {
    const mine = await t.app.inject({ url: `/api/licenses/mine/${ids.card}`, headers: as('citizen') })
    expect(cardNumberOf(mine.json().fields)).toBe(ids.idNumber)
    const issued = await t.app.inject({ url: `/api/licenses/issued/${ids.card}`, headers: as('hrss') })
    expect(issued.statusCode).toBe(200)
    expect(cardNumberOf(issued.json().fields)).toBe(masked())
    expect(issued.body).not.toContain(ids.idNumber)
    const list = await t.app.inject({ url: '/api/licenses/issued', headers: as('hrss') })
    expect(list.json().total).toBe(1)
    expect(list.body).not.toContain(ids.idNumber)
    for (const action of ['suspend', 'reinstate']) {
      const res = await t.app.inject({ method: 'POST', url: `/api/licenses/issued/${ids.card}/${action}`, headers: as('hrss'), payload: { reason: '核查' } })
      expect(res.statusCode).toBe(200)
      expect(cardNumberOf(res.json().fields)).toBe(masked())
      expect(res.body).not.toContain(ids.idNumber)
    }
  })

  it('masks it for a department reading under a grant, and in public verification answers', async () => {
    const share = await t.app.inject({ method: 'POST', url: `/api/licenses/mine/${ids.card}/grants`, headers: as('citizen'), payload: { departmentId: ids.police, purpose: '核对社保信息', mode: 'single_use' } })
    expect(share.statusCode).toBe(201)
    const read = await t.app.inject({ method: 'POST', url: '/api/licenses/reads', headers: as('head'), payload: { licenseId: ids.card, departmentId: ids.police, purpose: '核对社保信息' } })
    expect(read.statusCode).toBe(200)
    expect(cardNumberOf(read.json().fields)).toBe(masked())
    expect(cardNumberOf(read.json().verification.license.fields)).toBe(masked())
    expect(read.body).not.toContain(ids.idNumber)

    const tok = await t.app.inject({ method: 'POST', url: `/api/licenses/mine/${ids.card}/tokens`, headers: as('citizen'), payload: { disclose: ['cardNumber'] } })
    const v = await t.app.inject({ url: `/api/licenses/verify/${tok.json().token}` })
    expect(v.json().license.fields).toEqual([{ key: 'cardNumber', label: '社会保障号码', value: masked() }])
    expect(v.body).not.toContain(ids.idNumber)
    const doc = await t.app.inject({ url: `/api/licenses/mine/${ids.card}/document`, headers: as('citizen') })
    const posted = await t.app.inject({ method: 'POST', url: '/api/licenses/verify', payload: { document: doc.json() } })
    expect(posted.json()).toMatchObject({ signatureValid: true, outcome: 'valid' })
    expect(cardNumberOf(posted.json().license.fields)).toBe(masked())
    expect(posted.body.replaceAll(JSON.stringify(doc.json()), '')).not.toContain(ids.idNumber)
  })

  it('lets a service centre clerk the cases module lets handle the case read the attached license, under the grant only', async () => {
    const { licenses } = t.services
    const citizen = principals.citizen!
    const clerk = principals.centerClerk!
    await licenses.useForCase(citizen, { licenseId: ids.card!, licenseType: 'social_security_card', applicationId: 'app_center', departmentId: ids.hrss!, materialCode: 'ssc', purpose: '社保卡补领' })
    const read = await licenses.readForCase(clerk, { licenseId: ids.card!, applicationId: 'app_center', departmentId: ids.hrss!, purpose: '一窗受理核验' })
    expect(read.verification).toMatchObject({ outcome: 'valid', signatureValid: true })
    expect(cardNumberOf(read.fields)).toBe(masked())
    // Still the holder's grant decides: another case, or a citizen, gets nothing.
    await expect(licenses.readForCase(clerk, { licenseId: ids.card!, applicationId: 'app_other', departmentId: ids.hrss!, purpose: 'x' })).rejects.toMatchObject({ type: 'licenses/no-grant' })
    await expect(licenses.readForCase(citizen, { licenseId: ids.card!, applicationId: 'app_center', departmentId: ids.hrss!, purpose: 'x' })).rejects.toMatchObject({ type: 'out-of-scope' })
    // Its own reads (POST /reads) still need a grant on the department itself.
    const direct = await t.app.inject({ method: 'POST', url: '/api/licenses/reads', headers: as('centerClerk'), payload: { licenseId: ids.card, departmentId: ids.hrss, purpose: '核验', applicationId: 'app_center' } })
    expect(direct.statusCode).toBe(403)
  })
})
