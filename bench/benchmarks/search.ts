import ExcelJS from 'exceljs'
import { performance } from 'node:perf_hooks'
import type { Session } from '../lib/http.js'
import { round } from '../lib/load.js'
import { defineBenchmark } from '../lib/types.js'
import { childDivisions, createPublishedItem, departmentsByName, signIn, simpleForm } from '../lib/yiwang.js'

/**
 * Catalog search on a city-sized catalog: 10,000 generated service items are imported as Excel
 * workbooks through the catalog's own import route, then a mix of what citizens type (colloquial
 * words, pinyin initials, partial names, code prefixes) is searched through GET /api/catalog/items.
 * Latency is reported at half of the measured peak rate (the operating point), and at peak.
 */

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

type ItemType = 'licensing' | 'confirmation' | 'payment' | 'public_service'
interface Family {
  type: ItemType
  department: string
  subjects: string[]
  actions: string[]
}

// Item names as real catalogs word them: subject + action (+ sub-item), by type and department.
const families: Family[] = [
  {
    type: 'licensing',
    department: '忻州市市场监督管理局',
    subjects: ['食品经营许可证', '食品生产许可证', '药品零售许可证', '烟草专卖零售许可证', '特种设备使用登记证', '出版物经营许可证', '娱乐场所经营许可证', '旅行社业务经营许可证'],
    actions: ['核发', '变更', '延续', '注销', '补办', '新办'],
  },
  {
    type: 'licensing',
    department: '忻州市住房和城乡建设局',
    subjects: ['建筑工程施工许可证', '建设工程规划许可证', '燃气经营许可证', '城市道路占用挖掘许可', '户外广告设置许可', '建筑业企业资质', '商品房预售许可证'],
    actions: ['核发', '变更', '延续', '注销', '补办'],
  },
  {
    type: 'licensing',
    department: '忻州市卫生健康委员会',
    subjects: ['医疗机构执业许可证', '公共场所卫生许可证', '放射诊疗许可证', '母婴保健技术服务执业许可证', '医师执业注册'],
    actions: ['核发', '变更', '校验', '注销', '补办'],
  },
  {
    type: 'confirmation',
    department: '忻州市公安局',
    subjects: ['出生登记', '户口迁移', '居民身份证', '居住证', '户口簿', '机动车驾驶证', '机动车登记', '出入境证件'],
    actions: ['申请', '变更', '补领', '换领', '注销', '更正', '办理'],
  },
  {
    type: 'confirmation',
    department: '忻州市民政局',
    subjects: ['结婚登记', '离婚登记', '收养登记', '社会团体登记', '民办非企业单位登记', '残疾人证'],
    actions: ['申请', '变更', '补领', '撤销', '办理'],
  },
  {
    type: 'payment',
    department: '忻州市人力资源和社会保障局',
    subjects: ['城乡居民养老保险待遇', '失业保险金', '生育津贴', '丧葬补助金', '职业培训补贴', '创业担保贷款贴息', '工伤保险待遇', '企业职工基本养老金'],
    actions: ['申领', '发放', '变更', '停发', '恢复发放', '一次性领取'],
  },
  {
    type: 'payment',
    department: '忻州市医疗保障局',
    subjects: ['医疗费用报销', '门诊慢特病待遇', '生育医疗费用', '异地就医费用', '大病保险待遇'],
    actions: ['申领', '结算', '备案', '变更', '报销'],
  },
  {
    type: 'public_service',
    department: '忻州市人力资源和社会保障局',
    subjects: ['社会保障卡', '社保关系转移接续', '个人权益记录', '参保证明', '就业登记', '失业登记', '职称评审', '人事档案'],
    actions: ['申领', '补办', '查询', '开具', '打印', '办理', '变更'],
  },
  {
    type: 'public_service',
    department: '忻州市医疗保障局',
    subjects: ['医保关系转移接续', '新生儿医保参保', '城乡居民医保参保', '医保电子凭证', '医保个人账户'],
    actions: ['办理', '查询', '变更', '申领', '注销'],
  },
  {
    type: 'public_service',
    department: '忻州市公安局',
    subjects: ['户籍证明', '无犯罪记录证明', '居民身份证信息', '交通违法记录'],
    actions: ['开具', '查询', '打印', '办理'],
  },
]
const subItems = ['', '（个人）', '（单位）', '（网上办理）', '（容缺受理）']

