import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import ExcelJS from 'exceljs'
import { PDFDocument } from 'pdf-lib'
import QRCode from 'qrcode'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { systemActor } from '../../platform/audit.js'
import { AppError } from '../../platform/errors.js'
import { canonicalJson, sm2PublicKeyToPem, sm3Hex } from '../../platform/gm.js'
import type { Principal, RoleGrant } from '../../platform/roles.js'
import { createTestApp, type TestApp } from '../../test/harness.js'
import { generateCreditCode, generateIdNumber, seededRandom } from '../identity/index.js'
import { clearVerificationCache } from './signing.js'
import { statusBit, verifyCredentialOffline } from './vc.js'
import type { LicensesService } from './service.js'

let t: TestApp
let licenses: LicensesService
const rng = seededRandom(5)
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yiwang-lic-'))
const ids: Record<string, string> = {}
let citizen: Principal
let enterprise: Principal
let head: Principal
let clerk: Principal
let otherHead: Principal

const staffOf = (accountId: string, ...grants: RoleGrant[]): Principal => ({ accountId, sessionId: `ses_${accountId}`, kind: 'staff', name: accountId, grants })

async function failure(p: Promise<unknown>): Promise<{ type: string; status: number }> {
  try {
    await p
  } catch (e) {
    if (e instanceof AppError) return { type: e.type, status: e.status }
    throw e
  }
  throw new Error('expected a failure')
}

