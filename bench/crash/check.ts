import crypto from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { seededRandom } from '../../apps/server/src/modules/identity/validators.js'
import { HttpClient, Session, type Answer } from '../lib/http.js'
import { startServer, type RunningServer } from '../lib/server.js'
import { benchItem, createPublishedItem, departmentsByName, registerApplicant, signIn } from '../lib/yiwang.js'
import { pendingOutboxEvents, type OutboxState } from './outbox-state.js'

/**
 * Crash safety (issue 6): the real server as a child process, concurrent citizens filing cases
 * (draft, then submit) with an Idempotency-Key on every POST, SIGKILL in the middle of the load,
 * a restart on the same database, every request retried with its key, and then the checks:
 * every acknowledged write is there with its data, nothing exists twice, every event of those
 * cases is delivered.
 */

export interface CrashOptions {
  /** A fresh PostgreSQL database, or undefined for embedded PGlite in `dataDir`. */
  databaseUrl?: string
  /** The server's DATA_DIR, kept across the restart (PGlite keeps its database in DATA_DIR/pg). */
  dataDir: string
  /** Concurrent citizens. */
  clients: number
  /** SIGKILL once this many submissions were acknowledged (or after `maxLoadS`). */
  killAfterAcknowledged: number
  maxLoadS?: number
  /**
   * The restarted server's IDEMPOTENCY_IN_FLIGHT_S: with a value shorter than the restart, every
   * retry comes after the cut-off reservations were given up, the moment a retry used to make a
   * second case if the first attempt had committed. Default: the server's (300 s).
   */
  inFlightTimeoutS?: number
  /** How long to wait after the restart for the events to be delivered. */
  deliveryTimeoutS?: number
  seed?: number
  /**
   * Writes what the run needs before the first start and returns the id of an item citizens can
   * apply for (e2e/crash-seed.ts); without it the server loads the demo city and the item is
   * created through the API.
   */
  prepare?: (where: { databaseUrl?: string; dataDir: string }) => Promise<string>
  logFile?: string
  log?: (line: string) => void
}

/** One intended application: a draft and its submission, each POST with its own key. */
interface Submission {
  applicant: number
  marker: string
  draftKey: string
  submitKey: string
  draftId?: string
  version?: number
  draftAcked: boolean
  submitAcked: boolean
  /** The acknowledged answers, compared with what a retry replays. */
  draftAnswer?: string
  submitAnswer?: string
  /** A retry after the restart was answered 409 idempotency-in-flight. */
  retryInFlight?: boolean
}

/** The id a "first request completed" answer points at: 303's Location, or the problem's `target`. */
function completedTarget(a: Answer): string | null {
  if (a.status === 303) return String(a.headers.location ?? '').split('/').pop() || null
  if (a.status === 409 && a.text().includes('idempotency-completed')) return a.json<{ target?: { id?: string } }>().target?.id ?? null
  return null
}

export interface CrashReport {
  database: 'postgres' | 'pglite'
  /** Submissions (draft + submit) the server acknowledged with 2xx before the kill. */
  acknowledged: number
  /** Drafts acknowledged before the kill (a superset of the above). */
  acknowledged_drafts: number
  /** Submissions begun but unanswered when the server died. */
  in_flight_at_kill: number
  /** Acknowledged writes missing after the restart, or present with other data. */
  lost: number
  /** Intended applications that exist more than once. */
  duplicated: number
  /** Retries of acknowledged requests that did not replay the first answer. */
  retries_not_replayed: number
  /**
   * Retries of cut-off requests whose first attempt had committed: answered `303 See Other` to the
   * case (the key's marker committed with the change), never run again.
   */
  retries_completed: number
  /** Retries of cut-off requests answered 409 idempotency-in-flight (their first attempt committed nothing). */
  retries_in_flight: number
  /**
   * Of those, the ones whose first request did commit before the kill (its case exists): a retry
   * after idempotencyPolicy.inFlightTimeoutMs would make a second case. 0 since the marker commits
   * with the change (such retries are `retries_completed`).
   */
  committed_unanswered: number
  /** Events of the acknowledged cases still undelivered at the end. */
  events_pending: number
  events_checked: number
  restart_s: number
  delivery_s: number | null
  problems: string[]
}