/** Colloquial names for some subjects, as editors put them in keywords. */
const colloquial: Record<string, string[]> = {
  社会保障卡: ['社保卡'],
  居民身份证: ['身份证'],
  户口迁移: ['迁户口', '落户'],
  出生登记: ['报户口', '新生儿上户口'],
  机动车驾驶证: ['驾照'],
  城乡居民养老保险待遇: ['领养老金'],
  企业职工基本养老金: ['退休金'],
  医疗费用报销: ['医保报销'],
  食品经营许可证: ['开饭店', '开超市'],
}

/** What citizens type, with a name for the per-query table. */
const queries: { label: string; q: string; extra?: string }[] = [
  { label: '生孩子', q: '生孩子' },
  { label: '开公司', q: '开公司' },
  { label: '社保', q: '社保' },
  { label: '户口', q: '户口' },
  { label: '身份证丢了', q: '身份证丢了' },
  { label: '营业执照', q: '营业执照' },
  { label: '食品经营许可', q: '食品经营许可' },
  { label: '失业保险金申领', q: '失业保险金申领' },
  { label: '医保报销', q: '医保报销' },
  { label: '养老', q: '养老' },
  { label: 'csdj (出生登记)', q: 'csdj' },
  { label: 'yyzz (营业执照)', q: 'yyzz' },
  { label: 'shbzk (社会保障卡)', q: 'shbzk' },
  { label: 'hkqy (户口迁移)', q: 'hkqy' },
  { label: 'jsz (驾驶证)', q: 'jsz' },
  { label: '许可证核发', q: '许可证核发' },
  { label: '结婚', q: '结婚' },
  { label: '证明', q: '证明' },
  { label: '社保 in 140902', q: '社保', extra: '&divisionCode=140902' },
  { label: '许可证 page 2', q: '许可证', extra: '&page=2' },
  { label: 'XK5 (code prefix)', q: 'XK5' },
]

/** A small deterministic generator, so every run builds the same catalog. */
function rng(seed: number) {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

interface Generated {
  type: ItemType
  name: string
  department: string
  divisionCode: string
  keywords: string[]
}

function generate(count: number, divisions: string[]): Generated[] {
  const all: Generated[] = []
  for (const f of families)
    for (const s of f.subjects)
      for (const a of f.actions)
        for (const sub of subItems)
          for (const d of divisions) all.push({ type: f.type, name: `${s}${a}${sub}`, department: f.department, divisionCode: d, keywords: colloquial[s] ?? [] })
  const r = rng(20260101)
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1))
    ;[all[i], all[j]] = [all[j], all[i]]
  }
  if (all.length < count) throw new Error(`only ${all.length} distinct items can be generated, ${count} asked`)
  return all.slice(0, count)
}

const prefixOf: Record<ItemType, string> = { licensing: 'XK', confirmation: 'QR', payment: 'JF', public_service: 'GG' }

/** Values only a template row holds, so its columns can be found in the exported workbook by value. */
function templateGuide(type: ItemType, departmentId: string) {
  return {
    name: `BENCH模板${type}`,
    type,
    departmentId,
    divisionCode: '140902',
    applicableTo: 'both',
    summary: `BENCH摘要${type}`,
    legalBasis: '《中华人民共和国行政许可法》第二十九条',
    conditions: '申请人符合法定条件，材料齐全、符合法定形式。',
    materials: [
      { name: '申请书', requirement: 'required', form: 'original', copies: 1, source: '申请人自备' },
      { name: '居民身份证', requirement: 'required', form: 'copy', licenseType: 'resident_id_card' },
      { name: '委托书', requirement: 'conditional', condition: '委托他人代办的', form: 'original' },
    ],
    form: simpleForm,
    fees: [],
    legalDays: 20,
    promisedDays: 5,
    handlingClass: 'time_limited',
    mode: 'one_visit',
    visits: 1,
    reviewSteps: [
      { name: '审查', role: 'reviewer' },
      { name: '决定', role: 'department_head' },
    ],
    address: '山西省忻州市忻府区七一北路市民之家',
    hours: '工作日 9:00-12:00，14:30-17:30',
    phone: '0350-12345',
    faq: [{ question: '可以网上办理吗？', answer: '可以，在一网通办平台提交申请。' }],
    themes: [],
    keywords: [`BENCHKW${type}A`, `BENCHKW${type}B`],
  }
}

