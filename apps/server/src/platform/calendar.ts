import fs from 'node:fs'
import chineseDays from 'chinese-days'
import { z } from 'zod'

/**
 * Working-day calendar for mainland China. Public holidays and make-up workdays (调休) come from
 * the maintained `chinese-days` package; a deployment can override single days (a local holiday,
 * a late State Council notice) with a JSON file. Dates are calendar days in Asia/Shanghai.
 */
export interface WorkingCalendar {
  isWorkingDay(day: string): boolean
  /** The day `n` working days after `from` (the start day itself is not counted). */
  addWorkingDays(from: Date | string, n: number): string
  /** Working days after `from` up to and including `to`; negative when `to` is earlier. */
  workingDaysBetween(from: Date | string, to: Date | string): number
  /** End of the day `n` working days after `from`, as an instant (23:59:59.999 Beijing time). */
  deadline(from: Date, n: number): Date
}

export const calendarOverridesSchema = z.object({
  holidays: z.array(z.iso.date()).default([]),
  workdays: z.array(z.iso.date()).default([]),
})
export type CalendarOverrides = z.infer<typeof calendarOverridesSchema>

const chinaDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' })

/** From 1992 on Beijing time is UTC+8 all year (China kept summer time 1986–1991). */
const FIXED_OFFSET_FROM = Date.UTC(1991, 11, 31, 16)
const EIGHT_HOURS = 8 * 3600_000

/** The calendar day in Beijing time of an instant, as YYYY-MM-DD. */
export function chinaDate(at: Date | string): string {
  if (typeof at === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(at)) return at
  const t = new Date(at).getTime()
  // Arithmetic where the offset is fixed: Intl formatting showed up in server profiles (every case view asks).
  if (t >= FIXED_OFFSET_FROM && t < 253402300800000 - EIGHT_HOURS) return new Date(t + EIGHT_HOURS).toISOString().slice(0, 10)
  return chinaDay.format(new Date(at))
}

/** Remembers a pure function's answers (bounded: past the limit it starts over). */
function memo<A extends unknown[], R>(fn: (...args: A) => R, key: (...args: A) => string, limit = 20_000): (...args: A) => R {
  const known = new Map<string, R>()
  return (...args: A) => {
    const k = key(...args)
    const hit = known.get(k)
    if (hit !== undefined || known.has(k)) return hit as R
    const r = fn(...args)
    if (known.size >= limit) known.clear()
    known.set(k, r)
    return r
  }
}

function shiftDay(day: string, by: number): string {
  const d = new Date(`${day}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + by)
  return d.toISOString().slice(0, 10)
}

export function createWorkingCalendar(overrides: Partial<CalendarOverrides> = {}): WorkingCalendar {
  const holidays = new Set(overrides.holidays ?? [])
  const workdays = new Set(overrides.workdays ?? [])
  // The overrides are fixed for the calendar's life, so every answer is a pure function of its days:
  // remembered per day, as every case view computes its deadline and progress again.
  const isWorkingDay = memo(
    (day: string): boolean => {
      if (holidays.has(day)) return false
      if (workdays.has(day)) return true
      return chineseDays.isWorkday(day)
    },
    (day) => day,
  )
  const addFromDay = memo(
    (start: string, n: number): string => {
      let day = start
      let left = n
      while (left > 0) {
        day = shiftDay(day, 1)
        if (isWorkingDay(day)) left--
      }
      return day
    },
    (start, n) => `${start}+${n}`,
  )
  const addWorkingDays = (from: Date | string, n: number): string => {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`working days must be a non-negative integer, got ${n}`)
    return addFromDay(chinaDate(from), n)
  }
  const betweenDays = memo(
    (a: string, b: string): number => {
      if (a === b) return 0
      const [lo, hi, sign] = a < b ? [a, b, 1] : [b, a, -1]
      let count = 0
      for (let day = shiftDay(lo, 1); day <= hi; day = shiftDay(day, 1)) if (isWorkingDay(day)) count++
      return sign * count
    },
    (a, b) => `${a}:${b}`,
  )
  const workingDaysBetween = (from: Date | string, to: Date | string): number => betweenDays(chinaDate(from), chinaDate(to))
  return {
    isWorkingDay,
    addWorkingDays,
    workingDaysBetween,
    deadline: (from, n) => new Date(`${addWorkingDays(from, n)}T23:59:59.999+08:00`),
  }
}

/** Reads the deployment's override file, if configured. */
export function loadCalendar(file?: string): WorkingCalendar {
  if (!file) return createWorkingCalendar()
  const parsed = calendarOverridesSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')))
  return createWorkingCalendar(parsed)
}
