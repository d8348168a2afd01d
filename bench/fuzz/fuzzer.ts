import http from 'node:http'
import { personalDataHits, personalDataIn, problemViolation, ResponseValidator, type PersonalDataHit } from './checks.js'
import { operationsOf, type OpenApiDocument, type Operation } from './openapi.js'
import { Random } from './random.js'
import {
  badJsonTexts, deepJson, hugeString, nastyNumbers, nastyStrings, nastyValue, validValue, wrongContentTypes, wrongType,
  type Hint, type Schema,
} from './schema-gen.js'

/**
 * The API fuzzer: reads the OpenAPI document and, for every operation, as anonymous and as every
 * persona, sends schema-valid requests and hostile ones. Every answer is checked: no 5xx; every
 * error RFC 9457 problem+json; every 2xx body valid against its declared schema; no unmasked ID
 * number or mobile number the caller did not send itself; security headers present.
 */

// ---- transport ----------------------------------------------------------------------------------

export interface FuzzRequest {
  method: string
  url: string
  headers: Record<string, string>
  body?: string | Buffer
}

export interface FuzzResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

export type Transport = (req: FuzzRequest) => Promise<FuzzResponse>

interface Injectable {
  inject(opts: { method: string; url: string; headers: Record<string, string>; payload?: string | Buffer }): Promise<{
    statusCode: number
    headers: Record<string, string | string[] | number | undefined>
    body: string
  }>
}

/** In-process: Fastify's `inject` (no socket; the CI pass). */
export function injectTransport(app: Injectable): Transport {
  return async (req) => {
    const res = await app.inject({ method: req.method, url: req.url, headers: req.headers, payload: req.body })
    const headers: FuzzResponse['headers'] = {}
    for (const [k, v] of Object.entries(res.headers)) headers[k] = typeof v === 'number' ? String(v) : v
    return { status: res.statusCode, headers, body: res.body }
  }
}

/** Over a real socket to a running server (`npm run bench -- fuzz`). */
export function httpTransport(baseUrl: string): Transport {
  const base = new URL(baseUrl)
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 })
  return (req) =>
    new Promise((resolve, reject) => {
      // Header values go out as their UTF-8 bytes (Node's client takes Latin-1 strings only), and
      // every body with its length, so each request is well-framed HTTP whatever its method.
      const headers: Record<string, string> = {}
      for (const [k, v] of Object.entries(req.headers)) headers[k] = Buffer.from(v, 'utf8').toString('latin1').replace(/[\x00-\x08\x0a-\x1f\x7f]/g, '')
      if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body))
      const r = http.request(
        { host: base.hostname, port: base.port, method: req.method, path: req.url, headers, agent },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }))
          res.on('error', reject)
        },
      )
      r.on('error', reject)
      if (req.body !== undefined) r.end(req.body)
      else r.end()
    })
}

// ---- options and report -------------------------------------------------------------------------

export interface PersonaSpec {
  label: string
  username: string
  password: string
  /** The persona's own ID number and phone: seeing them in full is not a leak. */
  own?: string[]
  /**
   * URLs that answer this persona's own record (its account, its registry entry): every full ID
   * number and phone in their answers is taken as its own, as it registered with them.
   */
  ownFrom?: string[]
}

/** Answers allowed to carry full phones or ID numbers of others, with the reason. */
export interface PersonalDataAllowance {
  operation: string
  kind: 'phone' | 'idNumber'
  reason: string
  /** Only values whose holding objects (innermost first) pass this test, e.g. one marked `revealed: true`. */
  when?: (holders: Record<string, unknown>[]) => boolean
}

export interface FuzzOptions {
  transport: Transport
  seed: number
  /** Requests to send in all (the sign-ins and session checks are not counted). */
  budget: number
  personas: PersonaSpec[]
  /** Stop early after this long. */
  timeLimitMs?: number
  /** Operations to leave out (`METHOD /path`). */
  skip?: (op: Operation) => boolean
  allowPersonalData?: PersonalDataAllowance[]
  onProgress?: (sent: number, report: FuzzReport) => void
  /** Largest request line (URL) to send; a socket server refuses longer ones before Yiwang sees them. */
  maxUrlLength?: number
  /** A request unanswered after this long is a failure, and ends the run (the server is stuck). */
  requestTimeoutMs?: number
  /** Objects to make before fuzzing (see Fixture); a fixture that fails is reported, not fatal. */
  fixtures?: Fixture[]
  /** Operations that speak another published standard's format (Open311) instead of problem+json and JSON only. */
  foreignFormats?: ForeignFormat[]
}

/** Picks a value the fixtures so far were answered, e.g. `/api/hotline/categories#code` (undefined if none). */
export type Picked = (key: string) => unknown

/**
 * A request made through the API before fuzzing, so real objects (tickets, drafts…) exist and
 * their ids are harvested like any answer's: valid requests then reach handlers, not 404s.
 */
