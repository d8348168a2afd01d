import ExcelJS from 'exceljs'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { demoItems, seedCatalogDemo } from '../../demo/catalog.js'
import { demoDepartments } from '../../demo/org.js'
import { systemActor } from '../../platform/audit.js'
import { AppError, OutOfScopeError } from '../../platform/errors.js'
import { createTestApp, type TestApp } from '../../test/harness.js'
import { ImportRejectedError, InvalidGuideError } from './errors.js'
import type { CatalogService, NewServiceItem } from './service.js'

let t: TestApp
let catalog: CatalogService
let firstSeed: Awaited<ReturnType<CatalogService['importGuides']>> | undefined
const departments = new Map<string, string>()

beforeAll(async () => {
  t = await createTestApp()
  catalog = t.services.catalog
  // The org demo's departments on 忻州's part of the tree (the national tree is slow to load).
  await t.services.org.importDivisions({ within: '140900' })
  for (const d of demoDepartments.filter((x) => x.divisionCode.length <= 9)) {
    const dept = await t.services.org.createDepartment(systemActor, { name: d.name, divisionCode: d.divisionCode, kind: d.kind })
    departments.set(d.name, dept.id)
  }
  const original = catalog.importGuides.bind(catalog)
  catalog.importGuides = async (...args) => (firstSeed ??= await original(...args))
  await seedCatalogDemo(t.core, t.services)
  catalog.importGuides = original
}, 120_000)
afterAll(async () => {
  await t?.close()
})

async function failure(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(AppError)
  return err as AppError
}

const names = async (q: string, extra: Parameters<CatalogService['search']>[0] = {}) => (await catalog.search({ q, pageSize: 10, ...extra })).items.map((i) => i.name)

/** A small valid guide for the 审批局, varied by the caller. */
function guide(changes: Partial<NewServiceItem> = {}): NewServiceItem {
  return {
    name: '测试事项许可',
    type: 'licensing',
    departmentId: departments.get('忻州市行政审批服务管理局')!,
    applicableTo: 'legal',
    legalBasis: '《中华人民共和国行政许可法》第二十九条',
    conditions: '符合法定条件的申请人。',
    materials: [{ name: '申请书', requirement: 'required', form: 'original' }],
    legalDays: 20,
    promisedDays: 5,
    handlingClass: 'time_limited',
    mode: 'one_visit',
    visits: 1,
    reviewSteps: [{ name: '审查', role: 'reviewer' }],
    ...changes,
  }
}

describe('demo catalog', () => {
  it('publishes 60+ items with complete guides across the demo departments', async () => {
    expect(demoItems.length).toBeGreaterThanOrEqual(60)
    expect(firstSeed).toMatchObject({ created: demoItems.length, updated: 0, unchanged: 0 })
    const all = await catalog.search({ pageSize: 100 })
    expect(all.total).toBe(demoItems.length)
    const departmentsUsed = new Set(all.items.map((i) => i.departmentName))
    for (const d of ['忻州市公安局', '忻州市人力资源和社会保障局', '忻州市医疗保障局', '忻州市市场监督管理局', '忻州市卫生健康委员会', '忻州市住房和城乡建设局', '忻州市民政局', '忻州市行政审批服务管理局', '忻府区行政审批服务管理局']) {
      expect(departmentsUsed.has(d), d).toBe(true)
    }
    for (const entry of await catalog.exportEntries()) {
      const g = entry.guide
      expect(g.legalBasis, entry.code).toMatch(/《.+》/)
      expect(g.conditions.length, entry.code).toBeGreaterThan(5)
      expect(g.reviewSteps.length, entry.code).toBeGreaterThan(0)
      expect(g.address && g.hours && g.phone, entry.code).toBeTruthy()
      if (g.legalDays !== null) expect(g.promisedDays, entry.code).toBeLessThanOrEqual(g.legalDays)
    }
  })

  it('gives high-frequency items application forms, one of them with at most five fields', async () => {
    const birth = await catalog.getPublishedVersion('QR00101000')
    expect(birth?.guide.name).toBe('出生登记')
    expect(birth?.guide.form?.layout.map((l) => l.widget)).toEqual(expect.arrayContaining(['string', 'select', 'date', 'idNumber', 'phone', 'textarea']))
    const company = await catalog.getPublishedVersion('XK00501000')
    expect(company?.guide.form?.schema.required).toEqual(expect.arrayContaining(['companyName', 'legalRepIdNumber']))
    const simple = await catalog.getPublishedVersion('QT00108000')
    expect(Object.keys(simple!.guide.form!.schema.properties).length).toBeLessThanOrEqual(5)
  })

  it('adds nothing when seeded again', async () => {
    const before = await sql<{ n: number }>`select count(*)::int as n from catalog.item_version`.execute(t.core.db)
    expect(await seedCatalogDemo(t.core, t.services)).toEqual([])
    const after = await sql<{ n: number }>`select count(*)::int as n from catalog.item_version`.execute(t.core.db)
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n)
  })
})