beforeAll(async () => {
  t = await createTestApp()
  licenses = t.services.licenses
  const { org, identity } = t.services
  await org.importDivisions({ within: '140900' })
  ids.police = (await org.createDepartment(systemActor, { name: '忻府区公安分局', divisionCode: '140902', kind: 'bureau' })).id
  ids.market = (await org.createDepartment(systemActor, { name: '忻州市市场监督管理局', divisionCode: '140900', kind: 'bureau' })).id
  ids.other = (await org.createDepartment(systemActor, { name: '原平市行政审批服务管理局', divisionCode: '140981', kind: 'bureau' })).id
  ids.idNumber = generateIdNumber({ divisionCode: '140902', birthDate: '1988-04-09', sex: 'female', rng })
  const person = await identity.createPerson('system', { name: '冯萍佳', idNumber: ids.idNumber, phone: '13900005555' })
  citizen = { accountId: person.id, sessionId: 's1', kind: 'person', name: '冯萍佳', grants: [{ role: 'citizen', divisionCode: '140902', departmentId: null }] }
  ids.creditCode = generateCreditCode({ divisionCode: '140902', rng })
  const legal = await identity.createLegal('system', { name: '忻州市晋味食品有限公司', creditCode: ids.creditCode, agentAccountId: person.id })
  enterprise = { accountId: legal.id, sessionId: 's2', kind: 'legal', name: '忻州市晋味食品有限公司', grants: [{ role: 'enterprise_agent', divisionCode: '140902', departmentId: null }] }
  head = staffOf('acc_head', { role: 'department_head', divisionCode: '140902', departmentId: ids.police })
  clerk = staffOf('acc_clerk', { role: 'window_clerk', divisionCode: '140902', departmentId: ids.police })
  otherHead = staffOf('acc_other', { role: 'department_head', divisionCode: '140981', departmentId: ids.other })
})
afterAll(async () => {
  await t?.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

function opensslVerify(pem: string, message: string, sigB64: string): number | null {
  fs.writeFileSync(path.join(dir, 'pub.pem'), pem)
  fs.writeFileSync(path.join(dir, 'msg'), message)
  fs.writeFileSync(path.join(dir, 'sig.der'), Buffer.from(sigB64, 'base64'))
  return spawnSync('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', 'pub.pem', '-rawin', '-in', 'msg', '-sigfile', 'sig.der', '-digest', 'sm3', '-pkeyopt', 'distid:1234567812345678'], { cwd: dir }).status
}

async function issueIdCard() {
  return licenses.issue(head, { type: 'resident_id_card', departmentId: ids.police, holder: { kind: 'person', id: ids.idNumber, name: '冯萍佳' }, fields: { sex: '女', ethnicity: '汉', birthDate: '1988-04-09', address: '忻府区和平街1号' } })
}

describe('seals', () => {
  it('generates an SM2 key pair sealed at rest and a seal image from the department name', async () => {
    const seal = await licenses.createSeal(head, { departmentId: ids.police, name: '忻府区公安分局电子证照专用章' })
    expect(seal).toMatchObject({ status: 'active', imageSource: 'generated', departmentName: '忻府区公安分局' })
    expect(seal).not.toHaveProperty('privateKeyHex')
    const row = await sql<{ private_key_sealed: string; image_svg: string }>`select private_key_sealed, image_svg from licenses.seal where id = ${seal.id}`.execute(t.core.db)
    expect(row.rows[0]!.private_key_sealed).toMatch(/^v1\./)
    expect(row.rows[0]!.image_svg).toContain('忻</text>')
    expect(row.rows[0]!.image_svg).toContain('<polygon')
    ids.seal = seal.id
  })

  it('accepts only a real PNG upload, and only from the department in reach', async () => {
    expect(await failure(licenses.createSeal(head, { departmentId: ids.police, name: 'x', imagePngBase64: Buffer.from('MZ not a png').toString('base64') }))).toEqual({ type: 'licenses/invalid-image', status: 422 })
    expect(await failure(licenses.createSeal(otherHead, { departmentId: ids.police, name: 'x' }))).toEqual({ type: 'out-of-scope', status: 403 })
    expect(await failure(licenses.createSeal(clerk, { departmentId: ids.police, name: 'x' }))).toEqual({ type: 'out-of-scope', status: 403 })
  })

  it('keeps an uploaded PNG seal and serves it as PNG', async () => {
    const png = await QRCode.toBuffer('seal', { type: 'png' })
    const dept = (await t.services.org.createDepartment(systemActor, { name: '忻府区民政局', divisionCode: '140902', kind: 'bureau' })).id
    const admin = staffOf('acc_mz', { role: 'data_admin', divisionCode: '140902', departmentId: null })
    const seal = await licenses.createSeal(admin, { departmentId: dept, name: '忻府区民政局婚姻登记专用章', imagePngBase64: png.toString('base64') })
    expect(seal).toMatchObject({ imageSource: 'uploaded', imageUrl: `/api/licenses/seals/${seal.id}/image.png` })
    expect(Buffer.from((await licenses.sealImage(seal.id, 'png'))!.body as Buffer).equals(png)).toBe(true)
    const disabled = await licenses.updateSeal(admin, seal.id, { status: 'disabled' })
    expect(disabled.status).toBe('disabled')
    expect(await failure(licenses.issue(admin, { type: 'marriage_certificate', departmentId: dept, sealId: seal.id, holder: { kind: 'person', id: ids.idNumber, name: '冯萍佳' }, fields: { spouseName: '王强', registeredOn: '2015-05-20' } }))).toEqual({ type: 'licenses/no-active-seal', status: 422 })
  })
})

describe('issuing and signing', () => {
  it('signs the canonical content with SM2 so that OpenSSL 3 verifies it, and a changed byte does not', async () => {
    const lic = await issueIdCard()
    ids.license = lic.id
    expect(lic).toMatchObject({ type: 'resident_id_card', status: 'valid', holderName: '冯萍佳', maskedHolderId: `${ids.idNumber.slice(0, 4)}**********${ids.idNumber.slice(-4)}` })
    expect(lic.number).toMatch(/^SFZ1409022026\d{8}$/)
    const doc = await licenses.documentOf(citizen, lic.id)
    const canonical = canonicalJson(doc.content)
    expect(sm3Hex(canonical)).toBe(doc.signature.digest)
    const pem = sm2PublicKeyToPem(doc.signature.publicKeyHex)
    expect(opensslVerify(pem, canonical, doc.signature.value)).toBe(0)
    expect(opensslVerify(pem, canonical.replace('冯萍佳', '冯萍家'), doc.signature.value)).not.toBe(0)
    // The ID number is not stored in the clear.
    const raw = await sql<{ c: string }>`select row_to_json(l)::text as c from licenses.license l where id = ${lic.id}`.execute(t.core.db)
    expect(raw.rows[0]!.c).not.toContain(ids.idNumber)
  })

  it('refuses a malformed ID number, a wrong holder kind and fields that do not fit the type', async () => {
    const bad = ids.idNumber.slice(0, 17) + (ids.idNumber[17] === '0' ? '1' : '0')
    expect(await failure(licenses.issue(head, { type: 'resident_id_card', departmentId: ids.police, holder: { kind: 'person', id: bad, name: 'x' }, fields: { sex: '女', birthDate: '1988-04-09' } }))).toEqual({ type: 'licenses/invalid-holder', status: 422 })
    expect(await failure(licenses.issue(head, { type: 'resident_id_card', departmentId: ids.police, holder: { kind: 'entity', id: ids.creditCode, name: 'x' }, fields: { sex: '女', birthDate: '1988-04-09' } }))).toEqual({ type: 'licenses/invalid-holder', status: 422 })
    expect(await failure(licenses.issue(head, { type: 'resident_id_card', departmentId: ids.police, holder: { kind: 'person', id: ids.idNumber, name: 'x' }, fields: { sex: '不详', birthDate: '1988-02-30' } }))).toEqual({ type: 'licenses/invalid-fields', status: 422 })
    expect(await failure(licenses.issue(head, { type: 'no_such_type', departmentId: ids.police, holder: { kind: 'person', id: ids.idNumber, name: 'x' }, fields: {} }))).toEqual({ type: 'licenses/unknown-type', status: 422 })
  })
})

describe('public verification', () => {
  it('answers valid with only the default disclosure, then revoked once the department revokes it', async () => {
    const detail = await licenses.getMine(citizen, ids.license!)
    const v = await licenses.verifyCode(detail.verificationCode)
    expect(v).toMatchObject({ outcome: 'valid', signatureValid: true, codeKind: 'license' })
    expect(v.license!.fields).toEqual([])
    expect(v.license!.holderName).toBe('冯*佳')
    expect(JSON.stringify(v)).not.toContain(ids.idNumber)
    expect(await failure(licenses.verifyCode('L' + 'x'.repeat(22)))).toEqual({ type: 'licenses/code-not-found', status: 404 })
  })

  it('shows "invalid" when a byte of the stored signature or content changed, without trusting the cache', async () => {
    const lic = await issueIdCard()
    const d = await licenses.getMine(citizen, lic.id)
    expect((await licenses.verifyCode(d.verificationCode)).outcome).toBe('valid')
    const sig = Buffer.from(d.signature.value, 'base64')
    sig[sig.length - 1]! ^= 0x01
    await sql`update licenses.license set signature = ${sig.toString('base64')} where id = ${lic.id}`.execute(t.core.db)
    expect((await licenses.verifyCode(d.verificationCode)).outcome).toBe('invalid')
    await sql`update licenses.license set signature = ${d.signature.value}, content_digest = ${'0'.repeat(64)} where id = ${lic.id}`.execute(t.core.db)
    expect((await licenses.verifyCode(d.verificationCode)).outcome).toBe('invalid')
    await sql`update licenses.license set content_digest = ${d.signature.digest} where id = ${lic.id}`.execute(t.core.db)
    clearVerificationCache()
    expect((await licenses.verifyCode(d.verificationCode)).outcome).toBe('valid')
  })

  it('verifies a presented document and calls any changed byte invalid', async () => {
    const doc = await licenses.documentOf(citizen, ids.license!)
    expect((await licenses.verifyDocument(doc)).outcome).toBe('valid')
    const altered = structuredClone(doc)
    altered.content.fields.address = '忻府区和平街2号'
    expect((await licenses.verifyDocument(altered)).outcome).toBe('invalid')
    const badSig = structuredClone(doc)
    badSig.signature.value = badSig.signature.value.slice(0, -4) + (badSig.signature.value.endsWith('AAAA') ? 'BBBB' : 'AAAA')
    expect((await licenses.verifyDocument(badSig)).outcome).toBe('invalid')
    const logged = await sql<{ n: number }>`select count(*)::int as n from platform.audit_log where action = 'licenses.verify.invalid'`.execute(t.core.db)
    expect(logged.rows[0]!.n).toBe(2)
  })

  it('gives wallet tokens the holder-chosen fields for five minutes, then a clear "expired"', async () => {
    const tok = await licenses.issueToken(citizen, ids.license!, { disclose: ['birthDate', 'sex'] })
    expect(tok.token).toMatch(/^T[\w-]{32}$/)
    expect(tok.verifyUrl).toBe(`http://localhost:3000/verify/${tok.token}`)
    const v = await licenses.verifyCode(tok.token)
    expect(v.codeKind).toBe('token')
    expect(v.license!.fields.map((f) => f.key).sort()).toEqual(['birthDate', 'sex'])
    expect(await failure(licenses.issueToken(citizen, ids.license!, { disclose: ['idNumber'] }))).toEqual({ type: 'licenses/unknown-field', status: 422 })
    expect(await failure(licenses.issueToken(enterprise, ids.license!, { disclose: [] }))).toEqual({ type: 'licenses/license-not-found', status: 404 })
    t.clock.advance(301_000)
    expect(await failure(licenses.verifyCode(tok.token))).toEqual({ type: 'licenses/token-expired', status: 410 })
    // The replay is in the holder's use log.
    expect((await licenses.listMyUses(citizen, { licenseId: ids.license! })).items[0]).toMatchObject({ kind: 'denied', outcome: 'denied', purpose: 'verify (expired QR)' })
  })

  it('revocation flips the answer; suspension and reinstatement too; a reason is recorded', async () => {
    const lic = await issueIdCard()
    const d = await licenses.getMine(citizen, lic.id)
    expect(await failure(licenses.changeStatus(clerk, lic.id, 'suspend', '核查'))).toEqual({ type: 'out-of-scope', status: 403 })
    await licenses.changeStatus(head, lic.id, 'suspend', '信息核查中')
    expect((await licenses.verifyCode(d.verificationCode)).outcome).toBe('suspended')
    await licenses.changeStatus(head, lic.id, 'reinstate', '核查完毕')
    expect((await licenses.verifyCode(d.verificationCode)).outcome).toBe('valid')
    const revoked = await licenses.changeStatus(head, lic.id, 'revoke', '证件已挂失')
    expect(revoked.statusHistory.map((h) => h.status)).toEqual(['valid', 'suspended', 'valid', 'revoked'])
    expect((await licenses.verifyCode(d.verificationCode)).outcome).toBe('revoked')
    expect(await failure(licenses.changeStatus(head, lic.id, 'reinstate', 'x'))).toEqual({ type: 'licenses/invalid-status-change', status: 409 })
    ids.revoked = lic.id
  })

  it('computes expiry from the clock', async () => {
    const lic = await licenses.issue(head, { type: 'resident_id_card', departmentId: ids.police, holder: { kind: 'person', id: ids.idNumber, name: '冯萍佳' }, fields: { sex: '女', birthDate: '1988-04-09' }, validFrom: '2000-01-01', validUntil: '2010-01-01' })
    expect(lic.status).toBe('expired')
    const d = await licenses.getMine(citizen, lic.id)
    expect((await licenses.verifyCode(d.verificationCode)).outcome).toBe('expired')
  })
})

describe('consent and the use log', () => {
  it('refuses a department read without a grant and logs the attempt for the holder', async () => {
    const before = (await licenses.listMyUses(citizen, {})).total
    expect(await failure(licenses.readLicense(otherHead, { licenseId: ids.license!, departmentId: ids.other, purpose: '办理户籍迁移' }))).toEqual({ type: 'licenses/no-grant', status: 403 })
    const uses = await licenses.listMyUses(citizen, {})
    expect(uses.total).toBe(before + 1)
    expect(uses.items[0]).toMatchObject({ kind: 'denied', outcome: 'denied', departmentId: ids.other, purpose: '办理户籍迁移' })
  })

  it('lets a department read once under a single-use grant, and after withdrawal not at all', async () => {
    const g = await licenses.shareWith(citizen, ids.license!, { departmentId: ids.other, purpose: '办理户籍迁移', mode: 'single_use' })
    const read = await licenses.readLicense(otherHead, { licenseId: ids.license!, departmentId: ids.other, purpose: '办理户籍迁移' })
    expect(read.verification.outcome).toBe('valid')
    expect(read.fields.map((f) => f.key)).toContain('address')
    expect(await failure(licenses.readLicense(otherHead, { licenseId: ids.license!, departmentId: ids.other, purpose: '再读一次' }))).toEqual({ type: 'licenses/no-grant', status: 403 })
    const standing = await licenses.shareWith(citizen, ids.license!, { departmentId: ids.other, purpose: '长期核验', mode: 'standing' })
    await licenses.readLicense(otherHead, { licenseId: ids.license!, departmentId: ids.other, purpose: '核验' })
    await licenses.readLicense(otherHead, { licenseId: ids.license!, departmentId: ids.other, purpose: '核验' })
    await licenses.withdrawGrant(citizen, standing.id)
    expect(await failure(licenses.readLicense(otherHead, { licenseId: ids.license!, departmentId: ids.other, purpose: '核验' }))).toEqual({ type: 'licenses/no-grant', status: 403 })
    const grants = await licenses.listMyGrants(citizen, {})
    expect(grants.items.find((x) => x.id === g.id)?.status).toBe('used')
    expect(grants.items.find((x) => x.id === standing.id)?.status).toBe('withdrawn')
    // Every read is also on the ledger (through a security audit row), with no personal data.
    const audit = await sql<{ detail: unknown }>`select detail from platform.audit_log where action = 'licenses.use.read'`.execute(t.core.db)
    expect(audit.rows.length).toBe(3)
    expect(JSON.stringify(audit.rows)).not.toContain(ids.idNumber)
  })

  it('runs a department request through the holder\'s approval', async () => {
    const req = await licenses.requestAccess(otherHead, { departmentId: ids.other, licenseType: 'resident_id_card', holderIdNumber: ids.idNumber, purpose: '核对身份' })
    const mine = await licenses.listMyRequests(citizen, { status: 'pending' })
    expect(mine.items.map((r) => r.id)).toContain(req.id)
    const { grant } = await licenses.decideRequest(citizen, req.id, { approve: true, licenseId: ids.license!, mode: 'single_use' })
    expect(grant?.departmentId).toBe(ids.other)
    expect(await failure(licenses.decideRequest(citizen, req.id, { approve: false }))).toEqual({ type: 'licenses/request-decided', status: 409 })
    await licenses.readLicense(otherHead, { licenseId: ids.license!, departmentId: ids.other, purpose: '核对身份' })
  })

  it('serves the cases integration: valid licenses of a type, attach with consent, the clerk reads it verified', async () => {
    const valid = await licenses.validLicensesOf(citizen.accountId, 'resident_id_card')
    expect(valid.length).toBeGreaterThanOrEqual(2)
    expect(valid.every((l) => l.status === 'valid')).toBe(true)
    expect(valid.map((l) => l.id)).not.toContain(ids.revoked)
    const used = await licenses.useForCase(citizen, { licenseId: ids.license!, licenseType: 'resident_id_card', applicationId: 'app_x', departmentId: ids.police, materialCode: 'id_card', purpose: '户口迁移' })
    expect(used).toMatchObject({ licenseId: ids.license, status: 'valid', typeName: '居民身份证' })
    expect(await failure(licenses.useForCase(citizen, { licenseId: ids.revoked!, licenseType: 'resident_id_card', applicationId: 'app_x', departmentId: ids.police, materialCode: 'id_card', purpose: 'x' }))).toEqual({ type: 'licenses/not-usable', status: 422 })
    expect(await failure(licenses.useForCase(enterprise, { licenseId: ids.license!, licenseType: 'resident_id_card', applicationId: 'app_x', departmentId: ids.police, materialCode: 'id_card', purpose: 'x' }))).toEqual({ type: 'licenses/not-your-license', status: 403 })
    const read = await licenses.readForCase(clerk, { licenseId: ids.license!, applicationId: 'app_x', departmentId: ids.police, purpose: '受理户口迁移' })
    expect(read.verification).toMatchObject({ outcome: 'valid', signatureValid: true })
    // The grant is for that case only.
    expect(await failure(licenses.readForCase(clerk, { licenseId: ids.license!, applicationId: 'app_y', departmentId: ids.police, purpose: 'x' }))).toEqual({ type: 'licenses/no-grant', status: 403 })
    const kinds = (await licenses.listMyUses(citizen, { licenseId: ids.license! })).items.map((u) => u.kind)
    expect(kinds).toContain('case_attach')
  })
})

describe('aggregation (bulk import)', () => {
  const header = '名称,统一社会信用代码,类型,法定代表人,成立日期,住所'
  it('imports a CSV of business licenses, and an entity account sees its license', async () => {
    await licenses.createSeal(staffOf('acc_mkt', { role: 'data_admin', divisionCode: '140900', departmentId: ids.market }), { departmentId: ids.market, name: '忻州市市场监督管理局电子证照章' })
    const admin = staffOf('acc_mkt', { role: 'data_admin', divisionCode: '140900', departmentId: ids.market })
    const other = generateCreditCode({ divisionCode: '140902', rng })
    const csv = `${header}\n忻州市晋味食品有限公司,${ids.creditCode},有限责任公司,冯萍佳,2019-05-20,忻府区长征街8号\n忻州市第二商贸有限公司,${other},有限责任公司,王强,2020-01-02,忻府区七一路2号\n`
    const r = await licenses.importLicenses(admin, { departmentId: ids.market, type: 'business_license', format: 'csv', content: csv })
    expect(r.imported).toBe(2)
    const mine = await licenses.listMine(enterprise, {})
    expect(mine.items.map((l) => l.type)).toEqual(['business_license'])
  })

  it('rejects a file with a malformed ID number or credit code row by row, writing nothing', async () => {
    const admin = staffOf('acc_mkt', { role: 'data_admin', divisionCode: '140900', departmentId: ids.market })
    const before = await sql<{ n: number }>`select count(*)::int as n from licenses.license`.execute(t.core.db)
    const good = generateCreditCode({ divisionCode: '140902', rng })
    const csv = `${header}\n好公司,${good},有限责任公司,张三,2019-05-20,地址1\n坏公司,91140902MA0XXXXX1X,有限责任公司,李四,2019-02-30,地址2\n`
    const e = await licenses.importLicenses(admin, { departmentId: ids.market, type: 'business_license', format: 'csv', content: csv }).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(AppError)
    const rows = (e as AppError).extensions.errors as { row: number; column: string; code: string }[]
    expect(rows).toEqual(expect.arrayContaining([expect.objectContaining({ row: 3, column: '统一社会信用代码', code: 'invalid-credit-code' }), expect.objectContaining({ row: 3, column: '成立日期', code: 'invalid-date' })]))
    const after = await sql<{ n: number }>`select count(*)::int as n from licenses.license`.execute(t.core.db)
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n)
    const idCsv = `姓名,身份证号码,性别,出生日期\n张三,14090219880409123,女,1988-04-09\n`
    const e2 = await licenses.importLicenses(head, { departmentId: ids.police, type: 'resident_id_card', format: 'csv', content: idCsv }).catch((x: unknown) => x)
    expect(((e2 as AppError).extensions.errors as { code: string }[])[0]).toMatchObject({ code: 'invalid-id-number', row: 2, column: '身份证号码' })
  })
})

