import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadDemo } from '../apps/server/src/demo/index.js'
import { createTestApp, type TestApp } from '../apps/server/src/test/harness.js'
import { generateCreditCode, generateIdNumber } from '../apps/server/src/modules/identity/index.js'
import { demoFixtures, demoPersonas, formatReport, injectTransport, isIdNumber, open311Format, personalDataAllowances, personalDataIn, runFuzz, type FuzzReport } from '../bench/fuzz/index.js'
import { Random } from '../bench/fuzz/random.js'
import { generateFromPattern } from '../bench/fuzz/regex-gen.js'

/**
 * The bounded fuzz pass CI runs on every push (issue 6): a few thousand requests generated from
 * the OpenAPI document against the demo city, as anonymous and as every demo role. The seed is
 * random and printed; FUZZ_SEED=<n> replays a run, FUZZ_BUDGET=<n> changes its size.
 * `npm run bench -- fuzz` runs the same fuzzer with 100,000 requests.
 */

// CI replays one fixed seed so a landing never hinges on luck; elsewhere each run explores a new one.
const seed = Number(process.env.FUZZ_SEED ?? (process.env.CI ? 20261123 : Math.floor(Math.random() * 2 ** 31)))
const budget = Number(process.env.FUZZ_BUDGET ?? 8000)
/** FUZZ_SKIP='PATCH /api/x,GET /api/y': leave operations out while triaging (never in CI). */
const skipped = (process.env.FUZZ_SKIP ?? '').split(',').map((s) => s.trim()).filter(Boolean)

describe('OpenAPI fuzzing', () => {
  let t: TestApp
  let report: FuzzReport

  beforeAll(async () => {
    const started = Date.now()
    t = await createTestApp()
    const logins = await loadDemo(t.core, t.services)
    console.log(`app and demo city ready in ${((Date.now() - started) / 1000).toFixed(1)} s`)
    report = await runFuzz({
      transport: injectTransport(t.app),
      seed,
      budget,
      timeLimitMs: 80_000,
      requestTimeoutMs: 10_000,
      personas: demoPersonas(logins),
      allowPersonalData: personalDataAllowances,
      foreignFormats: [open311Format],
      fixtures: demoFixtures,
      skip: (op) => skipped.includes(op.key),
    })
    console.log(formatReport({ ...report, failures: [] }))
    console.log(`fixtures made: ${report.fixtures.made}/${report.fixtures.tried}${report.fixtures.failed.map((f) => `\n  failed: ${f}`).join('')}`)
    console.log(`not reached: ${report.unreached.join(', ')}`)
  }, 240_000)
  afterAll(async () => {
    await t?.close()
  })

  const failures = (kind: string) => `FUZZ_SEED=${seed}\n${formatReport({ ...report, failures: report.failures.filter((f) => f.kind === kind) })}`

  it('sends a few thousand requests and reaches many operations with valid ones', () => {
    expect(report.requests).toBeGreaterThanOrEqual(Math.min(budget, 1500))
    // A floor, not a goal: it catches a fuzzer that stops reaching handlers. Fixtures (tickets,
    // drafts) give real ids; the 80 s bound makes reach depend on the machine's speed (≈47 % of 221
    // at 2,700 requests on a loaded 2-core box, ≈52 % at 5,000), hence the margin.
    expect(report.reached.length / report.operations, `only ${report.reached.length} of ${report.operations} operations answered 2xx`).toBeGreaterThan(0.45)
  })

  it('never answers 5xx', () => {
    expect(report.counts['server-error'], failures('server-error')).toBe(0)
    expect(report.counts.transport, failures('transport')).toBe(0)
    expect(report.counts.timeout, failures('timeout')).toBe(0)
  })

  it('answers every error with problem+json', () => {
    expect(report.counts['not-problem-json'], failures('not-problem-json')).toBe(0)
  })

  it('answers every 2xx with a body its declared response schema accepts', () => {
    expect(report.counts.schema, failures('schema')).toBe(0)
  })

  it('shows nobody an unmasked ID number or phone of someone else', () => {
    expect(report.counts['personal-data'], failures('personal-data')).toBe(0)
  })

  it('sends the security headers on every answer', () => {
    expect(report.counts['security-headers'], failures('security-headers')).toBe(0)
  })
})

describe('the fuzzer’s own parts', () => {
  it('generates strings for the patterns our schemas use', () => {
    const r = new Random(42)
    for (const pattern of [
      '^(\\d{2}|\\d{4}|\\d{6}|\\d{9}|\\d{12})$', '^([0-9A-HJ-NPQRTUWXY]{2}\\d{6}[0-9A-HJ-NPQRTUWXY]{10})?$', '^[0-9+\\-() ]*$',
      '^[^\\p{Cc}]*$', '^\\d{6}$', '^[0-9a-f]*$', '^[a-z][a-z0-9_.-]{2,31}$', '^(?:https?):\\/\\/.+$',
    ]) {
      for (let i = 0; i < 20; i++) {
        const s = generateFromPattern(pattern, r, 0, 200)
        expect(s, pattern).not.toBeNull()
        expect(new RegExp(pattern, 'u').test(s!), `${pattern} → ${s}`).toBe(true)
      }
    }
    expect(generateFromPattern('^(?=a)b$', r)).toBeNull()
  })

  it('finds unmasked ID numbers and phones, and not masked ones, credit codes or hashes', () => {
    const id = generateIdNumber({ divisionCode: '140902', birthDate: '1990-03-08', sex: 'female' })
    expect(isIdNumber(id)).toBe(true)
    const credit = generateCreditCode({ divisionCode: '140902' })
    const text = JSON.stringify({ id, masked: '1409**********123X', phone: '13812345678', maskedPhone: '138****5678', credit, hash: 'a13812345678b'.repeat(3), code: '140902001001' })
    expect(personalDataIn(text)).toEqual({ idNumbers: [id], phones: ['13812345678'] })
  })
})