describe('search', () => {
  it('finds 出生医学证明 and 出生登记 for 生孩子', async () => {
    const top = await names('生孩子')
    expect(top.slice(0, 5)).toEqual(expect.arrayContaining(['出生登记', '出生医学证明首次签发']))
  })

  it('finds 企业设立登记 first for 开公司, with the words that matched', async () => {
    const res = await catalog.search({ q: '开公司' })
    expect(res.items[0]).toMatchObject({ code: 'XK00501000', name: '企业设立登记（有限责任公司）' })
    expect(res.items[0]!.matchedTerms).toEqual(expect.arrayContaining(['企业设立', '设立登记']))
    expect(res.items[0]!.highlights[0]).toEqual({ start: 0, end: 6 })
  })

  it('understands colloquial phrases and filler words', async () => {
    expect((await names('上户口'))[0]).toBe('出生登记')
    expect((await names('身份证丢了怎么办'))[0]).toBe('居民身份证补领')
    expect((await names('我要开个饭店'))[0]).toBe('食品经营许可')
    expect((await names('取公积金'))[0]).toMatch(/^住房公积金提取/)
    expect(await names('异地看病')).toContain('异地就医备案')
  })

  it('finds items by pinyin initials and full pinyin', async () => {
    const res = await catalog.search({ q: 'csdj' })
    expect(res.items[0]).toMatchObject({ name: '出生登记', matchedTerms: ['csdj'], highlights: [{ start: 0, end: 4 }] })
    expect((await names('chushengdengji'))[0]).toBe('出生登记')
    expect(await names('gjj')).toEqual(expect.arrayContaining([expect.stringMatching(/公积金/)]))
  })

  it('finds an item by its code or code prefix', async () => {
    expect((await names('QR00101000'))[0]).toBe('出生登记')
    const prefix = await catalog.search({ q: 'xk005', pageSize: 50 })
    expect(prefix.items.every((i) => i.code.startsWith('XK005'))).toBe(true)
    expect(prefix.total).toBe(demoItems.filter((d) => d.code.startsWith('XK005')).length)
  })

  it('ranks an exact name above partial matches, and the more used of equals first', async () => {
    expect((await names('出生登记'))[0]).toBe('出生登记')
    const before = (await catalog.search({ q: '不动产' })).items
    const last = before.at(-1)!
    const rest = before.slice(0, -1)
    expect(rest.every((i) => Math.abs(i.score - last.score) < 0.5)).toBe(true)
    for (let i = 0; i < 20; i++) await catalog.recordApplication(last.id)
    const after = (await catalog.search({ q: '不动产' })).items
    expect(after[0]!.id).toBe(last.id)
    expect(after[0]!.applications).toBe(20)
    // Popularity only breaks ties: a weak match stays below a strong one however popular.
    const weak = (await catalog.search({ q: '出生' })).items.find((i) => i.name === '生育登记')!
    for (let i = 0; i < 50; i++) await catalog.recordApplication(weak.id)
    expect((await names('出生')).slice(0, 3)).not.toContain('生育登记')
  })

  it('filters by theme, department, type, audience and division, and pages', async () => {
    const birth = await catalog.search({ theme: 'birth', pageSize: 50 })
    expect(birth.items.map((i) => i.name)).toEqual(expect.arrayContaining(['出生登记', '出生医学证明首次签发', '新生儿参加城乡居民医疗保险']))
    expect(birth.items.every((i) => i.themes.includes('birth'))).toBe(true)
    const police = departments.get('忻州市公安局')!
    const byDepartment = await catalog.search({ departmentId: police, pageSize: 5, page: 2 })
    expect(byDepartment.items.every((i) => i.departmentId === police)).toBe(true)
    expect(byDepartment).toMatchObject({ page: 2, pageSize: 5, total: demoItems.filter((d) => d.department === '忻州市公安局').length })
    const licences = await catalog.search({ q: '登记', type: 'licensing', applicableTo: 'legal', pageSize: 50 })
    expect(licences.items.every((i) => i.type === 'licensing' && i.applicableTo !== 'person')).toBe(true)
    // 忻府区 sees city-wide items and its own; 原平市 does not see 忻府区's.
    const xinfu = await catalog.search({ q: '个体工商户', divisionCode: '140902' })
    expect(xinfu.items.map((i) => i.code)).toContain('XK00601000')
    const yuanping = await catalog.search({ q: '个体工商户', divisionCode: '140981' })
    expect(yuanping.items.map((i) => i.code)).not.toContain('XK00601000')
    expect((await catalog.search({ q: '出生登记', divisionCode: '140981' })).items[0]?.code).toBe('QR00101000')
    const beyond = await catalog.search({ q: '登记', page: 999 })
    expect(beyond.items).toEqual([])
    expect(beyond.total).toBeGreaterThan(0)
  })

  it('pages through the same ranking it gives in one page (similarity is computed only where it can change a page)', async () => {
    for (const q of ['登记', '证明', '许可', 'csdj', 'xk0', '出身登记', 'a-b]\\^']) {
      const all = await catalog.search({ q, pageSize: 30 })
      const paged = []
      for (let page = 1; page <= 6; page++) paged.push(...(await catalog.search({ q, pageSize: 5, page })).items)
      expect(paged.map((i) => [i.id, i.score]), q).toEqual(all.items.map((i) => [i.id, i.score]))
      expect(all.items.every((x, i) => i === 0 || all.items[i - 1]!.score > x.score || (all.items[i - 1]!.score === x.score && all.items[i - 1]!.code < x.code)), q).toBe(true)
    }
    // A typo (出身 for 出生) still finds the item.
    expect((await catalog.search({ q: '出身登记' })).items.map((i) => i.name)).toContain('出生登记')
  })

  it('uses synonyms as they are now, also when another process changed them', async () => {
    expect(await names('搞营生')).not.toContain('企业设立登记（有限责任公司）')
    await catalog.setSynonym(systemActor, '搞营生', ['企业设立登记'])
    expect((await names('搞营生'))[0]).toBe('企业设立登记（有限责任公司）')
    // Behind this service's back (another server process): the next search notices.
    await sql`update catalog.synonym set expansions = array['个体工商户'] where term = '搞营生'`.execute(t.core.db)
    expect((await names('搞营生'))[0]).toBe('个体工商户设立登记')
    await sql`delete from catalog.synonym where term = '搞营生'`.execute(t.core.db)
    expect(await names('搞营生')).toEqual([])
    expect(await catalog.deleteSynonym(systemActor, '搞营生')).toBe(false)
  })

  it('finds nothing for nonsense, and treats LIKE wildcards literally', async () => {
    expect((await catalog.search({ q: 'zzqqxx' })).total).toBe(0)
    expect((await catalog.search({ q: '%' })).total).toBe(0)
    expect((await catalog.search({ q: "'&|!" })).total).toBe(0)
  })

  it('counts themes and departments', async () => {
    const themes = await catalog.listThemes()
    expect(themes).toHaveLength(11)
    expect(themes.find((x) => x.code === 'birth')!.count).toBeGreaterThanOrEqual(5)
    expect(themes.find((x) => x.code === 'business_startup')).toMatchObject({ audience: 'legal' })
    const depts = await catalog.listDepartments({ divisionCode: '140902' })
    expect(depts.map((d) => d.departmentName)).toEqual(expect.arrayContaining(['忻府区行政审批服务管理局', '忻州市公安局']))
    expect(depts.reduce((s, d) => s + d.count, 0)).toBe((await catalog.search({ divisionCode: '140902' })).total)
  })
})

