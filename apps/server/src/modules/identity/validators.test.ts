import { describe, expect, it } from 'vitest'
import {
  checkCreditCode,
  checkIdNumber,
  creditCodeCheckChar,
  generateCreditCode,
  generateIdNumber,
  idNumberCheckChar,
  isMobile,
  isPlausibleDivision,
  isValidCreditCode,
  isValidIdNumber,
  maskIdNumber,
  maskPhone,
  normalizePhone,
  orgCodeCheckChar,
  seededRandom,
} from './validators.js'

const now = new Date('2026-11-23T09:00:00+08:00')

describe('GB 11643 ID numbers', () => {
  it.each([
    ['11010519491231002X', true, undefined],
    ['11010519491231002x', true, undefined],
    ['110105194912310021', false, 'check-digit'],
    ['14090219900101123X', false, 'check-digit'],
    ['140902199001011232', true, undefined],
    ['140902200002290013', true, undefined], // 2000-02-29 exists,
    ['140902190002290017', false, 'birth-date'], // 1900 was not a leap year,
    ['14090219900230001X', false, 'birth-date'],
    ['140902199013010018', false, 'birth-date'],
    ['140902188001010017', false, 'birth-date'],
    ['140902202711230012', false, 'birth-date'], // in the future,
    ['990902199001011230', false, 'division'],
    ['140000199001011230', false, 'division'],
    ['14090219900101123', false, 'format'],
    ['1409021990010112345', false, 'format'],
    ['14090219900101123Y', false, 'format'],
    ['', false, 'format'],
  ])('%s → valid %s (%s)', (id, valid, problem) => {
    const r = checkIdNumber(id, now)
    expect(r.ok).toBe(valid)
    if (!r.ok) expect(r.problem).toBe(problem)
  })

  it('reads the division, birth date and sex', () => {
    expect(checkIdNumber('11010519491231002X', now)).toEqual({
      ok: true, idNumber: '11010519491231002X', divisionCode: '110105', birthDate: '1949-12-31', sex: 'female',
    })
  })

  it('computes the check character with weights 2^(17-i) mod 11', () => {
    expect(idNumberCheckChar('11010519491231002')).toBe('X')
    expect(idNumberCheckChar('14090219900101123')).toBe('2')
  })

  it('accepts a birth date of today in China but not tomorrow', () => {
    const today = generateIdNumber({ divisionCode: '140902', birthDate: '2026-11-23', sex: 'male' })
    const tomorrow = generateIdNumber({ divisionCode: '140902', birthDate: '2026-11-24', sex: 'male' })
    expect(isValidIdNumber(today, now)).toBe(true)
    expect(checkIdNumber(tomorrow, now)).toEqual({ ok: false, problem: 'birth-date' })
  })

  it.each([
    ['140902', true], ['441900', true], ['810000', false], ['140000', false], ['000000', false], ['14090', false],
  ])('division %s plausible: %s', (code, expected) => expect(isPlausibleDivision(code)).toBe(expected))
})

describe('GB 32100 unified social credit codes', () => {
  it.each([
    // Real codes of well-known companies.
    ['91330100799655058B', true, undefined],
    ['91440300708461136T', true, undefined],
    ['914403001922038216', true, undefined],
    ['91110000802100433B', true, undefined],
    ['91110000802100433b', true, undefined],
    ['91110000802100433C', false, 'check-char'],
    ['91350203M0001QAY9B', false, 'check-char'],
    ['9111000080210043IB', false, 'format'],
    ['9111000080210043OB', false, 'format'],
    ['91110000802100433', false, 'format'],
    ['91AB0000802100433B', false, 'format'],
  ])('%s → valid %s (%s)', (code, valid, problem) => {
    const r = checkCreditCode(code)
    expect(r.ok).toBe(valid)
    if (!r.ok) expect(r.problem).toBe(problem)
  })

  it('reads the authority, category and division and checks the embedded GB 11714 code', () => {
    expect(checkCreditCode('91440300708461136T')).toEqual({
      ok: true, creditCode: '91440300708461136T', authority: '9', category: '1', divisionCode: '440300', orgCodeValid: true,
    })
  })

  it('computes check characters', () => {
    expect(creditCodeCheckChar('91330100799655058')).toBe('B')
    expect(orgCodeCheckChar('70846113')).toBe('6')
  })
})

describe('mobile numbers and masking', () => {
  it.each([
    ['13812345678', true], ['+86 138 1234 5678', true], ['0086-15912345678', true], ['12812345678', false], ['1381234567', false], ['138123456789', false],
  ])('%s is a mobile number: %s', (phone, expected) => expect(isMobile(phone)).toBe(expected))

  it('normalizes a prefixed number', () => expect(normalizePhone('+86 138-1234-5678')).toBe('13812345678'))

  it.each([
    ['14090219900101123X', '1409**********123X'],
    ['11010519491231002X', '1101**********002X'],
  ])('masks ID number %s as %s', (id, masked) => expect(maskIdNumber(id)).toBe(masked))

  it('masks a phone as 138****5678', () => expect(maskPhone('13812345678')).toBe('138****5678'))
})

describe('generators', () => {
  it('generate valid ID numbers for a division, birth date and sex', () => {
    const rng = seededRandom(7)
    for (let i = 0; i < 200; i++) {
      const sex = i % 2 ? 'male' : 'female'
      const id = generateIdNumber({ divisionCode: '140981', birthDate: '1985-06-15', sex, rng })
      const r = checkIdNumber(id, now)
      expect(r).toMatchObject({ ok: true, divisionCode: '140981', birthDate: '1985-06-15', sex })
    }
  })

  it('generate valid credit codes with a valid organization code inside', () => {
    const rng = seededRandom(11)
    for (let i = 0; i < 200; i++) {
      const code = generateCreditCode({ divisionCode: '140902', rng })
      expect(checkCreditCode(code)).toMatchObject({ ok: true, divisionCode: '140902', authority: '9', category: '1', orgCodeValid: true })
      expect(isValidCreditCode(code)).toBe(true)
    }
  })

  it('are deterministic for a seed', () => {
    const a = generateIdNumber({ divisionCode: '140902', birthDate: '1990-01-01', sex: 'male', rng: seededRandom(1) })
    const b = generateIdNumber({ divisionCode: '140902', birthDate: '1990-01-01', sex: 'male', rng: seededRandom(1) })
    expect(a).toBe(b)
  })
})
