import type { Role } from '../../platform/roles.js'

/**
 * The application (办件) state machine, pure: no time, no database. The service asks `plan()`
 * what an action does to a case and who may do it; anything not in the table is refused, so a
 * case can never reach a state this file does not define.
 *
 * draft → submitted → accepted | not_accepted | supplement_requested
 * supplement_requested → (applicant supplements) → back where it was asked (submitted, or the review step)
 * accepted → under_review (steps 审查, 审核, …) → approved | denied (at the last step, 决定)
 * approved | denied → result_issued → delivered → closed; withdrawn by the applicant before a decision.
 */
export const statuses = [
  'draft',
  'submitted',
  'accepted',
  'not_accepted',
  'supplement_requested',
  'under_review',
  'approved',
  'denied',
  'result_issued',
  'delivered',
  'closed',
  'withdrawn',
] as const
export type Status = (typeof statuses)[number]

export const actions = [
  'submit',
  'accept',
  'reject',
  'request_supplement',
  'supplement',
  'review',
  'return',
  'approve',
  'deny',
  'issue_result',
  'deliver',
  'close',
  'withdraw',
] as const
export type Action = (typeof actions)[number]

/** Statuses the deadline clock runs in (from acceptance to the decision; 补正 pauses it). */
export const runningStatuses: readonly Status[] = ['accepted', 'under_review']
/** Statuses a case never leaves. */
export const terminalStatuses: readonly Status[] = ['not_accepted', 'closed', 'withdrawn']
/** Statuses before a decision, from which the applicant may withdraw. */
export const withdrawableStatuses: readonly Status[] = ['draft', 'submitted', 'supplement_requested', 'accepted', 'under_review']

/** One review step of an item version: its name (审查, 审核, 决定) and the role that performs it. */
export interface ReviewStep {
  name: string
  role: Role
}

/** Where a case stands, as far as the machine cares. */
export interface Position {
  status: Status
  /** The review step awaited (0-based) while accepted or under review; null otherwise. */
  reviewStep: number | null
  /** Where a pending 补正 returns to (set while supplement_requested). */
  resumeStatus: Status | null
  resumeStep: number | null
}

/** Who performs an action: the applicant, or staff holding one of these roles. */
export type Performer = { kind: 'applicant' } | { kind: 'staff'; roles: readonly Role[] }

/** What the clock does on this transition. */
export type ClockEffect = 'start' | 'pause' | 'resume' | 'stop' | null

export interface Plan {
  to: Position
  performer: Performer
  clock: ClockEffect
  /** The review step acted on (for the timeline), if any. */
  step: number | null
}

export type Refusal = { ok: false; reason: 'out-of-order' }

const applicant: Performer = { kind: 'applicant' }
const staff = (...roles: Role[]): Performer => ({ kind: 'staff', roles })
const at = (status: Status, reviewStep: number | null = null): Position => ({ status, reviewStep, resumeStatus: null, resumeStep: null })

/** Role that decides when an item has no review steps (即收即办: the window decides on the spot). */
export const windowRole: Role = 'window_clerk'

/** The step awaited while accepted or under review, with whether it is the deciding (last) one. */
export function awaitedStep(p: Position, steps: readonly ReviewStep[]): { index: number; role: Role; final: boolean } | null {
  if (p.status !== 'accepted' && p.status !== 'under_review') return null
  if (steps.length === 0) return { index: 0, role: windowRole, final: true }
  const index = Math.min(p.reviewStep ?? 0, steps.length - 1)
  return { index, role: steps[index]!.role, final: index === steps.length - 1 }
}

/** The role whose turn it is (for queues), or null when it is the applicant's turn or the case is over. */
export function awaitedRole(p: Position, steps: readonly ReviewStep[]): Role | null {
  switch (p.status) {
    case 'submitted':
    case 'approved':
    case 'denied':
    case 'result_issued':
    case 'delivered':
      return windowRole
    case 'accepted':
    case 'under_review':
      return awaitedStep(p, steps)!.role
    default:
      return null
  }
}

/**
 * What `action` does from position `p` for an item with these review steps, or a refusal when
 * the table has no such transition.
 */
export function plan(p: Position, action: Action, steps: readonly ReviewStep[]): Plan | Refusal {
  const refuse: Refusal = { ok: false, reason: 'out-of-order' }
  const step = awaitedStep(p, steps)
  switch (action) {
    case 'submit':
      return p.status === 'draft' ? { to: at('submitted'), performer: applicant, clock: null, step: null } : refuse
    case 'accept':
      return p.status === 'submitted' ? { to: at('accepted', 0), performer: staff(windowRole), clock: 'start', step: null } : refuse
    case 'reject':
      return p.status === 'submitted' ? { to: at('not_accepted'), performer: staff(windowRole), clock: null, step: null } : refuse
    case 'request_supplement':
      // Before acceptance the window asks (no clock yet); during review the step awaited asks and the clock pauses.
      if (p.status === 'submitted') {
        return { to: { status: 'supplement_requested', reviewStep: null, resumeStatus: 'submitted', resumeStep: null }, performer: staff(windowRole), clock: null, step: null }
      }
      if (step) {
        return {
          to: { status: 'supplement_requested', reviewStep: null, resumeStatus: p.status, resumeStep: step.index },
          performer: staff(step.role),
          clock: 'pause',
          step: step.index,
        }
      }
      return refuse
    case 'supplement': {
      if (p.status !== 'supplement_requested' || !p.resumeStatus) return refuse
      const back = at(p.resumeStatus, p.resumeStatus === 'submitted' ? null : p.resumeStep ?? 0)
      return { to: back, performer: applicant, clock: p.resumeStatus === 'submitted' ? null : 'resume', step: null }
    }
    case 'review':
      // A non-deciding step passes the case on to the next one.
      if (!step || step.final) return refuse
      return { to: at('under_review', step.index + 1), performer: staff(step.role), clock: null, step: step.index }
    case 'return':
      // A step sends the case back to the step before it (审核 finds 审查 incomplete).
      if (!step || step.index === 0) return refuse
      return { to: at('under_review', step.index - 1), performer: staff(step.role), clock: null, step: step.index }
    case 'approve':
    case 'deny':
      if (!step || !step.final) return refuse
      return { to: at(action === 'approve' ? 'approved' : 'denied'), performer: staff(step.role), clock: 'stop', step: step.index }
    case 'issue_result':
      return p.status === 'approved' || p.status === 'denied'
        ? { to: at('result_issued'), performer: staff(windowRole), clock: null, step: null }
        : refuse
    case 'deliver':
      return p.status === 'result_issued' ? { to: at('delivered'), performer: staff(windowRole), clock: null, step: null } : refuse
    case 'close':
      return p.status === 'delivered' ? { to: at('closed'), performer: staff(windowRole), clock: null, step: null } : refuse
    case 'withdraw':
      return withdrawableStatuses.includes(p.status)
        ? { to: at('withdrawn'), performer: applicant, clock: p.status === 'draft' || p.status === 'submitted' ? null : 'stop', step: null }
        : refuse
  }
}

/** Whether `plan` produced a transition. */
export function isPlan(x: Plan | Refusal): x is Plan {
  return !('ok' in x)
}
