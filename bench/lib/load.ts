import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { cpuBetween, sampleCpu } from './cpu.js'
import { Histogram, type LatencySummary } from './histogram.js'
import type { Answer } from './http.js'
import { log } from './report.js'

/** Set on Ctrl-C: running phases stop at once (the runner is cleaning up). */
export const interruption = { requested: false }

/** What one iteration of a workload sees: who it is and a stopwatch for its requests. */
export interface IterationContext {
  /** 0 … concurrency-1: the virtual user running this iteration. */
  worker: number
  /** 0-based number of the iteration across the phase. */
  index: number
  /**
   * Times one request under the name `step`. An answer outside 2xx (or failing `accept`) counts
   * as an error of that step and throws, ending the iteration.
   */
  time(step: string, send: () => Promise<Answer>, accept?: (a: Answer) => boolean): Promise<Answer>
}

export interface PhaseOptions {
  label: string
  /** Virtual users running iterations at once (closed loop), and the in-flight cap of an open loop. */
  concurrency: number
  /** Upper bound on the phase's wall time. */
  durationS: number
  /** Upper bound on iterations started. */
  maxIterations?: number
  /** Open loop: start iterations at this rate (per second, all users together) instead of back to back. */
  ratePerS?: number
  /** Seconds between progress lines; 0 for none (warm-up). */
  progressEveryS?: number
  /** Pid of the server under test: the result then says how busy it, PostgreSQL and the runner were. */
  serverPid?: number
  iteration(ctx: IterationContext): Promise<void>
}

export interface StepResult extends LatencySummary {
  errors: number
  per_s: number
}

export interface PhaseResult {
  label: string
  concurrency: number
  target_rate_per_s: number | null
  elapsed_s: number
  iterations: number
  failed_iterations: number
  iterations_per_s: number
  requests: number
  request_errors: number
  requests_per_s: number
  /** Every timed request of the phase. */
  latency: LatencySummary
  steps: Record<string, StepResult>
  /** First few failures, for the report. */
  error_samples: string[]
  aborted: string | null
  /** Open loop: iterations started more than 10 ms after they were due (all users busy). */
  late_starts: number
  /** Start and end on the monotonic clock in µs (process.hrtime), to cut a server profile to this phase. */
  window_us: [number, number]
  /** % of one core used by the server process, all postgres processes and the runner (load generator). */
  cpu: ReturnType<typeof cpuBetween> | null
}

/**
 * Runs one load phase from this process: `concurrency` virtual users run `iteration` until the
 * time or iteration bound is reached, each request timed into a log-linear histogram per step.
 */
export async function runPhase(opts: PhaseOptions): Promise<PhaseResult> {
  const steps = new Map<string, { h: Histogram; errors: number }>()
  const all = new Histogram()
  const errorSamples: string[] = []
  let started = 0
  let iterations = 0
  let failed = 0
  let requests = 0
  let requestErrors = 0
  let aborted: string | null = null
  let lateStarts = 0
  const cpuStart = opts.serverPid ? sampleCpu(opts.serverPid) : null
  const hrStart = Number(process.hrtime.bigint() / 1000n)
  const t0 = performance.now()
  const deadline = t0 + opts.durationS * 1000
  const rate = opts.ratePerS && opts.ratePerS > 0 ? opts.ratePerS : null
  let nextTicket = t0
  let stop = false

  const stepOf = (name: string) => {
    let s = steps.get(name)
    if (!s) steps.set(name, (s = { h: new Histogram(), errors: 0 }))
    return s
  }
  const noteError = (msg: string) => {
    if (errorSamples.length < 5 && !errorSamples.includes(msg)) errorSamples.push(msg)
  }

  async function worker(w: number) {
    while (!stop) {
      if (rate) {
        const t = nextTicket
        nextTicket += 1000 / rate
        const wait = t - performance.now()
        if (wait > 0) await sleep(wait)
        // Every user was busy when this start was due: the open loop did not hold its rate.
        else if (wait < -10) lateStarts++
      }
      if (stop || interruption.requested || performance.now() >= deadline) break
      if (opts.maxIterations !== undefined && started >= opts.maxIterations) break
      const index = started++
      const ctx: IterationContext = {
        worker: w,
        index,
        async time(step, send, accept) {
          const s = stepOf(step)
          const begin = performance.now()
          let a: Answer
          try {
            a = await send()
          } catch (err) {
            requests++
            requestErrors++
            s.errors++
            throw err
          }
          const ms = performance.now() - begin
          requests++
          s.h.record(ms)
          all.record(ms)
          const good = a.status >= 200 && a.status < 300 && (!accept || accept(a))
          if (!good) {
            requestErrors++
            s.errors++
            throw new Error(`${step}: HTTP ${a.status} ${a.body.toString('utf8').slice(0, 300)}`)
          }
          return a
        },
      }
      try {
        await opts.iteration(ctx)
        iterations++
      } catch (err) {
        failed++
        noteError(err instanceof Error ? err.message : String(err))
        // A workload that mostly fails measures nothing: stop early instead of running the clock out.
        if (failed >= 20 && failed > iterations) {
          aborted = `more iterations failed (${failed}) than succeeded (${iterations})`
          stop = true
        }
      }
    }
  }

  let lastT = t0
  let lastIt = 0
  let lastReq = 0
  const every = opts.progressEveryS ?? 3
  const timer = every > 0
    ? setInterval(() => {
        const now = performance.now()
        const dt = (now - lastT) / 1000
        const itRate = (iterations - lastIt) / dt
        const reqRate = (requests - lastReq) / dt
        lastT = now
        lastIt = iterations
        lastReq = requests
        log(
          `  [${opts.label}] ${((now - t0) / 1000).toFixed(0).padStart(3)}s  ${String(iterations).padStart(6)} done  ` +
            `${itRate.toFixed(0).padStart(5)} it/s  ${reqRate.toFixed(0).padStart(5)} req/s  p99 ${all.percentile(99).toFixed(1)} ms  failed ${failed}`,
        )
      }, every * 1000)
    : null

  try {
    await Promise.all(Array.from({ length: opts.concurrency }, (_, w) => worker(w)))
  } finally {
    if (timer) clearInterval(timer)
  }
  const elapsed = (performance.now() - t0) / 1000
  const cpu = cpuStart && opts.serverPid ? cpuBetween(cpuStart, sampleCpu(opts.serverPid)) : null
  const stepResults: Record<string, StepResult> = {}
  for (const [name, s] of steps) stepResults[name] = { ...s.h.summary(), errors: s.errors, per_s: round(s.h.count / elapsed) }
  return {
    label: opts.label,
    concurrency: opts.concurrency,
    target_rate_per_s: rate,
    elapsed_s: round(elapsed),
    iterations,
    failed_iterations: failed,
    iterations_per_s: round(iterations / elapsed),
    requests,
    request_errors: requestErrors,
    requests_per_s: round(requests / elapsed),
    latency: all.summary(),
    steps: stepResults,
    error_samples: errorSamples,
    aborted,
    late_starts: lateStarts,
    window_us: [hrStart, Number(process.hrtime.bigint() / 1000n)],
    cpu,
  }
}

export function round(v: number, digits = 2): number {
  const f = 10 ** digits
  return Math.round(v * f) / f
}
