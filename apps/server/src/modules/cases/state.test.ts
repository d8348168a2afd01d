import { describe, expect, it } from 'vitest'
import { actions, awaitedRole, isPlan, plan, statuses, type Action, type Position, type ReviewStep, type Status } from './state.js'

const three: ReviewStep[] = [
  { name: '审查', role: 'reviewer' },
  { name: '审核', role: 'department_head' },
  { name: '决定', role: 'leader' },
]
const one: ReviewStep[] = [{ name: '决定', role: 'department_head' }]

const pos = (status: Status, reviewStep: number | null = null, resumeStatus: Status | null = null, resumeStep: number | null = null): Position => ({
  status,
  reviewStep,
  resumeStatus,
  resumeStep,
})

type Row = [from: Position, action: Action, steps: ReviewStep[], to: Position | null, performer: string, clock?: string | null]

// Every allowed transition, with who performs it; `null` means the machine refuses.
const table: Row[] = [
  [pos('draft'), 'submit', three, pos('submitted'), 'applicant', null],
  [pos('submitted'), 'accept', three, pos('accepted', 0), 'window_clerk', 'start'],
  [pos('submitted'), 'reject', three, pos('not_accepted'), 'window_clerk', null],
  [pos('submitted'), 'request_supplement', three, pos('supplement_requested', null, 'submitted', null), 'window_clerk', null],
  [pos('supplement_requested', null, 'submitted'), 'supplement', three, pos('submitted'), 'applicant', null],
  [pos('accepted', 0), 'review', three, pos('under_review', 1), 'reviewer', null],
  [pos('under_review', 1), 'review', three, pos('under_review', 2), 'department_head', null],
  [pos('under_review', 1), 'return', three, pos('under_review', 0), 'department_head', null],
  [pos('under_review', 0), 'review', three, pos('under_review', 1), 'reviewer', null],
  [pos('under_review', 2), 'approve', three, pos('approved'), 'leader', 'stop'],
  [pos('under_review', 2), 'deny', three, pos('denied'), 'leader', 'stop'],
  [pos('accepted', 0), 'approve', one, pos('approved'), 'department_head', 'stop'],
  [pos('accepted', 0), 'deny', one, pos('denied'), 'department_head', 'stop'],
  [pos('accepted', 0), 'approve', [], pos('approved'), 'window_clerk', 'stop'],
  [pos('under_review', 1), 'request_supplement', three, pos('supplement_requested', null, 'under_review', 1), 'department_head', 'pause'],
  [pos('accepted', 0), 'request_supplement', three, pos('supplement_requested', null, 'accepted', 0), 'reviewer', 'pause'],
  [pos('supplement_requested', null, 'under_review', 1), 'supplement', three, pos('under_review', 1), 'applicant', 'resume'],
  [pos('supplement_requested', null, 'accepted', 0), 'supplement', three, pos('accepted', 0), 'applicant', 'resume'],
  [pos('approved'), 'issue_result', three, pos('result_issued'), 'window_clerk', null],
  [pos('denied'), 'issue_result', three, pos('result_issued'), 'window_clerk', null],
  [pos('result_issued'), 'deliver', three, pos('delivered'), 'window_clerk', null],
  [pos('delivered'), 'close', three, pos('closed'), 'window_clerk', null],
  [pos('draft'), 'withdraw', three, pos('withdrawn'), 'applicant', null],
  [pos('submitted'), 'withdraw', three, pos('withdrawn'), 'applicant', null],
  [pos('under_review', 2), 'withdraw', three, pos('withdrawn'), 'applicant', 'stop'],
  [pos('supplement_requested', null, 'under_review', 1), 'withdraw', three, pos('withdrawn'), 'applicant', 'stop'],
  // Refusals: out of order, after a decision, from terminal states, at the wrong step.
  [pos('draft'), 'accept', three, null, ''],
  [pos('submitted'), 'submit', three, null, ''],
  [pos('submitted'), 'approve', three, null, ''],
  [pos('accepted', 0), 'approve', three, null, ''],
  [pos('under_review', 1), 'approve', three, null, ''],
  [pos('under_review', 2), 'review', three, null, ''],
  [pos('accepted', 0), 'return', three, null, ''],
  [pos('accepted', 0), 'accept', three, null, ''],
  [pos('approved'), 'withdraw', three, null, ''],
  [pos('denied'), 'withdraw', three, null, ''],
  [pos('approved'), 'deliver', three, null, ''],
  [pos('result_issued'), 'close', three, null, ''],
  [pos('supplement_requested', null, 'submitted'), 'accept', three, null, ''],
  [pos('not_accepted'), 'accept', three, null, ''],
  [pos('closed'), 'close', three, null, ''],
  [pos('withdrawn'), 'submit', three, null, ''],
  [pos('draft'), 'supplement', three, null, ''],
]

describe('application state machine', () => {
  it.each(table)('%j --%s-->', (from, action, steps, to, performer, clock) => {
    const p = plan(from, action, steps)
    if (to === null) {
      expect(isPlan(p)).toBe(false)
      return
    }
    expect(isPlan(p)).toBe(true)
    if (!isPlan(p)) return
    expect(p.to).toEqual(to)
    expect(p.performer.kind === 'applicant' ? 'applicant' : p.performer.roles.join('|')).toBe(performer)
    expect(p.clock).toBe(clock ?? null)
  })

  it('never leads to a status it does not define, from any status by any action', () => {
    for (const status of statuses) {
      for (const step of [null, 0, 1, 2]) {
        for (const action of actions) {
          const p = plan(pos(status, step, status === 'supplement_requested' ? 'under_review' : null, status === 'supplement_requested' ? 1 : null), action, three)
          if (isPlan(p)) expect(statuses).toContain(p.to.status)
        }
      }
    }
  })

  it('leaves terminal statuses by no action', () => {
    for (const status of ['not_accepted', 'closed', 'withdrawn'] as const) {
      for (const action of actions) expect(isPlan(plan(pos(status), action, three))).toBe(false)
    }
  })

  it('names whose turn it is for the queues', () => {
    expect(awaitedRole(pos('submitted'), three)).toBe('window_clerk')
    expect(awaitedRole(pos('accepted', 0), three)).toBe('reviewer')
    expect(awaitedRole(pos('under_review', 2), three)).toBe('leader')
    expect(awaitedRole(pos('approved'), three)).toBe('window_clerk')
    expect(awaitedRole(pos('supplement_requested', null, 'submitted'), three)).toBeNull()
    expect(awaitedRole(pos('draft'), three)).toBeNull()
    expect(awaitedRole(pos('closed'), three)).toBeNull()
  })
})
