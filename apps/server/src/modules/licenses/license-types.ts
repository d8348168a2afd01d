import { z } from 'zod'

/**
 * The license types (证照类型) the platform knows: each with its field schema, the kind of authority
 * that issues it, its validity rule, which fields the permanent QR discloses by default, and the
 * picture layout (title band colour and how many field rows fit on the card face).
 */

export type HolderKind = 'person' | 'entity'
export type FieldType = 'text' | 'date' | 'enum'

export interface FieldDef {
  key: string
  label: { 'zh-CN': string; en: string }
  type: FieldType
  required: boolean
  options?: readonly string[]
  max?: number
  /**
   * A personal identifier (an ID number, a phone): staff views and public answers show it masked;
   * only the holder's own wallet shows it in full.
   */
  identifier?: 'idNumber' | 'phone'
}

export interface LicenseTypeDef {
  code: string
  /** Two or three letters that open its numbers. */
  abbr: string
  name: { 'zh-CN': string; en: string }
  holderKind: HolderKind
  issuerKind: { 'zh-CN': string; en: string }
  /** Years from the first day of validity; null = permanent (长期). */
  validityYears: number | null
  fields: FieldDef[]
  defaultDisclosure: string[]
  layout: { color: string; orientation: 'landscape' | 'portrait' }
}

const f = (key: string, zh: string, en: string, type: FieldType = 'text', required = true, options?: readonly string[]): FieldDef => ({
  key,
  label: { 'zh-CN': zh, en },
  type,
  required,
  ...(options ? { options } : {}),
  max: 200,
})

const sex = f('sex', '性别', 'Sex', 'enum', true, ['男', '女'])
const birthDate = f('birthDate', '出生日期', 'Date of birth', 'date')
const address = f('address', '住址', 'Address', 'text', false)
const ethnicity = f('ethnicity', '民族', 'Ethnicity', 'text', false)

const public_security = { 'zh-CN': '公安机关', en: 'Public security bureau' }
const market = { 'zh-CN': '市场监督管理部门', en: 'Market regulation administration' }

export const licenseTypes: readonly LicenseTypeDef[] = [
  {
    code: 'resident_id_card', abbr: 'SFZ', name: { 'zh-CN': '居民身份证', en: 'Resident identity card' }, holderKind: 'person',
    issuerKind: public_security, validityYears: 20,
    fields: [sex, ethnicity, birthDate, address], defaultDisclosure: [], layout: { color: '#1f5fa8', orientation: 'landscape' },
  },
  {
    code: 'household_register', abbr: 'HKB', name: { 'zh-CN': '居民户口簿', en: 'Household register' }, holderKind: 'person',
    issuerKind: public_security, validityYears: null,
    fields: [f('householdNumber', '户号', 'Household number'), f('relation', '与户主关系', 'Relation to head', 'text', false), sex, birthDate, address],
    defaultDisclosure: ['householdNumber'], layout: { color: '#8a4b12', orientation: 'portrait' },
  },
  {
    code: 'birth_medical_certificate', abbr: 'CSZ', name: { 'zh-CN': '出生医学证明', en: 'Birth medical certificate' }, holderKind: 'person',
    issuerKind: { 'zh-CN': '助产机构（卫生健康部门监制）', en: 'Maternity facility (health commission)' }, validityYears: null,
    fields: [sex, birthDate, f('birthPlace', '出生地点', 'Place of birth'), f('motherName', '母亲姓名', "Mother's name", 'text', false), f('fatherName', '父亲姓名', "Father's name", 'text', false)],
    defaultDisclosure: ['birthDate'], layout: { color: '#b0305a', orientation: 'portrait' },
  },
  {
    code: 'marriage_certificate', abbr: 'JHZ', name: { 'zh-CN': '结婚证', en: 'Marriage certificate' }, holderKind: 'person',
    issuerKind: { 'zh-CN': '婚姻登记机关', en: 'Marriage registry' }, validityYears: null,
    fields: [f('spouseName', '配偶姓名', "Spouse's name"), f('registeredOn', '登记日期', 'Date of registration', 'date'), f('certificateNumber', '结婚证字号', 'Certificate number', 'text', false)],
    defaultDisclosure: ['registeredOn'], layout: { color: '#c0262d', orientation: 'landscape' },
  },
  {
    code: 'social_security_card', abbr: 'SBK', name: { 'zh-CN': '社会保障卡', en: 'Social security card' }, holderKind: 'person',
    issuerKind: { 'zh-CN': '人力资源和社会保障部门', en: 'Human resources and social security bureau' }, validityYears: 10,
    // The social security number is the holder's citizen ID number (GB 11643).
    fields: [{ ...f('cardNumber', '社会保障号码', 'Social security number'), identifier: 'idNumber' }, f('bank', '金融账户开户行', 'Bank', 'text', false)],
    defaultDisclosure: [], layout: { color: '#0b7a5c', orientation: 'landscape' },
  },
  {
    code: 'driving_licence', abbr: 'JSZ', name: { 'zh-CN': '机动车驾驶证', en: "Driving licence" }, holderKind: 'person',
    issuerKind: { 'zh-CN': '公安机关交通管理部门', en: 'Traffic police' }, validityYears: 6,
    fields: [sex, birthDate, f('vehicleClass', '准驾车型', 'Vehicle class', 'enum', true, ['A1', 'A2', 'A3', 'B1', 'B2', 'C1', 'C2', 'D', 'E', 'F']), f('firstIssuedOn', '初次领证日期', 'First issued on', 'date')],
    defaultDisclosure: ['vehicleClass'], layout: { color: '#2b5b84', orientation: 'landscape' },
  },
  {
    code: 'business_license', abbr: 'YYZZ', name: { 'zh-CN': '营业执照', en: 'Business license' }, holderKind: 'entity',
    issuerKind: market, validityYears: null,
    fields: [f('entityType', '类型', 'Type'), f('legalRepresentative', '法定代表人', 'Legal representative'), f('registeredCapital', '注册资本', 'Registered capital', 'text', false), f('establishedOn', '成立日期', 'Established on', 'date'), f('address', '住所', 'Address'), f('businessScope', '经营范围', 'Business scope', 'text', false)],
    defaultDisclosure: ['entityType', 'legalRepresentative', 'establishedOn'], layout: { color: '#a3262a', orientation: 'landscape' },
  },
  {
    code: 'food_business_license', abbr: 'SPJY', name: { 'zh-CN': '食品经营许可证', en: 'Food business license' }, holderKind: 'entity',
    issuerKind: market, validityYears: 5,
    fields: [f('operator', '经营者名称', 'Operator'), f('premises', '经营场所', 'Premises'), f('mainBusiness', '主体业态', 'Business format'), f('items', '经营项目', 'Business items', 'text', false)],
    defaultDisclosure: ['mainBusiness'], layout: { color: '#1d6b3a', orientation: 'landscape' },
  },
  {
    code: 'degree_certificate', abbr: 'XWZ', name: { 'zh-CN': '学位证书', en: 'Degree certificate' }, holderKind: 'person',
    issuerKind: { 'zh-CN': '学位授予单位', en: 'Degree-awarding institution' }, validityYears: null,
    fields: [f('degree', '学位', 'Degree'), f('discipline', '学科门类', 'Discipline'), f('institution', '授予单位', 'Institution'), f('awardedOn', '授予日期', 'Awarded on', 'date')],
    defaultDisclosure: ['degree', 'institution'], layout: { color: '#5a3a8a', orientation: 'portrait' },
  },
  // Types the demo catalog's items produce or accept; a plain field schema serves them.
  generic('residence_permit', 'JZZ', '居住证', 'Residence permit', public_security, 1),
  generic('passport', 'HZ', '普通护照', 'Passport', { 'zh-CN': '出入境管理部门', en: 'Exit-entry administration' }, 10),
  generic('hk_macao_permit', 'GAT', '往来港澳通行证', 'Exit-entry permit for Hong Kong and Macao', { 'zh-CN': '出入境管理部门', en: 'Exit-entry administration' }, 10),
  generic('no_criminal_record_certificate', 'WFZ', '无犯罪记录证明', 'Certificate of no criminal record', public_security, 1),
  generic('employment_certificate', 'JYZ', '就业创业证', 'Employment certificate', { 'zh-CN': '人力资源和社会保障部门', en: 'Human resources and social security bureau' }, null),
  generic('real_estate_certificate', 'BDC', '不动产权证书', 'Real estate title certificate', { 'zh-CN': '不动产登记机构', en: 'Real estate registry' }, null),
]

