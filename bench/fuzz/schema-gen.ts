import type { Random } from './random.js'
import { generateFromPattern } from './regex-gen.js'

/** A JSON Schema (draft 2020-12, as OpenAPI 3.1 embeds it); loosely typed on purpose. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Schema = Record<string, any>

/** Supplies a realistic value for a named field (a harvested id, a valid ID number), or undefined. */
export type Hint = (name: string, schema: Schema) => unknown

const WORDS = ['忻州', '政务', '服务', '中心', '数据', '管理局', '街道', '社区', '办事处', '审批', '一网通办', 'test', 'Yiwang', 'abc']

function text(r: Random, min: number, max: number): string {
  const want = r.int(min, Math.max(min, Math.min(max, min + 12)))
  let s = ''
  while ([...s].length < want) s += r.pick(WORDS)
  return [...s].slice(0, Math.max(want, min)).join('')
}

function nonNull(options: Schema[]): Schema[] {
  const real = options.filter((o) => o.type !== 'null')
  return real.length ? real : options
}

function typeOf(schema: Schema, r: Random): string | undefined {
  if (Array.isArray(schema.type)) {
    const real = schema.type.filter((t: string) => t !== 'null')
    return r.chance(0.15) || real.length === 0 ? r.pick(schema.type as string[]) : r.pick(real)
  }
  if (schema.type) return schema.type
  if (schema.properties) return 'object'
  if (schema.items) return 'array'
  return undefined
}

function number(schema: Schema, r: Random, integer: boolean): number {
  let lo = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + (integer ? 1 : 1e-6) : undefined)
  let hi = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - (integer ? 1 : 1e-6) : undefined)
  if (lo === undefined && hi === undefined) [lo, hi] = [0, 100]
  else if (lo === undefined) lo = Math.min(0, hi - 100)
  else if (hi === undefined) hi = lo + 100
  // Mostly small values near the bottom (pages, counts), sometimes anywhere, sometimes the edge.
  const roll = r.next()
  let v: number
  if (hi - lo > 1000) v = roll < 0.75 ? lo + r.next() * 10 : roll < 0.9 ? lo + r.next() * (hi - lo) : roll < 0.95 ? hi : lo
  else v = lo + r.next() * (hi - lo)
  if (integer) v = Math.min(hi, Math.max(lo, Math.round(v)))
  return v
}

