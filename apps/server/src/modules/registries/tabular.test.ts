import { describe, expect, it } from 'vitest'
import { parseCsv, readCsv, readXlsx, TableFormatError, writeXlsx } from './tabular.js'

describe('CSV (RFC 4180)', () => {
  it.each([
    ['plain fields', 'a,b\n1,2', [['a', 'b'], ['1', '2']]],
    ['CRLF line ends and a trailing newline', 'a,b\r\n1,2\r\n', [['a', 'b'], ['1', '2']]],
    ['quoted commas, quotes and newlines', 'a,b\n"x, y","he said ""hi""\nthen left"', [['a', 'b'], ['x, y', 'he said "hi"\nthen left']]],
    ['a UTF-8 byte-order mark', '\ufeff姓名,民族\n张三,汉族', [['姓名', '民族'], ['张三', '汉族']]],
    ['empty fields', 'a,,c\n,,', [['a', '', 'c'], ['', '', '']]],
  ])('reads %s', (_name, text, expected) => {
    expect(parseCsv(text)).toEqual(expected)
  })

  it('keeps 18-digit ID numbers as text', () => {
    expect(readCsv('idNumber\n11010519491231002X\n140902198504120027').rows.map((r) => r.cells[0])).toEqual(['11010519491231002X', '140902198504120027'])
  })

  it('numbers rows as a spreadsheet does and skips blank lines', () => {
    const t = readCsv('a,b\n1,2\n\n,\n3,4\n')
    expect(t.rows.map((r) => r.row)).toEqual([2, 5])
  })

  it('refuses an unterminated quote and an empty file', () => {
    expect(() => parseCsv('a\n"open')).toThrow(TableFormatError)
    expect(() => readCsv('\n\n')).toThrow(TableFormatError)
  })
})

describe('Excel', () => {
  it('reads text, numbers and dates of the first sheet', async () => {
    const bytes = await writeXlsx(['name', 'capital', 'date'], [['甲公司', 12.5, new Date(Date.UTC(2020, 0, 31))]])
    const { table, problems } = await readXlsx(bytes)
    expect(table.headers).toEqual(['name', 'capital', 'date'])
    expect(table.rows).toEqual([{ row: 2, cells: ['甲公司', '12.5', '2020-01-31'] }])
    expect(problems).toEqual([])
  })

  it('flags a long number Excel has already rounded', async () => {
    const { problems } = await readXlsx(await writeXlsx(['id'], [[140902198504120000]]))
    expect(problems).toEqual([{ row: 2, column: 1, code: 'number-precision' }])
  })

  it('refuses bytes that are not a workbook', async () => {
    await expect(readXlsx(Buffer.from('PK not really'))).rejects.toThrow(TableFormatError)
  })
})