describe('versions', () => {
  it('drafts, publishes, supersedes atomically, and keeps every version readable', async () => {
    const draft = await catalog.createItem(systemActor, guide({ name: '版本测试许可' }))
    expect(draft).toMatchObject({ version: 1, status: 'draft', revision: 1, code: expect.stringMatching(/^XK\d{8}$/) })
    expect(await catalog.getPublishedVersion(draft.itemId)).toBeNull()
    expect((await catalog.search({ q: '版本测试许可' })).items.map((i) => i.id)).not.toContain(draft.itemId)

    const edited = await catalog.updateDraft(systemActor, draft.itemId, { revision: 1, promisedDays: 3 })
    expect(edited).toMatchObject({ revision: 2, guide: { promisedDays: 3 } })
    const v1 = await catalog.publish(systemActor, draft.itemId, { revision: 2 })
    expect(v1).toMatchObject({ id: draft.id, status: 'published', version: 1 })
    expect((await catalog.search({ q: '版本测试许可' })).items[0]?.versionId).toBe(v1.id)

    const v2draft = await catalog.startDraft(systemActor, draft.code)
    expect(v2draft).toMatchObject({ version: 2, status: 'draft', guide: { promisedDays: 3 } })
    await catalog.updateDraft(systemActor, draft.itemId, { revision: 1, name: '版本测试许可（第二版）', promisedDays: 2 })
    const v2 = await catalog.publish(systemActor, draft.itemId, { revision: 2 })
    expect(v2).toMatchObject({ version: 2, status: 'published' })

    const old = await catalog.getVersion(v1.id)
    expect(old).toMatchObject({ status: 'superseded', guide: { name: '版本测试许可', promisedDays: 3 } })
    expect(old?.supersededAt).toBeInstanceOf(Date)
    expect((await catalog.getPublishedVersion(draft.itemId))?.id).toBe(v2.id)
    expect((await catalog.listVersions(draft.itemId)).map((v) => [v.version, v.status])).toEqual([
      [2, 'published'],
      [1, 'superseded'],
    ])
    const hit = (await catalog.search({ q: '版本测试许可' })).items[0]
    expect(hit).toMatchObject({ name: '版本测试许可（第二版）', versionId: v2.id, promisedDays: 2 })

    const audit = await t.core.audit.list({ targetId: draft.itemId }, { limit: 20, offset: 0 })
    expect(audit.items.map((a) => a.action).sort()).toEqual(
      ['catalog.item.created', 'catalog.item.draft-updated', 'catalog.item.draft-updated', 'catalog.item.drafted', 'catalog.item.published', 'catalog.item.published'].sort(),
    )
    // Publishing is on the ledger (catalog actions are, design.md); drafting is audit only.
    const onLedger = await sql<{ action: string }>`select payload->>'action' as action from ledger.entry
      where payload->>'auditId' in (select id from platform.audit_log where target_id = ${draft.itemId})`.execute(t.core.db)
    expect(onLedger.rows.map((r) => r.action)).toEqual(['catalog.item.published', 'catalog.item.published'])
    const events = await sql<{ type: string }>`select type from platform.outbox where subject = ${draft.itemId} order by seq`.execute(t.core.db)
    expect(events.rows.map((e) => e.type)).toEqual(['catalog.item.drafted', 'catalog.item.published', 'catalog.item.drafted', 'catalog.item.superseded', 'catalog.item.published'])
  })

  it('never changes a published version: no draft to edit, and the database refuses', async () => {
    const v = await catalog.getPublishedVersion('QR00101000')
    expect((await failure(catalog.updateDraft(systemActor, v!.itemId, { revision: 1, promisedDays: 1 }))).type).toBe('catalog/no-draft')
    expect((await failure(catalog.publish(systemActor, v!.itemId, { revision: 1 }))).type).toBe('catalog/no-draft')
    await expect(sql`update catalog.item_version set guide = '{}'::jsonb where id = ${v!.id}`.execute(t.core.db)).rejects.toThrow(/cannot be changed/)
    await expect(sql`delete from catalog.item_version where id = ${v!.id}`.execute(t.core.db)).rejects.toThrow(/cannot be deleted/)
    expect((await catalog.getVersion(v!.id))?.guide.name).toBe('出生登记')
  })

  it('refuses a stale revision, a second draft, and an unknown item', async () => {
    const d = await catalog.createItem(systemActor, guide({ name: '并发测试许可' }))
    await catalog.updateDraft(systemActor, d.itemId, { revision: 1, conditions: '甲' })
    expect(await failure(catalog.updateDraft(systemActor, d.itemId, { revision: 1, conditions: '乙' }))).toMatchObject({ type: 'catalog/stale-revision', status: 409 })
    expect((await failure(catalog.publish(systemActor, d.itemId, { revision: 1 }))).type).toBe('catalog/stale-revision')
    await catalog.publish(systemActor, d.itemId, { revision: 2 })
    await catalog.startDraft(systemActor, d.itemId)
    expect(await failure(catalog.startDraft(systemActor, d.itemId))).toMatchObject({ type: 'catalog/draft-exists', status: 409 })
    expect(await failure(catalog.startDraft(systemActor, 'item_nope'))).toMatchObject({ type: 'catalog/item-not-found', status: 404 })
  })

  it('leaves an unchanged draft alone and discards drafts (a never-published item goes with its draft)', async () => {
    const d = await catalog.createItem(systemActor, guide({ name: '放弃测试许可', code: 'XK09999000' }))
    const same = await catalog.updateDraft(systemActor, d.itemId, { revision: 1, name: '放弃测试许可' })
    expect(same.revision).toBe(1)
    await catalog.discardDraft(systemActor, d.itemId, { revision: 1 })
    expect(await failure(catalog.getDraft(d.itemId))).toMatchObject({ type: 'catalog/item-not-found' })
    // The code is free again.
    const again = await catalog.createItem(systemActor, guide({ name: '放弃测试许可', code: 'XK09999000' }))
    expect(again.code).toBe('XK09999000')
    expect(await failure(catalog.createItem(systemActor, guide({ code: 'XK09999000' })))).toMatchObject({ type: 'catalog/code-taken', status: 409 })
  })

  it('checks every rule of a guide, with paths and catalog message keys', async () => {
    const rules = async (changes: Partial<NewServiceItem>) => {
      const err = await failure(catalog.createItem(systemActor, guide(changes)))
      expect(err).toBeInstanceOf(InvalidGuideError)
      return (err as InvalidGuideError).issues.map((i) => `${i.path.join('.')}:${i.key ?? i.code}`)
    }
    expect(await rules({ promisedDays: 30 })).toEqual(['promisedDays:catalog.validation.promised-exceeds-legal'])
    expect(await rules({ handlingClass: 'immediate' })).toEqual(['promisedDays:catalog.validation.same-day-zero-days'])
    expect(await rules({ handlingClass: 'time_limited', promisedDays: 0 })).toEqual(['promisedDays:catalog.validation.time-limited-days'])
    expect(await rules({ mode: 'fully_online', visits: 1 })).toEqual(['visits:catalog.validation.online-no-visit'])
    expect(await rules({ materials: [{ name: '委托书', requirement: 'conditional', form: 'original' }] })).toEqual(['materials.0.condition:catalog.validation.condition-required'])
    expect(await rules({ fees: [{ name: '工本费', amount: 10.005, basis: '某某文件' }] })).toEqual(['fees.0.amount:catalog.validation.fee-cents'])
    expect(await rules({ themes: ['birth'] })).toEqual(['themes.0:catalog.validation.theme-audience'])
    expect(await rules({ code: 'QR00001000' })).toEqual(['code:catalog.validation.code-prefix'])
    expect(await rules({ reviewSteps: [] })).toEqual(['reviewSteps:too_small'])
    expect(await failure(catalog.createItem(systemActor, guide({ departmentId: 'dept_nope' })))).toMatchObject({ type: 'catalog/unknown-department', status: 422 })
    expect(await failure(catalog.createItem(systemActor, guide({ divisionCode: '140000' })))).toMatchObject({ type: 'catalog/division-outside-department' })
    expect(await failure(catalog.createItem(systemActor, guide({ divisionCode: '149999' })))).toMatchObject({ type: 'catalog/unknown-division' })
  })

  it('numbers new items per type prefix and fills material codes', async () => {
    const a = await catalog.createItem(systemActor, guide({ name: '编号测试甲', type: 'reward', applicableTo: 'both' }))
    const b = await catalog.createItem(systemActor, guide({ name: '编号测试乙', type: 'reward', applicableTo: 'both' }))
    expect(a.code).toBe('JL00001000')
    expect(b.code).toBe('JL00002000')
    expect(a.guide.materials.map((m) => m.code)).toEqual(['m1'])
    expect(a.guide.divisionCode).toBe('140900')
  })

  it('asks the caller to authorize the old and the new scope when an item moves', async () => {
    const d = await catalog.createItem(systemActor, guide({ name: '搬迁测试许可' }))
    const seen: string[] = []
    const authorize = (scope: { departmentId: string; divisionCode: string }) => {
      seen.push(scope.divisionCode)
      if (scope.divisionCode === '140902') throw new OutOfScopeError()
    }
    const err = await failure(catalog.updateDraft(systemActor, d.itemId, { revision: 1, departmentId: departments.get('忻府区行政审批服务管理局')! }, { authorize }))
    expect(err.type).toBe('out-of-scope')
    expect(seen).toEqual(['140900', '140902'])
    expect((await catalog.getDraft(d.itemId))?.guide.departmentId).toBe(departments.get('忻州市行政审批服务管理局'))
  })

  it('shows a department by its current name after org renames it', async () => {
    const id = departments.get('忻州市医疗保障局')!
    const dept = await t.services.org.getDepartment(id)
    await t.services.org.updateDepartment(systemActor, id, { version: dept!.version, name: '忻州市医疗保障局（新）' })
    await t.core.outbox.drain()
    const hit = (await catalog.search({ q: '异地就医备案' })).items[0]
    expect(hit?.departmentName).toBe('忻州市医疗保障局（新）')
    const now = await t.services.org.getDepartment(id)
    await t.services.org.updateDepartment(systemActor, id, { version: now!.version, name: '忻州市医疗保障局' })
    await t.core.outbox.drain()
  })
})

