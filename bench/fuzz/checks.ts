import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import type { Operation } from './openapi.js'
import type { Schema } from './schema-gen.js'

// ---- personal data ----------------------------------------------------------------------------

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const ID_CHECK = '10X98765432'

/** GB 11643-1999: an 18-character citizen ID number with a real date and a valid check character. */
export function isIdNumber(s: string): boolean {
  if (!/^\d{17}[\dX]$/i.test(s)) return false
  const y = Number(s.slice(6, 10))
  const m = Number(s.slice(10, 12))
  const d = Number(s.slice(12, 14))
  const date = new Date(Date.UTC(y, m - 1, d))
  if (y < 1900 || y > 2100 || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return false
  const sum = ID_WEIGHTS.reduce((acc, w, i) => acc + w * Number(s[i]), 0)
  return ID_CHECK[sum % 11] === s[17]!.toUpperCase()
}

const CREDIT_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

/** GB 32100-2015 table 1 and 2: the registration authority and the kind of organisation it registers. */
const CREDIT_PREFIXES = new Set(['11', '12', '13', '19', '21', '29', '31', '32', '33', '34', '35', '39', '41', '49', '51', '52', '53', '59', '61', '62', '69', '71', '72', '79', '81', '89', '91', '92', '93', 'A1', 'A9', 'N1', 'N2', 'N3', 'N4', 'N5', 'N9', 'Y1'])
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]

/**
 * GB 32100-2015 unified social credit code (public information of an organisation, not a person's).
 * The whole structure is checked — authority and kind, a division code, the embedded GB 11714
 * organisation code's own check character, then the code's — because an ID number passes the last
 * check alone one time in 31, and such an ID number would go unreported as a leak.
 */
export function isCreditCode(s: string): boolean {
  if (!/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(s) || !CREDIT_PREFIXES.has(s.slice(0, 2)) || !/^\d{6}$/.test(s.slice(2, 8))) return false
  const org = s.slice(8, 17)
  if (!/^[0-9A-Z]{8}[0-9X]$/.test(org)) return false
  const orgSum = ORG_WEIGHTS.reduce((acc, w, i) => acc + w * parseInt(org[i]!, 36), 0)
  const c = 11 - (orgSum % 11)
  if ((c === 10 ? 'X' : c === 11 ? '0' : String(c)) !== org[8]) return false
  const sum = CREDIT_WEIGHTS.reduce((acc, w, i) => acc + w * CREDIT_CHARS.indexOf(s[i]!), 0)
  return CREDIT_CHARS[(31 - (sum % 31)) % 31] === s[17]
}

const ID_CANDIDATE = /(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/g
const PHONE_CANDIDATE = /(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])/g

/** Unmasked ID numbers and mobile numbers in a text. */
export function personalDataIn(text: string): { idNumbers: string[]; phones: string[] } {
  const idNumbers = [...text.matchAll(ID_CANDIDATE)].map((m) => m[0].toUpperCase()).filter((s) => isIdNumber(s) && !isCreditCode(s))
  const phones = [...text.matchAll(PHONE_CANDIDATE)].map((m) => m[0])
  return { idNumbers, phones }
}

/** One unmasked value in an answer, with the objects that hold it (innermost first). */
export interface PersonalDataHit {
  kind: 'idNumber' | 'phone'
  value: string
  holders: Record<string, unknown>[]
}

/** Unmasked ID numbers and phones in an answer; for JSON, with where they sit. */
export function personalDataHits(body: string): PersonalDataHit[] {
  const quick = personalDataIn(body)
  if (!quick.idNumbers.length && !quick.phones.length) return []
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    return [...quick.idNumbers.map((value) => ({ kind: 'idNumber' as const, value, holders: [] })), ...quick.phones.map((value) => ({ kind: 'phone' as const, value, holders: [] }))]
  }
  const hits: PersonalDataHit[] = []
  const walk = (v: unknown, holders: Record<string, unknown>[]) => {
    if (typeof v === 'string') {
      const found = personalDataIn(v)
      for (const value of found.idNumbers) hits.push({ kind: 'idNumber', value, holders })
      for (const value of found.phones) hits.push({ kind: 'phone', value, holders })
    } else if (Array.isArray(v)) v.forEach((x) => walk(x, holders))
    else if (v && typeof v === 'object') {
      const obj = v as Record<string, unknown>
      for (const x of Object.values(obj)) walk(x, [obj, ...holders])
    }
  }
  walk(json, [])
  return hits
}

// ---- response schemas -------------------------------------------------------------------------

/** Validates 2xx bodies against the document's response schemas (JSON Schema 2020-12, as OpenAPI 3.1). */
export class ResponseValidator {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true, allowUnionTypes: true })
  private readonly compiled = new Map<string, ValidateFunction | null>()
  constructor() {
    // ajv-formats is CommonJS: its default export arrives wrapped or not, depending on the loader.
    const add = (addFormats as unknown as { default?: typeof addFormats }).default ?? addFormats
    add(this.ajv)
    // OpenAPI annotations that are not JSON Schema keywords.
    for (const k of ['example', 'nullable', 'discriminator', 'xml', 'externalDocs']) {
      try {
        this.ajv.addKeyword(k)
      } catch {
        // already known to this ajv
      }
    }
  }

  private validatorFor(op: Operation, status: string, schema: Schema): ValidateFunction | null {
    const key = `${op.key} ${status}`
    if (!this.compiled.has(key)) {
      try {
        this.compiled.set(key, this.ajv.compile(schema))
      } catch (err) {
        throw new Error(`${key}: the response schema does not compile: ${(err as Error).message}`)
      }
    }
    return this.compiled.get(key) ?? null
  }

  /** Problems with a 2xx answer: an undeclared status, a body the schema does not accept. */
  check(op: Operation, status: number, contentType: string, body: string): string | null {
    const declared = op.responses[String(status)] !== undefined ? String(status) : op.responses['2XX'] !== undefined ? '2XX' : op.responses.default !== undefined ? 'default' : null
    if (declared === null) return `status ${status} is not declared (declared: ${Object.keys(op.responses).join(', ')})`
    const schema = op.responses[declared]
    if (status === 204 || status === 205) return body.length === 0 ? null : `a ${status} answer has a body`
    if (!schema) return null
    if (!/^application\/json\b/.test(contentType)) return `declared as JSON but answered as "${contentType}"`
    let value: unknown
    try {
      value = JSON.parse(body)
    } catch {
      return 'the body is not valid JSON'
    }
    const validate = this.validatorFor(op, declared, schema)
    if (!validate || validate(value)) return null
    return (validate.errors ?? []).slice(0, 3).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ')
  }
}

// ---- problem+json -----------------------------------------------------------------------------

/** What is wrong with an error answer, if it is not RFC 9457 problem+json. */
export function problemViolation(status: number, contentType: string, body: string): string | null {
  if (!/^application\/problem\+json\b/.test(contentType)) return `content-type is "${contentType}", not application/problem+json`
  let p: Record<string, unknown>
  try {
    p = JSON.parse(body) as Record<string, unknown>
  } catch {
    return 'the body is not JSON'
  }
  if (typeof p.type !== 'string' || !p.type) return 'no `type`'
  if (typeof p.title !== 'string' || !p.title) return 'no `title`'
  if (p.status !== status) return `\`status\` is ${String(p.status)}, the answer ${status}`
  return null
}