export interface Fixture {
  /** The persona's username that makes it. */
  as: string
  /** `METHOD /path/{param}` as the document names it. */
  operation: string
  path?: (pick: Picked) => Record<string, unknown>
  query?: Record<string, string>
  body?: (pick: Picked) => unknown
  /** Make it this many times (e.g. several tickets, so actions that close one leave others). */
  times?: number
}

/** A standard API served beside ours, e.g. Open311 GeoReport v2 with its own error format and XML answers. */
export interface ForeignFormat {
  /** Operations whose path starts with this. */
  pathPrefix: string
  reason: string
  /** What is wrong with an error answer in this format, or null. */
  errorViolation(status: number, contentType: string, body: string): string | null
  /** A 2xx answer in this content type is the standard's alternative representation: not checked against the JSON schema. */
  alternativeContentType?: RegExp
}

export type FailureKind = 'server-error' | 'not-problem-json' | 'schema' | 'personal-data' | 'security-headers' | 'transport' | 'timeout'

export interface Failure {
  kind: FailureKind
  operation: string
  persona: string
  case: string
  detail: string
  request: { method: string; url: string; headers: Record<string, string>; body?: string }
  response: { status: number; contentType: string; body: string }
}

export interface FuzzReport {
  seed: number
  requests: number
  durationMs: number
  operations: number
  /** Requests per HTTP status. */
  statuses: Record<string, number>
  /** Failures per kind (all of them; `failures` keeps the first few of each). */
  counts: Record<FailureKind, number>
  failures: Failure[]
  /** Operations that answered 2xx at least once (schema-valid requests reached the handler). */
  reached: string[]
  /** The others: where the fuzzer's requests never got past validation, guards or lookups. */
  unreached: string[]
  /** Fixtures made / tried, and why the others failed. */
  fixtures: { made: number; tried: number; failed: string[] }
}

// ---- the run --------------------------------------------------------------------------------------

interface Persona {
  label: string
  spec?: PersonaSpec
  /** Its own ID numbers and phones (PersonaSpec.own and what `ownFrom` answered). */
  own: Set<string>
  cookie?: string
  accountId?: string
  /** Account and grant ids of this persona: never sent to DELETE routes, so the run keeps its cast. */
  protectedIds: Set<string>
}

interface Built {
  request: FuzzRequest
  label: string
}

const truncate = (s: string, n = 600) => (s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s)
const contentTypeOf = (h: FuzzResponse['headers']) => String(h['content-type'] ?? '')
/**
 * The order of the valid pass: lists, then creations (so their ids are harvested), then reads of
 * one record, then actions and edits on records, deletes last.
 */
function rank(op: Operation): number {
  const onRecord = op.params.some((p) => p.in === 'path')
  if (op.method === 'GET') return onRecord ? 2 : 0
  if (op.method === 'POST') return onRecord ? 4 : 1
  return { HEAD: 3, PUT: 5, PATCH: 6, DELETE: 7 }[op.method] ?? 8
}

/** encodeURIComponent that survives lone surrogates: they go out as the (invalid) UTF-8 of U+D800. */
function encode(s: string): string {
  try {
    return encodeURIComponent(s)
  } catch {
    return encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '')) + '%ED%A0%80'
  }
}

