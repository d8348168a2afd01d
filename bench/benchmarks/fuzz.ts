import { demoFixtures, demoPersonas, formatReport, httpTransport, open311Format, personalDataAllowances, readmeDemoLogins, runFuzz, type FailureKind } from '../fuzz/index.js'
import { defineBenchmark } from '../lib/types.js'

/**
 * The OpenAPI fuzzer (bench/fuzz) at full size: 100,000 requests generated from
 * /api/openapi.json against Yiwang with the demo city on a fresh PostgreSQL database, as
 * anonymous and as every demo role. CI runs the same fuzzer bounded (e2e/fuzz.test.ts).
 * `--requests` (100000), `--seed` (random, printed; replay with it), `--minutes` (time bound, 90).
 */
export default defineBenchmark({
  name: 'fuzz',
  description: 'OpenAPI fuzzing, 100,000 requests as every role: 5xx, schema violations, personal-data leaks (target 0, 0, 0)',
  manual: true,
  async run(ctx) {
    const budget = ctx.num('requests', 100_000)
    const seed = ctx.num('seed', 1 + Math.floor(Math.random() * 2 ** 31))
    const minutes = ctx.num('minutes', 90)
    const server = await ctx.startServer({ demo: true, startTimeoutS: 600 })
    const rssStart = server.rssMiB()
    ctx.log(`  seed ${seed}: ${budget} requests (at most ${minutes} min)`)
    const started = Date.now()
    let lastLine = started
    const report = await runFuzz({
      transport: httpTransport(server.baseUrl),
      seed,
      budget,
      timeLimitMs: minutes * 60_000,
      requestTimeoutMs: 30_000,
      personas: demoPersonas(readmeDemoLogins),
      allowPersonalData: personalDataAllowances,
      foreignFormats: [open311Format],
      fixtures: demoFixtures,
      onProgress(sent, r) {
        if (Date.now() - lastLine < 10_000 && sent < budget) return
        lastLine = Date.now()
        const s = (Date.now() - started) / 1000
        ctx.log(`  ${sent} requests (${(sent / s).toFixed(0)}/s): 5xx ${r.counts['server-error']}, schema ${r.counts.schema}, personal data ${r.counts['personal-data']}, problem+json ${r.counts['not-problem-json']}, timeouts ${r.counts.timeout}`)
      },
    })
    ctx.log('')
    ctx.log(formatReport({ ...report, failures: report.failures.slice(0, 30) }))
    // The server's own log of the 5xx (stack traces), for the report and the fix.
    const serverErrors = server.output().split('\n').filter((l) => /"level":50/.test(l)).slice(-20)
    ctx.log('')
    ctx.table(
      ['figure', 'value', 'target'],
      [
        ['requests', report.requests, budget],
        ['5xx', report.counts['server-error'], 0],
        ['schema violations (2xx body ≠ declared schema)', report.counts.schema, 0],
        ['personal-data leaks', report.counts['personal-data'], 0],
        ['errors not problem+json', report.counts['not-problem-json'], 0],
        ['security headers missing', report.counts['security-headers'], 0],
        ['transport errors / timeouts', `${report.counts.transport} / ${report.counts.timeout}`, '0 / 0'],
        ['operations answering 2xx', `${report.reached.length}/${report.operations}`, null],
        ['server RSS MiB start → end', `${rssStart} → ${server.rssMiB()}`, null],
      ],
    )
    const counts = report.counts as Record<FailureKind, number>
    return {
      seed,
      requests: report.requests,
      duration_s: Math.round(report.durationMs / 100) / 10,
      server_errors: counts['server-error'],
      schema_violations: counts.schema,
      personal_data_leaks: counts['personal-data'],
      not_problem_json: counts['not-problem-json'],
      security_headers: counts['security-headers'],
      transport: counts.transport,
      timeouts: counts.timeout,
      statuses: report.statuses,
      operations: report.operations,
      operations_reached: report.reached.length,
      operations_unreached: report.unreached,
      fixtures: report.fixtures,
      failures: report.failures.slice(0, 50),
      server_error_log: serverErrors,
      targets: { server_errors: 0, schema_violations: 0, personal_data_leaks: 0 },
    }
  },
})