function generic(code: string, abbr: string, zh: string, en: string, issuerKind: LicenseTypeDef['issuerKind'], validityYears: number | null): LicenseTypeDef {
  return {
    code, abbr, name: { 'zh-CN': zh, en }, holderKind: 'person', issuerKind, validityYears,
    fields: [f('summary', '证照内容', 'Particulars', 'text', false), f('remarks', '备注', 'Remarks', 'text', false)],
    defaultDisclosure: [], layout: { color: '#444b59', orientation: 'landscape' },
  }
}

const byCode = new Map(licenseTypes.map((t) => [t.code, t]))

export function licenseTypeOf(code: string): LicenseTypeDef | undefined {
  return byCode.get(code)
}

/** A zod schema for a type's fields: known keys only, required ones present, dates real days, enums from their list. */
export function fieldSchemaOf(t: LicenseTypeDef): z.ZodType<Record<string, string>> {
  const shape: Record<string, z.ZodType<string | undefined>> = {}
  for (const d of t.fields) {
    let s: z.ZodType<string> = z.string().trim().min(1).max(d.max ?? 200).regex(/^[^\p{Cc}]*$/u)
    if (d.type === 'date') s = z.string().regex(/^\d{4}-\d{2}-\d{2}$/).refine(isRealDate, 'not a calendar date')
    if (d.type === 'enum' && d.options) s = z.enum(d.options as [string, ...string[]])
    shape[d.key] = d.required ? s : s.optional()
  }
  return z.strictObject(shape) as unknown as z.ZodType<Record<string, string>>
}

export function isRealDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false
  const d = new Date(`${s}T00:00:00Z`)
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s
}

/** The last day of validity from the first (same calendar day N years on, minus one day); null when permanent. */
export function validUntilOf(t: LicenseTypeDef, validFrom: string): string | null {
  if (t.validityYears === null) return null
  const d = new Date(`${validFrom}T00:00:00Z`)
  d.setUTCFullYear(d.getUTCFullYear() + t.validityYears)
  d.setUTCDate(d.getUTCDate() - 1)
  return d.toISOString().slice(0, 10)
}
