import { chinaDate, type WorkingCalendar } from '../../platform/calendar.js'
import type { Light } from '../cases/index.js'
import type { TicketProgress } from './types.js'

/**
 * A ticket's deadline: `days` working days after dispatch (an approved 延期 adds days), ending at
 * 23:59:59.999 Beijing time. The light turns yellow once 80 % of the days are used, red when
 * overdue, the same rule as cases (cases/deadline.ts).
 */
export function deadlineOf(dispatchedAt: Date, days: number, calendar: WorkingCalendar): { dueAt: Date; yellowAt: Date } {
  const dueAt = calendar.deadline(dispatchedAt, days)
  const yellowDay = calendar.addWorkingDays(dispatchedAt, Math.ceil((days * 4) / 5))
  const yellowAt = days <= 1 ? new Date(dispatchedAt.getTime() + Math.floor((dueAt.getTime() - dispatchedAt.getTime()) * 0.8)) : new Date(`${yellowDay}T00:00:00+08:00`)
  return { dueAt, yellowAt }
}

export function lightAt(d: { dueAt: Date; yellowAt: Date }, at: Date): Light {
  if (at.getTime() > d.dueAt.getTime()) return 'red'
  if (at.getTime() >= d.yellowAt.getTime()) return 'yellow'
  return 'green'
}

/** Progress as of `asOf` (now while running; the reply time once replied). */
export function progressOf(d: { dueAt: Date; yellowAt: Date }, asOf: Date, calendar: WorkingCalendar): TicketProgress {
  const dueDate = chinaDate(d.dueAt)
  return { dueAt: d.dueAt, dueDate, light: lightAt(d, asOf), remainingDays: calendar.workingDaysBetween(chinaDate(asOf), dueDate) }
}

/** When the department must have signed: `hours` after dispatch. */
export function signDueOf(dispatchedAt: Date, hours: number): Date {
  return new Date(dispatchedAt.getTime() + hours * 3600_000)
}
