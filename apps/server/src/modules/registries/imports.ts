import { checkCreditCode, checkIdNumber, isMobile, normalizePhone } from '../identity/index.js'
import { t } from '../../platform/i18n.js'
import type { RowError } from './errors.js'
import type { Table } from './tabular.js'
import {
  creditLists,
  entityStatuses,
  entityTypes,
  ethnicityCodes,
  indicatorCodes,
  maritalStatuses,
  maritalStatusGbCode,
  personStatuses,
  relations,
  sexes,
  type CreditList,
  type EntityStatus,
  type EntityType,
  type ImportKind,
  type IndicatorCode,
  type MaritalStatus,
  type PersonStatus,
  type Relation,
  type Sex,
} from './types.js'

/**
 * Row-level reading of registry imports: which columns each kind has, how a header names them
 * (the key, or its zh-CN or en label from the message files), and how each cell is checked and
 * turned into a value. Nothing here writes; the service checks rows against the database and
 * writes all of them in one transaction, or none.
 */

interface Column {
  key: string
  required?: boolean
  max?: number
}

export const importColumns: Record<ImportKind, Column[]> = {
  persons: [
    { key: 'name', required: true, max: 50 },
    { key: 'idNumber', required: true },
    { key: 'sex' },
    { key: 'birthDate' },
    { key: 'ethnicity', required: true },
    { key: 'householdDivisionCode', required: true },
    { key: 'address', max: 200 },
    { key: 'phone' },
    { key: 'householdNumber', max: 20 },
    { key: 'relation' },
    { key: 'maritalStatus' },
    { key: 'status' },
  ],
  entities: [
    { key: 'creditCode', required: true },
    { key: 'name', required: true, max: 200 },
    { key: 'type', required: true },
    { key: 'legalRepName', max: 50 },
    { key: 'legalRepIdNumber' },
    { key: 'registeredCapital' },
    { key: 'registrationAuthority', max: 100 },
    { key: 'divisionCode' },
    { key: 'address', max: 200 },
    { key: 'businessScope', max: 2000 },
    { key: 'establishedOn' },
    { key: 'status' },
  ],
  'credit-entries': [
    { key: 'subjectCode', required: true },
    { key: 'subjectName', max: 200 },
    { key: 'list', required: true },
    { key: 'reason', required: true, max: 500 },
    { key: 'basis', max: 500 },
    { key: 'sourceDepartment', required: true, max: 100 },
    { key: 'validFrom', required: true },
    { key: 'validTo' },
  ],
  indicators: [
    { key: 'divisionCode', required: true },
    { key: 'code', required: true },
    { key: 'period', required: true },
    { key: 'value', required: true },
  ],
}

/** A header cell as compared: no spaces, no asterisk (required marks), no bracketed unit, lower case. */
function headerKey(s: string): string {
  return s
    .normalize('NFKC')
    .replace(/[(（][^)）]*[)）]/gu, '')
    .replace(/[\s*]/gu, '')
    .toLowerCase()
}

/** The header label of a column in a language (templates and error messages). */
export function columnLabel(kind: ImportKind, key: string, locale: 'zh-CN' | 'en' = 'zh-CN'): string {
  return t(locale, `registries.column.${kind}.${key}`)
}

/** The value → code table of a vocabulary: codes, zh-CN and en labels (case-insensitive), plus extra spellings. */
function vocabulary(prefix: string, codes: readonly string[], extra: Record<string, string> = {}): Map<string, string> {
  const m = new Map<string, string>()
  for (const code of codes) {
    m.set(code.toLowerCase(), code)
    m.set(headerKey(t('zh-CN', `${prefix}.${code}`)), code)
    m.set(headerKey(t('en', `${prefix}.${code}`)), code)
  }
  for (const [spelling, code] of Object.entries(extra)) m.set(headerKey(spelling), code)
  return m
}

let vocabularies: Record<string, Map<string, string>> | undefined

/**
 * Vocabularies for import cells, built on first use (the message files register at import time).
 * The extra spellings are those household and business-registration exports commonly use.
 */