describe('Excel import and export', () => {
  async function load(buffer: Buffer): Promise<ExcelJS.Workbook> {
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(buffer as unknown as ArrayBuffer)
    return wb
  }
  async function save(wb: ExcelJS.Workbook): Promise<Buffer> {
    return Buffer.from(await wb.xlsx.writeBuffer())
  }
  /** Every sheet's cell values: what "the same data" means for a workbook. */
  async function data(buffer: Buffer) {
    const wb = await load(buffer)
    return wb.worksheets.map((ws) => ({ name: ws.name, rows: ws.getSheetValues().map((r) => (Array.isArray(r) ? r.slice(1) : r)) }))
  }

  it('round-trips losslessly: export, import, export gives the same data and changes nothing', async () => {
    const first = await catalog.exportWorkbook()
    const versions = await sql<{ n: number }>`select count(*)::int as n from catalog.item_version`.execute(t.core.db)
    const result = await catalog.importWorkbook(systemActor, first)
    expect(result.created + result.updated).toBe(0)
    expect(result.unchanged).toBeGreaterThanOrEqual(demoItems.length)
    expect((await sql<{ n: number }>`select count(*)::int as n from catalog.item_version`.execute(t.core.db)).rows[0]!.n).toBe(versions.rows[0]!.n)
    const second = await catalog.exportWorkbook()
    expect(await data(second)).toEqual(await data(first))
    const wb = await load(first)
    expect(wb.worksheets.map((w) => w.name)).toEqual(['事项', '申请材料', '收费标准', '审查环节', '常见问题'])
  })

  it('carries every element of a guide through the workbook into a fresh database', async () => {
    const fresh = await createTestApp()
    try {
      await fresh.services.org.importDivisions({ within: '140900' })
      for (const d of demoDepartments.filter((x) => x.divisionCode.length <= 9)) {
        await fresh.services.org.createDepartment(systemActor, { name: d.name, divisionCode: d.divisionCode, kind: d.kind })
      }
      for (const name of ['忻州市自然资源局', '忻州市住房公积金管理中心', '忻州市残疾人联合会', '忻州市教育局']) {
        await fresh.services.org.createDepartment(systemActor, { name, divisionCode: '140900', kind: 'bureau' })
      }
      const exported = await catalog.exportWorkbook()
      const result = await fresh.services.catalog.importWorkbook(systemActor, exported)
      expect(result.created).toBe((await catalog.exportEntries()).length)
      const strip = (entries: Awaited<ReturnType<CatalogService['exportEntries']>>) => entries.map(({ code, departmentName, guide: { departmentId: _, ...g } }) => ({ code, departmentName, g }))
      expect(strip(await fresh.services.catalog.exportEntries())).toEqual(strip(await catalog.exportEntries()))
      expect(await data(await fresh.services.catalog.exportWorkbook())).toEqual(await data(exported))
    } finally {
      await fresh.close()
    }
  }, 60_000)

  it('publishes changed rows as new versions and new rows as new items', async () => {
    const wb = await load(await catalog.exportWorkbook())
    const items = wb.getWorksheet('事项')!
    const header = (items.getRow(1).values as string[]).indexOf('承诺办结时限（工作日）')
    const row = items.getColumn(1).values.findIndex((v) => v === 'JF00706000')
    items.getRow(row).getCell(header).value = 7
    const copy = items.getRow(row).values as ExcelJS.CellValue[]
    const added = items.addRow(copy.slice(1))
    added.getCell(1).value = 'JF00799000'
    added.getCell(2).value = '高龄津贴申领（导入测试）'
    wb.getWorksheet('审查环节')!.addRow(['JF00799000', 1, '审查', '审查人员'])
    const result = await catalog.importWorkbook(systemActor, await save(wb))
    expect(result).toEqual({ created: 1, updated: 1, unchanged: expect.any(Number) })
    expect((await catalog.getPublishedVersion('JF00706000'))).toMatchObject({ version: 2, guide: { promisedDays: 7 } })
    expect((await catalog.getPublishedVersion('JF00799000'))?.guide.reviewSteps).toEqual([{ name: '审查', role: 'reviewer' }])
    const audit = await t.core.audit.list({ action: 'catalog.import.completed' }, { limit: 5, offset: 0 })
    expect(audit.items[0]?.detail).toMatchObject({ created: 1, updated: 1 })
  })

  it('rejects a bad workbook whole, with sheet, row, column and message for each error', async () => {
    const before = await sql<{ n: number }>`select count(*)::int as n from catalog.item_version`.execute(t.core.db)
    const wb = await load(await catalog.exportWorkbook())
    const items = wb.getWorksheet('事项')!
    const headers = items.getRow(1).values as string[]
    const col = (label: string) => headers.indexOf(label)
    // Row 2 stays valid but changed: it must not be written either.
    items.getRow(2).getCell(col('办理时间')).value = '全天'
    items.getRow(3).getCell(col('承诺办结时限（工作日）')).value = 999
    items.getRow(4).getCell(col('事项类型')).value = '行政许诺'
    items.getRow(5).getCell(col('实施部门')).value = '不存在的局'
    items.getRow(6).getCell(col('申请表单（JSON）')).value = '{not json'
    wb.getWorksheet('申请材料')!.addRow(['ZZ00000000', 1, 'x', '某材料', '必要', null, '原件', 1])
    const err = await failure(catalog.importWorkbook(systemActor, await save(wb), { locale: 'zh-CN' }))
    expect(err).toBeInstanceOf(ImportRejectedError)
    const errors = (err as ImportRejectedError).errors
    const at = (row: number, sheet = '事项') => errors.find((e) => e.sheet === sheet && e.row === row)
    expect(at(3)).toMatchObject({ column: expect.stringMatching(/^[A-Z]+$/), field: 'promisedDays' })
    expect(at(4)).toMatchObject({ field: 'type', code: 'unknown-value', message: expect.stringContaining('行政许诺') })
    expect(at(5)).toMatchObject({ field: 'departmentId', code: 'unknown-department' })
    expect(at(6)).toMatchObject({ field: 'form', code: 'bad-json', message: '不是有效的 JSON' })
    expect(errors.find((e) => e.sheet === '申请材料')).toMatchObject({ row: expect.any(Number), field: 'code', code: 'unknown-item' })
    expect(at(2)).toBeUndefined()
    expect((await sql<{ n: number }>`select count(*)::int as n from catalog.item_version`.execute(t.core.db)).rows[0]!.n).toBe(before.rows[0]!.n)
    const en = await failure(catalog.importWorkbook(systemActor, await save(wb), { locale: 'en' }))
    expect((en as ImportRejectedError).errors.find((e) => e.field === 'form')?.message).toBe('Not valid JSON')
  })

  it('rejects rows outside the caller scope and items with a pending draft', async () => {
    const d = await catalog.startDraft(systemActor, 'GG01301000')
    const wb = await load(await catalog.exportWorkbook())
    const items = wb.getWorksheet('事项')!
    const headers = items.getRow(1).values as string[]
    const rowOf = (code: string) => items.getColumn(1).values.findIndex((v) => v === code)
    items.getRow(rowOf('GG01301000')).getCell(headers.indexOf('办理时间')).value = '全天'
    items.getRow(rowOf('XK00601000')).getCell(headers.indexOf('办理时间')).value = '全天'
    const onlyXinfu = {
      authorize: (scope: { divisionCode: string }) => {
        if (!scope.divisionCode.startsWith('140902')) throw new OutOfScopeError()
      },
    }
    const err = (await failure(catalog.importWorkbook(systemActor, await save(wb), onlyXinfu))) as ImportRejectedError
    // Only changed rows outside the scope are errors; unchanged ones (the rest of a whole-city export) pass.
    const changed = ['GG01301000', 'XK00601000']
    const outside = (await catalog.exportEntries()).filter((e) => !e.guide.divisionCode.startsWith('140902') && changed.includes(e.code))
    expect(outside.length).toBeGreaterThan(0)
    expect(err.errors.filter((e) => e.code === 'out-of-scope').map((e) => e.row)).toEqual(outside.map((e) => rowOf(e.code)).sort((a, b) => a - b))
    const noScope = (await failure(catalog.importWorkbook(systemActor, await save(wb)))) as ImportRejectedError
    expect(noScope.errors).toEqual([expect.objectContaining({ code: 'draft-pending', row: rowOf('GG01301000') })])
    await catalog.discardDraft(systemActor, 'GG01301000', { revision: d.revision })
  })

  it('says so when the bytes are not a workbook or the items sheet is missing', async () => {
    expect(await failure(catalog.importWorkbook(systemActor, Buffer.from('not a workbook')))).toMatchObject({ type: 'catalog/bad-workbook', status: 400 })
    const wb = new ExcelJS.Workbook()
    wb.addWorksheet('Sheet1')
    const err = (await failure(catalog.importWorkbook(systemActor, await save(wb)))) as ImportRejectedError
    expect(err.errors).toEqual([expect.objectContaining({ sheet: '事项', code: 'missing-sheet' })])
  })
})
