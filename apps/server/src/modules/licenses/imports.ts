import ExcelJS from 'exceljs'
import { checkCreditCode, checkIdNumber } from '../identity/index.js'
import { ImportRejectedError, UnreadableFileError, type RowError } from './errors.js'
import { isRealDate, validUntilOf, type HolderKind, type LicenseTypeDef } from './license-types.js'
import type { HolderInput } from './service.js'

/**
 * Aggregation (汇聚) of licenses an issuing department already holds: a CSV or Excel table, one
 * license per row. Every row is checked before anything is written; one bad row rejects the file
 * with the list of every failure (row, column, reason), so nothing is ever half-imported.
 *
 * Columns are matched by their Chinese label or their key: 姓名/holderName, 身份证号码/holderIdNumber
 * (or 名称 and 统一社会信用代码/holderCreditCode for entities), 有效期起/validFrom, 有效期止/validUntil
 * (both optional: today and the type's validity rule), then the type's fields.
 */

export const MAX_IMPORT_ROWS = 5_000

export interface ImportedRow {
  holder: HolderInput
  fields: Record<string, string>
  validFrom: string
  validUntil: string | null
}

/** RFC 4180 CSV: quoted fields with "" escapes, CRLF or LF, a UTF-8 BOM ignored. */
export function parseCsv(text: string): string[][] {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  const records: string[][] = []
  let record: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        field += '"'
        i++
      } else if (c === '"') quoted = false
      else field += c
    } else if (c === '"' && field === '') quoted = true
    else if (c === ',') {
      record.push(field)
      field = ''
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && s[i + 1] === '\n') i++
      record.push(field)
      records.push(record)
      record = []
      field = ''
    } else field += c
  }
  if (quoted) throw new UnreadableFileError('unterminated-quote')
  if (field !== '' || record.length) {
    record.push(field)
    records.push(record)
  }
  return records.filter((r) => r.some((cell) => cell.trim() !== ''))
}

/** Cells as text; a number Excel already rounded (an ID number typed as a number) is reported, not guessed. */
async function readXlsx(bytes: Buffer): Promise<{ rows: string[][]; rounded: { row: number; col: number }[] }> {
  const wb = new ExcelJS.Workbook()
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer)
  } catch {
    throw new UnreadableFileError('unreadable')
  }
  const ws = wb.worksheets[0]
  if (!ws) throw new UnreadableFileError('empty')
  const rows: string[][] = []
  const rounded: { row: number; col: number }[] = []
  ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: string[] = []
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      const v = cell.value
      if (typeof v === 'number' && Math.abs(v) > Number.MAX_SAFE_INTEGER / 10) rounded.push({ row: rowNumber, col })
      cells[col - 1] = v instanceof Date ? v.toISOString().slice(0, 10) : cell.text ?? ''
    })
    while (rows.length < rowNumber - 1) rows.push([])
    rows.push(Array.from(cells, (c) => c ?? ''))
  })
  return { rows, rounded }
}

function headerIndex(headers: string[], names: string[]): number {
  return headers.findIndex((h) => names.includes(h.trim()))
}

