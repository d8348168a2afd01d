/**
 * Chinese identifier rules: citizen ID numbers (GB 11643-1999), unified social credit codes
 * (GB 32100-2015, with the GB 11714 organization code inside), mainland mobile numbers; masking;
 * and generators of valid numbers for demo data and tests. Pure functions, no I/O.
 */

// ---------------------------------------------------------------------------------------------
// GB 11643-1999 citizen identity number: 6 address + 8 birth date + 3 sequence + 1 check.

/** W_i = 2^(17-i) mod 11 (ISO 7064 MOD 11-2). */
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const ID_CHECK = '10X98765432'

/**
 * Province-level codes of GB/T 2260 (plus 71 Taiwan, 81 Hong Kong, 82 Macao and 83, used by
 * residence permits). The full table is the org module's; this only rejects impossible prefixes.
 */
const PROVINCES = new Set([
  '11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37', '41', '42', '43', '44', '45',
  '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65', '71', '81', '82', '83',
])

export type IdNumberProblem = 'format' | 'division' | 'birth-date' | 'check-digit'

export interface IdNumberInfo {
  /** Normalized: upper-case X. */
  idNumber: string
  /** The GB/T 2260 code where the number was issued (first 6 digits). */
  divisionCode: string
  /** YYYY-MM-DD. */
  birthDate: string
  /** Odd sequence = male, even = female (GB 11643 §5.3). */
  sex: 'male' | 'female'
}

export type IdNumberResult = ({ ok: true } & IdNumberInfo) | { ok: false; problem: IdNumberProblem }

/** The GB 11643 check character for the first 17 digits. */
export function idNumberCheckChar(first17: string): string {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i]
  return ID_CHECK[sum % 11]
}

/** Today's date in China (UTC+8, no daylight saving) as YYYY-MM-DD. */
function chinaDate(now: Date): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10)
}

function isRealDate(y: number, m: number, d: number): boolean {
  const dt = new Date(Date.UTC(y, m - 1, d))
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d
}

/** A plausible GB/T 2260 county-level code: a known province and not a province itself. */
export function isPlausibleDivision(code: string): boolean {
  return /^\d{6}$/.test(code) && PROVINCES.has(code.slice(0, 2)) && !code.endsWith('0000')
}

/**
 * Checks an 18-character ID number: format, plausible address code, a real birth date not in the
 * future (and not before 1890), and the check character.
 */
export function checkIdNumber(value: string, now: Date = new Date()): IdNumberResult {
  const v = value.trim().toUpperCase()
  if (!/^\d{17}[\dX]$/.test(v)) return { ok: false, problem: 'format' }
  const divisionCode = v.slice(0, 6)
  if (!isPlausibleDivision(divisionCode)) return { ok: false, problem: 'division' }
  const y = Number(v.slice(6, 10))
  const m = Number(v.slice(10, 12))
  const d = Number(v.slice(12, 14))
  const birthDate = `${v.slice(6, 10)}-${v.slice(10, 12)}-${v.slice(12, 14)}`
  if (y < 1890 || !isRealDate(y, m, d) || birthDate > chinaDate(now)) return { ok: false, problem: 'birth-date' }
  if (idNumberCheckChar(v) !== v[17]) return { ok: false, problem: 'check-digit' }
  return { ok: true, idNumber: v, divisionCode, birthDate, sex: Number(v[16]) % 2 === 1 ? 'male' : 'female' }
}

export function isValidIdNumber(value: string, now?: Date): boolean {
  return checkIdNumber(value, now).ok
}

// ---------------------------------------------------------------------------------------------
// GB 32100-2015 unified social credit code: 1 registration authority + 1 category + 6 division
// + 9 organization code (GB 11714, 8 body + 1 check) + 1 check.

/** The 31 characters of GB 32100 (no I, O, S, V, Z); a character's value is its index. */
const CREDIT_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY'
/** W_i = 3^(i-1) mod 31. */
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]

export type CreditCodeProblem = 'format' | 'check-char'

export interface CreditCodeInfo {
  creditCode: string
  /** 登记管理部门: 1 机构编制, 5 民政, 9 市场监管 (工商), … */
  authority: string
  /** 机构类别 under the authority, e.g. 9+1 企业, 9+2 个体工商户. */
  category: string
  divisionCode: string
  /**
   * Whether position 17 is a correct GB 11714 check. Codes in circulation sometimes fail it, so
   * it is reported, not enforced.
   */
  orgCodeValid: boolean
}

export type CreditCodeResult = ({ ok: true } & CreditCodeInfo) | { ok: false; problem: CreditCodeProblem }