describe('aggregation from Excel', () => {
  it('reads ID numbers as text and refuses one Excel already rounded to a number', async () => {
    const wb = new ExcelJS.Workbook()
    const ws = wb.addWorksheet('居民身份证')
    const other = generateIdNumber({ divisionCode: '140902', birthDate: '1975-10-01', sex: 'male', rng })
    ws.addRow(['姓名', '身份证号码', '性别', '出生日期', '住址'])
    ws.addRow(['赵国强', other, '男', '1975-10-01', '忻府区秀容街2号'])
    const ok = await licenses.importLicenses(head, { departmentId: ids.police, type: 'resident_id_card', format: 'xlsx', content: Buffer.from(await wb.xlsx.writeBuffer()).toString('base64') })
    expect(ok.imported).toBe(1)
    ws.addRow(['钱进', Number(other.slice(0, 17)), '男', '1975-10-01', ''])
    const e = await licenses.importLicenses(head, { departmentId: ids.police, type: 'resident_id_card', format: 'xlsx', content: Buffer.from(await wb.xlsx.writeBuffer()).toString('base64') }).catch((x: unknown) => x)
    expect(((e as AppError).extensions.errors as { row: number; code: string }[]).map((x) => x.row)).toContain(3)
    expect(await failure(licenses.importLicenses(head, { departmentId: ids.police, type: 'resident_id_card', format: 'xlsx', content: Buffer.from('not a workbook').toString('base64') }))).toEqual({ type: 'licenses/unreadable-file', status: 422 })
  })
})

