import ExcelJS from 'exceljs'

/**
 * Reading an uploaded table (CSV or Excel) into rows of text cells. Cells stay text: an ID number
 * must never pass through a JavaScript number (18 digits lose their last ones), which is why CSV
 * is parsed here rather than by exceljs's reader, which turns numeric-looking cells into numbers.
 */

export interface TableRow {
  /** The spreadsheet row number (the header is row 1), so errors point where users look. */
  row: number
  cells: string[]
}

export interface Table {
  headers: string[]
  rows: TableRow[]
}

/** A cell that cannot be read as text faithfully (a long number Excel already rounded). */
export interface CellProblem {
  row: number
  column: number
  code: 'number-precision'
}

export class TableFormatError extends Error {
  constructor(readonly reason: 'empty' | 'unreadable' | 'unterminated-quote' | 'too-many-rows') {
    super(reason)
  }
}

/** Most data rows one import may carry. */
export const MAX_ROWS = 20_000

/** RFC 4180 CSV: quoted fields with "" escapes, CRLF or LF line ends, a UTF-8 BOM ignored. */
export function parseCsv(text: string): string[][] {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  const records: string[][] = []
  let record: string[] = []
  let field = ''
  let quoted = false
  let i = 0
  while (i < s.length) {
    const c = s[i]!
    if (quoted) {
      if (c === '"') {
        if (s[i + 1] === '"') {
          field += '"'
          i += 2
          continue
        }
        quoted = false
        i++
        continue
      }
      field += c
      i++
      continue
    }
    if (c === '"' && field === '') {
      quoted = true
      i++
    } else if (c === ',') {
      record.push(field)
      field = ''
      i++
    } else if (c === '\r' || c === '\n') {
      record.push(field)
      records.push(record)
      record = []
      field = ''
      i += c === '\r' && s[i + 1] === '\n' ? 2 : 1
    } else {
      field += c
      i++
    }
  }
  if (quoted) throw new TableFormatError('unterminated-quote')
  if (field !== '' || record.length > 0) {
    record.push(field)
    records.push(record)
  }
  return records
}

function toTable(records: string[][], firstRow = 1): Table {
  const nonEmpty = (r: string[]) => r.some((c) => c.trim() !== '')
  const headerIndex = records.findIndex(nonEmpty)
  if (headerIndex < 0) throw new TableFormatError('empty')
  const headers = records[headerIndex]!.map((h) => h.trim())
  const rows: TableRow[] = []
  for (let i = headerIndex + 1; i < records.length; i++) {
    const cells = records[i]!
    if (!nonEmpty(cells)) continue
    rows.push({ row: firstRow + i, cells: cells.map((c) => c.trim()) })
  }
  if (rows.length > MAX_ROWS) throw new TableFormatError('too-many-rows')
  return { headers, rows }
}

export function readCsv(text: string): Table {
  return toTable(parseCsv(text))
}

/** YYYY-MM-DD of an Excel date cell (exceljs gives dates as UTC midnight). */
function excelDate(d: Date): string {
  return d.toISOString().slice(0, 10)
}

function cellText(value: ExcelJS.CellValue): string | { problem: CellProblem['code'] } {
  if (value === null || value === undefined) return ''
  if (value instanceof Date) return excelDate(value)
  if (typeof value === 'number') {
    // Excel keeps 15 significant digits: a longer number (an ID number typed as a number) is already wrong.
    if (Math.abs(value) >= 1e15) return { problem: 'number-precision' }
    return String(value)
  }
  if (typeof value === 'string') return value
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((r) => r.text).join('')
    if ('text' in value && typeof value.text === 'string') return value.text
    if ('result' in value) return cellText((value.result ?? null) as ExcelJS.CellValue)
    if ('error' in value) return ''
  }
  return String(value)
}

/** The first worksheet of an .xlsx workbook. */
export async function readXlsx(content: Buffer): Promise<{ table: Table; problems: CellProblem[] }> {
  const workbook = new ExcelJS.Workbook()
  try {
    await workbook.xlsx.load(content as unknown as ArrayBuffer)
  } catch {
    throw new TableFormatError('unreadable')
  }
  const sheet = workbook.worksheets[0]
  if (!sheet) throw new TableFormatError('empty')
  if (sheet.rowCount > MAX_ROWS + 10) throw new TableFormatError('too-many-rows')
  const records: string[][] = []
  const problems: CellProblem[] = []
  const width = sheet.columnCount
  for (let r = 1; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r)
    const cells: string[] = []
    for (let c = 1; c <= width; c++) {
      const text = cellText(row.getCell(c).value)
      if (typeof text === 'string') cells.push(text)
      else {
        problems.push({ row: r, column: c, code: text.problem })
        cells.push('')
      }
    }
    records.push(cells)
  }
  return { table: toTable(records), problems }
}

/** Writes rows as a one-sheet workbook (tests and templates). */
export async function writeXlsx(headers: string[], rows: (string | number | Date | null)[][]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook()
  const sheet = workbook.addWorksheet('data')
  sheet.addRow(headers)
  for (const r of rows) sheet.addRow(r)
  return Buffer.from(await workbook.xlsx.writeBuffer())
}
