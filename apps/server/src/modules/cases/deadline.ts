import { chinaDate, type WorkingCalendar } from '../../platform/calendar.js'

/** 四办 handling classes of an item (gov-standards §1): 即收即办, 当日办结, 限时办结, 代办服务. */
export const handlingClasses = ['immediate', 'same_day', 'time_limited', 'agency'] as const
export type HandlingClass = (typeof handlingClasses)[number]

/** Traffic light of a running deadline: yellow from 80 % of the limit, red once overdue. */
export const lights = ['green', 'yellow', 'red'] as const
export type Light = (typeof lights)[number]

/** The deadline clock of one case. It starts at acceptance and stops at the decision; 补正 pauses it. */
export interface ClockState {
  acceptedAt: Date | null
  /** Working days allowed; 0 means "the day of acceptance" (即收即办, 当日办结). */
  limitDays: number
  /** Working days spent in 补正 after acceptance, added to the limit. */
  pausedDays: number
  /** Set while a 补正 pauses the clock. */
  pausedAt: Date | null
  /** Set once the case is decided or withdrawn. */
  stoppedAt: Date | null
}

export interface Deadline {
  /** The last day, in Beijing time (YYYY-MM-DD). */
  dueDate: string
  /** End of the last day (23:59:59.999 Beijing). */
  dueAt: Date
  /** From this instant the light is yellow. */
  yellowAt: Date
}

export interface Progress {
  /** Working days used so far (pauses excluded). */
  usedDays: number
  allowedDays: number
  /** Working days left until the due date; negative when overdue. */
  remainingDays: number
  dueDate: string
  dueAt: Date
  light: Light
  paused: boolean
}

/** The limit in working days for a handling class: same-day classes get 0, the others their promised days. */
export function limitDaysFor(handlingClass: HandlingClass, promisedDays: number): number {
  return handlingClass === 'immediate' || handlingClass === 'same_day' ? 0 : Math.max(0, Math.trunc(promisedDays))
}

/** Start of a Beijing calendar day as an instant. */
function startOfDay(day: string): Date {
  return new Date(`${day}T00:00:00+08:00`)
}

/**
 * The deadline of a started clock. Yellow begins on the working day on which 80 % of the limit is
 * used (used ≥ ⌈0.8·limit⌉); a same-day limit turns yellow after 80 % of the time to midnight.
 */
export function deadlineOf(c: ClockState, calendar: WorkingCalendar): Deadline | null {
  if (!c.acceptedAt) return null
  const days = c.limitDays + c.pausedDays
  const dueDate = calendar.addWorkingDays(c.acceptedAt, days)
  const dueAt = calendar.deadline(c.acceptedAt, days)
  let yellowAt: Date
  if (c.limitDays === 0) {
    yellowAt = new Date(c.acceptedAt.getTime() + Math.floor((dueAt.getTime() - c.acceptedAt.getTime()) * 0.8))
  } else {
    yellowAt = startOfDay(calendar.addWorkingDays(c.acceptedAt, Math.ceil((c.limitDays * 4) / 5) + c.pausedDays))
  }
  return { dueDate, dueAt, yellowAt }
}

/** The light at an instant for a deadline. */
export function lightAt(d: Deadline, at: Date): Light {
  if (at.getTime() > d.dueAt.getTime()) return 'red'
  if (at.getTime() >= d.yellowAt.getTime()) return 'yellow'
  return 'green'
}

/** Working days a 补正 from `pausedAt` to `resumedAt` adds to the limit. */
export function pausedWorkingDays(pausedAt: Date, resumedAt: Date, calendar: WorkingCalendar): number {
  return Math.max(0, calendar.workingDaysBetween(pausedAt, resumedAt))
}

/**
 * Days used / allowed and the light as of `now`. A paused clock is read at the moment it paused,
 * a stopped one at the moment it stopped. Null before acceptance.
 */
export function progressOf(c: ClockState, now: Date, calendar: WorkingCalendar): Progress | null {
  const d = deadlineOf(c, calendar)
  if (!d || !c.acceptedAt) return null
  const asOf = c.stoppedAt ?? c.pausedAt ?? now
  const used = Math.max(0, calendar.workingDaysBetween(c.acceptedAt, asOf) - c.pausedDays)
  return {
    usedDays: used,
    allowedDays: c.limitDays,
    remainingDays: calendar.workingDaysBetween(chinaDate(asOf), d.dueDate),
    dueDate: d.dueDate,
    dueAt: d.dueAt,
    light: lightAt(d, asOf),
    paused: c.pausedAt !== null && c.stoppedAt === null,
  }
}
