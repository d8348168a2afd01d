import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { formDefinitionSchema, validateFormData, type FormDefinition } from './form.js'
import en from './messages/en.json' with { type: 'json' }
import zh from './messages/zh-CN.json' with { type: 'json' }
import { audiences, guideSchema, handlingClasses, itemTypes, materialForms, materialRequirements, normalizeGuide, serviceModes, stepRoles, themeCodes, toGuideIssues } from './model.js'
import { asPinyinQuery, highlightRanges, pinyinHighlight, pinyinKeys, queryTerms, tsqueryLiteral, tsvectorLiteral } from './text.js'

const form: FormDefinition = {
  schema: {
    type: 'object',
    properties: {
      fullName: { type: 'string', maxLength: 20 },
      idNumber: { type: 'string', pattern: '^\\d{17}[\\dXx]$' },
      phone: { type: 'string' },
      birthDate: { type: 'string', format: 'date' },
      sex: { type: 'string', enum: ['男', '女'] },
      capital: { type: 'number', minimum: 0, maximum: 100 },
      photos: { type: 'array', items: { type: 'string' }, maxItems: 2 },
      note: { type: 'string' },
    },
    required: ['fullName', 'idNumber', 'phone', 'birthDate', 'sex'],
    additionalProperties: false,
  },
  layout: [
    { field: 'fullName', widget: 'string', label: '姓名' },
    { field: 'idNumber', widget: 'idNumber', label: '公民身份号码' },
    { field: 'phone', widget: 'phone', label: '手机' },
    { field: 'birthDate', widget: 'date', label: '出生日期' },
    { field: 'sex', widget: 'select', label: '性别', options: [{ value: '男', label: '男' }, { value: '女', label: '女' }] },
    { field: 'capital', widget: 'number', label: '注册资本' },
    { field: 'photos', widget: 'file', label: '照片', accept: ['image/jpeg'] },
    { field: 'note', widget: 'textarea', label: '备注' },
  ],
}

/** The catalog message keys of a form definition's problems (empty: well-formed). */
function formProblems(f: unknown): string[] {
  const r = formDefinitionSchema.safeParse(f)
  return r.success ? [] : toGuideIssues(r.error).map((i) => `${i.path.join('.')}:${i.key ?? i.code}`)
}

const withProperty = (name: string, property: object, layout: object) => ({
  schema: { ...form.schema, properties: { ...form.schema.properties, [name]: property } },
  layout: [...form.layout, { field: name, label: name, ...layout }],
})

describe('form definitions', () => {
  it('accepts a well-formed definition', () => {
    expect(formProblems(form)).toEqual([])
  })

  it.each([
    ['a keyword of another type', withProperty('x', { type: 'number', maxLength: 3 }, { widget: 'number' }), ['schema.properties.x.maxLength:catalog.validation.form-keyword-type']],
    ['a broken regular expression', withProperty('x', { type: 'string', pattern: '(' }, { widget: 'string' }), ['schema.properties.x.pattern:catalog.validation.form-pattern']],
    ['a minimum above the maximum', withProperty('x', { type: 'number', minimum: 5, maximum: 1 }, { widget: 'number' }), ['schema.properties.x.maximum:catalog.validation.form-range']],
    ['an enum value of the wrong type', withProperty('x', { type: 'number', enum: [1, 'two'] }, { widget: 'select' }), ['schema.properties.x.enum.1:catalog.validation.form-value-type']],
    ['a list without items', withProperty('x', { type: 'array' }, { widget: 'file' }), ['schema.properties.x.items:catalog.validation.form-array-items']],
    ['a widget that cannot render the type', withProperty('x', { type: 'boolean' }, { widget: 'phone' }), ['layout.8.widget:catalog.validation.form-widget-type']],
    ['a date widget without format date', withProperty('x', { type: 'string' }, { widget: 'date' }), ['layout.8.widget:catalog.validation.form-date-format']],
    ['a select without choices', withProperty('x', { type: 'string' }, { widget: 'select' }), ['layout.8.widget:catalog.validation.form-select-enum']],
    ['options that differ from the enum', withProperty('x', { type: 'string', enum: ['a', 'b'] }, { widget: 'select', options: [{ value: 'a', label: 'A' }] }), ['layout.8.options:catalog.validation.form-options']],
    ['an unknown keyword', withProperty('x', { type: 'string', oneOf: [] }, { widget: 'string' }), ['schema.properties.x:unrecognized_keys']],
    ['a bad field name', withProperty('1x', { type: 'string' }, { widget: 'string' }), expect.arrayContaining([expect.stringMatching(/^schema\.properties\.1x:/)])],
    ['a required field that does not exist', { ...form, schema: { ...form.schema, required: ['ghost'] } }, ['schema.required.0:catalog.validation.form-unknown-field']],
    ['a field missing from the layout', { ...form, layout: form.layout.slice(1) }, ['layout:catalog.validation.form-unplaced-field']],
    ['a field placed twice', { ...form, layout: [...form.layout, form.layout[0]] }, ['layout.8.field:catalog.validation.form-duplicate-field']],
    ['a non-object root', { ...form, schema: { ...form.schema, type: 'array' } }, ['schema.type:invalid_value']],
  ])('rejects %s', (_name, f, expected) => {
    expect(formProblems(f)).toEqual(expected)
  })
})

