import ExcelJS from 'exceljs'
import { t } from '../../platform/i18n.js'
import {
  audiences,
  handlingClasses,
  itemTypes,
  materialForms,
  materialRequirements,
  serviceModes,
  stepRoles,
  themeCodes,
  type GuideInput,
  type ServiceItemGuide,
} from './model.js'

/**
 * The catalog as one workbook (clerks keep catalogs in spreadsheets): an items sheet, and one
 * sheet each for materials, fees, review steps and FAQ keyed by item code and sequence number;
 * the form definition is a JSON cell. Vocabularies are written as their zh-CN labels and read as
 * label or code, so export → import → export gives the same data.
 */

type Kind = 'text' | 'int' | 'number' | 'enum' | 'list' | 'enumList' | 'json'
interface Vocabulary {
  values: readonly string[]
  prefix: string
}
interface Column {
  key: string
  /** The guide field it carries (child sheets: the field of the list entry). */
  field: string
  kind: Kind
  vocabulary?: Vocabulary
  width: number
}
interface SheetSpec {
  key: SheetKey
  columns: Column[]
}
export type SheetKey = 'items' | 'materials' | 'fees' | 'steps' | 'faq'
type ChildList = 'materials' | 'fees' | 'reviewSteps' | 'faq'

const v = (values: readonly string[], prefix: string): Vocabulary => ({ values, prefix })
const col = (key: string, kind: Kind, width: number, extra: Partial<Column> = {}): Column => ({ key, field: key, kind, width, ...extra })

const itemColumns: Column[] = [
  col('code', 'text', 14),
  col('name', 'text', 28),
  col('type', 'enum', 14, { vocabulary: v(itemTypes, 'catalog.type.') }),
  col('department', 'text', 26, { field: 'departmentId' }),
  col('divisionCode', 'text', 14),
  col('applicableTo', 'enum', 14, { vocabulary: v(audiences, 'catalog.audience.') }),
  col('summary', 'text', 30),
  col('legalBasis', 'text', 40),
  col('conditions', 'text', 40),
  col('legalDays', 'int', 12),
  col('promisedDays', 'int', 12),
  col('handlingClass', 'enum', 12, { vocabulary: v(handlingClasses, 'catalog.handling.') }),
  col('mode', 'enum', 12, { vocabulary: v(serviceModes, 'catalog.mode.') }),
  col('visits', 'int', 10),
  col('producesLicenseType', 'text', 20),
  col('address', 'text', 30),
  col('hours', 'text', 30),
  col('phone', 'text', 16),
  col('themes', 'enumList', 16, { vocabulary: v(themeCodes, 'catalog.theme.') }),
  col('keywords', 'list', 24),
  col('form', 'json', 40),
]

const key = col('itemCode', 'text', 14)
const seq = col('seq', 'int', 6)
export const sheets: Record<SheetKey, SheetSpec> = {
  items: { key: 'items', columns: itemColumns },
  materials: {
    key: 'materials',
    columns: [
      key,
      seq,
      col('materialCode', 'text', 16, { field: 'code' }),
      col('materialName', 'text', 30, { field: 'name' }),
      col('requirement', 'enum', 10, { vocabulary: v(materialRequirements, 'catalog.requirement.') }),
      col('condition', 'text', 30),
      col('materialForm', 'enum', 10, { field: 'form', vocabulary: v(materialForms, 'catalog.material-form.') }),
      col('copies', 'int', 6),
      col('source', 'text', 20),
      col('licenseType', 'text', 20),
      col('note', 'text', 30),
    ],
  },
  fees: { key: 'fees', columns: [key, seq, col('feeName', 'text', 24, { field: 'name' }), col('amount', 'number', 10), col('basis', 'text', 40)] },
  steps: { key: 'steps', columns: [key, seq, col('stepName', 'text', 12, { field: 'name' }), col('role', 'enum', 14, { vocabulary: v(stepRoles, 'catalog.step-role.') })] },
  faq: { key: 'faq', columns: [key, seq, col('question', 'text', 40), col('answer', 'text', 60)] },
}
const childSheets: [SheetKey, ChildList][] = [
  ['materials', 'materials'],
  ['fees', 'fees'],
  ['steps', 'reviewSteps'],
  ['faq', 'faq'],
]
const sheetOfList: Record<ChildList, SheetKey> = { materials: 'materials', fees: 'fees', reviewSteps: 'steps', faq: 'faq' }

const MAX_ITEMS = 20_000
const MAX_CHILD_ROWS = 200_000
/** Separators of list cells; keywords may not contain them (see model.ts). */
const LIST_SEPARATOR = /[、；;,，\n]/