type CellValues = ExcelJS.CellValue[]

interface Template {
  code: string
  itemRow: CellValues
  children: Map<string, CellValues[]>
}

/** Reads the exported workbook: where the columns are, and each template's rows. */
function readTemplates(wb: ExcelJS.Workbook, codes: Map<ItemType, string>) {
  const codeSet = new Set(codes.values())
  const sheets = wb.worksheets.map((ws) => {
    const rows: CellValues[] = []
    ws.eachRow({ includeEmpty: false }, (row) => rows.push((row.values as CellValues).slice()))
    return { name: ws.name, header: rows[0], rows: rows.slice(1) }
  })
  // The items sheet holds each template code exactly once, in a row with the template's name.
  const items = sheets.find((s) => s.rows.some((r) => r.some((c) => typeof c === 'string' && c.startsWith('BENCH模板'))))
  if (!items) throw new Error('the exported workbook has no sheet with the template items')
  const col = (row: CellValues, value: string) => {
    const i = row.findIndex((c) => c === value)
    if (i < 0) throw new Error(`column holding "${value}" not found in the exported items sheet`)
    return i
  }
  const first = [...codes.entries()][0]
  const firstRow = items.rows.find((r) => r.includes(first[1]))!
  const columns = {
    code: col(firstRow, first[1]),
    name: col(firstRow, `BENCH模板${first[0]}`),
    summary: col(firstRow, `BENCH摘要${first[0]}`),
    division: col(firstRow, '140902'),
    keywords: col(firstRow, `BENCHKW${first[0]}A、BENCHKW${first[0]}B`),
    department: -1,
  }
  const templates = new Map<ItemType, Template>()
  for (const [type, code] of codes) {
    const itemRow = items.rows.find((r) => r[columns.code] === code)
    if (!itemRow) throw new Error(`template ${code} missing from the export`)
    const children = new Map<string, CellValues[]>()
    for (const s of sheets) {
      if (s === items) continue
      children.set(s.name, s.rows.filter((r) => r.includes(code)))
    }
    templates.set(type, { code, itemRow, children })
  }
  // Child sheets: the column that holds the item code.
  const childKey = new Map<string, number>()
  for (const s of sheets) {
    if (s === items) continue
    const withCode = s.rows.find((r) => r.some((c) => typeof c === 'string' && codeSet.has(c)))
    childKey.set(s.name, withCode ? withCode.findIndex((c) => typeof c === 'string' && codeSet.has(c)) : 1)
  }
  return { sheets, items, columns, templates, childKey }
}

async function buildWorkbook(
  layout: ReturnType<typeof readTemplates>,
  entries: (Generated & { code: string })[],
): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  const out = new Map<string, ExcelJS.Worksheet>()
  for (const s of layout.sheets) {
    const ws = wb.addWorksheet(s.name)
    ws.addRow(s.header.slice(1))
    out.set(s.name, ws)
  }
  const { columns } = layout
  for (const e of entries) {
    const t = layout.templates.get(e.type)!
    const row = t.itemRow.slice()
    row[columns.code] = e.code
    row[columns.name] = e.name
    row[columns.summary] = `${e.name}的办事指南。`
    row[columns.division] = e.divisionCode
    row[columns.keywords] = e.keywords.length ? e.keywords.join('、') : null
    if (columns.department >= 0) row[columns.department] = e.department
    out.get(layout.items.name)!.addRow(row.slice(1))
    for (const [sheet, rows] of t.children) {
      const k = layout.childKey.get(sheet)!
      for (const r of rows) {
        const copy = r.slice()
        copy[k] = e.code
        out.get(sheet)!.addRow(copy.slice(1))
      }
    }
  }
  return Buffer.from(await wb.xlsx.writeBuffer())
}