function formatted(format: string, r: Random): string | undefined {
  switch (format) {
    case 'date-time':
      return new Date(Date.UTC(2026, r.int(0, 11), r.int(1, 28), r.int(0, 23), r.int(0, 59))).toISOString()
    case 'date':
      return `2026-${String(r.int(1, 12)).padStart(2, '0')}-${String(r.int(1, 28)).padStart(2, '0')}`
    case 'email':
      return `fuzz${r.int(1, 1e6)}@example.gov.cn`
    case 'uri':
    case 'url':
      return `https://rp${r.int(1, 99)}.example.gov.cn/callback`
    case 'uuid': {
      const h = Array.from({ length: 32 }, () => r.int(0, 15).toString(16)).join('')
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`
    }
    default:
      return undefined
  }
}

function string(schema: Schema, r: Random): string {
  const min = schema.minLength ?? 0
  const max = schema.maxLength ?? Math.max(min + 12, 20)
  if (schema.format) {
    const f = formatted(schema.format, r)
    if (f !== undefined) return f
  }
  if (schema.pattern) {
    const s = generateFromPattern(schema.pattern, r, min, max)
    if (s !== null) return s
  }
  return text(r, min, max)
}

/**
 * A value that satisfies the schema where that is cheap: types, enums, consts, bounds, patterns,
 * formats, required properties. `hint` gives realistic values for known field names.
 */
export function validValue(schema: Schema | boolean | undefined, r: Random, hint?: Hint, name?: string, depth = 0): unknown {
  if (schema === undefined || schema === true) return text(r, 1, 8)
  if (schema === false) return undefined
  if (name && hint) {
    const h = hint(name, schema)
    if (h !== undefined) return h
  }
  if ('const' in schema) return schema.const
  if (Array.isArray(schema.enum) && schema.enum.length) return r.pick(schema.enum)
  if (Array.isArray(schema.anyOf) || Array.isArray(schema.oneOf)) {
    const options = (schema.anyOf ?? schema.oneOf) as Schema[]
    const chosen = r.chance(0.1) ? r.pick(options) : r.pick(nonNull(options))
    return validValue({ ...schema, anyOf: undefined, oneOf: undefined, ...chosen }, r, hint, undefined, depth)
  }
  if (Array.isArray(schema.allOf)) return validValue(Object.assign({}, ...schema.allOf), r, hint, name, depth)
  if ('default' in schema && r.chance(0.2)) return schema.default
  switch (typeOf(schema, r)) {
    case 'null':
      return null
    case 'boolean':
      return r.chance(0.5)
    case 'integer':
      return number(schema, r, true)
    case 'number':
      return number(schema, r, false)
    case 'string':
      return string(schema, r)
    case 'array': {
      const min = schema.minItems ?? 0
      const n = depth > 4 ? min : r.int(min, Math.max(min, Math.min(schema.maxItems ?? min + 3, min + 3)))
      return Array.from({ length: n }, () => validValue(schema.items, r, hint, name, depth + 1))
    }
    case 'object': {
      const out: Record<string, unknown> = {}
      const required = new Set<string>(schema.required ?? [])
      for (const [key, sub] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
        if (required.has(key) || (depth < 4 && r.chance(0.5))) {
          const v = validValue(sub, r, hint, key, depth + 1)
          if (v !== undefined) out[key] = v
        }
      }
      if (schema.additionalProperties && typeof schema.additionalProperties === 'object' && depth < 3) {
        for (let i = r.int(0, 2); i > 0; i--) out[`k${r.int(1, 99)}`] = validValue(schema.additionalProperties, r, hint, undefined, depth + 1)
      }
      return out
    }
    default:
      return r.pick([text(r, 1, 8), r.int(0, 100), true, null])
  }
}

// ---- invalid values ---------------------------------------------------------------------------

/** Strings that break naive code: control and format characters, surrogates, RTL, emoji, injections. */
export const nastyStrings = [
  '', ' ', '\u0000', 'a\u0000b', '\u202eevil\u202c', '\u200b', '\ufeff', '\ud800', '\udfff', 'a\ud83d', '👨‍👩‍👧‍👦', '𠀀𪚥',
  'Z̷̛̤͖a̸l̵g̶o̷', '\u2028\u2029', '\u0085', '\r\n\t', '\x1b[31m', 'ﷺ', '١٢٣',
  "' OR '1'='1", "'; DROP TABLE org.department; --", '1; select pg_sleep(5)', '" OR ""="', '\\', "%' --",
  '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', 'javascript:alert(1)', '{{7*7}}', '${7*7}', '${jndi:ldap://x/a}',
  '../../../../etc/passwd', '..%2f..%2f', '%00', '%', '%zz', 'null', 'undefined', 'NaN', 'true', '0', '-1', '1e309',
  '__proto__', 'constructor', '$where', '*', '?', '#', '&', '=',
]

/** Numbers beyond every sensible range. */
export const nastyNumbers = [-1, 0, -0, 1.5, -2147483649, 2147483648, 2 ** 53, 2 ** 64, -(2 ** 63), 1e308, -1e308, 1e-320, Number.MAX_SAFE_INTEGER + 2]

export function hugeString(r: Random): string {
  const unit = r.pick(['a', '中', '😀', '\u0301', ' '])
  return unit.repeat(r.pick([1_000, 10_000, 100_000]))
}

/** A value of a different type than the schema asks for. */
export function wrongType(schema: Schema | undefined, r: Random): unknown {
  const t = schema ? (Array.isArray(schema.type) ? schema.type[0] : schema.type) : undefined
  const candidates: unknown[] = [
    r.pick(nastyNumbers), r.pick(nastyStrings), true, false, null, [], [1, 'a'], {}, { $gt: '' }, JSON.parse('{"__proto__":{"admin":true}}'),
  ]
  const filtered = candidates.filter((v) => {
    if (t === 'string') return typeof v !== 'string'
    if (t === 'integer' || t === 'number') return typeof v !== 'number'
    if (t === 'boolean') return typeof v !== 'boolean'
    if (t === 'array') return !Array.isArray(v)
    if (t === 'object') return typeof v !== 'object' || v === null || Array.isArray(v)
    return true
  })
  return r.pick(filtered.length ? filtered : candidates)
}

/** Any invalid or hostile value for a field, by flavour. */
export function nastyValue(schema: Schema | undefined, r: Random): unknown {
  switch (r.int(0, 4)) {
    case 0:
      return wrongType(schema, r)
    case 1:
      return r.pick(nastyStrings)
    case 2:
      return r.pick(nastyNumbers)
    case 3:
      return hugeString(r)
    default:
      return r.pick(nastyStrings) + text(r, 1, 4)
  }
}

/** A JSON text nested `depth` levels deep. */
export function deepJson(depth: number): string {
  return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)
}

export const badJsonTexts = ['{', '{"a":', '[1,2', '{"a":1}{', '{a:1}', "{'a':1}", '{"a": 01}', 'NaN', '\u0000', '   ', '{"a":"\\x00"}', '{"a":"\\ud800"}', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"admin":true}}}']

export const wrongContentTypes = ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=zz', 'application/json; charset=latin1', 'application/octet-stream', 'image/png', '*/*', 'application/json-patch+json', ';;;']