function vocab(name: 'ethnicity' | 'sex' | 'marital' | 'relation' | 'personStatus' | 'entityType' | 'entityStatus' | 'creditList' | 'indicator'): Map<string, string> {
  vocabularies ??= {
    ethnicity: (() => {
      const m = vocabulary('registries.ethnicity', ethnicityCodes)
      // "汉" for "汉族", and the numeric code without its leading zero.
      for (const code of ethnicityCodes) {
        m.set(t('zh-CN', `registries.ethnicity.${code}`).replace(/族$/u, ''), code)
        m.set(String(Number(code)), code)
      }
      return m
    })(),
    sex: vocabulary('registries.sex', sexes, { 男: 'male', 女: 'female', m: 'male', f: 'female', '1': 'male', '2': 'female' }),
    marital: vocabulary(
      'registries.marital',
      maritalStatuses,
      Object.fromEntries([
        ...Object.entries(maritalStatusGbCode).map(([status, gb]) => [gb, status]),
        ['初婚', 'married'], ['再婚', 'married'], ['复婚', 'married'], ['21', 'married'], ['22', 'married'], ['23', 'married'],
      ]),
    ),
    relation: vocabulary('registries.relation', relations, {
      本人: 'head', 夫: 'spouse', 妻: 'spouse', 丈夫: 'spouse', 妻子: 'spouse', 儿子: 'son', 长子: 'son', 次子: 'son', 女儿: 'daughter',
      长女: 'daughter', 次女: 'daughter', 父: 'father', 母: 'mother', 孙子: 'grandchild', 孙女: 'grandchild', 外孙子: 'grandchild',
      外孙女: 'grandchild', 祖父: 'grandparent', 祖母: 'grandparent', 外祖父: 'grandparent', 外祖母: 'grandparent', 兄: 'sibling',
      弟: 'sibling', 姐: 'sibling', 妹: 'sibling', 哥哥: 'sibling', 弟弟: 'sibling', 姐姐: 'sibling', 妹妹: 'sibling',
    }),
    personStatus: vocabulary('registries.person-status', personStatuses, { 正常: 'active', 死亡: 'deceased', 迁出: 'moved_out' }),
    entityType: vocabulary('registries.entity-type', entityTypes, { 有限责任公司自然人独资: 'limited_company', 个体户: 'individual_business', 合作社: 'farmer_cooperative' }),
    entityStatus: vocabulary('registries.entity-status', entityStatuses, { 在业: 'active', 开业: 'active', 吊销未注销: 'revoked' }),
    creditList: vocabulary('registries.credit-list', creditLists, { 红: 'red', 黑: 'black', 守信激励: 'red', 失信惩戒: 'black' }),
    indicator: vocabulary('registries.indicator', indicatorCodes),
  }
  return vocabularies[name]!
}

function fromVocabulary<T extends string>(name: Parameters<typeof vocab>[0], value: string): T | null {
  return (vocab(name).get(headerKey(value)) as T | undefined) ?? null
}

/** YYYY-MM-DD from 2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日 or 20240305; null when not a real day. */
export function parseDate(value: string): string | null {
  const s = value.trim()
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/u.exec(s) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(s)
  if (!m) return null
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const dt = new Date(Date.UTC(y, mo - 1, d))
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d || y < 1890) return null
  return `${m[1]}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`
}

/** Today in China (UTC+8) as YYYY-MM-DD. */
export function chinaToday(now: Date): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10)
}

/** A row of cells by column key ('' when absent or empty), with its row number and original headers. */
export interface KeyedRow {
  row: number
  get(key: string): string
  /** The header as the file wrote it, for error messages. */
  header(key: string): string
}

/**
 * Maps the file's headers to the kind's columns. Unknown headers (e.g. 序号) are ignored; a
 * missing required column or a column named twice is an error on row 1.
 */
export function keyRows(kind: ImportKind, table: Table): { rows: KeyedRow[]; errors: RowError[] } {
  const columns = importColumns[kind]
  const byHeader = new Map<string, string>()
  for (const c of columns) {
    for (const name of [c.key, columnLabel(kind, c.key, 'zh-CN'), columnLabel(kind, c.key, 'en')]) byHeader.set(headerKey(name), c.key)
  }
  const index = new Map<string, number>()
  const headerText = new Map<string, string>()
  const errors: RowError[] = []
  table.headers.forEach((h, i) => {
    const key = byHeader.get(headerKey(h))
    if (!key) return
    if (index.has(key)) errors.push({ row: 1, column: h, code: 'duplicate-column' })
    else {
      index.set(key, i)
      headerText.set(key, h)
    }
  })
  for (const c of columns) {
    if (c.required && !index.has(c.key)) errors.push({ row: 1, column: columnLabel(kind, c.key), code: 'missing-column' })
  }
  const rows = table.rows.map((r): KeyedRow => ({
    row: r.row,
    get: (key) => {
      const i = index.get(key)
      return i === undefined ? '' : (r.cells[i] ?? '').trim()
    },
    header: (key) => headerText.get(key) ?? columnLabel(kind, key),
  }))
  return { rows, errors }
}