describe('issuing from an approved case', () => {
  it('issues the item\'s license into the applicant\'s wallet once, on cases.application.approved', async () => {
    const { catalog, cases } = t.services
    const draft = await catalog.createItem(systemActor, {
      name: '户口迁移登记', type: 'public_service', departmentId: ids.police, applicableTo: 'person', legalBasis: '《户口登记条例》', conditions: '迁入忻府区的居民',
      promisedDays: 0, handlingClass: 'immediate', mode: 'fully_online', visits: 0, reviewSteps: [{ name: '决定', role: 'department_head' }], producesLicenseType: 'household_register',
    })
    const v = await catalog.publish(systemActor, draft.itemId, { revision: draft.revision })
    const d = await cases.createDraft(citizen, { itemVersionId: v.id })
    const s = await cases.submit(citizen, d.id, { version: d.version })
    const a = await cases.accept(clerk, s.id, { version: s.version })
    await cases.approve(head, s.id, { version: a.version })
    await t.core.outbox.drain()
    await t.core.outbox.drain()
    const mine = await licenses.listMine(citizen, { type: 'household_register' })
    expect(mine.items).toHaveLength(1)
    expect(mine.items[0]).toMatchObject({ source: 'case', applicationId: s.id, issuerDepartmentId: ids.police, status: 'valid' })
    // Redelivery issues nothing twice.
    await licenses.issueForCase(s.id, { findApplication: (id) => cases.findApplication(id), getVersion: (id) => catalog.getVersion(id) })
    expect((await licenses.listMine(citizen, { type: 'household_register' })).total).toBe(1)
    const detail = await licenses.getMine(citizen, mine.items[0]!.id)
    expect(detail.fields.map((f) => f.key)).toEqual(expect.arrayContaining(['sex', 'birthDate']))
    expect((await licenses.verifyCode(detail.verificationCode)).outcome).toBe('valid')
  })
})

