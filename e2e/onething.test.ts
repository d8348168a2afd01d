import fs from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { systemActor } from '../apps/server/src/platform/audit.js'
import { demoItems } from '../apps/server/src/demo/catalog.js'
import { DEMO_PASSWORD } from '../apps/server/src/demo/identity.js'
import { demoBundles, demoFamily, seedOnethingDemo } from '../apps/server/src/demo/onething.js'
import { generateCreditCode, generateIdNumber, seededRandom } from '../apps/server/src/modules/identity/index.js'
import { launchBrowser, pageErrors, phonePage, skipWithoutChromium, startServer, type RunningServer } from './helpers.js'

/**
 * 出生一件事 on a 390×844 phone for the demo family: the mother goes from the bundle page to
 * "submitted", the father confirms his part from a second browser context. Counts the screens
 * and the fields typed, prints them and keeps them in bench/results/onething.json.
 * 企业开办一件事 likewise: the enterprise applies, its legal representative joins from a second
 * phone with their part prefilled and gives their e-ID card; four departments get their case.
 */

const resultsFile = path.resolve(import.meta.dirname, '../bench/results/onething.json')
/** A small valid PDF, as a hospital's discharge record would be uploaded. */
const samplePdf = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n')

describe.skipIf(skipWithoutChromium)('一件事 on a phone', () => {
  let server: RunningServer
  let browser: Browser

  beforeAll(async () => {
    server = await startServer()
    const { org, catalog } = server.app.services
    // The birth and start-up bundles' items of the demo catalog, each under its demo department.
    const birth = new Set(demoBundles.filter((b) => b.code === 'BIRTH' || b.code === 'BUSINESS_STARTUP').flatMap((b) => b.items.map((i) => i.code)))
    const departments = new Map<string, string>()
    for (const item of demoItems.filter((i) => birth.has(i.code))) {
      if (!departments.has(item.department)) departments.set(item.department, (await org.createDepartment(systemActor, { name: item.department, divisionCode: '140900', kind: 'bureau' })).id)
      const { code, department, divisionCode, reviewSteps, ...rest } = item
      const draft = await catalog.createItem(systemActor, { ...rest, code, departmentId: departments.get(department)!, divisionCode: divisionCode ?? null, reviewSteps: reviewSteps.map((s) => ({ ...s })) })
      await catalog.publish(systemActor, draft.itemId, { revision: draft.revision })
    }
    await seedOnethingDemo(server.app.core, server.app.services)
    browser = await launchBrowser()
  })
  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  async function signIn(page: Page, phone: string, next: string) {
    await page.goto(`${server.url}/m/login?next=${encodeURIComponent(next)}`)
    await page.getByLabel('身份证号 / 手机号 / 统一社会信用代码').fill(phone)
    await page.getByLabel('密码', { exact: true }).fill(DEMO_PASSWORD)
    await page.getByRole('button', { name: '登录', exact: true }).click()
  }

  it('the mother applies once, the father confirms, four departments get their case', async () => {
    const mother = await phonePage(browser)
    const errors = pageErrors(mother)
    const screens: string[] = []
    const screen = async (p: Page, name: string) => {
      await p.locator(`[data-screen="${name}"]`).waitFor()
      if (p === mother) screens.push(name)
      // Fits the phone: nothing scrolls sideways.
      expect(await p.evaluate(() => document.documentElement.scrollWidth), name).toBeLessThanOrEqual(390)
    }
    let typed = 0
    const type = async (label: string, value: string, kind: 'fill' | 'select' = 'fill') => {
      const field = mother.getByLabel(label, { exact: true })
      if (kind === 'select') await field.selectOption(value)
      else await field.fill(value)
      typed++
    }

    // 1. The bundle page.
    await signIn(mother, demoFamily.mother.phone, '/m/onething/BIRTH')
    await screen(mother, 'bundle')
    await mother.getByRole('heading', { level: 1, name: '出生一件事' }).waitFor()
    await mother.getByRole('button', { name: '开始办理' }).click()

    // 2. Situation questions: the defaults (born here, social security card too) fit the family.
    await screen(mother, 'situation')
    await mother.getByRole('button', { name: '下一步' }).click()

    // 3. The merged form: what the registries hold is prefilled and marked by source.
    await screen(mother, 'form')
    await expect.poll(() => mother.getByText('来自人口库').count()).toBeGreaterThanOrEqual(3)
    expect(await mother.getByLabel('母亲姓名', { exact: true }).inputValue()).toBe(demoFamily.mother.name)
    await type('新生儿姓名', '刘子安')
    await type('性别', '男', 'select')
    await type('出生日期', '2026-11-20')
    await type('出生地', '山西省忻州市忻府区')
    await type('随父或随母落户', '随父', 'select')
    await mother.getByRole('button', { name: '下一步' }).click()

    // 4. Materials: her e-ID card and household register stand in, with her consent; only 生育津贴's
    //    诊断证明或出院记录 (from the hospital, no e-license) is uploaded — a small real PDF.
    await screen(mother, 'materials')
    const useButtons = mother.getByRole('button', { name: /^使用/ })
    for (let left = await useButtons.count(); left > 0; ) {
      await useButtons.first().click()
      await expect.poll(() => useButtons.count()).toBeLessThan(left)
      left = await useButtons.count()
    }
    await expect.poll(() => mother.getByText('电子证照', { exact: true }).count()).toBeGreaterThan(0)
    expect(await mother.getByText('需上传', { exact: true }).count()).toBe(1)
    await mother.getByLabel('上传：诊断证明或出院记录').setInputFiles({ name: '出院记录.pdf', mimeType: 'application/pdf', buffer: samplePdf })
    await mother.locator('[data-material="JF00305000.medical_record"][data-status="upload"]').waitFor()
    await mother.getByText('出院记录.pdf').waitFor()
    expect(await mother.getByText('需上传', { exact: true }).count()).toBe(0)
    await mother.getByRole('button', { name: '下一步' }).click()

    // 5. Invite the father by phone.
    await screen(mother, 'invite')
    await mother.getByLabel('父亲的手机号').fill(demoFamily.father.phone)
    await mother.getByRole('button', { name: '发送邀请' }).click()
    const link = (await mother.locator('[data-invite-link="father"]').textContent())!.trim()
    expect(link).toContain('/m/onething/join/')
    await mother.getByRole('button', { name: '下一步' }).click()

    // 6. Review: submitting waits for the father.
    await screen(mother, 'review')
    expect(await mother.getByRole('button', { name: '提交申请' }).isDisabled()).toBe(true)

    // The father, on his own phone: signs in from the link, sees his part prefilled, confirms.
    const father = await phonePage(browser)
    const fatherErrors = pageErrors(father)
    await signIn(father, demoFamily.father.phone, new URL(link).pathname)
    await father.locator('[data-screen="join"]').waitFor()
    await father.getByRole('button', { name: '接受邀请' }).click()
    await father.locator('[data-screen="review"]').waitFor()
    expect(await father.getByLabel('父亲姓名', { exact: true }).inputValue()).toBe(demoFamily.father.name)
    await father.getByRole('button', { name: '确认我的信息' }).click()
    await father.getByText('您已确认').waitFor()

    // The mother's page sees the confirmation and submits.
    await mother.locator('[data-party="father"][data-status="confirmed"]').waitFor({ timeout: 15_000 })
    await mother.getByRole('button', { name: '提交申请' }).click()

    // 7. Submitted.
    await screen(mother, 'submitted')
    await mother.getByRole('heading', { level: 1, name: '申请已提交' }).waitFor()
    const counts = JSON.parse((await mother.locator('[data-screen="submitted"] [data-counts]').getAttribute('data-counts'))!) as {
      prefilled: number
      typed: number
      materialsFromLicenses: number
      materialsShared: number
    }
    expect(counts.typed).toBe(typed)

    // Every department of the bundle has its case; the parent is one application of the mother.
    const apps = await server.app.services.onething.listApplications((await principal(demoFamily.mother.phone))!, {})
    expect(apps.items).toHaveLength(1)
    expect(new Set(apps.items[0]!.children.map((c) => c.departmentName)).size).toBe(4)
    // The 医保局's 生育津贴 case carries the uploaded file like any case upload.
    const allowance = apps.items[0]!.children.find((c) => c.itemName === '生育津贴支付')!
    const detail = await server.app.services.cases.getApplication((await principal(demoFamily.mother.phone))!, allowance.id)
    expect(detail.materials.find((m) => m.code === 'medical_record')!.files.map((f) => [f.fileName, f.sizeBytes])).toEqual([['出院记录.pdf', samplePdf.length]])

    const result = { screens: screens.length, typed_fields: typed, prefilled_fields: counts.prefilled, materials_from_licenses: counts.materialsFromLicenses }
    console.log(`[onething] 出生一件事: screens=${result.screens} typed_fields=${result.typed_fields} prefilled_fields=${result.prefilled_fields} materials_from_licenses=${result.materials_from_licenses} (materials from shared data: ${counts.materialsShared})`)
    fs.writeFileSync(resultsFile, `${JSON.stringify({ ...result, materials_from_shared_data: counts.materialsShared, screen_names: screens, measured_at: new Date().toISOString() }, null, 2)}\n`)
    expect(result.screens).toBeLessThanOrEqual(7)
    expect(result.typed_fields).toBeLessThanOrEqual(5)
    expect(result.materials_from_licenses).toBeGreaterThan(0)
    expect(errors).toEqual([])
    expect(fatherErrors).toEqual([])
    await mother.context().close()
    await father.context().close()
  })

  it('企业开办一件事: the enterprise applies, its legal representative joins on a second phone and gives their e-ID card', async () => {
    const { identity, registries, licenses, org } = server.app.services
    // The enterprise (signs in with its credit code) and its legal representative, in the
    // population registry and with an e-ID card in their wallet.
    const rng = seededRandom(77)
    const passwordHash = await identity.hashPassword(DEMO_PASSWORD)
    const rep = { name: '孙立新', phone: '13900009901', idNumber: generateIdNumber({ divisionCode: '140902', birthDate: '1985-09-09', sex: 'male', rng }) }
    await identity.createPerson('system', { name: rep.name, idNumber: rep.idNumber, phone: rep.phone, passwordHash })
    const agent = await identity.createPerson('system', { name: '周敏', idNumber: generateIdNumber({ divisionCode: '140902', birthDate: '1990-01-01', sex: 'female', rng }), phone: '13900009902', passwordHash })
    const creditCode = generateCreditCode({ divisionCode: '140902', rng })
    const company = await identity.createLegal('system', { name: '忻州市新禾科技有限公司', creditCode, agentAccountId: agent.id, passwordHash })
    await registries.createPerson('system', { idNumber: rep.idNumber, name: rep.name, ethnicity: '01', householdDivisionCode: '140902', address: '忻府区和平街1号', phone: rep.phone })
    const police = (await org.listDepartments({ q: '忻州市公安局' }, { page: 1, pageSize: 10 })).items.find((d) => d.name === '忻州市公安局')!
    await licenses.ensureSeal(police.id)
    await licenses.issue('system', { type: 'resident_id_card', departmentId: police.id, holder: { kind: 'person', id: rep.idNumber, name: rep.name }, fields: { sex: '男', ethnicity: '汉', birthDate: '1985-09-09', address: '忻府区和平街1号' }, validFrom: '2021-01-01' })

    const owner = await phonePage(browser)
    const errors = pageErrors(owner)
    await signIn(owner, creditCode, '/m/onething/BUSINESS_STARTUP')
    await owner.locator('[data-screen="bundle"]').waitFor()
    await owner.getByRole('button', { name: '开始办理' }).click()
    await owner.locator('[data-screen="situation"]').waitFor()
    await owner.getByRole('button', { name: '下一步' }).click()
    await owner.locator('[data-screen="form"]').waitFor()
    const fill = async (label: string, value: string, kind: 'fill' | 'select' = 'fill') => {
      const f = owner.getByLabel(label, { exact: true })
      if (kind === 'select') await f.selectOption(value)
      else await f.fill(value)
    }
    await fill('企业名称', '忻州市新禾科技有限公司')
    await fill('企业类型', '有限责任公司（自然人投资或控股）', 'select')
    await fill('注册资本（万元）', '100')
    await fill('住所', '忻府区和平街1号')
    await fill('经营范围', '软件开发')
    await fill('营业期限', '长期', 'select')
    await fill('股东（发起人）及出资情况', '孙立新 60万元 货币；周敏 40万元 货币')
    await fill('联络员手机', '13900009902')
    await fill('单位银行基本存款账户', '6217000000000000001')
    await owner.getByRole('button', { name: '下一步' }).click()

    // Materials: nothing to upload; the representative's ID card is theirs to provide.
    await owner.locator('[data-screen="materials"]').waitFor()
    expect(await owner.getByText('需上传', { exact: true }).count()).toBe(0)
    expect(await owner.getByText('待法定代表人（股东）本人提供', { exact: true }).count()).toBe(2)
    await owner.getByRole('button', { name: '下一步' }).click()

    await owner.locator('[data-screen="invite"]').waitFor()
    await owner.getByLabel('法定代表人（股东）的手机号').fill(rep.phone)
    await owner.getByRole('button', { name: '发送邀请' }).click()
    const link = (await owner.locator('[data-invite-link="legalRep"]').textContent())!.trim()
    await owner.getByRole('button', { name: '下一步' }).click()
    await owner.locator('[data-screen="review"]').waitFor()

    // The representative, on their own phone: their part prefilled from the population registry,
    // their e-ID card instead of the registry confirmation, then confirms.
    const repPage = await phonePage(browser)
    const repErrors = pageErrors(repPage)
    await signIn(repPage, rep.phone, new URL(link).pathname)
    await repPage.locator('[data-screen="join"]').waitFor()
    await repPage.getByRole('button', { name: '接受邀请' }).click()
    await repPage.locator('[data-screen="review"]').waitFor()
    expect(await repPage.getByLabel('法定代表人姓名', { exact: true }).inputValue()).toBe(rep.name)
    await repPage.getByRole('heading', { name: '我需提供的材料' }).waitFor()
    await repPage.getByRole('button', { name: /^使用居民身份证/ }).first().click()
    await expect.poll(() => repPage.locator('[data-material][data-status="license"]').count()).toBe(2)
    expect(await repPage.locator('[data-material]').count()).toBe(2)
    await repPage.getByRole('button', { name: '确认我的信息' }).click()
    await repPage.getByText('您已确认').waitFor()

    await owner.locator('[data-party="legalRep"][data-status="confirmed"]').waitFor({ timeout: 15_000 })
    await owner.getByRole('button', { name: '提交申请' }).click()
    await owner.locator('[data-screen="submitted"]').waitFor()
    const counts = JSON.parse((await owner.locator('[data-screen="submitted"] [data-counts]').getAttribute('data-counts'))!) as { prefilled: number; typed: number; materialsFromLicenses: number }
    expect(counts).toMatchObject({ prefilled: 3, typed: 9, materialsFromLicenses: 2 })
    const companyP = { accountId: company.id, sessionId: 'e2e', kind: 'legal' as const, name: company.name, grants: [{ role: 'enterprise_agent' as const, divisionCode: '140902', departmentId: null }] }
    const apps = await server.app.services.onething.listApplications(companyP, {})
    expect(apps.items).toHaveLength(1)
    expect(new Set(apps.items[0]!.children.map((c) => c.departmentName)).size).toBe(4)
    console.log(`[onething] 企业开办一件事: typed_fields=${counts.typed} prefilled_fields=${counts.prefilled} materials_from_licenses=${counts.materialsFromLicenses} departments=4`)
    expect(errors).toEqual([])
    expect(repErrors).toEqual([])
    await owner.context().close()
    await repPage.context().close()
  })

  async function principal(phone: string) {
    const a = (await server.app.services.identity.listAccounts('system', { kind: 'person', q: phone, pageSize: 1 })).items[0]
    return a ? { accountId: a.id, sessionId: 'e2e', kind: 'person' as const, name: a.name, grants: [{ role: 'citizen' as const, divisionCode: a.divisionCode, departmentId: null }] } : null
  }
})