describe('form data', () => {
  const valid = { fullName: '张三', idNumber: '11010519491231002X', phone: '13800138000', birthDate: '1949-12-31', sex: '男', capital: 50, photos: ['file_1'] }

  it('accepts valid data and blank optional fields', () => {
    expect(validateFormData(form, valid)).toEqual([])
    expect(validateFormData(form, { ...valid, note: '', photos: [] })).toEqual([])
  })

  it.each([
    [{ fullName: '' }, [{ field: 'fullName', code: 'required' }]],
    [{ fullName: '张'.repeat(21) }, [{ field: 'fullName', code: 'too_long' }]],
    [{ idNumber: '110105194912310021' }, [{ field: 'idNumber', code: 'id_number' }]],
    [{ idNumber: '1101' }, [{ field: 'idNumber', code: 'pattern' }]],
    [{ phone: '12345' }, [{ field: 'phone', code: 'phone' }]],
    [{ phone: '0350-3032110' }, []],
    [{ birthDate: '2023-02-30' }, [{ field: 'birthDate', code: 'format' }]],
    [{ sex: '其他' }, [{ field: 'sex', code: 'not_allowed' }]],
    [{ capital: 101 }, [{ field: 'capital', code: 'too_big' }]],
    [{ capital: '50' }, [{ field: 'capital', code: 'type' }]],
    [{ photos: ['a', 'b', 'c'] }, [{ field: 'photos', code: 'too_big' }]],
    [{ extra: 1 }, [{ field: 'extra', code: 'unknown_field' }]],
  ])('reports %j', (change, expected) => {
    expect(validateFormData(form, { ...valid, ...change })).toEqual(expected)
  })
})

const base = {
  name: '测试事项',
  type: 'licensing',
  departmentId: 'dept_x',
  applicableTo: 'person',
  legalBasis: '《某法》第一条',
  conditions: '条件',
  legalDays: 20,
  promisedDays: 5,
  handlingClass: 'time_limited',
  mode: 'one_visit',
  visits: 1,
  reviewSteps: [{ name: '审查', role: 'reviewer' }],
}

describe('guide rules', () => {
  const problems = (changes: object) => {
    const r = guideSchema.safeParse({ ...base, ...changes })
    return r.success ? [] : toGuideIssues(r.error).map((i) => `${i.path.join('.')}:${i.key ?? i.code}`)
  }

  it.each([
    [{}, []],
    [{ legalDays: null, promisedDays: 90 }, []],
    [{ promisedDays: 21 }, ['promisedDays:catalog.validation.promised-exceeds-legal']],
    [{ handlingClass: 'same_day' }, ['promisedDays:catalog.validation.same-day-zero-days']],
    [{ handlingClass: 'immediate', promisedDays: 0 }, []],
    [{ handlingClass: 'time_limited', promisedDays: 0 }, ['promisedDays:catalog.validation.time-limited-days']],
    [{ mode: 'fully_online', visits: 1 }, ['visits:catalog.validation.online-no-visit']],
    [{ mode: 'window', visits: 0 }, ['visits:catalog.validation.window-one-visit']],
    [{ visits: 2 }, ['visits:too_big']],
    [{ themes: ['business_startup'] }, ['themes.0:catalog.validation.theme-audience']],
    [{ applicableTo: 'both', themes: ['business_startup', 'birth'] }, []],
    [{ keywords: ['上户口、报户口'] }, ['keywords.0:invalid_format']],
    [{ materials: [{ code: 'a', name: '甲材料', requirement: 'required', form: 'copy' }, { code: 'a', name: '乙材料', requirement: 'required', form: 'copy' }] }, ['materials.1.code:catalog.validation.duplicate-material-code']],
    [{ fees: [{ name: '工本费', amount: 0.1 + 0.2, basis: '某某文件' }] }, []],
    [{ reviewSteps: [{ name: '审查', role: 'window_clerk' }] }, ['reviewSteps.0.role:invalid_value']],
    [{ name: undefined }, ['name:required']],
    [{ visits: '1' }, ['visits:invalid_type']],
  ])('%j → %j', (changes, expected) => {
    expect(problems(changes)).toEqual(expected)
  })

  it('normalises: blanks to null, defaults filled, duplicates dropped, themes in canonical order', () => {
    const parsed = guideSchema.parse({
      ...base,
      summary: '',
      materials: [{ name: '申请书', requirement: 'required', form: 'original' }, { code: 'm1', name: '身份证', requirement: 'required', form: 'original' }],
      fees: [{ name: '工本费', amount: 0.1 + 0.2, basis: '某某文件' }],
      themes: ['housing', 'birth', 'housing'],
      keywords: ['上户口', '上户口'],
    })
    const g = normalizeGuide(parsed, '140900')
    expect(g).toMatchObject({ summary: null, divisionCode: '140900', form: null, faq: [], themes: ['birth', 'housing'], keywords: ['上户口'], producesLicenseType: null })
    expect(g.materials.map((m) => [m.code, m.copies, m.condition])).toEqual([
      ['m2', 1, null],
      ['m1', 1, null],
    ])
    expect(g.fees[0]!.amount).toBe(0.3)
  })
})