/** Collects the errors of one row while its cells are read. */
export class RowReader {
  readonly errors: RowError[] = []
  constructor(
    readonly kind: ImportKind,
    readonly r: KeyedRow,
  ) {}

  fail(key: string, code: string, params?: Record<string, string | number>): null {
    this.errors.push({ row: this.r.row, column: this.r.header(key), code, ...(params ? { params } : {}) })
    return null
  }

  /** The cell's text, checked for presence and length; null when empty (or failing). */
  text(key: string): string | null {
    const spec = importColumns[this.kind].find((c) => c.key === key)
    const v = this.r.get(key)
    if (!v) return spec?.required ? this.fail(key, 'required') : null
    if (spec?.max && v.length > spec.max) return this.fail(key, 'too-long', { max: spec.max })
    return v
  }

  oneOf<T extends string>(key: string, name: Parameters<typeof vocab>[0]): T | null {
    const v = this.text(key)
    if (v === null) return null
    return fromVocabulary<T>(name, v) ?? this.fail(key, 'unknown-value', { value: v })
  }

  date(key: string, opts: { notAfter?: string } = {}): string | null {
    const v = this.text(key)
    if (v === null) return null
    const d = parseDate(v)
    if (!d) return this.fail(key, 'invalid-date', { value: v })
    if (opts.notAfter && d > opts.notAfter) return this.fail(key, 'future-date', { value: v })
    return d
  }

  idNumber(key: string, now: Date): ReturnType<typeof checkIdNumber> | null {
    const v = this.text(key)
    if (v === null) return null
    const r = checkIdNumber(v, now)
    if (!r.ok) return this.fail(key, `id-number-${r.problem}`)
    return r
  }

  creditCode(key: string): Extract<ReturnType<typeof checkCreditCode>, { ok: true }> | null {
    const v = this.text(key)
    if (v === null) return null
    const r = checkCreditCode(v)
    if (!r.ok) return this.fail(key, `credit-code-${r.problem}`)
    return r
  }

  number(key: string, opts: { min?: number } = {}): number | null {
    const v = this.text(key)
    if (v === null) return null
    const n = Number(v.replace(/,/g, ''))
    if (!Number.isFinite(n) || (opts.min !== undefined && n < opts.min)) return this.fail(key, 'invalid-number', { value: v })
    return n
  }

  divisionCode(key: string): string | null {
    const v = this.text(key)
    if (v === null) return null
    if (!/^(\d{6}|\d{9}|\d{12})$/.test(v)) return this.fail(key, 'unknown-division', { value: v })
    return v
  }
}

// ---- per-kind rows ---------------------------------------------------------------------------

export interface PersonImportRow {
  row: number
  idNumber: string
  name: string
  sex: Sex
  birthDate: string
  ethnicity: string
  householdDivisionCode: string
  address: string | null
  phone: string | null
  householdNumber: string | null
  relation: Relation | null
  maritalStatus: MaritalStatus | null
  status: PersonStatus | null
}

export function readPersonRow(r: KeyedRow, now: Date): { value: PersonImportRow | null; errors: RowError[] } {
  const x = new RowReader('persons', r)
  const name = x.text('name')
  const id = x.idNumber('idNumber', now)
  const sex = x.oneOf<Sex>('sex', 'sex')
  const birthDate = x.date('birthDate')
  if (id?.ok && sex && sex !== id.sex) x.fail('sex', 'sex-mismatch')
  if (id?.ok && birthDate && birthDate !== id.birthDate) x.fail('birthDate', 'birth-date-mismatch')
  const ethnicity = x.oneOf<string>('ethnicity', 'ethnicity')
  const householdDivisionCode = x.divisionCode('householdDivisionCode')
  const address = x.text('address')
  const rawPhone = x.text('phone')
  const phone = rawPhone === null ? null : isMobile(rawPhone) ? normalizePhone(rawPhone) : x.fail('phone', 'invalid-phone')
  const householdNumber = x.text('householdNumber')
  if (householdNumber && !/^[0-9A-Za-z-]{1,20}$/.test(householdNumber)) x.fail('householdNumber', 'invalid-household-number', { value: householdNumber })
  const relation = x.oneOf<Relation>('relation', 'relation')
  if (householdNumber && !relation && !r.get('relation')) x.fail('relation', 'relation-required')
  if (relation && !householdNumber) x.fail('householdNumber', 'household-required')
  const maritalStatus = x.oneOf<MaritalStatus>('maritalStatus', 'marital')
  const status = x.oneOf<PersonStatus>('status', 'personStatus')
  if (x.errors.length > 0 || !id?.ok || !name || !ethnicity || !householdDivisionCode) return { value: null, errors: x.errors }
  return {
    value: {
      row: r.row, idNumber: id.idNumber, name, sex: id.sex, birthDate: id.birthDate, ethnicity, householdDivisionCode, address, phone,
      householdNumber, relation, maritalStatus, status,
    },
    errors: [],
  }
}