/** Reads the document, signs the personas in and runs the budget. */
export async function runFuzz(opts: FuzzOptions): Promise<FuzzReport> {
  const started = Date.now()
  const r = new Random(opts.seed)
  const { transport } = opts
  const maxUrl = opts.maxUrlLength ?? 8_000
  const validator = new ResponseValidator()
  const report: FuzzReport = {
    seed: opts.seed,
    requests: 0,
    durationMs: 0,
    operations: 0,
    statuses: {},
    counts: { 'server-error': 0, 'not-problem-json': 0, schema: 0, 'personal-data': 0, 'security-headers': 0, transport: 0, timeout: 0 },
    failures: [],
    reached: [],
    unreached: [],
    fixtures: { made: 0, tried: 0, failed: [] },
  }
  const reached = new Set<string>()

  const docRes = await transport({ method: 'GET', url: '/api/openapi.json', headers: {} })
  if (docRes.status !== 200) throw new Error(`GET /api/openapi.json answered ${docRes.status}`)
  const ops = operationsOf(JSON.parse(docRes.body) as OpenApiDocument)
    .filter((op) => !opts.skip?.(op))
    .sort((a, b) => rank(a) - rank(b))
  report.operations = ops.length

  // ---- personas --------------------------------------------------------------------------------
  const personas: Persona[] = [{ label: 'anonymous', own: new Set(), protectedIds: new Set() }]
  async function signIn(spec: PersonaSpec): Promise<{ cookie: string; accountId: string }> {
    const res = await transport({
      method: 'POST', url: '/api/auth/login/password', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: spec.username, password: spec.password }),
    })
    const setCookie = [res.headers['set-cookie']].flat().find((c) => c?.startsWith('yw_session='))
    if (res.status !== 200 || !setCookie) throw new Error(`${spec.label} could not sign in: ${res.status} ${truncate(res.body, 200)}`)
    return { cookie: setCookie.split(';')[0]!, accountId: (JSON.parse(res.body) as { account: { id: string } }).account.id }
  }
  /** The identifiers a persona registered with, read back from its own record before fuzzing. */
  async function ownIdentifiers(spec: PersonaSpec, cookie: string): Promise<Set<string>> {
    const own = new Set((spec.own ?? []).map((s) => s.toUpperCase()))
    for (const url of spec.ownFrom ?? []) {
      const res = await transport({ method: 'GET', url, headers: { cookie } })
      if (res.status !== 200) continue
      const found = personalDataIn(res.body)
      for (const v of [...found.idNumbers, ...found.phones]) own.add(v)
    }
    return own
  }
  for (const spec of opts.personas) {
    const s = await signIn(spec)
    personas.push({ label: spec.label, spec, cookie: s.cookie, accountId: s.accountId, own: await ownIdentifiers(spec, s.cookie), protectedIds: new Set() })
  }
  /** Signs a persona in again when the run ended its session (a fuzzed logout, a revoked grant). */
  async function refreshSessions() {
    for (const p of personas) {
      if (!p.spec) continue
      const me = await transport({ method: 'GET', url: '/api/me', headers: { cookie: p.cookie! } })
      if (me.status !== 200) Object.assign(p, await signIn(p.spec))
      const body = me.status === 200 ? (JSON.parse(me.body) as { id: string; roles: { id: string }[] }) : null
      if (body) {
        p.protectedIds.add(body.id)
        for (const g of body.roles) p.protectedIds.add(g.id)
      }
    }
  }
  await refreshSessions()
  const protectedIds = () => new Set(personas.flatMap((p) => [...p.protectedIds]))

  // ---- harvest: ids and codes seen in answers, reused as parameters -------------------------------
  const harvest = new Map<string, unknown[]>()
  /** The same, per persona: an id a persona was shown is one it is likely allowed to use. */
  const harvestBy = new Map<string, Map<string, unknown[]>>()
  function rememberIn(map: Map<string, unknown[]>, key: string, value: unknown) {
    let list = map.get(key)
    if (!list) map.set(key, (list = []))
    if (list.includes(value)) return
    if (list.length >= 60) list.splice(r.int(0, list.length - 1), 1)
    list.push(value)
  }
  let seenBy: Map<string, unknown[]> | undefined
  function remember(key: string, value: unknown) {
    rememberIn(harvest, key, value)
    if (seenBy) rememberIn(seenBy, key, value)
  }
  const collectionOf = (template: string) => template.replace(/(\/\{[^}]+\})+$/, '')
  function harvestFrom(op: Operation, body: string, persona: Persona) {
    if (!harvestBy.has(persona.label)) harvestBy.set(persona.label, new Map())
    seenBy = harvestBy.get(persona.label)
    try {
      harvestInto(op, body)
    } finally {
      seenBy = undefined
    }
  }
  function harvestInto(op: Operation, body: string) {
    let value: unknown
    try {
      value = JSON.parse(body)
    } catch {
      return
    }
    const collection = collectionOf(op.path)
    const top = value && typeof value === 'object' ? (value as Record<string, unknown>) : null
    // A list answers `{ items: [...] }` or a bare array; either way its records name this collection.
    const records = Array.isArray(value) ? (value as unknown[]) : Array.isArray(top?.items) ? (top.items as unknown[]) : [top]
    for (const rec of records.slice(0, 20)) {
      if (!rec || typeof rec !== 'object') continue
      for (const [k, v] of Object.entries(rec as Record<string, unknown>)) {
        if (typeof v === 'string' && v.length <= 80) remember(`${collection}#${k}`, v)
        if (typeof v === 'number' && Number.isSafeInteger(v)) remember(`${collection}#${k}`, v)
      }
    }
    walk(value, 0)
    function walk(v: unknown, depth: number) {
      if (depth > 5 || !v || typeof v !== 'object') return
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        if ((typeof x === 'string' && x.length <= 80) || (typeof x === 'number' && Number.isSafeInteger(x))) remember(`*#${k}`, x)
        else if (Array.isArray(x)) x.slice(0, 10).forEach((y) => walk(y, depth + 1))
        else walk(x, depth + 1)
      }
    }
  }
  function harvested(keys: string[], from: Map<string, unknown[]> = harvest): unknown[] {
    for (const k of keys) {
      const list = from.get(k)
      if (list?.length) return list
    }
    return []
  }

  // ---- values that look real --------------------------------------------------------------------------
  const idWeights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  function newIdNumber(): string {
    const area = r.pick(['140902', '140921', '140981', '140100', '110101'])
    const birth = `${r.int(1950, 2005)}${String(r.int(1, 12)).padStart(2, '0')}${String(r.int(1, 28)).padStart(2, '0')}`
    const body = `${area}${birth}${String(r.int(0, 999)).padStart(3, '0')}`
    return body + '10X98765432'[[...body].reduce((s, c, i) => s + Number(c) * idWeights[i]!, 0) % 11]
  }
  /** `categoryCode` → the codes a `/…/categories` list answered; `sealId` → the ids of `/…/seals`. */
  function collectionKeys(name: string): string[] {
    const m = /^([a-z]+)(Id|Code)$/.exec(name)
    if (!m) return []
    const stem = m[1]!.replace(/y$/, '')
    const field = m[2]!.toLowerCase()
    return [...harvest.keys()].filter((k) => {
      const [path, key] = k.split('#')
      return key === field && path !== '*' && path!.slice(path!.lastIndexOf('/') + 1).startsWith(stem)
    })
  }
  const hint: Hint = (name, schema) => {
    const lower = name.toLowerCase()
    if (r.chance(0.15)) return undefined
    const fromAnswers = harvested([`*#${name}`, ...collectionKeys(name), ...(lower.endsWith('code') ? ['*#code'] : []), ...(lower.endsWith('id') ? ['*#id'] : [])])
    if (fromAnswers.length && r.chance(0.7) && (schema.type === 'string' || schema.type === 'integer' || !schema.type)) return r.pick(fromAnswers)
    if (lower === 'idnumber') return newIdNumber()
    if (lower === 'phone' || lower === 'mobile') return `13${r.int(0, 9)}${String(r.int(0, 99_999_999)).padStart(8, '0')}`
    if (lower === 'password') return `Fuzz#${r.int(1000, 9999)}-ok`
    if (lower === 'username') return `fz.${r.int(1, 1e6)}`
    if (lower.endsWith('uris') && schema.type === 'array') return [`https://rp${r.int(1, 9)}.example.gov.cn/cb`]
    return undefined
  }

  // ---- building requests ---------------------------------------------------------------------------
  function pathValue(op: Operation, name: string, schema: Schema, persona: Persona): unknown {
    const prefix = op.path.slice(0, op.path.indexOf(`{${name}}`)).replace(/\/$/, '')
    const collection = collectionOf(prefix)
    // Values from this collection, then from its siblings (`/checkpoints/latest` for `/checkpoints/{id}`), then from anywhere.
    const siblings = [...harvest.keys()].filter((k) => k.startsWith(`${prefix}/`) && !k.slice(prefix.length + 1).includes('/') && (k.endsWith(`#${name}`) || k.endsWith('#id')))
    const keys = [`${prefix}#${name}`, `${collection}#${name}`, `${prefix}#id`, ...siblings, `*#${name}`]
    const usable = (v: unknown) => op.method !== 'DELETE' || !protectedIds().has(String(v))
    // Mostly what this persona was shown itself (its own cases, its wallet), else what anyone was.
    const mine = harvestBy.get(persona.label)
    const own = mine ? harvested(keys, mine).filter(usable) : []
    if (own.length && r.chance(0.6)) return r.pick(own)
    const known = harvested(keys).filter(usable)
    if (known.length && r.chance(0.75)) return r.pick(known)
    return validValue(schema, r, undefined, name)
  }
  const encodeQuery = (q: Record<string, unknown>) =>
    Object.entries(q)
      .flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]]))
      .map(([k, v]) => `${encode(String(k))}=${encode(typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v))}`)
      .join('&')

  interface Parts {
    path: Record<string, string>
    query: Record<string, unknown>
    rawQuery?: string
    headers: Record<string, string>
    body?: string | Buffer
    method: string
    rawPath?: string
  }

  function validParts(op: Operation, persona: Persona): Parts {
    const parts: Parts = { path: {}, query: {}, headers: {}, method: op.method }
    for (const p of op.params) {
      if (p.in === 'path') parts.path[p.name] = encode(String(pathValue(op, p.name, p.schema, persona)))
      else if (p.in === 'query' && (p.required || r.chance(0.5))) {
        const v = validValue(p.schema, r, hint, p.name)
        if (v !== undefined && v !== null) parts.query[p.name] = v
      }
    }
    if (persona.cookie) parts.headers.cookie = persona.cookie
    if (r.chance(0.3)) parts.headers['accept-language'] = r.pick(['en', 'zh-CN', 'en-US,en;q=0.9', 'zh-TW'])
    if (op.body) {
      const type = op.body.jsonSchema ? 'application/json' : r.pick(op.body.contentTypes)
      if (type === 'application/json') {
        if (op.body.required || r.chance(0.7)) {
          parts.headers['content-type'] = 'application/json'
          const value = validValue(op.body.jsonSchema, r, hint)
          // Sign-in forms: often a real persona's credentials, so the success path is fuzzed too.
          const known = personas.filter((x) => x.spec)
          if (value && typeof value === 'object' && 'username' in value && 'password' in value && known.length && r.chance(0.4)) {
            const spec = r.pick(known).spec!
            Object.assign(value, { username: spec.username, password: spec.password })
          }
          parts.body = JSON.stringify(value)
        }
      } else {
        parts.headers['content-type'] = type.startsWith('multipart/') ? 'multipart/form-data; boundary=fuzzboundary' : type
        const bytes = Buffer.from(Array.from({ length: r.int(0, 2000) }, () => r.int(0, 255)))
        parts.body = type.startsWith('multipart/')
          ? Buffer.concat([
              Buffer.from('--fuzzboundary\r\nContent-Disposition: form-data; name="file"; filename="a.xlsx"\r\nContent-Type: application/octet-stream\r\n\r\n'),
              bytes,
              Buffer.from('\r\n--fuzzboundary--\r\n'),
            ])
          : bytes
      }
    }
    if (op.method === 'POST' && r.chance(0.1)) parts.headers['idempotency-key'] = `fz-${r.int(1, 50)}`
    return parts
  }

  function toRequest(op: Operation, parts: Parts): FuzzRequest {
    const path = parts.rawPath ?? op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => parts.path[name] ?? 'x')
    const query = parts.rawQuery ?? encodeQuery(parts.query)
    let url = query ? `${path}?${query}` : path
    if (url.length > maxUrl) url = url.slice(0, maxUrl)
    return { method: parts.method, url, headers: parts.headers, body: parts.body }
  }

  /** Hostile variations of a valid request. Each returns a label, or null when it does not apply. */
  const mutations: ((op: Operation, parts: Parts) => string | null)[] = [
    // body
    (op, p) => {
      const schema = op.body?.jsonSchema
      if (!schema?.required?.length || !p.body) return null
      const body = JSON.parse(String(p.body)) as Record<string, unknown> | null
      if (!body || typeof body !== 'object' || Array.isArray(body)) return null
      const field = r.pick(schema.required as string[])
      delete body[field]
      p.body = JSON.stringify(body)
      return `body without required ${field}`
    },
    (op, p) => fieldMutation(op, p, 'wrong type', (s) => wrongType(s, r)),
    (op, p) => fieldMutation(op, p, 'nasty string', () => r.pick(nastyStrings)),
    (op, p) => fieldMutation(op, p, 'nasty number', () => r.pick(nastyNumbers)),
    (op, p) => fieldMutation(op, p, 'huge string', () => hugeString(r)),
    (op, p) => {
      if (!op.body?.jsonSchema || !p.body) return null
      const body = JSON.parse(String(p.body)) as Record<string, unknown> | null
      if (!body || typeof body !== 'object' || Array.isArray(body)) return null
      const key = r.pick(['isAdmin', 'role', 'id', 'version', 'accountId', 'divisionCode\u0000', '💥'])
      body[key] = r.pick([true, 'platform_admin', 1, null])
      p.body = JSON.stringify(body)
      return `body with extra field ${JSON.stringify(key)}`
    },
    (op, p) => {
      if (!op.body && op.method === 'GET') return null
      p.headers['content-type'] = 'application/json'
      p.body = r.pick(badJsonTexts)
      return `bad JSON ${JSON.stringify(truncate(String(p.body), 40))}`
    },
    (op, p) => {
      if (!op.body && op.method === 'GET') return null
      p.headers['content-type'] = 'application/json'
      p.body = JSON.stringify(r.pick([[], [1, 2], 'text', 42, null, true, [{}]]))
      return `body of the wrong shape ${truncate(String(p.body), 20)}`
    },
    (op, p) => {
      if (!op.body) return null
      p.headers['content-type'] = r.pick(wrongContentTypes)
      p.body = p.body ?? 'a=1'
      return `content-type ${p.headers['content-type']}`
    },
    (op, p) => {
      if (!op.body) return null
      delete p.headers['content-type']
      p.body = p.body ?? '{}'
      return 'body without content-type'
    },
    (op, p) => {
      if (!op.body) return null
      p.headers['content-type'] = 'application/json'
      p.body = deepJson(r.pick([100, 1000, 5000]))
      return 'deeply nested JSON'
    },
    (op, p) => {
      if (!op.body) return null
      delete p.body
      p.headers['content-type'] = 'application/json'
      return 'JSON content-type without a body'
    },
    (op, p) => {
      if (op.method === 'GET') return null
      p.headers['content-type'] = 'application/json'
      p.body = JSON.stringify({ pad: 'x'.repeat(1_100_000) })
      return 'body over the 1 MB limit'
    },
    // query
    (op, p) => queryMutation(op, p, 'wrong-type query', (s) => String(wrongType(s, r))),
    (op, p) => queryMutation(op, p, 'nasty query', () => r.pick([...nastyStrings, ...nastyNumbers.map(String)])),
    (op, p) => queryMutation(op, p, 'huge query', () => 'q'.repeat(r.pick([1_000, 10_000]))),
    (op, p) => {
      const q = op.params.filter((x) => x.in === 'query')
      if (!q.length) return null
      const name = r.pick(q).name
      p.query[name] = [String(validValue(q.find((x) => x.name === name)!.schema, r)), 'second']
      return `query ${name} given twice`
    },
    (op, p) => {
      const q = op.params.filter((x) => x.in === 'query' && x.required)
      if (!q.length) return null
      delete p.query[r.pick(q).name]
      return 'required query missing'
    },
    (op, p) => {
      const q = op.params.filter((x) => x.in === 'query')
      if (!q.length) return null
      p.rawQuery = `${encode(r.pick(q).name)}=${r.pick(['%E0%A4%A', '%zz', '%', '%00', '%C0%AF', '%ED%A0%80', '%F0%9F%98'])}`
      return `bad percent-encoding ${p.rawQuery}`
    },
    // path
    (op, p) => {
      const names = op.params.filter((x) => x.in === 'path').map((x) => x.name)
      if (!names.length) return null
      const name = r.pick(names)
      p.path[name] = r.pick(['%2F', '..', '%2e%2e', '%00', '%20', 'x'.repeat(250), encode(r.pick(nastyStrings)) || '%20', '-1', '0', '1e999', '%E0%A4%A'])
      return `path ${name}=${truncate(p.path[name]!, 30)}`
    },
    // headers and methods
    (op, p) => {
      if (op.method !== 'POST') return null
      p.headers['idempotency-key'] = r.pick(['', ' ', 'k'.repeat(300), '密钥', 'a b', '"unterminated'])
      return 'bad Idempotency-Key'
    },
    (_op, p) => {
      p.headers.cookie = r.pick(['yw_session=', 'yw_session=garbage', `yw_session=${'A'.repeat(4000)}`, 'yw_session=%00', 'yw_session=a; yw_session=b', ';;;=;'])
      return 'bad session cookie'
    },
    (_op, p) => {
      p.headers['accept-language'] = r.pick(['*', 'xx', ';q=abc', 'en;q=NaN', 'zh-CN;q=-1,en;q=2', '\u00e9'.normalize('NFD').replace(/[^\x20-\x7e]/g, '?')])
      return 'odd Accept-Language'
    },
    (_op, p) => {
      p.headers['x-forwarded-for'] = r.pick(['not-an-ip', '::ffff:1.2.3.4', '999.1.1.1', '1.2.3.4, 5.6.7.8', '[::1]', ''])
      return 'odd X-Forwarded-For'
    },
    (op, p) => {
      if (op.method === 'GET') return null
      p.headers.origin = r.pick(['https://evil.example.com', 'null', 'not a url'])
      return `cross-site ${p.headers.origin}`
    },
    (op, p) => {
      p.method = r.pick(['PUT', 'PATCH', 'DELETE', 'OPTIONS', 'POST', 'GET'].filter((m) => m !== op.method))
      if (p.method === 'GET' || p.method === 'OPTIONS') delete p.body
      return `method ${p.method}`
    },
    (op, p) => {
      if (op.method !== 'GET') return null
      p.method = 'HEAD'
      return 'HEAD'
    },
  ]

  function fieldMutation(op: Operation, p: Parts, label: string, make: (s: Schema | undefined) => unknown): string | null {
    const schema = op.body?.jsonSchema
    if (!schema || !p.body) return null
    const body = JSON.parse(String(p.body)) as Record<string, unknown> | null
    if (!body || typeof body !== 'object' || Array.isArray(body)) return null
    const props = (schema.properties ?? (schema.anyOf as Schema[] | undefined)?.find((s) => s.properties)?.properties ?? {}) as Record<string, Schema>
    const names = Object.keys(props)
    if (!names.length) return null
    const field = r.pick(names)
    body[field] = make(props[field])
    p.body = JSON.stringify(body)
    return `${label} in ${field}`
  }

  function queryMutation(op: Operation, p: Parts, label: string, make: (s: Schema) => string): string | null {
    const q = op.params.filter((x) => x.in === 'query')
    if (!q.length) return null
    const param = r.pick(q)
    p.query[param.name] = make(param.schema)
    return `${label} ${param.name}`
  }

  // ---- checking -------------------------------------------------------------------------------------
  const keptPerKind = 25
  function fail(kind: FailureKind, op: Operation, persona: Persona, built: Built, res: FuzzResponse, detail: string) {
    report.counts[kind]++
    if (report.failures.filter((f) => f.kind === kind).length >= keptPerKind) return
    const headers = { ...built.request.headers }
    if (headers.cookie) headers.cookie = headers.cookie.replace(/=([^;]{8})[^;]*/g, '=$1…')
    report.failures.push({
      kind,
      operation: op.key,
      persona: persona.label,
      case: built.label,
      detail,
      request: { method: built.request.method, url: truncate(built.request.url, 300), headers, body: built.request.body === undefined ? undefined : truncate(String(built.request.body), 400) },
      response: { status: res.status, contentType: contentTypeOf(res.headers), body: truncate(res.body, 600) },
    })
  }

  function check(op: Operation, persona: Persona, built: Built, res: FuzzResponse) {
    const { status } = res
    const ct = contentTypeOf(res.headers)
    report.statuses[status] = (report.statuses[status] ?? 0) + 1
    if (status >= 500) fail('server-error', op, persona, built, res, `answered ${status}`)
    const foreign = opts.foreignFormats?.find((f) => op.path.startsWith(f.pathPrefix))
    if (status >= 400 && built.request.method !== 'HEAD') {
      // Under a foreign standard's prefix, its error format or ours: a request no route of it matched (wrong method, URI too long) is answered by the platform.
      const ours = problemViolation(status, ct, res.body)
      const v = foreign && ours ? foreign.errorViolation(status, ct, res.body) : ours
      if (v) fail('not-problem-json', op, persona, built, res, v)
    }
    const sameOperation = built.request.method === op.method
    if (status >= 200 && status < 300 && sameOperation) {
      reached.add(op.key)
      const v = foreign?.alternativeContentType?.test(ct) ? null : validator.check(op, status, ct, res.body)
      if (v) fail('schema', op, persona, built, res, v)
      else harvestFrom(op, res.body, persona)
    }
    if (res.headers['x-content-type-options'] !== 'nosniff' || !res.headers['content-security-policy']) {
      fail('security-headers', op, persona, built, res, 'X-Content-Type-Options or Content-Security-Policy missing')
    }
    // Personal data: full ID numbers and phones the caller did not send and does not own.
    const hits = personalDataHits(res.body)
    if (hits.length) {
      let sent = built.request.url + String(built.request.body ?? '')
      try {
        sent += decodeURIComponent(built.request.url)
      } catch {
        /* the URL is malformed on purpose */
      }
      const allowed = (h: PersonalDataHit) =>
        (opts.allowPersonalData ?? []).some((a) => a.operation === op.key && a.kind === h.kind && (!a.when || a.when(h.holders)))
      const leaks = hits.filter((h) => !sent.toUpperCase().includes(h.value) && !persona.own.has(h.value) && !allowed(h))
      if (leaks.length) {
        const shown = [...new Set(leaks.map((h) => (h.kind === 'idNumber' ? `ID ${h.value.slice(0, 4)}…${h.value.slice(-4)}` : `phone ${h.value.slice(0, 3)}…${h.value.slice(-4)}`)))]
        fail('personal-data', op, persona, built, res, `unmasked ${shown.join(', ')}`)
      }
    }
  }

  const timeoutMs = opts.requestTimeoutMs ?? 15_000
  let lastAnswer: FuzzResponse | undefined
  let stuck = false
  async function send(op: Operation, persona: Persona, built: Built) {
    report.requests++
    let res: FuzzResponse
    let timer: NodeJS.Timeout | undefined
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(Object.assign(new Error(`no answer after ${timeoutMs} ms`), { timeout: true })), timeoutMs)
      })
      res = await Promise.race([transport(built.request), timeout])
    } catch (err) {
      res = { status: 0, headers: {}, body: String(err) }
      const timedOut = (err as { timeout?: boolean }).timeout === true
      if (timedOut) stuck = true
      fail(timedOut ? 'timeout' : 'transport', op, persona, built, res, (err as Error).message)
      return
    } finally {
      clearTimeout(timer)
    }
    lastAnswer = res
    check(op, persona, built, res)
    if (report.requests % 1000 === 0) opts.onProgress?.(report.requests, report)
  }

  /** A logout ends the session it is sent with: give it a session of its own. */
  async function personaFor(op: Operation, persona: Persona): Promise<Persona> {
    if (!persona.spec || !/\/logout$/.test(op.path)) return persona
    const s = await signIn(persona.spec)
    return { ...persona, cookie: s.cookie }
  }

  const outOfTime = () => stuck || report.requests >= opts.budget || (opts.timeLimitMs !== undefined && Date.now() - started > opts.timeLimitMs)

  async function sendValid(op: Operation, persona: Persona) {
    const p = await personaFor(op, persona)
    await send(op, p, { request: toRequest(op, validParts(op, p)), label: 'valid' })
  }

  async function sendInvalid(op: Operation, persona: Persona, mutation?: (op: Operation, parts: Parts) => string | null) {
    const p = await personaFor(op, persona)
    const parts = validParts(op, p)
    const pool = mutation ? [mutation] : r.shuffle([...mutations])
    for (const m of pool) {
      const label = m(op, parts)
      if (label) return send(op, p, { request: toRequest(op, parts), label })
    }
  }

  // Phase 0: the fixtures, in order (later ones use what earlier ones were answered).
  const pick: Picked = (key) => {
    const list = harvest.get(key)
    return list?.length ? r.pick(list) : undefined
  }
  for (const f of opts.fixtures ?? []) {
    const op = ops.find((o) => o.key === f.operation)
    const persona = personas.find((p) => p.spec?.username === f.as)
    for (let i = 0; i < (f.times ?? 1); i++) {
      report.fixtures.tried++
      if (!op || !persona) {
        report.fixtures.failed.push(`${f.operation} as ${f.as}: ${!op ? 'no such operation' : 'no such persona'}`)
        break
      }
      const params = f.path?.(pick) ?? {}
      const path = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => encode(String(params[name] ?? 'none')))
      const query = f.query ? `?${encodeQuery(f.query)}` : ''
      const body = f.body?.(pick)
      const headers: Record<string, string> = { cookie: persona.cookie! }
      if (body !== undefined) headers['content-type'] = 'application/json'
      const request: FuzzRequest = { method: op.method, url: path + query, headers, body: body === undefined ? undefined : JSON.stringify(body) }
      lastAnswer = undefined
      await send(op, persona, { request, label: 'fixture' })
      const last = lastAnswer as FuzzResponse | undefined // set by send()
      if (last && last.status >= 200 && last.status < 300) report.fixtures.made++
      else report.fixtures.failed.push(`${f.operation} as ${f.as}: ${last?.status} ${truncate(last?.body ?? '', 160)}`)
    }
  }

  // Phase 1: every operation as every persona, valid requests (reads first, deletes last). First
  // each operation until one persona gets a 2xx (at most 8 tries, those shown records of its
  // collection first), so a time-bounded run reaches many handlers; then the remaining pairs.
  const sentValid = new Set<string>()
  const likely = (op: Operation, p: Persona) => {
    const prefix = collectionOf(op.path.replace(/\/\{[^}]+\}.*$/, ''))
    const seen = harvestBy.get(p.label)
    return seen && [...seen.keys()].some((k) => k.startsWith(`${prefix}#`)) ? 0 : 1
  }
  for (const op of ops) {
    for (const persona of r.shuffle([...personas]).sort((a, b) => likely(op, a) - likely(op, b)).slice(0, 8)) {
      if (outOfTime() || reached.has(op.key)) break
      sentValid.add(`${op.key} ${persona.label}`)
      await sendValid(op, persona)
    }
  }
  for (const op of ops) {
    for (const persona of personas) {
      if (outOfTime()) break
      if (!sentValid.has(`${op.key} ${persona.label}`)) await sendValid(op, persona)
    }
  }
  if (!stuck) await refreshSessions()
  // Phase 2: every hostile variation of every operation, as a caller that gets past its guard.
  const authorized = (op: Operation) => {
    const admin = personas.find((p) => p.spec && /platform_admin/.test(p.label)) ?? personas.find((p) => p.spec && /admin/i.test(p.label)) ?? personas[0]!
    return op.secured ? admin : r.pick(personas)
  }
  for (const op of ops) {
    for (const m of mutations) {
      if (outOfTime()) break
      await sendInvalid(op, authorized(op), m)
    }
  }
  // Phase 3: random mix until the budget is spent.
  let sinceRefresh = 0
  while (!outOfTime()) {
    if (++sinceRefresh >= 500 && !stuck) {
      sinceRefresh = 0
      await refreshSessions()
    }
    const op = r.pick(ops)
    const persona = r.chance(0.5) ? authorized(op) : r.pick(personas)
    if (r.chance(0.4)) await sendValid(op, persona)
    else await sendInvalid(op, persona)
  }

  report.reached = [...reached].sort()
  report.unreached = ops.map((op) => op.key).filter((k) => !reached.has(k))
  report.durationMs = Date.now() - started
  opts.onProgress?.(report.requests, report)
  return report
}

