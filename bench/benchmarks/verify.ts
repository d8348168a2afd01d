import { spawn } from 'node:child_process'
import { performance } from 'node:perf_hooks'
// gm.ts directly: pure functions (SM3, SM2 through sm-crypto-v2), nothing else of the server loads.
import { canonicalJson, sm2GenerateKeyPair, sm2Sign, sm2Verify } from '../../apps/server/src/platform/gm.js'
import { HttpClient } from '../lib/http.js'
import type { IterationContext } from '../lib/load.js'
import { round } from '../lib/load.js'
import { freePort, onCleanup } from '../lib/server.js'
import { defineBenchmark } from '../lib/types.js'
import { signIn } from '../lib/yiwang.js'

/**
 * Public license verification (GET /api/licenses/verify/<code>, no login) on the demo city's
 * licenses, against a bare Node `http` server answering the same JSON body from memory in its own
 * process: the ratio says what Yiwang's whole stack (Fastify, security headers, rate-limit hook,
 * one PostgreSQL query, unsealing, SM3 of the content, cached SM2 outcome) costs over nothing.
 * Also SM2 sign and verify operations per second (pure JS, one core) for scale.
 */

const DEMO_CITIZEN = '13900001409'
const DEMO_ENTERPRISE = '91140921301127208P'

/** A bare HTTP server in its own process: one fixed JSON answer for every request. */
async function startBaseline(body: string): Promise<{ baseUrl: string; stop: () => void }> {
  const port = await freePort()
  const script = `
    const http = require('node:http')
    const body = Buffer.from(process.env.BODY)
    http.createServer((req, res) => { res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length }); res.end(body) })
      .listen(${port}, '127.0.0.1', () => process.stdout.write('ready\\n'))`
  const child = spawn(process.execPath, ['-e', script], { env: { ...process.env, BODY: body }, stdio: ['ignore', 'pipe', 'inherit'] })
  const stop = () => {
    if (child.exitCode === null) child.kill('SIGTERM')
  }
  const removeCleanup = onCleanup('baseline http server', stop)
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve())
    child.once('exit', (code) => reject(new Error(`baseline server exited (${code})`)))
  })
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    stop: () => {
      stop()
      removeCleanup()
    },
  }
}

/** Operations per second of `op` over about `seconds`. */
function opsPerSecond(op: (i: number) => void, seconds: number): number {
  const t0 = performance.now()
  let n = 0
  while (performance.now() - t0 < seconds * 1000) {
    op(n)
    n++
  }
  return round(n / ((performance.now() - t0) / 1000), 1)
}

export default defineBenchmark({
  name: 'verify',
  description: 'public license verification requests/s and p99 vs a bare Node http server with the same JSON (target ratio ≥ 0.6); SM2 sign and verify ops/s',
  async run(ctx) {
    const concurrency = ctx.num('concurrency', 32)
    const duration = ctx.num('duration', 15)

    // ---- SM2 alone (before the servers start, so nothing competes for the core) --------------
    const key = sm2GenerateKeyPair()
    const content = canonicalJson({ format: 'yiwang-license/1', number: 'SFZ140902202600000001', holder: { kind: 'person', name: '冯萍佳', id: '140902198804091229' }, fields: { sex: '女', birthDate: '1988-04-09', address: '山西省忻州市忻府区和平街18号' } })
    const sig = sm2Sign(content, key)
    const signOps = opsPerSecond((i) => sm2Sign(`${content}${i}`, key), 3)
    const verifyOps = opsPerSecond(() => {
      if (!sm2Verify(content, sig, key.publicKeyHex)) throw new Error('SM2 verification failed')
    }, 3)
    ctx.log(`  SM2: ${signOps} signatures/s, ${verifyOps} verifications/s (one core, pure JS)`)

    // ---- Yiwang with the demo city's licenses ------------------------------------------------
    const server = await ctx.startServer({ demo: true, startTimeoutS: 600 })
    const client = ctx.client(server, concurrency + 4)
    const codes: string[] = []
    for (const holder of [DEMO_CITIZEN, DEMO_ENTERPRISE]) {
      const s = await signIn(client, holder)
      const mine = (await s.call('GET', '/api/licenses/mine?pageSize=100')).json<{ items: { id: string }[] }>()
      for (const l of mine.items) codes.push((await s.call('GET', `/api/licenses/mine/${l.id}`)).json<{ verificationCode: string }>().verificationCode)
    }
    if (codes.length === 0) throw new Error('the demo has no licenses to verify')
    const sample = await client.request('GET', `/api/licenses/verify/${codes[0]}`)
    if (sample.status !== 200 || sample.json<{ outcome: string }>().outcome !== 'valid') throw new Error(`verification failed: ${sample.status} ${sample.text().slice(0, 300)}`)
    ctx.log(`  ${codes.length} demo licenses; an answer is ${sample.body.length} bytes`)

    const verifyIteration = async ({ index, time }: IterationContext) => {
      await time('verify', () => client.request('GET', `/api/licenses/verify/${codes[index % codes.length]}`))
    }
    await ctx.runPhase({ label: 'warm-up', concurrency, durationS: 3, progressEveryS: 0, iteration: verifyIteration })
    const verify = await ctx.runPhase({ label: 'verify', serverPid: server.pid, concurrency, durationS: duration, maxIterations: 2_000_000, iteration: verifyIteration })

    // ---- baseline: a bare http server, same body, same load ------------------------------------
    const baseline = await startBaseline(sample.text())
    const bclient = new HttpClient(baseline.baseUrl, concurrency + 4)
    const baseIteration = async ({ time }: IterationContext) => {
      await time('baseline', () => bclient.request('GET', '/'))
    }
    let base: Awaited<ReturnType<typeof ctx.runPhase>>
    try {
      await ctx.runPhase({ label: 'baseline warm-up', concurrency, durationS: 3, progressEveryS: 0, iteration: baseIteration })
      base = await ctx.runPhase({ label: 'baseline', concurrency, durationS: duration, maxIterations: 5_000_000, iteration: baseIteration })
    } finally {
      bclient.close()
      baseline.stop()
    }

    const ratio = round(verify.requests_per_s / base.requests_per_s, 3)
    ctx.table(
      ['phase', 'requests/s', 'p50 ms', 'p99 ms', 'errors'],
      [
        ['verify (Yiwang)', round(verify.requests_per_s, 1), verify.latency.p50_ms, verify.latency.p99_ms, verify.request_errors],
        ['bare node http', round(base.requests_per_s, 1), base.latency.p50_ms, base.latency.p99_ms, base.request_errors],
      ],
    )
    ctx.log(`  ratio ${ratio} (target ≥ 0.6); SM2 sign ${signOps}/s, verify ${verifyOps}/s`)
    return {
      verify_rps: round(verify.requests_per_s, 1),
      baseline_rps: round(base.requests_per_s, 1),
      ratio,
      p99_ms: verify.latency.p99_ms,
      sign_ops: signOps,
      verify_ops: verifyOps,
      concurrency,
      duration_s: duration,
      licenses: codes.length,
      body_bytes: sample.body.length,
      phases: { verify, baseline: base },
    }
  },
})