const zh = (k: string) => t('zh-CN', k)
const sheetName = (k: SheetKey) => zh(`catalog.excel.sheet.${k}`)
const header = (c: Column) => zh(`catalog.excel.column.${c.key}`)
const label = (voc: Vocabulary, value: string) => zh(`${voc.prefix}${value}`)

/** One item as exported: its code, its published guide, and its department's name (ids differ between databases). */
export interface ExportEntry {
  code: string
  departmentName: string
  guide: ServiceItemGuide
}

function cellOut(c: Column, value: unknown): string | number | null {
  if (value === null || value === undefined) return null
  switch (c.kind) {
    case 'enum':
      return label(c.vocabulary!, value as string)
    case 'enumList':
      return (value as string[]).length ? (value as string[]).map((x) => label(c.vocabulary!, x)).join('、') : null
    case 'list':
      return (value as string[]).length ? (value as string[]).join('、') : null
    case 'json':
      return JSON.stringify(value)
    case 'int':
    case 'number':
      return value as number
    default:
      return String(value)
  }
}

/** The whole catalog as an .xlsx workbook. */
export async function buildWorkbook(entries: ExportEntry[], created: Date): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  wb.creator = 'Yiwang'
  wb.created = created
  wb.modified = created
  const add = (spec: SheetSpec, rows: Record<string, unknown>[]) => {
    const ws = wb.addWorksheet(sheetName(spec.key), { views: [{ state: 'frozen', ySplit: 1 }] })
    ws.columns = spec.columns.map((c) => ({ header: header(c), key: c.key, width: c.width }))
    ws.getRow(1).font = { bold: true }
    for (const r of rows) ws.addRow(spec.columns.map((c) => cellOut(c, r[c.key])))
  }
  const sorted = [...entries].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
  add(
    sheets.items,
    sorted.map((e) => {
      const { departmentId: _id, ...rest } = e.guide
      return { ...rest, code: e.code, department: e.departmentName }
    }),
  )
  for (const [sheet, list] of childSheets) {
    const rows = sorted.flatMap((e) =>
      (e.guide[list] as object[]).map((entry, i) => {
        const out: Record<string, unknown> = { itemCode: e.code, seq: i + 1 }
        for (const c of sheets[sheet].columns.slice(2)) out[c.key] = (entry as Record<string, unknown>)[c.field]
        return out
      }),
    )
    add(sheets[sheet], rows)
  }
  return Buffer.from(await wb.xlsx.writeBuffer())
}

// ---- reading --------------------------------------------------------------------------------

/** A problem found while reading, before messages are put into words. */
export interface RawImportError {
  sheet: string
  row: number | null
  column: string | null
  field: string | null
  key: string
  params: Record<string, unknown>
}

/** One item read from the workbook: the guide as typed (department by name) and where each part came from. */
export interface ParsedItem {
  code: string
  departmentName: string | null
  guide: Omit<GuideInput, 'departmentId'> & { departmentId?: string }
  /** Guide fields (or lists) with a cell that could not be read: already reported, so rule errors about them are noise. */
  failed: Set<string>
  /** Where a path into the guide lives in the workbook. */
  locate(path: (string | number)[]): { sheet: string; row: number | null; column: string | null; field: string | null }
}

type Cell = string | number | null

/** A cell's value as plain text or number (rich text joined, formulas by their result). */
function plain(value: ExcelJS.CellValue): Cell {
  if (value === null || value === undefined) return null
  if (typeof value === 'string') return value.trim() === '' ? null : value
  if (typeof value === 'number') return value
  if (typeof value === 'boolean') return String(value)
  if (value instanceof Date) return value.toISOString().slice(0, 10)
  if (typeof value === 'object') {
    if ('richText' in value && Array.isArray(value.richText)) return plain(value.richText.map((r) => r.text).join(''))
    if ('text' in value && typeof value.text === 'string') return plain(value.text)
    if ('result' in value) return plain((value as { result?: ExcelJS.CellValue }).result ?? null)
    if ('error' in value) return null
  }
  return null
}

function findSheet(wb: ExcelJS.Workbook, k: SheetKey): ExcelJS.Worksheet | undefined {
  const names = [sheetName(k), t('en', `catalog.excel.sheet.${k}`), k].map((n) => n.toLowerCase())
  return wb.worksheets.find((ws) => names.includes(ws.name.trim().toLowerCase()))
}

function letter(n: number): string {
  let s = ''
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s
  return s
}

interface ReadSheet {
  name: string
  /** Column key → letter. */
  letters: Map<string, string>
  rows: { row: number; cells: Map<string, Cell> }[]
}