/** Reads and checks a whole file for one license type; throws ImportRejectedError listing every bad cell. */
export async function readLicenseTable(def: LicenseTypeDef, file: { format: 'csv' | 'xlsx'; content: string }, today: string, now: Date): Promise<ImportedRow[]> {
  let table: string[][]
  let rounded: { row: number; col: number }[] = []
  if (file.format === 'csv') table = parseCsv(file.content)
  else {
    const bytes = Buffer.from(file.content, 'base64')
    if (bytes.length === 0) throw new UnreadableFileError('bad-base64')
    ;({ rows: table, rounded } = await readXlsx(bytes))
  }
  if (table.length === 0) throw new UnreadableFileError('empty')
  if (table.length - 1 > MAX_IMPORT_ROWS) throw new UnreadableFileError('too-many-rows')
  const headers = table[0]!.map((h) => h.trim())
  const kind: HolderKind = def.holderKind
  const cols = {
    name: headerIndex(headers, kind === 'person' ? ['姓名', '持证人', 'holderName'] : ['名称', '持证主体', 'holderName']),
    id: headerIndex(headers, kind === 'person' ? ['身份证号码', '公民身份号码', 'holderIdNumber'] : ['统一社会信用代码', 'holderCreditCode']),
    validFrom: headerIndex(headers, ['有效期起', 'validFrom']),
    validUntil: headerIndex(headers, ['有效期止', 'validUntil']),
  }
  const errors: RowError[] = []
  const idHeader = kind === 'person' ? '身份证号码' : '统一社会信用代码'
  if (cols.name < 0) errors.push({ row: 1, column: kind === 'person' ? '姓名' : '名称', code: 'missing-column' })
  if (cols.id < 0) errors.push({ row: 1, column: idHeader, code: 'missing-column' })
  const fieldCols = def.fields.map((f) => ({ def: f, index: headerIndex(headers, [f.label['zh-CN'], f.key]) }))
  for (const fc of fieldCols) if (fc.def.required && fc.index < 0) errors.push({ row: 1, column: fc.def.label['zh-CN'], code: 'missing-column' })
  if (errors.length) throw new ImportRejectedError(errors)
  if (table.length < 2) throw new ImportRejectedError([{ row: 1, column: null, code: 'no-rows' }])

  const out: ImportedRow[] = []
  const seen = new Map<string, number>()
  for (let r = 1; r < table.length; r++) {
    const rowNo = r + 1
    const cells = table[r]!
    if (cells.every((c) => !c.trim())) continue
    const cell = (i: number) => (i >= 0 ? (cells[i] ?? '').trim() : '')
    const col = (i: number) => headers[i] ?? null
    const before = errors.length
    for (const x of rounded.filter((x) => x.row === rowNo)) errors.push({ row: rowNo, column: headers[x.col - 1] ?? null, code: 'invalid-value' })
    const name = cell(cols.name)
    if (!name) errors.push({ row: rowNo, column: col(cols.name), code: 'required' })
    else if (name.length > 100) errors.push({ row: rowNo, column: col(cols.name), code: 'too-long' })
    const id = cell(cols.id).toUpperCase()
    if (!id) errors.push({ row: rowNo, column: col(cols.id), code: 'required' })
    else if (kind === 'person') {
      const c = checkIdNumber(id, now)
      if (!c.ok) errors.push({ row: rowNo, column: col(cols.id), code: 'invalid-id-number', params: { reason: c.problem } })
    } else {
      const c = checkCreditCode(id)
      if (!c.ok) errors.push({ row: rowNo, column: col(cols.id), code: 'invalid-credit-code', params: { reason: c.problem } })
    }
    if (id && seen.has(id)) errors.push({ row: rowNo, column: col(cols.id), code: 'duplicate', params: { other: seen.get(id)! } })
    else if (id) seen.set(id, rowNo)
    const fields: Record<string, string> = {}
    for (const fc of fieldCols) {
      const v = cell(fc.index)
      if (!v) {
        if (fc.def.required) errors.push({ row: rowNo, column: col(fc.index) ?? fc.def.label['zh-CN'], code: 'required' })
        continue
      }
      if (v.length > (fc.def.max ?? 200) || /\p{Cc}/u.test(v)) errors.push({ row: rowNo, column: col(fc.index), code: 'too-long' })
      else if (fc.def.type === 'date' && !isRealDate(v)) errors.push({ row: rowNo, column: col(fc.index), code: 'invalid-date' })
      else if (fc.def.type === 'enum' && !fc.def.options?.includes(v)) errors.push({ row: rowNo, column: col(fc.index), code: 'invalid-value' })
      else fields[fc.def.key] = v
    }
    const validFrom = cell(cols.validFrom) || today
    if (!isRealDate(validFrom)) errors.push({ row: rowNo, column: col(cols.validFrom), code: 'invalid-date' })
    const untilText = cell(cols.validUntil)
    const validUntil = untilText === '' ? (isRealDate(validFrom) ? validUntilOf(def, validFrom) : null) : untilText === '长期' ? null : untilText
    if (validUntil !== null && (!isRealDate(validUntil) || validUntil < validFrom)) errors.push({ row: rowNo, column: col(cols.validUntil), code: 'invalid-date' })
    if (errors.length === before) out.push({ holder: { kind, id, name }, fields, validFrom, validUntil })
  }
  if (errors.length) throw new ImportRejectedError(errors)
  if (out.length === 0) throw new ImportRejectedError([{ row: 1, column: null, code: 'no-rows' }])
  return out
}