/** The GB 32100 check character for the first 17 characters. */
export function creditCodeCheckChar(first17: string): string {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += CREDIT_CHARSET.indexOf(first17[i]) * CREDIT_WEIGHTS[i]
  const c = 31 - (sum % 31)
  return CREDIT_CHARSET[c === 31 ? 0 : c]
}

/** The GB 11714 check character for an 8-character organization code body. */
export function orgCodeCheckChar(body8: string): string {
  let sum = 0
  for (let i = 0; i < 8; i++) sum += parseInt(body8[i], 36) * ORG_WEIGHTS[i]
  const c = 11 - (sum % 11)
  return c === 10 ? 'X' : c === 11 ? '0' : String(c)
}

const CREDIT_FORMAT = /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/

/** Checks an 18-character unified social credit code: charset, layout and check character. */
export function checkCreditCode(value: string): CreditCodeResult {
  const v = value.trim().toUpperCase()
  if (!CREDIT_FORMAT.test(v)) return { ok: false, problem: 'format' }
  if (creditCodeCheckChar(v) !== v[17]) return { ok: false, problem: 'check-char' }
  return {
    ok: true,
    creditCode: v,
    authority: v[0],
    category: v[1],
    divisionCode: v.slice(2, 8),
    orgCodeValid: orgCodeCheckChar(v.slice(8, 16)) === v[16],
  }
}

export function isValidCreditCode(value: string): boolean {
  return checkCreditCode(value).ok
}

// ---------------------------------------------------------------------------------------------
// Mainland mobile numbers and masking.

/** Strips spaces, dashes and a +86 / 0086 prefix. */
export function normalizePhone(value: string): string {
  return value.replace(/[\s-]/g, '').replace(/^(?:\+86|0086)/, '')
}

/** 11 digits starting 13–19 (MIIT numbering plan). */
export function isMobile(value: string): boolean {
  return /^1[3-9]\d{9}$/.test(normalizePhone(value))
}

/** Keeps the first and last four characters: 1409**********123X. */
export function maskIdNumber(value: string): string {
  if (value.length <= 8) return '*'.repeat(value.length)
  return value.slice(0, 4) + '*'.repeat(value.length - 8) + value.slice(-4)
}

/** Keeps the first three and last four digits: 138****5678. */
export function maskPhone(value: string): string {
  if (value.length < 8) return '*'.repeat(value.length)
  return value.slice(0, 3) + '*'.repeat(value.length - 7) + value.slice(-4)
}

// ---------------------------------------------------------------------------------------------
// Generators for demo data and tests.

/** A source of uniform numbers in [0, 1). */
export type Random = () => number

/** A small seeded PRNG (mulberry32), so demo data comes out the same on every run. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function randomInt(rng: Random, max: number): number {
  return Math.floor(rng() * max)
}

/** A valid ID number for the division, birth date (YYYY-MM-DD) and sex. */
export function generateIdNumber(opts: { divisionCode: string; birthDate: string; sex: 'male' | 'female'; rng?: Random }): string {
  const rng = opts.rng ?? Math.random
  if (!/^\d{6}$/.test(opts.divisionCode)) throw new Error('divisionCode must be 6 digits')
  if (!/^\d{4}-\d{2}-\d{2}$/.test(opts.birthDate)) throw new Error('birthDate must be YYYY-MM-DD')
  const seq = randomInt(rng, 500) * 2 + (opts.sex === 'male' ? 1 : 0)
  const first17 = opts.divisionCode + opts.birthDate.replace(/-/g, '') + String(seq).padStart(3, '0')
  return first17 + idNumberCheckChar(first17)
}

/**
 * A valid credit code (with a valid GB 11714 organization code inside) for a division. Defaults
 * to 9 (market regulation) + 1 (enterprise).
 */
export function generateCreditCode(opts: { divisionCode: string; authority?: string; category?: string; rng?: Random }): string {
  const rng = opts.rng ?? Math.random
  if (!/^\d{6}$/.test(opts.divisionCode)) throw new Error('divisionCode must be 6 digits')
  const authority = opts.authority ?? '9'
  const category = opts.category ?? '1'
  if (!CREDIT_CHARSET.includes(authority) || !CREDIT_CHARSET.includes(category)) throw new Error('authority and category must be GB 32100 characters')
  let body = ''
  for (let i = 0; i < 8; i++) body += String(randomInt(rng, 10))
  const first17 = authority + category + opts.divisionCode + body + orgCodeCheckChar(body)
  return first17 + creditCodeCheckChar(first17)
}
