import { describe, expect, it } from 'vitest'
import { createWorkingCalendar } from '../../platform/calendar.js'
import { deadlineOf, limitDaysFor, pausedWorkingDays, progressOf, type ClockState } from './deadline.js'

const calendar = createWorkingCalendar()
const at = (s: string) => new Date(s)
const clock = (c: Partial<ClockState>): ClockState => ({ acceptedAt: null, limitDays: 5, pausedDays: 0, pausedAt: null, stoppedAt: null, ...c })

describe('deadlines on the working-day calendar', () => {
  // chinese-days 2026: 25 Sep (中秋) and 1–7 Oct (国庆) off; Sat 10 Oct is a make-up workday; Sun 11 Oct off.
  it('counts 5 working days from 29 Sep 2026 across National Day to 12 Oct', () => {
    const d = deadlineOf(clock({ acceptedAt: at('2026-09-29T10:00:00+08:00') }), calendar)!
    expect(d.dueDate).toBe('2026-10-12')
    expect(d.dueAt.toISOString()).toBe('2026-10-12T15:59:59.999Z')
    // 80 % of 5 days is 4: yellow from the 4th working day (Sat 10 Oct, a make-up workday).
    expect(d.yellowAt.toISOString()).toBe('2026-10-09T16:00:00.000Z')
  })

  it('reports days used / allowed and the light as time moves', () => {
    const c = clock({ acceptedAt: at('2026-09-29T10:00:00+08:00') })
    expect(progressOf(c, at('2026-09-29T16:00:00+08:00'), calendar)).toMatchObject({ usedDays: 0, allowedDays: 5, remainingDays: 5, light: 'green' })
    expect(progressOf(c, at('2026-10-05T12:00:00+08:00'), calendar)).toMatchObject({ usedDays: 1, light: 'green' })
    expect(progressOf(c, at('2026-10-10T09:00:00+08:00'), calendar)).toMatchObject({ usedDays: 4, remainingDays: 1, light: 'yellow' })
    expect(progressOf(c, at('2026-10-12T23:00:00+08:00'), calendar)).toMatchObject({ usedDays: 5, remainingDays: 0, light: 'yellow' })
    expect(progressOf(c, at('2026-10-13T00:00:01+08:00'), calendar)).toMatchObject({ usedDays: 6, remainingDays: -1, light: 'red' })
  })

  it('extends the limit by the working days spent in 补正 and reads a paused clock at the pause', () => {
    const pausedAt = at('2026-10-08T10:00:00+08:00')
    const paused = clock({ acceptedAt: at('2026-09-29T10:00:00+08:00'), pausedAt })
    expect(progressOf(paused, at('2026-10-20T10:00:00+08:00'), calendar)).toMatchObject({ usedDays: 2, paused: true, light: 'green' })
    const resumedAt = at('2026-10-12T15:00:00+08:00')
    const extra = pausedWorkingDays(pausedAt, resumedAt, calendar)
    expect(extra).toBe(3) // 9, 10 (make-up) and 12 Oct
    const resumed = clock({ acceptedAt: at('2026-09-29T10:00:00+08:00'), pausedDays: extra })
    expect(deadlineOf(resumed, calendar)!.dueDate).toBe('2026-10-15')
    expect(progressOf(resumed, at('2026-10-13T10:00:00+08:00'), calendar)).toMatchObject({ usedDays: 3, allowedDays: 5, light: 'green' })
  })

  it('gives same-day classes the day of acceptance, yellow after 80 % of it', () => {
    expect(limitDaysFor('immediate', 3)).toBe(0)
    expect(limitDaysFor('same_day', 0)).toBe(0)
    expect(limitDaysFor('time_limited', 20)).toBe(20)
    const c = clock({ acceptedAt: at('2026-11-23T09:00:00+08:00'), limitDays: 0 })
    const d = deadlineOf(c, calendar)!
    expect(d.dueDate).toBe('2026-11-23')
    expect(progressOf(c, at('2026-11-23T12:00:00+08:00'), calendar)?.light).toBe('green')
    expect(progressOf(c, at('2026-11-23T21:00:00+08:00'), calendar)?.light).toBe('yellow')
    expect(progressOf(c, at('2026-11-24T08:00:00+08:00'), calendar)?.light).toBe('red')
  })

  it('freezes the count when the clock stops at the decision', () => {
    const c = clock({ acceptedAt: at('2026-11-23T09:00:00+08:00'), stoppedAt: at('2026-11-25T09:00:00+08:00') })
    expect(progressOf(c, at('2027-01-01T00:00:00+08:00'), calendar)).toMatchObject({ usedDays: 2, light: 'green' })
  })

  it('has no progress before acceptance', () => {
    expect(progressOf(clock({}), at('2026-11-23T09:00:00+08:00'), calendar)).toBeNull()
  })
})