const IDEMPOTENT_REPLAYED = 'idempotent-replayed'

export async function runCrashCheck(opts: CrashOptions): Promise<CrashReport> {
  const log = opts.log ?? (() => undefined)
  const database = opts.databaseUrl ? 'postgres' : 'pglite'
  const problems: string[] = []
  const servers: RunningServer[] = []
  const clients: HttpClient[] = []
  try {
    // ---- first life: prepare, then load until the kill ------------------------------------------
    let t = Date.now()
    const preparedItem = opts.prepare ? await opts.prepare({ databaseUrl: opts.databaseUrl, dataDir: opts.dataDir }) : null
    const first = await startServer({ databaseUrl: opts.databaseUrl, dataDir: opts.dataDir, demo: !preparedItem, logFile: opts.logFile, env: { LOG_LEVEL: 'info' }, startTimeoutS: 300 })
    servers.push(first)
    log(`  ${database}: server pid ${first.pid} ready ${preparedItem ? 'on prepared data' : 'with the demo city'} in ${((Date.now() - t) / 1000).toFixed(1)} s`)
    const client = new HttpClient(first.baseUrl, opts.clients * 2 + 4)
    clients.push(client)
    const item = preparedItem ? { itemId: preparedItem } : await demoItem(client)
    const rng = seededRandom(opts.seed ?? 20261123)
    const runTag = String(Date.now() % 1000).padStart(3, '0')
    const applicants = await Promise.all(Array.from({ length: opts.clients }, (_, i) => registerApplicant(client, i, rng, runTag)))

    const submissions: Submission[] = []
    let killed = false
    let acked = 0
    const worker = async (i: number) => {
      const s = applicants[i]
      for (let n = 0; !killed; n++) {
        const sub: Submission = {
          applicant: i,
          marker: `crash-${runTag}-${i}-${n}`,
          draftKey: crypto.randomUUID(),
          submitKey: crypto.randomUUID(),
          draftAcked: false,
          submitAcked: false,
        }
        submissions.push(sub)
        try {
          const d = await s.post('/api/cases', draftBody(item.itemId, sub), { headers: { 'idempotency-key': sub.draftKey } })
          if (d.status !== 201) throw new Error(`draft: HTTP ${d.status} ${d.text().slice(0, 200)}`)
          sub.draftAcked = true
          sub.draftAnswer = d.text()
          sub.draftId = d.json<{ id: string }>().id
          sub.version = d.json<{ version: number }>().version
          const a = await s.post(`/api/cases/${sub.draftId}/submit`, { version: sub.version }, { headers: { 'idempotency-key': sub.submitKey } })
          if (a.status !== 200) throw new Error(`submit: HTTP ${a.status} ${a.text().slice(0, 200)}`)
          sub.submitAcked = true
          sub.submitAnswer = a.text()
          acked++
        } catch (err) {
          if (killed) return // cut off by the kill: retried after the restart
          throw err
        }
      }
    }
    t = Date.now()
    const load = Promise.all(applicants.map((_, i) => worker(i)))
    const loadFailed = load.then(() => null, (err: unknown) => err)
    const deadline = Date.now() + (opts.maxLoadS ?? 60) * 1000
    while (acked < opts.killAfterAcknowledged && Date.now() < deadline) {
      const failure = await Promise.race([loadFailed, sleep(20).then(() => undefined)])
      if (failure) throw failure
    }
    killed = true
    await first.kill()
    await loadFailed
    const inFlight = submissions.filter((s) => !s.submitAcked).length
    log(`  ${database}: SIGKILL after ${((Date.now() - t) / 1000).toFixed(1)} s of load: ${acked} submissions acknowledged, ${inFlight} cut off`)

    // ---- second life: restart on the same database, retry everything with its key ----------------
    t = Date.now()
    const second = await startServer({
      databaseUrl: opts.databaseUrl, dataDir: opts.dataDir, demo: false, logFile: opts.logFile, startTimeoutS: 300,
      env: { LOG_LEVEL: 'info', ...(opts.inFlightTimeoutS ? { IDEMPOTENCY_IN_FLIGHT_S: String(opts.inFlightTimeoutS) } : {}) },
    })
    servers.push(second)
    const restartS = (Date.now() - t) / 1000
    log(`  ${database}: restarted (pid ${second.pid}) in ${restartS.toFixed(1)} s`)
    const client2 = new HttpClient(second.baseUrl, opts.clients * 2 + 4)
    clients.push(client2)
    // The sessions live in the database: the cookies from before the crash still sign in.
    const again = applicants.map((a) => Object.assign(new Session(client2, a.label), { cookie: a.cookie }))

    // Cut-off reservations are given up this long after they were made (before the kill).
    if (opts.inFlightTimeoutS) await sleep(opts.inFlightTimeoutS * 1000)
    let notReplayed = 0
    let retriesInFlight = 0
    let retriesCompleted = 0
    const isInFlight = (a: Answer) => a.status === 409 && a.text().includes('idempotency-in-flight')
    for (const sub of submissions) {
      const s = again[sub.applicant]
      const d = await s.post('/api/cases', draftBody(item.itemId, sub), { headers: { 'idempotency-key': sub.draftKey } })
      if (sub.draftAcked) {
        if (d.status !== 201 || d.headers[IDEMPOTENT_REPLAYED] !== 'true' || d.text() !== sub.draftAnswer) {
          notReplayed++
          problems.push(`draft ${sub.marker}: retry answered ${d.status} (replayed: ${String(d.headers[IDEMPOTENT_REPLAYED])}), not the first answer`)
        }
      } else if (d.status === 201) {
        sub.draftId = d.json<{ id: string }>().id
        sub.version = d.json<{ version: number }>().version
      } else if (completedTarget(d)) {
        // The draft committed before the kill; its answer was lost. Carry on with that case.
        retriesCompleted++
        sub.draftId = completedTarget(d)!
        sub.version = (await s.ok<{ version: number }>('GET', `/api/cases/${sub.draftId}`)).version
      } else if (isInFlight(d)) {
        retriesInFlight++
        sub.retryInFlight = true
        continue
      } else {
        problems.push(`draft ${sub.marker}: retry answered ${d.status} ${d.text().slice(0, 200)}`)
        continue
      }
      if (!sub.draftId) continue
      const a = await s.post(`/api/cases/${sub.draftId}/submit`, { version: sub.version }, { headers: { 'idempotency-key': sub.submitKey } })
      if (sub.submitAcked) {
        if (a.status !== 200 || a.headers[IDEMPOTENT_REPLAYED] !== 'true' || a.text() !== sub.submitAnswer) {
          notReplayed++
          problems.push(`submit ${sub.marker}: retry answered ${a.status} (replayed: ${String(a.headers[IDEMPOTENT_REPLAYED])}), not the first answer`)
        }
      } else if (isInFlight(a)) {
        retriesInFlight++
        sub.retryInFlight = true
      } else if (completedTarget(a) === sub.draftId) {
        retriesCompleted++
      } else if (a.status !== 200) {
        problems.push(`submit ${sub.marker}: retry answered ${a.status} ${a.text().slice(0, 200)}`)
      }
    }

    // ---- what is in the database now ------------------------------------------------------------
    const byMarker = new Map<string, { id: string; status: string; formData: Record<string, unknown> }[]>()
    for (const s of again) {
      for (let page = 1; ; page++) {
        const r = await s.ok<{ items: { id: string }[]; total: number }>('GET', `/api/cases/mine?page=${page}&pageSize=100`)
        for (const c of r.items) {
          const detail = await s.ok<{ id: string; status: string; formData: Record<string, unknown> }>('GET', `/api/cases/${c.id}`)
          const marker = String(detail.formData.reason ?? '')
          byMarker.set(marker, [...(byMarker.get(marker) ?? []), detail])
        }
        if (page * 100 >= r.total) break
      }
    }
    let lost = 0
    for (const sub of submissions) {
      if (!sub.draftAcked) continue
      const found = byMarker.get(sub.marker)?.find((c) => c.id === sub.draftId)
      const expectedStatus = sub.submitAcked ? 'submitted' : null
      if (!found || found.formData.applicantName !== draftBody('', sub).formData.applicantName || (expectedStatus && found.status !== expectedStatus)) {
        lost++
        problems.push(`${sub.marker}: acknowledged ${sub.submitAcked ? 'submission' : 'draft'} ${sub.draftId} ${found ? `found as ${found.status} with other data` : 'missing'}`)
      }
    }
    const committedUnanswered = submissions.filter((s) => s.retryInFlight && (byMarker.get(s.marker)?.length ?? 0) > 0 && !s.draftAcked).length
    let duplicated = 0
    for (const [marker, list] of byMarker) {
      if (list.length > 1) {
        duplicated += list.length - 1
        problems.push(`${marker}: ${list.length} applications (${list.map((c) => c.id).join(', ')})`)
      }
    }

    // ---- every event of the acknowledged cases delivered --------------------------------------------
    const ids = submissions.filter((s) => s.draftAcked && s.draftId).map((s) => s.draftId!)
    t = Date.now()
    let state: OutboxState
    if (opts.databaseUrl) {
      const limit = Date.now() + (opts.deliveryTimeoutS ?? 90) * 1000
      for (;;) {
        state = await pendingOutboxEvents({ databaseUrl: opts.databaseUrl }, ids)
        if (state.pending === 0 || Date.now() > limit) break
        await sleep(500)
      }
    } else {
      // PGlite has one process: look once the server has had time to deliver, after a clean stop.
      const limit = Date.now() + (opts.deliveryTimeoutS ?? 90) * 1000
      await sleep(3000)
      for (;;) {
        await second.stop()
        state = await pendingOutboxEvents({ dataDir: opts.dataDir }, ids)
        if (state.pending === 0 || Date.now() > limit) break
        const next = await startServer({ dataDir: opts.dataDir, demo: false, logFile: opts.logFile, startTimeoutS: 300 })
        servers.push(next)
        await sleep(3000)
        await next.stop()
      }
    }
    const deliveryS = state.pending === 0 ? (Date.now() - t) / 1000 : null
    if (state.pending) problems.push(`${state.pending} of ${state.total} events undelivered: ${state.samples.join(', ')}`)
    return {
      database,
      acknowledged: acked,
      acknowledged_drafts: submissions.filter((s) => s.draftAcked).length,
      in_flight_at_kill: inFlight,
      lost,
      duplicated,
      retries_not_replayed: notReplayed,
      retries_completed: retriesCompleted,
      retries_in_flight: retriesInFlight,
      committed_unanswered: committedUnanswered,
      events_pending: state.pending,
      events_checked: state.total,
      restart_s: Math.round(restartS * 10) / 10,
      delivery_s: deliveryS === null ? null : Math.round(deliveryS * 10) / 10,
      problems,
    }
  } finally {
    for (const c of clients) c.close()
    for (const s of servers.reverse()) await s.stop()
  }
}

