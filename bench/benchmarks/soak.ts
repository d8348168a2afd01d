import { setTimeout as sleep } from 'node:timers/promises'
import { seededRandom } from '../../apps/server/src/modules/identity/validators.js'
import { Session, type Answer } from '../lib/http.js'
import type { IterationContext, PhaseResult } from '../lib/load.js'
import { round } from '../lib/load.js'
import { defineBenchmark } from '../lib/types.js'
import { benchItem, createPublishedItem, departmentsByName, registerApplicant, signIn } from '../lib/yiwang.js'

/**
 * Soak (issue 6; not in CI, not in `npm run bench`): mixed traffic for 10 minutes at a steady
 * rate — browsing and searching the catalog, applying (draft + submit), reviewing (accept +
 * approve) and, when the licenses module is there, public verification. Prints the error rate
 * (target < 0.1 %), p99 per route, and the server's RSS after warm-up and at the end (target
 * growth < 10 %). Options: `--minutes` (10), `--rate` (iterations/s, 12), `--concurrency` (16),
 * `--warmup` (seconds, 30).
 */

const QUERIES = ['社保', '户口', '身份证', '营业执照', '结婚', '生育', '开公司', '驾驶证', 'yyzz', 'shbzk', '基准测试']
type Kind = 'browse' | 'search' | 'apply' | 'review' | 'verify'