function readSheet(ws: ExcelJS.Worksheet, spec: SheetSpec, errors: RawImportError[], maxRows: number): ReadSheet | null {
  const name = ws.name
  const headerRow = ws.getRow(1)
  const byHeader = new Map<string, number>()
  headerRow.eachCell((cell, n) => {
    const text = plain(cell.value)
    if (text !== null) byHeader.set(String(text).trim().toLowerCase(), n)
  })
  const positions = new Map<string, number>()
  for (const c of spec.columns) {
    const names = [header(c), t('en', `catalog.excel.column.${c.key}`), c.key].map((x) => x.toLowerCase())
    const found = names.map((x) => byHeader.get(x)).find((x) => x !== undefined)
    if (found === undefined) errors.push({ sheet: name, row: 1, column: null, field: c.field, key: 'catalog.import.missing-column', params: { column: header(c) } })
    else positions.set(c.key, found)
  }
  if (positions.size < spec.columns.length) return null
  if (ws.actualRowCount - 1 > maxRows) {
    errors.push({ sheet: name, row: null, column: null, field: null, key: 'catalog.import.too-many-rows', params: { sheet: name, max: maxRows } })
    return null
  }
  const rows: ReadSheet['rows'] = []
  ws.eachRow({ includeEmpty: false }, (row, n) => {
    if (n === 1) return
    const cells = new Map<string, Cell>()
    let any = false
    for (const c of spec.columns) {
      const value = plain(row.getCell(positions.get(c.key)!).value)
      if (value !== null) any = true
      cells.set(c.key, value)
    }
    if (any) rows.push({ row: n, cells })
  })
  return { name, letters: new Map([...positions].map(([k, n]) => [k, letter(n)])), rows }
}

/** Converts one cell by its column's kind; undefined when blank (the guide rules decide whether that is allowed). */
function convert(c: Column, value: Cell, fail: (key: string, params?: Record<string, unknown>) => void): unknown {
  if (value === null) return c.kind === 'list' || c.kind === 'enumList' ? [] : c.kind === 'json' ? null : undefined
  const s = String(value).trim()
  switch (c.kind) {
    case 'text':
      return typeof value === 'number' ? String(value) : value
    case 'int': {
      const n = typeof value === 'number' ? value : /^-?\d+$/.test(s) ? Number(s) : NaN
      if (!Number.isInteger(n)) return fail('catalog.import.not-integer')
      return n
    }
    case 'number': {
      const n = typeof value === 'number' ? value : /^-?\d+(\.\d+)?$/.test(s) ? Number(s) : NaN
      if (!Number.isFinite(n)) return fail('catalog.import.not-number')
      return n
    }
    case 'enum':
      return lookup(c.vocabulary!, s, fail)
    case 'enumList':
      return s.split(LIST_SEPARATOR).map((x) => x.trim()).filter(Boolean).map((x) => lookup(c.vocabulary!, x, fail))
    case 'list':
      return s.split(LIST_SEPARATOR).map((x) => x.trim()).filter(Boolean)
    case 'json':
      try {
        return JSON.parse(s)
      } catch {
        return fail('catalog.import.bad-json')
      }
  }
}

function lookup(voc: Vocabulary, text: string, fail: (key: string, params?: Record<string, unknown>) => void): string | undefined {
  const found = voc.values.find((x) => x === text || label(voc, x) === text || t('en', `${voc.prefix}${x}`).toLowerCase() === text.toLowerCase())
  if (!found) fail('catalog.import.unknown-value', { value: text, allowed: voc.values.map((x) => label(voc, x)).join('、') })
  return found
}

/**
 * Reads a workbook into items. Cell-level problems (unknown labels, bad numbers or JSON, child
 * rows of unknown items, duplicate codes or sequence numbers) come back as errors; guide rules
 * are checked later by the service, which maps their paths back here with `locate`.
 * @throws Error when the bytes are not an .xlsx workbook
 */
