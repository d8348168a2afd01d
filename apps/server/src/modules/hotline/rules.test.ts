import { describe, expect, it } from 'vitest'
import { createWorkingCalendar } from '../../platform/calendar.js'
import { deadlineOf, lightAt } from './deadline.js'
import { pickRule } from './service.js'
import { actionsFor } from './state.js'
import type { RuleTable } from './store.js'
import { similarity, words } from './text.js'

const rule = (id: string, category_code: string | null, division_prefix: string | null): RuleTable => ({
  id, category_code, division_prefix, department_id: `dep_${id}`, department_name: id, assist_department_ids: [], version: 1, created_at: new Date(), updated_at: new Date(),
})

describe('dispatch rules', () => {
  const all = [rule('default', null, null), rule('noise', 'noise', null), rule('xinfu', null, '140902'), rule('noiseXinfu', 'noise', '140902'), rule('noiseStreet', 'noise', '140902003')]
  it('picks the most specific rule: category and longest prefix, then category, then place, then default', () => {
    expect(pickRule(all, 'noise', '140902003001')!.id).toBe('noiseStreet')
    expect(pickRule(all, 'noise', '140902001')!.id).toBe('noiseXinfu')
    expect(pickRule(all, 'noise', '140981')!.id).toBe('noise')
    expect(pickRule(all, 'noise', null)!.id).toBe('noise')
    expect(pickRule(all, 'housing', '140902003')!.id).toBe('xinfu')
    expect(pickRule(all, 'housing', '140981')!.id).toBe('default')
    expect(pickRule(all.slice(1), 'housing', '140981')).toBeNull()
  })
  it('treats a 6-digit city code as the prefix of its districts', () => {
    expect(pickRule([rule('city', 'noise', '140900')], 'noise', '140902003')!.id).toBe('city')
  })
})

describe('deadlines on the working-day calendar', () => {
  const calendar = createWorkingCalendar()
  it('counts working days from dispatch (Friday + 1 working day is Monday night) and lights yellow then red', () => {
    const friday = new Date('2026-11-20T10:00:00+08:00')
    const d = deadlineOf(friday, 1, calendar)
    expect(d.dueAt.toISOString()).toBe(new Date('2026-11-23T23:59:59.999+08:00').toISOString())
    expect(lightAt(d, new Date('2026-11-21T10:00:00+08:00'))).toBe('green')
    expect(lightAt(d, new Date('2026-11-23T20:00:00+08:00'))).toBe('yellow')
    expect(lightAt(d, new Date('2026-11-24T00:00:01+08:00'))).toBe('red')
    const five = deadlineOf(friday, 5, calendar)
    expect(five.dueAt.toISOString()).toBe(new Date('2026-11-27T23:59:59.999+08:00').toISOString())
    // Yellow from the 4th working day (⌈0.8 × 5⌉).
    expect(five.yellowAt.toISOString()).toBe(new Date('2026-11-26T00:00:00+08:00').toISOString())
  })
})

describe('state machine', () => {
  it('offers each side only its own actions', () => {
    expect(actionsFor('registered', new Set(['centre']), 'consult', false)).toEqual(['direct-close', 'dispatch', 'merge'])
    expect(actionsFor('registered', new Set(['centre']), 'complaint', false)).toEqual(['dispatch', 'merge'])
    expect(actionsFor('processing', new Set(['department']), 'help', false)).toEqual(['return', 'request-extension', 'reply'])
    expect(actionsFor('processing', new Set(['department']), 'help', true)).toEqual(['return', 'reply'])
    expect(actionsFor('processing', new Set(['centre', 'admin']), 'help', true)).toEqual(['decide-extension'])
    expect(actionsFor('closed', new Set(['centre', 'admin', 'department']), 'help', false)).toEqual([])
  })
})

describe('Chinese words', () => {
  it('segments and compares', () => {
    const a = words('和平街夜市烧烤店油烟和噪音扰民')
    expect(a).toContain('噪音')
    expect(similarity(a, words('和平街夜市烧烤店噪音扰民到凌晨'))).toBeGreaterThan(0.3)
    expect(similarity(a, words('建议增设公交站台遮阳棚'))).toBeLessThan(0.1)
  })
})