export interface EntityImportRow {
  row: number
  creditCode: string
  creditDivisionCode: string
  name: string
  type: EntityType
  legalRepName: string | null
  legalRepIdNumber: string | null
  registeredCapital: number | null
  registrationAuthority: string | null
  divisionCode: string | null
  address: string | null
  businessScope: string | null
  establishedOn: string | null
  status: EntityStatus | null
}

export function readEntityRow(r: KeyedRow, now: Date): { value: EntityImportRow | null; errors: RowError[] } {
  const x = new RowReader('entities', r)
  const cc = x.creditCode('creditCode')
  const name = x.text('name')
  const type = x.oneOf<EntityType>('type', 'entityType')
  const legalRepName = x.text('legalRepName')
  const rep = x.idNumber('legalRepIdNumber', now)
  const registeredCapital = x.number('registeredCapital', { min: 0 })
  const registrationAuthority = x.text('registrationAuthority')
  const divisionCode = x.divisionCode('divisionCode')
  const address = x.text('address')
  const businessScope = x.text('businessScope')
  const establishedOn = x.date('establishedOn', { notAfter: chinaToday(now) })
  const status = x.oneOf<EntityStatus>('status', 'entityStatus')
  if (x.errors.length > 0 || !cc || !name || !type) return { value: null, errors: x.errors }
  return {
    value: {
      row: r.row, creditCode: cc.creditCode, creditDivisionCode: cc.divisionCode, name, type, legalRepName,
      legalRepIdNumber: rep?.ok ? rep.idNumber : null, registeredCapital, registrationAuthority, divisionCode, address, businessScope,
      establishedOn, status,
    },
    errors: [],
  }
}

export interface CreditImportRow {
  row: number
  subjectType: 'person' | 'entity'
  subjectCode: string
  subjectName: string | null
  list: CreditList
  reason: string
  basis: string | null
  sourceDepartment: string
  validFrom: string
  validTo: string | null
}

export function readCreditRow(r: KeyedRow, now: Date): { value: CreditImportRow | null; errors: RowError[] } {
  const x = new RowReader('credit-entries', r)
  const code = x.text('subjectCode')
  let subject: { type: 'person' | 'entity'; code: string } | null = null
  if (code) {
    // A credit code may be all digits (91…), so an 18-digit value is whichever of the two it validates as.
    const upper = code.toUpperCase()
    const id = checkIdNumber(upper, now)
    const cc = checkCreditCode(upper)
    if (id.ok) subject = { type: 'person', code: id.idNumber }
    else if (cc.ok) subject = { type: 'entity', code: cc.creditCode }
    else if (/^\d{17}[\dX]$/.test(upper) && id.problem !== 'division') subject = x.fail('subjectCode', `id-number-${id.problem}`)
    else subject = x.fail('subjectCode', `credit-code-${cc.problem}`)
  }
  const subjectName = x.text('subjectName')
  const list = x.oneOf<CreditList>('list', 'creditList')
  const reason = x.text('reason')
  const basis = x.text('basis')
  const sourceDepartment = x.text('sourceDepartment')
  const validFrom = x.date('validFrom')
  const validTo = x.date('validTo')
  if (validFrom && validTo && validTo < validFrom) x.fail('validTo', 'period-order')
  if (x.errors.length > 0 || !subject || !list || !reason || !sourceDepartment || !validFrom) return { value: null, errors: x.errors }
  return {
    value: { row: r.row, subjectType: subject.type, subjectCode: subject.code, subjectName, list, reason, basis, sourceDepartment, validFrom, validTo },
    errors: [],
  }
}

export interface IndicatorImportRow {
  row: number
  divisionCode: string
  code: IndicatorCode
  period: string
  value: number
}

export function readIndicatorRow(r: KeyedRow): { value: IndicatorImportRow | null; errors: RowError[] } {
  const x = new RowReader('indicators', r)
  const divisionCode = x.divisionCode('divisionCode')
  const code = x.oneOf<IndicatorCode>('code', 'indicator')
  const period = x.text('period')
  if (period && !/^\d{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$/.test(period)) x.fail('period', 'invalid-period', { value: period })
  const value = x.number('value')
  if (x.errors.length > 0 || !divisionCode || !code || !period || value === null) return { value: null, errors: x.errors }
  return { value: { row: r.row, divisionCode, code, period, value }, errors: [] }
}