describe('search text', () => {
  it('drops filler words and single characters from queries, keeping the phrase as typed', () => {
    expect(queryTerms('我要开个饭店')).toEqual(['我要', '开个', '饭店', '我要开个饭店'].filter((w) => w !== '我要'))
    expect(queryTerms('身份证丢了怎么办')).toEqual(expect.arrayContaining(['身份证', '身份证丢了怎么办']))
    expect(queryTerms('的')).toEqual([])
  })

  it('writes tsvector and tsquery literals that quote what they must', () => {
    expect(tsvectorLiteral([{ weight: 'A', tokens: ['出生', "o'k", '出生'] }, { weight: 'D', tokens: ['出生', 'a\\b'] }])).toBe("'出生':1A 'o''k':2A 'a\\\\b':3")
    expect(tsqueryLiteral(['生孩子'], [['出生'], ['企业', '设立']])).toBe("'生孩子' | '出生' | ('企业' & '设立')")
    expect(tsqueryLiteral([], [])).toBeNull()
  })

  it('keys names by pinyin and highlights what matched', () => {
    expect(pinyinKeys(['出生登记', '报户口'])).toBe('csdj chushengdengji bhk baohukou')
    expect(asPinyinQuery("chu sheng'deng ji")).toBe('chushengdengji')
    expect(asPinyinQuery('出生')).toBeNull()
    expect(pinyinHighlight('居民身份证补领', 'sfz')).toEqual({ start: 2, end: 5 })
    expect(highlightRanges('企业设立登记', ['设立登记', '企业设立'])).toEqual([{ start: 0, end: 6 }])
  })
})

describe('catalog messages', () => {
  it('have the same keys in zh-CN and en, all namespaced', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zh).sort())
    for (const key of Object.keys(zh)) expect(key.startsWith('catalog.')).toBe(true)
  })

  it('cover every key the code names and every vocabulary label', () => {
    const dir = import.meta.dirname
    const source = ['errors.ts', 'model.ts', 'form.ts', 'service.ts', 'excel.ts'].map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('\n')
    // Message keys only: `action: 'catalog.import.completed'` names an audit action, not a message.
    const named = [...source.matchAll(/(?<!action: )'(catalog\.(?:problem|validation|import)\.[a-z-]+)'/g)].map((m) => m[1]!)
    expect(named.length).toBeGreaterThan(30)
    const labels = [
      ...itemTypes.map((x) => `catalog.type.${x}`),
      ...audiences.map((x) => `catalog.audience.${x}`),
      ...handlingClasses.map((x) => `catalog.handling.${x}`),
      ...serviceModes.map((x) => `catalog.mode.${x}`),
      ...materialRequirements.map((x) => `catalog.requirement.${x}`),
      ...materialForms.map((x) => `catalog.material-form.${x}`),
      ...stepRoles.map((x) => `catalog.step-role.${x}`),
      ...themeCodes.map((x) => `catalog.theme.${x}`),
    ]
    for (const key of [...named, ...labels]) expect(Object.keys(zh), key).toContain(key)
  })
})