export async function readWorkbook(buffer: Buffer): Promise<{ items: ParsedItem[]; errors: RawImportError[] }> {
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(buffer as unknown as ArrayBuffer)
  const errors: RawImportError[] = []
  const read = {} as Record<SheetKey, ReadSheet | null>
  for (const k of ['items', 'materials', 'fees', 'steps', 'faq'] as const) {
    const ws = findSheet(wb, k)
    if (!ws) {
      // Only the items sheet is indispensable: a catalog without fees or FAQ may leave those sheets out.
      if (k === 'items') errors.push({ sheet: sheetName(k), row: null, column: null, field: null, key: 'catalog.import.missing-sheet', params: { sheet: sheetName(k) } })
      read[k] = null
      continue
    }
    read[k] = readSheet(ws, sheets[k], errors, k === 'items' ? MAX_ITEMS : MAX_CHILD_ROWS)
  }
  const itemsSheet = read.items
  if (!itemsSheet) return { items: [], errors }

  interface Draft {
    parsed: ParsedItem
    guide: Record<string, unknown>
    row: number
    children: Record<ChildList, { seq: number; row: number; entry: Record<string, unknown> }[]>
  }
  const byCode = new Map<string, Draft>()
  for (const { row, cells } of itemsSheet.rows) {
    const guide: Record<string, unknown> = {}
    const failed = new Set<string>()
    const rawCode = cells.get('code')
    const code = rawCode === null || rawCode === undefined ? '' : String(rawCode).trim()
    for (const c of itemColumns) {
      if (c.key === 'code' || c.key === 'department') continue
      const at = { sheet: itemsSheet.name, row, column: itemsSheet.letters.get(c.key)!, field: c.field }
      const value = convert(c, cells.get(c.key) ?? null, (k, params = {}) => {
        failed.add(c.field)
        errors.push({ ...at, key: k, params })
      })
      if (value !== undefined) guide[c.field] = value
    }
    const departmentCell = cells.get('department')
    const departmentName = departmentCell === null || departmentCell === undefined ? null : String(departmentCell).trim()
    if (byCode.has(code)) {
      errors.push({ sheet: itemsSheet.name, row, column: itemsSheet.letters.get('code')!, field: 'code', key: 'catalog.import.duplicate-code', params: { code } })
      continue
    }
    const draft: Draft = {
      row,
      guide,
      children: { materials: [], fees: [], reviewSteps: [], faq: [] },
      parsed: {
        code,
        departmentName,
        guide: guide as ParsedItem['guide'],
        failed,
        locate: (path) => locate(draft, path),
      },
    }
    byCode.set(code, draft)
  }

  function locate(d: Draft, path: (string | number)[]): { sheet: string; row: number | null; column: string | null; field: string | null } {
    const [head, index, field] = path
    const list = (['materials', 'fees', 'reviewSteps', 'faq'] as const).find((l) => l === head)
    if (list) {
      const sheet = read[sheetOfList[list]]
      const child = typeof index === 'number' ? d.children[list][index] : undefined
      if (sheet && child) {
        const c = sheets[sheetOfList[list]].columns.find((x) => x.field === field && x.key !== 'itemCode' && x.key !== 'seq')
        return { sheet: sheet.name, row: child.row, column: c ? sheet.letters.get(c.key) ?? null : null, field: typeof field === 'string' ? field : null }
      }
    }
    const name = String(head ?? 'code')
    const c = itemColumns.find((x) => x.field === name) ?? itemColumns[0]!
    return { sheet: itemsSheet!.name, row: d.row, column: itemsSheet!.letters.get(c.key) ?? null, field: name }
  }

  for (const [sheetKey, list] of childSheets) {
    const sheet = read[sheetKey]
    if (!sheet) continue
    const spec = sheets[sheetKey]
    for (const { row, cells } of sheet.rows) {
      const at = (c: Column) => ({ sheet: sheet.name, row, column: sheet.letters.get(c.key)!, field: c.key === 'itemCode' ? 'code' : c.field })
      const code = String(cells.get('itemCode') ?? '').trim()
      const owner = byCode.get(code)
      if (!owner) {
        errors.push({ ...at(spec.columns[0]!), key: 'catalog.import.unknown-item', params: { code } })
        continue
      }
      let bad = false
      const fail = (c: Column) => (k: string, params: Record<string, unknown> = {}) => {
        bad = true
        errors.push({ ...at(c), key: k, params })
      }
      const seqValue = convert(spec.columns[1]!, cells.get('seq') ?? null, fail(spec.columns[1]!))
      const entry: Record<string, unknown> = {}
      for (const c of spec.columns.slice(2)) {
        const value = convert(c, cells.get(c.key) ?? null, fail(c))
        if (value !== undefined) entry[c.field] = value
      }
      if (bad) {
        owner.parsed.failed.add(list)
        continue
      }
      const seqNumber = typeof seqValue === 'number' ? seqValue : owner.children[list].length + 1
      if (owner.children[list].some((x) => x.seq === seqNumber)) {
        errors.push({ ...at(spec.columns[1]!), key: 'catalog.import.duplicate-seq', params: { seq: seqNumber } })
        continue
      }
      owner.children[list].push({ seq: seqNumber, row, entry })
    }
  }
  for (const d of byCode.values()) {
    for (const list of ['materials', 'fees', 'reviewSteps', 'faq'] as const) {
      d.children[list].sort((a, b) => a.seq - b.seq)
      d.guide[list] = d.children[list].map((x) => x.entry)
    }
  }
  return { items: [...byCode.values()].map((d) => d.parsed), errors }
}