describe('exports', () => {
  it('renders a one-page PDF with the Noto Sans SC subset', async () => {
    const { bytes } = await licenses.pdfOf(citizen, ids.license!)
    expect(Buffer.from(bytes.slice(0, 5)).toString()).toBe('%PDF-')
    expect(bytes.length).toBeLessThan(400_000)
    const doc = await PDFDocument.load(bytes)
    expect(doc.getPageCount()).toBe(1)
  })

  it('exports a VC 2.0 an ordinary verifier accepts, that fails on a changed byte, with revocation in the status list', async () => {
    const vc = await licenses.credentialOf(citizen, ids.license!)
    expect((vc['@context'] as unknown[])[0]).toBe('https://www.w3.org/ns/credentials/v2')
    expect((vc.proof as { cryptosuite: string }).cryptosuite).toBe('eddsa-rdfc-2022')
    expect(vc.credentialStatus).toMatchObject({ type: 'BitstringStatusListEntry', statusPurpose: 'revocation' })
    const fetchList = async (url: string) => {
      const res = await t.app.inject({ url: url.replace('http://localhost:3000', '') })
      return res.statusCode === 200 ? (res.json() as Record<string, unknown>) : null
    }
    const ok = await verifyCredentialOffline(vc, fetchList)
    expect(ok).toMatchObject({ verified: true, revoked: false, statusVerified: true })
    const altered = structuredClone(vc) as { credentialSubject: { license: { fields: Record<string, string> } } }
    altered.credentialSubject.license.fields.address = '忻府区和平街9号'
    expect((await verifyCredentialOffline(altered as unknown as Record<string, unknown>, fetchList)).verified).toBe(false)
    expect((await licenses.verifyCredential(vc)).outcome).toBe('valid')
    expect((await licenses.verifyCredential(altered as unknown as Record<string, unknown>)).outcome).toBe('invalid')

    const revokedVc = await licenses.credentialOf(citizen, ids.revoked!)
    const list = await fetchList(String((revokedVc.credentialStatus as { statusListCredential: string }).statusListCredential))
    const listSubject = list!.credentialSubject as { encodedList: string }
    expect(await statusBit(listSubject.encodedList, Number((revokedVc.credentialStatus as { statusListIndex: string }).statusListIndex))).toBe(true)
    expect(await statusBit(listSubject.encodedList, Number((vc.credentialStatus as { statusListIndex: string }).statusListIndex))).toBe(false)
    expect((await verifyCredentialOffline(revokedVc, fetchList))).toMatchObject({ verified: false, revoked: true })
    expect((await licenses.verifyCredential(revokedVc)).outcome).toBe('revoked')
  })
})
