import fs from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { systemActor } from '../apps/server/src/platform/audit.js'
import { demoItems } from '../apps/server/src/demo/catalog.js'
import { DEMO_PASSWORD } from '../apps/server/src/demo/identity.js'
import { demoBundles, demoFamily, seedOnethingDemo } from '../apps/server/src/demo/onething.js'
import { launchBrowser, pageErrors, phonePage, skipWithoutChromium, startServer, type RunningServer } from './helpers.js'

/**
 * 出生一件事 on a 390×844 phone for the demo family: the mother goes from the bundle page to
 * "submitted", the father confirms his part from a second browser context. Counts the screens
 * and the fields typed, prints them and keeps them in bench/results/onething.json.
 */

const resultsFile = path.resolve(import.meta.dirname, '../bench/results/onething.json')

describe.skipIf(skipWithoutChromium)('出生一件事 on a phone', () => {
  let server: RunningServer
  let browser: Browser

  beforeAll(async () => {
    server = await startServer()
    const { org, catalog } = server.app.services
    // The birth bundle's items of the demo catalog, each under its demo department.
    const birth = new Set(demoBundles.find((b) => b.code === 'BIRTH')!.items.map((i) => i.code))
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

    // 4. Materials: nothing to upload; her e-ID card and household register stand in, with her consent.
    await screen(mother, 'materials')
    const useButtons = mother.getByRole('button', { name: /^使用/ })
    for (let left = await useButtons.count(); left > 0; ) {
      await useButtons.first().click()
      await expect.poll(() => useButtons.count()).toBeLessThan(left)
      left = await useButtons.count()
    }
    await expect.poll(() => mother.getByText('电子证照', { exact: true }).count()).toBeGreaterThan(0)
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

  async function principal(phone: string) {
    const a = (await server.app.services.identity.listAccounts('system', { kind: 'person', q: phone, pageSize: 1 })).items[0]
    return a ? { accountId: a.id, sessionId: 'e2e', kind: 'person' as const, name: a.name, grants: [{ role: 'citizen' as const, divisionCode: a.divisionCode, departmentId: null }] } : null
  }
})
