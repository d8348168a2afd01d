import { describe, expect, it } from 'vitest'
import { chinaDate, createWorkingCalendar } from './calendar.js'

const cal = createWorkingCalendar()

describe('working-day calendar', () => {
  it.each([
    ['2026-10-01', false, 'National Day'],
    ['2026-10-07', false, 'National Day holiday week'],
    ['2026-11-23', true, 'an ordinary Monday'],
    ['2026-11-22', false, 'an ordinary Sunday'],
  ])('%s is a working day: %s (%s)', (day, expected) => {
    expect(cal.isWorkingDay(day)).toBe(expected)
  })

  it('counts a make-up Saturday (调休) as a working day', () => {
    // 2026: the National Day make-up workday falls on Saturday 10 October.
    expect(cal.isWorkingDay('2026-10-10')).toBe(true)
  })

  it('skips weekends when adding working days', () => {
    expect(cal.addWorkingDays('2026-11-20', 1)).toBe('2026-11-23') // Friday + 1 → Monday
    expect(cal.addWorkingDays('2026-11-23', 5)).toBe('2026-11-30')
    expect(cal.addWorkingDays('2026-11-23', 0)).toBe('2026-11-23')
  })

  it('skips the National Day week and counts its make-up day', () => {
    // 2026: 1–7 October are off, so one working day after Wednesday 30 September is Thursday 8 October.
    expect(cal.addWorkingDays('2026-09-30', 1)).toBe('2026-10-08')
    expect(cal.workingDaysBetween('2026-09-30', '2026-10-10')).toBe(3)
  })

  it('is the inverse of addWorkingDays', () => {
    for (const n of [0, 1, 3, 10, 20, 60]) {
      expect(cal.workingDaysBetween('2026-09-15', cal.addWorkingDays('2026-09-15', n))).toBe(n)
    }
    expect(cal.workingDaysBetween('2026-11-30', '2026-11-23')).toBe(-5)
  })

  it('applies deployment overrides', () => {
    const local = createWorkingCalendar({ holidays: ['2026-11-24'], workdays: ['2026-11-22'] })
    expect(local.isWorkingDay('2026-11-24')).toBe(false)
    expect(local.isWorkingDay('2026-11-22')).toBe(true)
    expect(local.addWorkingDays('2026-11-21', 2)).toBe('2026-11-23')
  })

  it('uses Beijing time for instants and ends deadlines at midnight Beijing time', () => {
    expect(chinaDate(new Date('2026-11-22T17:00:00Z'))).toBe('2026-11-23')
    expect(cal.deadline(new Date('2026-11-23T01:00:00Z'), 1).toISOString()).toBe('2026-11-24T15:59:59.999Z')
  })

  it('agrees with the time-zone database, summer time of 1986–1991 included', () => {
    const tz = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' })
    for (const at of ['1988-07-01T15:30:00Z', '1991-12-31T15:59:59.999Z', '1991-12-31T16:00:00Z', '2026-11-23T15:59:59.999Z', '2026-11-23T16:00:00Z', '2099-02-28T16:00:00Z']) {
      expect(chinaDate(new Date(at)), at).toBe(tz.format(new Date(at)))
    }
  })

  it('answers the same when asked again (answers are remembered per day)', () => {
    const local = createWorkingCalendar({ holidays: ['2026-11-24'] })
    expect(local.addWorkingDays('2026-11-23', 1)).toBe('2026-11-25')
    expect(local.addWorkingDays('2026-11-23', 1)).toBe('2026-11-25')
    expect(local.workingDaysBetween('2026-11-23', '2026-11-25')).toBe(1)
    expect(local.workingDaysBetween('2026-11-25', '2026-11-23')).toBe(-1)
    expect(cal.workingDaysBetween('2026-11-23', '2026-11-25')).toBe(2)
  })

  it('rejects negative or fractional counts', () => {
    expect(() => cal.addWorkingDays('2026-11-23', -1)).toThrow(RangeError)
    expect(() => cal.addWorkingDays('2026-11-23', 1.5)).toThrow(RangeError)
  })
})