export default defineBenchmark({
  name: 'search',
  description: 'catalog search over 10,000 imported items: p50/p95 at half of peak and at peak (target p95 < 20 ms)',
  async run(ctx) {
    const itemCount = ctx.num('items', 10_000)
    const batchSize = ctx.num('batch', 2_000)
    const duration = ctx.num('duration', 15)
    const concurrency = ctx.num('concurrency', 8)

    const server = await ctx.startServer({ demo: true })
    const client = ctx.client(server, concurrency + 4)
    const admin = await signIn(client, 'admin')

    // ---- catalog of itemCount items --------------------------------------------------------
    const departments = await departmentsByName(admin, '140900')
    const divisions = ['140900', ...(await childDivisions(admin, '140900')).map((d) => d.code).filter((c) => /^\d{6}$/.test(c))]
    const templateDept = departments.get('忻州市行政审批服务管理局')
    if (!templateDept) throw new Error('demo department 忻州市行政审批服务管理局 missing: is DEMO seeding the org module?')
    for (const f of families) if (!departments.has(f.department)) throw new Error(`demo department ${f.department} missing`)
    const before = (await admin.ok<{ total: number }>('GET', '/api/catalog/items?pageSize=1')).total

    const types: ItemType[] = ['licensing', 'confirmation', 'payment', 'public_service']
    const codes = new Map<ItemType, string>()
    for (const type of types) codes.set(type, (await createPublishedItem(admin, templateGuide(type, templateDept.id))).code)
    const exported = await admin.call('GET', '/api/catalog/export.xlsx')
    if (exported.status !== 200) throw new Error(`export answered ${exported.status}: ${exported.text().slice(0, 300)}`)
    const template = new ExcelJS.Workbook()
    await template.xlsx.load(exported.body as unknown as ExcelJS.Buffer)
    const layout = readTemplates(template, codes)
    // The department column holds the template department's name.
    layout.columns.department = layout.templates.get('licensing')!.itemRow.findIndex((c) => c === templateDept.name)

    const generated = generate(itemCount, divisions)
    const counters: Record<string, number> = {}
    const entries = generated.map((g) => {
      const p = prefixOf[g.type]
      counters[p] = (counters[p] ?? 0) + 1
      return { ...g, code: `${p}${50_000 + counters[p]}000` }
    })
    ctx.log(`  importing ${itemCount} items in workbooks of ${batchSize} (catalog had ${before} published items) …`)
    const importStart = performance.now()
    let imported = 0
    let bytes = 0
    for (let i = 0; i < entries.length; i += batchSize) {
      const batch = entries.slice(i, i + batchSize)
      const buffer = await buildWorkbook(layout, batch)
      bytes += buffer.length
      const t = performance.now()
      const r = await admin.call('POST', '/api/catalog/import', { body: buffer, headers: { 'content-type': XLSX } })
      if (r.status !== 200) throw new Error(`import answered ${r.status}: ${r.text().slice(0, 1500)}`)
      const res = r.json<{ created: number; updated: number }>()
      imported += res.created + res.updated
      ctx.log(`  [import] ${imported}/${itemCount} items (${(buffer.length / 1024).toFixed(0)} KiB workbook, ${((performance.now() - t) / 1000).toFixed(1)}s)`)
    }
    const importS = (performance.now() - importStart) / 1000
    const total = (await admin.ok<{ total: number }>('GET', '/api/catalog/items?pageSize=1')).total
    ctx.log(`  catalog now holds ${total} published items; import took ${importS.toFixed(1)}s (${(imported / importS).toFixed(0)} items/s)`)

    // ---- load ----------------------------------------------------------------------------------
    const anon = client
    const paths = queries.map((q) => ({ ...q, path: `/api/catalog/items?q=${encodeURIComponent(q.q)}${q.extra ?? ''}` }))
    const hits: Record<string, number> = {}
    for (const p of paths) {
      const r = await anon.request('GET', p.path)
      if (r.status !== 200) throw new Error(`search "${p.q}" answered ${r.status}: ${r.text().slice(0, 300)}`)
      hits[p.label] = r.json<{ total: number }>().total
    }
    const searchIteration = async (c: { index: number; time: (s: string, f: () => Promise<any>) => Promise<any> }) => {
      const p = paths[c.index % paths.length]
      await c.time(p.label, () => anon.request('GET', p.path))
    }

    ctx.log('  warm-up …')
    await ctx.runPhase({ label: 'warm-up', concurrency, durationS: 5, progressEveryS: 0, iteration: searchIteration })
    const floor = await ctx.runPhase({
      label: 'floor /healthz',
      concurrency,
      durationS: 5,
      progressEveryS: 0,
      iteration: (c) => c.time('healthz', () => anon.request('GET', '/healthz')).then(() => undefined),
    })
    ctx.log(`  peak: ${concurrency} clients back to back for ${duration}s`)
    const peak = await ctx.runPhase({ label: 'peak', serverPid: server.pid, concurrency, durationS: duration, maxIterations: 1_000_000, iteration: searchIteration })
    const halfRate = Math.max(1, peak.iterations_per_s / 2)
    ctx.log(`  half load: ${halfRate.toFixed(0)} searches/s for ${duration}s`)
    const half = await ctx.runPhase({ label: 'half', serverPid: server.pid, concurrency, durationS: duration, ratePerS: halfRate, maxIterations: 1_000_000, iteration: searchIteration })

    ctx.log('')
    ctx.table(
      ['phase', 'clients', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'errors', 'CPU % server', 'CPU % rest (PostgreSQL…)', 'CPU % runner'],
      [floor, peak, half].map((p) => [
        p.label, p.concurrency, p.requests_per_s, p.latency.p50_ms, p.latency.p95_ms, p.latency.p99_ms, p.latency.max_ms, p.request_errors,
        p.cpu?.server_pct, p.cpu?.rest_pct, p.cpu?.runner_pct,
      ]),
    )
    ctx.log('')
    ctx.table(
      ['query (half load)', 'hits', 'p50 ms', 'p95 ms', 'p99 ms', 'peak p95 ms'],
      paths.map((p) => [p.label, hits[p.label], half.steps[p.label]?.p50_ms, half.steps[p.label]?.p95_ms, half.steps[p.label]?.p99_ms, peak.steps[p.label]?.p95_ms]),
    )
    const p95 = half.latency.p95_ms
    ctx.log(`\n  search p95 at half of peak: ${p95} ms (target < 20 ms: ${p95 < 20 ? 'met' : 'NOT met'}); peak ${peak.requests_per_s} searches/s`)

    return {
      items: total,
      p50_ms: half.latency.p50_ms,
      p95_ms: p95,
      p99_ms: half.latency.p99_ms,
      rps: peak.requests_per_s,
      peak_p50_ms: peak.latency.p50_ms,
      peak_p95_ms: peak.latency.p95_ms,
      target_p95_ms: 20,
      target_met: p95 < 20,
      concurrency,
      import: { items: imported, seconds: round(importS), items_per_s: round(imported / importS), workbook_bytes: bytes },
      floor_healthz: { rps: floor.requests_per_s, p50_ms: floor.latency.p50_ms, p95_ms: floor.latency.p95_ms },
      queries: Object.fromEntries(paths.map((p) => [p.label, { q: p.q, hits: hits[p.label], half: half.steps[p.label], peak: peak.steps[p.label] }])),
      phases: { floor, peak, half },
      server_rss_mib: server.rssMiB(),
    }
  },
})