export default defineBenchmark({
  name: 'soak',
  description: 'mixed traffic (browse, search, apply, review, verify) for 10 min: error rate (< 0.1 %), p99 per route, RSS growth after warm-up (< 10 %)',
  manual: true,
  async run(ctx) {
    const minutes = ctx.num('minutes', 10)
    const rate = ctx.num('rate', 12)
    const concurrency = ctx.num('concurrency', 16)
    const warmupS = ctx.num('warmup', 30)
    const applicantsN = 8

    const server = await ctx.startServer({ demo: true, startTimeoutS: 600 })
    const client = ctx.client(server, concurrency * 2 + 8)
    const admin = await signIn(client, 'admin')
    const department = (await departmentsByName(admin, '140900')).get('忻州市行政审批服务管理局')
    if (!department) throw new Error('demo department missing')
    const item = await createPublishedItem(admin, benchItem(department.id))
    const rng = seededRandom(Date.now() % 1_000_000)
    const runTag = String(Date.now() % 1000).padStart(3, '0')
    const applicants = await Promise.all(Array.from({ length: applicantsN }, (_, i) => registerApplicant(client, i, rng, runTag)))
    const clerk = await signIn(client, 'xz.clerk')
    const head = await signIn(client, 'xz.head')
    const visitor = new Session(client, 'anonymous')

    // Verification only once the licenses module exists (issue 6: "verify once the licenses module exists").
    const openapi = await visitor.ok<{ paths: Record<string, unknown> }>('GET', '/api/openapi.json')
    const verifyPath = Object.keys(openapi.paths).find((p) => /^\/api\/licenses\/verify\/\{[^}]+\}$/.test(p))
    const verifyCodes: string[] = []
    if (verifyPath) {
      // The permanent verification codes of the demo citizen's licenses (as bench/benchmarks/verify.ts).
      const citizen = await signIn(client, '13900001409').catch(() => null)
      const mine = citizen ? await citizen.get('/api/licenses/mine?pageSize=100') : null
      if (citizen && mine?.status === 200) {
        for (const l of mine.json<{ items: { id: string }[] }>().items) {
          const detail = await citizen.get(`/api/licenses/mine/${l.id}`)
          const code = detail.status === 200 ? detail.json<{ verificationCode?: string }>().verificationCode : undefined
          if (code) verifyCodes.push(code)
        }
      }
    }
    ctx.log(`  verify: ${!verifyPath ? 'no /api/licenses routes in the OpenAPI document: left out' : verifyCodes.length ? `${verifyPath} over the demo citizen's ${verifyCodes.length} licenses` : 'the demo citizen holds no license: left out'}`)

    const weights: [Kind, number][] = [['browse', 30], ['search', 30], ['apply', 15], ['review', 15], ...(verifyCodes.length ? ([['verify', 10]] as [Kind, number][]) : [])]
    const total = weights.reduce((n, [, w]) => n + w, 0)
    const pick = (x: number): Kind => {
      let acc = 0
      for (const [k, w] of weights) if ((acc += w) > x * total) return k
      return weights[0][0]
    }
    const submitted: { id: string; version: number }[] = []
    const itemIds: string[] = []
    const version = (a: Answer) => a.json<{ version: number }>().version

    const iteration = async (c: IterationContext) => {
      let kind = pick(Math.random())
      if (kind === 'review' && submitted.length === 0) kind = 'apply'
      switch (kind) {
        case 'browse': {
          const list = await c.time('GET /api/catalog/items', () => visitor.get(`/api/catalog/items?page=${1 + (c.index % 5)}&pageSize=20`))
          for (const i of list.json<{ items: { itemId?: string; id?: string }[] }>().items.slice(0, 20)) if (itemIds.length < 200) itemIds.push(i.itemId ?? i.id ?? '')
          const id = itemIds[c.index % Math.max(1, itemIds.length)]
          if (id) await c.time('GET /api/catalog/items/{id}', () => visitor.get(`/api/catalog/items/${encodeURIComponent(id)}`))
          break
        }
        case 'search':
          await c.time('GET /api/catalog/items?q', () => visitor.get(`/api/catalog/items?q=${encodeURIComponent(QUERIES[c.index % QUERIES.length])}`))
          break
        case 'apply': {
          const a = applicants[c.worker % applicantsN]
          const d = await c.time('POST /api/cases', () => a.post('/api/cases', { itemId: item.itemId, formData: { applicantName: '长稳测试申请人', reason: `soak ${c.index}` } }))
          const id = d.json<{ id: string }>().id
          const s = await c.time('POST /api/cases/{id}/submit', () => a.post(`/api/cases/${id}/submit`, { version: version(d) }))
          if (submitted.length < 1000) submitted.push({ id, version: version(s) })
          break
        }
        case 'review': {
          const next = submitted.shift()!
          const acc = await c.time('POST /api/cases/{id}/accept', () => clerk.post(`/api/cases/${next.id}/accept`, { version: next.version }))
          await c.time('POST /api/cases/{id}/approve', () => head.post(`/api/cases/${next.id}/approve`, { version: version(acc), opinion: '同意' }))
          break
        }
        case 'verify': {
          await c.time('GET /api/licenses/verify/{code}', () => visitor.get(`/api/licenses/verify/${verifyCodes[c.index % verifyCodes.length]}`))
          break
        }
      }
    }

    ctx.log(`  warm-up: ${warmupS} s at ${rate} iterations/s`)
    await ctx.runPhase({ label: 'warm-up', concurrency, durationS: warmupS, ratePerS: rate, progressEveryS: 0, iteration })
    // RSS after warm-up (caches, JIT and pools filled), then every 30 s.
    const rss: { at_s: number; mib: number | null }[] = [{ at_s: 0, mib: server.rssMiB() }]
    const started = Date.now()
    let sampling = true
    const sampler = (async () => {
      while (sampling) {
        await sleep(1000)
        if ((Date.now() - started) / 1000 - rss[rss.length - 1].at_s >= 30) rss.push({ at_s: Math.round((Date.now() - started) / 1000), mib: server.rssMiB() })
      }
    })()
    ctx.log(`  soak: ${minutes} min at ${rate} iterations/s (${weights.map(([k, w]) => `${k} ${Math.round((w / total) * 100)}%`).join(', ')})`)
    const soak: PhaseResult = await ctx.runPhase({ label: 'soak', serverPid: server.pid, concurrency, durationS: minutes * 60, ratePerS: rate, progressEveryS: 30, maxIterations: 10_000_000, iteration })
    sampling = false
    await sampler
    rss.push({ at_s: Math.round((Date.now() - started) / 1000), mib: server.rssMiB() })

    const errorRatePct = soak.requests ? round((soak.request_errors / soak.requests) * 100, 3) : 0
    const rssStart = rss[0].mib ?? 0
    const rssEnd = rss[rss.length - 1].mib ?? 0
    const growthPct = rssStart ? round(((rssEnd - rssStart) / rssStart) * 100, 1) : null
    ctx.log('')
    ctx.table(
      ['route', 'requests', 'errors', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'],
      Object.entries(soak.steps).sort().map(([route, s]) => [route, s.count, s.errors, s.p50_ms, s.p95_ms, s.p99_ms, s.max_ms]),
    )
    ctx.log('')
    ctx.table(
      ['figure', 'value', 'target'],
      [
        ['requests', soak.requests, null],
        ['requests/s', soak.requests_per_s, null],
        ['error rate %', errorRatePct, '< 0.1'],
        ['late starts (server behind the rate)', soak.late_starts, '≈ 0'],
        ['RSS MiB after warm-up → end', `${rssStart} → ${rssEnd}`, null],
        ['RSS growth %', growthPct, '< 10'],
        ['CPU % server / rest / runner', `${soak.cpu?.server_pct} / ${soak.cpu?.rest_pct} / ${soak.cpu?.runner_pct}`, null],
      ],
    )
    ctx.log(`  RSS every 30 s (MiB): ${rss.map((r) => r.mib).join(' ')}`)
    if (soak.error_samples.length) ctx.log(`  errors: ${soak.error_samples.join(' | ')}`)
    return {
      minutes,
      rate_per_s: rate,
      concurrency,
      mix: Object.fromEntries(weights.map(([k, w]) => [k, round(w / total, 3)])),
      verify: verifyCodes.length ? { path: verifyPath, codes: verifyCodes.length } : null,
      requests: soak.requests,
      errors: soak.request_errors,
      error_rate_pct: errorRatePct,
      p99_ms_per_route: Object.fromEntries(Object.entries(soak.steps).map(([k, s]) => [k, s.p99_ms])),
      steps: soak.steps,
      rss_mib: { after_warm_up: rssStart, end: rssEnd, growth_pct: growthPct, samples: rss },
      targets: { error_rate_pct: 0.1, rss_growth_pct: 10, error_rate_met: errorRatePct < 0.1, rss_growth_met: growthPct !== null && growthPct < 10 },
      phase: soak,
      error_samples: soak.error_samples,
    }
  },
})
