import { Checkbox, Form, Input, Radio, Space, TextArea } from 'antd-mobile'
import type { FormInstance } from 'antd-mobile/es/components/form'
import { useEffect } from 'react'
import { useTranslation } from 'react-i18next'
import type { FormDefinition, FormProperty, LayoutEntry } from '../../lib/cases'

const idWeights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const idCheck = '10X98765432'

/** GB 11643 check digit of a citizen ID number (the server checks it too). */
export function isValidIdNumber(v: string): boolean {
  const s = v.toUpperCase()
  if (!/^\d{17}[\dX]$/.test(s)) return false
  const sum = idWeights.reduce((n, w, i) => n + w * Number(s[i]), 0)
  return idCheck[sum % 11] === s[17]
}

const mobile = /^1[3-9]\d{9}$/
const landline = /^0\d{2,3}-?\d{7,8}(-\d{1,6})?$/

type Rule = { required?: boolean; message?: string; validator?: (rule: unknown, value: unknown) => Promise<void> }

/** The fields of the item's form in layout order, grouped by section; file widgets are left to the materials step. */
export function placedFields(def: FormDefinition, only?: ReadonlySet<string>): LayoutEntry[] {
  return def.layout.filter((l) => l.widget !== 'file' && def.schema.properties[l.field] && (!only || only.has(l.field)))
}

/** Turns the form's values into the data the server expects (numbers as numbers, blanks left out). */
export function toFormData(def: FormDefinition, values: Record<string, unknown>, base: Record<string, unknown> = {}): Record<string, unknown> {
  const data: Record<string, unknown> = { ...base }
  for (const l of placedFields(def)) {
    if (!(l.field in values)) continue
    const p = def.schema.properties[l.field]!
    let v = values[l.field]
    if (typeof v === 'string') v = l.widget === 'idNumber' ? v.trim().toUpperCase() : v.trim()
    if ((p.type === 'number' || p.type === 'integer') && typeof v === 'string' && v !== '') v = Number(v)
    if (v === '' || v === undefined || v === null || (Array.isArray(v) && v.length === 0)) delete data[l.field]
    else data[l.field] = v
  }
  return data
}

/** The label of an option value of a select field. */
export function optionLabel(l: LayoutEntry, value: unknown): string {
  const found = l.options?.find((o) => o.value === value)
  return found ? found.label : String(value)
}

/**
 * Renders an item's application form (JSON Schema + layout) with antd-mobile and validates it on
 * the client with the same rules the server applies; `serverErrors` (field → reason) go on the fields.
 */
export function FormFields({ def, form, serverErrors, only }: { def: FormDefinition; form: FormInstance; serverErrors?: Record<string, string>; only?: ReadonlySet<string> }) {
  const { t } = useTranslation()
  const required = new Set(def.schema.required ?? [])

  useEffect(() => {
    if (!serverErrors) return
    const fields = Object.entries(serverErrors)
      .filter(([name]) => def.schema.properties[name])
      .map(([name, reason]) => ({ name, errors: [reason] }))
    if (fields.length) form.setFields(fields)
  }, [serverErrors, def, form])

  const rulesOf = (l: LayoutEntry, p: FormProperty): Rule[] => {
    const label = l.label
    const rules: Rule[] = []
    if (required.has(l.field)) rules.push({ required: true, message: t('citizen.apply.v.required', { label }) })
    rules.push({
      validator: async (_rule, raw) => {
        if (raw === undefined || raw === null || raw === '' || (Array.isArray(raw) && raw.length === 0)) return
        if (p.type === 'number' || p.type === 'integer') {
          const n = Number(raw)
          if (!Number.isFinite(n) || (p.type === 'integer' && !Number.isInteger(n))) throw new Error(t('citizen.apply.v.number', { label }))
          if (p.minimum !== undefined && n < p.minimum) throw new Error(t('citizen.apply.v.min', { label, min: p.minimum }))
          if (p.maximum !== undefined && n > p.maximum) throw new Error(t('citizen.apply.v.max', { label, max: p.maximum }))
          return
        }
        if (Array.isArray(raw)) {
          if (p.minItems !== undefined && raw.length < p.minItems) throw new Error(t('citizen.apply.v.minItems', { label, min: p.minItems }))
          if (p.maxItems !== undefined && raw.length > p.maxItems) throw new Error(t('citizen.apply.v.maxItems', { label, max: p.maxItems }))
          return
        }
        const v = String(raw).trim()
        const length = [...v].length
        if (p.minLength !== undefined && length < p.minLength) throw new Error(t('citizen.apply.v.minLength', { label, min: p.minLength }))
        if (p.maxLength !== undefined && length > p.maxLength) throw new Error(t('citizen.apply.v.maxLength', { label, max: p.maxLength }))
        if (l.widget === 'idNumber') {
          if (!isValidIdNumber(v)) throw new Error(t('citizen.apply.v.idNumber'))
          return
        }
        if (l.widget === 'phone') {
          if (!mobile.test(v) && !landline.test(v)) throw new Error(t('citizen.apply.v.phone'))
          return
        }
        if (p.format === 'date' && !/^\d{4}-\d{2}-\d{2}$/.test(v)) throw new Error(t('citizen.apply.v.date', { label }))
        if (p.format === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) throw new Error(t('citizen.apply.v.format', { label }))
        if (p.pattern && !new RegExp(p.pattern, 'u').test(v)) throw new Error(t('citizen.apply.v.format', { label }))
      },
    })
    return rules
  }

  let lastSection: string | undefined
  return (
    <>
      {placedFields(def, only).map((l) => {
        const p = def.schema.properties[l.field]!
        const heading = l.section && l.section !== lastSection ? l.section : null
        lastSection = l.section
        const choices = (p.type === 'array' ? p.items?.enum : p.enum) ?? []
        const options = l.options ?? choices.map((c) => ({ value: c, label: String(c) }))
        let control
        switch (l.widget) {
          case 'textarea':
            control = <TextArea placeholder={l.placeholder} maxLength={p.maxLength} showCount={!!p.maxLength} autoSize={{ minRows: 2, maxRows: 6 }} />
            break
          case 'number':
            control = <Input type="number" inputMode="decimal" placeholder={l.placeholder} />
            break
          case 'date':
            control = <Input type="date" placeholder={l.placeholder} />
            break
          case 'idNumber':
            control = <Input placeholder={l.placeholder ?? t('citizen.apply.idPlaceholder')} maxLength={18} autoComplete="off" />
            break
          case 'phone':
            control = <Input type="tel" inputMode="tel" placeholder={l.placeholder ?? t('citizen.apply.phonePlaceholder')} autoComplete="tel" />
            break
          case 'select':
            control =
              p.type === 'array' ? (
                <Checkbox.Group>
                  <Space wrap>
                    {options.map((o) => (
                      <Checkbox key={String(o.value)} value={o.value}>
                        {o.label}
                      </Checkbox>
                    ))}
                  </Space>
                </Checkbox.Group>
              ) : (
                <Radio.Group>
                  <Space wrap>
                    {options.map((o) => (
                      <Radio key={String(o.value)} value={o.value}>
                        {o.label}
                      </Radio>
                    ))}
                  </Space>
                </Radio.Group>
              )
            break
          default:
            control = <Input placeholder={l.placeholder} maxLength={p.maxLength} />
        }
        return (
          <div key={l.field}>
            {heading && <Form.Header>{heading}</Form.Header>}
            <Form.Item name={l.field} label={l.label} description={l.help ?? p.description} rules={rulesOf(l, p)} required={required.has(l.field)}>
              {control}
            </Form.Item>
          </div>
        )
      })}
    </>
  )
}
