import { describe, expect, it } from 'vitest'
import { buildWorkbook, readWorkbook } from './excel.js'
import { formDefinitionSchema } from './form.js'
import type { ServiceItemGuide } from './model.js'

/** Prefill declarations (免填) on form fields: checked strictly, and kept whole through the spreadsheet. */

const form = {
  schema: {
    type: 'object' as const,
    properties: { motherName: { type: 'string' as const, title: '母亲姓名' }, fatherName: { type: 'string' as const, title: '父亲姓名' }, note: { type: 'string' as const } },
    required: ['motherName'],
  },
  layout: [
    { field: 'motherName', widget: 'string' as const, label: '母亲姓名', prefill: { source: 'person.name' } },
    { field: 'fatherName', widget: 'string' as const, label: '父亲姓名', prefill: { source: 'person.name', party: 'father' } },
    { field: 'note', widget: 'string' as const, label: '备注', prefill: { source: 'license.business_license.number' } },
  ],
}

describe('prefill declarations', () => {
  it('accepts registry and license sources and refuses guessed ones', () => {
    expect(formDefinitionSchema.safeParse(form).success).toBe(true)
    const bad = { ...form, layout: [{ ...form.layout[0]!, prefill: { source: 'person.salary' } }, form.layout[1]!, form.layout[2]!] }
    expect(formDefinitionSchema.safeParse(bad).success).toBe(false)
    const extra = { ...form, layout: [{ ...form.layout[0]!, prefill: { source: 'person.name', guess: true } }, form.layout[1]!, form.layout[2]!] }
    expect(formDefinitionSchema.safeParse(extra).success).toBe(false)
  })

  it('survives the Excel round trip unchanged', async () => {
    const guide: ServiceItemGuide = {
      name: '出生登记', type: 'confirmation', departmentId: 'dep_x', divisionCode: '140900', applicableTo: 'person', summary: null, legalBasis: '《中华人民共和国户口登记条例》第七条',
      conditions: '新生儿', materials: [], form, fees: [], legalDays: null, promisedDays: 0, handlingClass: 'immediate', mode: 'fully_online', visits: 0,
      reviewSteps: [{ name: '审查决定', role: 'reviewer' }], producesLicenseType: null, address: null, hours: null, phone: null, faq: [], themes: [], keywords: [],
    }
    const wb = await buildWorkbook([{ code: 'QR00101000', departmentName: '忻州市公安局', guide }], new Date('2026-11-23T00:00:00Z'))
    const { items, errors } = await readWorkbook(wb)
    expect(errors).toEqual([])
    expect(items[0]!.guide.form).toEqual(form)
  })
})