/** An item created through the API as the demo's platform admin. */
async function demoItem(client: HttpClient): Promise<{ itemId: string }> {
  const admin = await signIn(client, 'admin')
  const department = (await departmentsByName(admin, '140900')).get('忻州市行政审批服务管理局')
  if (!department) throw new Error('demo department 忻州市行政审批服务管理局 missing')
  return createPublishedItem(admin, benchItem(department.id))
}

function draftBody(itemId: string, sub: Submission) {
  return { itemId, formData: { applicantName: `崩溃测试申请人${sub.applicant}`, reason: sub.marker } }
}

/** One line for the test output and the CI log. */
export function formatCrashReport(r: CrashReport): string {
  return (
    `crash safety (${r.database}): ${r.acknowledged} acknowledged submissions (${r.acknowledged_drafts} drafts), ${r.in_flight_at_kill} cut off by SIGKILL; ` +
    `after restart: ${r.lost} lost, ${r.duplicated} duplicated, ${r.retries_not_replayed} retries not replayed, ${r.retries_completed} retries answered "completed", ${r.retries_in_flight} retries still in flight (${r.committed_unanswered} of them committed before the kill); ` +
    `events: ${r.events_checked - r.events_pending}/${r.events_checked} delivered${r.delivery_s === null ? '' : ` (${r.delivery_s} s after the retries)`}; restart ${r.restart_s} s`
  )
}
