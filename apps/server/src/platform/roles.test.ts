import { describe, expect, it } from 'vitest'
import { canActIn, divisionCovers, divisionPrefix, type Principal } from './roles.js'

describe('division scope', () => {
  it.each([
    ['140000', '14'],
    ['140900', '1409'],
    ['140902', '140902'],
    ['140902001', '140902001'],
  ])('prefix of %s is %s', (code, prefix) => expect(divisionPrefix(code)).toBe(prefix))

  it.each([
    ['140900', '140902', true],
    ['140900', '140902001', true],
    ['140902', '140902001', true],
    ['140902', '140921', false],
    ['140902', '140900', false],
    ['140000', '140902', true],
    ['140000', '110101', false],
    [null, '110101', true],
  ] as const)('scope %s covers %s: %s', (scope, target, expected) => expect(divisionCovers(scope, target)).toBe(expected))

  it('lets a district clerk act only in that district', () => {
    const clerk: Principal = {
      accountId: 'acc_1', sessionId: 'ses_1', kind: 'staff', name: '张三',
      grants: [{ role: 'window_clerk', divisionCode: '140902', departmentId: 'dep_1' }],
    }
    expect(canActIn(clerk, '140902001', 'window_clerk')).toBe(true)
    expect(canActIn(clerk, '140921', 'window_clerk')).toBe(false)
    expect(canActIn(clerk, '140902', 'reviewer')).toBe(false)
    expect(canActIn(null, '140902')).toBe(false)
  })
})