/** The report as a short table for a terminal or a test failure. */
export function formatReport(report: FuzzReport): string {
  const lines = [
    `seed ${report.seed}: ${report.requests} requests over ${report.operations} operations in ${(report.durationMs / 1000).toFixed(1)} s`,
    `statuses: ${Object.entries(report.statuses).sort().map(([s, n]) => `${s}×${n}`).join(' ')}`,
    `5xx: ${report.counts['server-error']}, not problem+json: ${report.counts['not-problem-json']}, schema violations: ${report.counts.schema}, personal data: ${report.counts['personal-data']}, security headers: ${report.counts['security-headers']}, transport: ${report.counts.transport}, timeouts: ${report.counts.timeout}`,
    `operations answering 2xx: ${report.reached.length}/${report.operations}`,
  ]
  for (const f of report.failures) {
    lines.push(`- [${f.kind}] ${f.operation} as ${f.persona} (${f.case}): ${f.detail}`)
    const headers = Object.entries(f.request.headers).map(([k, v]) => `${k}: ${v}`).join('; ')
    lines.push(`    → ${f.request.method} ${f.request.url}${headers ? ` [${headers}]` : ''}${f.request.body !== undefined ? ` body ${JSON.stringify(f.request.body)}` : ''}`)
    lines.push(`    ← ${f.response.status} ${f.response.contentType} ${f.response.body}`)
  }
  return lines.join('\n')
}
