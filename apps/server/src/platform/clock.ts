/** The one source of time. Services take a Clock so tests can move time. */
export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }

/** A clock that stands still until told to move; for tests and simulations. */
export class ManualClock implements Clock {
  private t: number
  constructor(start: Date | string = '2026-11-23T09:00:00+08:00') {
    this.t = new Date(start).getTime()
  }
  now(): Date {
    return new Date(this.t)
  }
  set(at: Date | string): void {
    this.t = new Date(at).getTime()
  }
  advance(ms: number): void {
    this.t += ms
  }
}
