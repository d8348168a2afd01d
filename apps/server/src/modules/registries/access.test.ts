import { describe, expect, it } from 'vitest'
import type { Principal, RoleGrant } from '../../platform/roles.js'
import { covers, readScopes, revealsIn, visiblePrefixes, writeScopes } from './access.js'

const OWNER = 'dept_police'
const principal = (...grants: RoleGrant[]): Principal => ({ accountId: 'acc', sessionId: 's', kind: 'staff', name: 'x', grants })

describe('registry access rules', () => {
  it.each([
    ['a platform-wide platform admin', principal({ role: 'platform_admin', divisionCode: null, departmentId: null }), '140981', true, true],
    ['a data admin of 忻府区 in 忻府区', principal({ role: 'data_admin', divisionCode: '140902', departmentId: null }), '140902003001', true, false],
    ['a data admin of 忻府区 in 原平市', principal({ role: 'data_admin', divisionCode: '140902', departmentId: null }), '140981', false, false],
    ['owner-department staff of the city', principal({ role: 'window_clerk', divisionCode: '140900', departmentId: OWNER }), '140981001', true, true],
    ['staff of another department', principal({ role: 'window_clerk', divisionCode: '140900', departmentId: 'dept_other' }), '140902', false, false],
    ['a leader without a department', principal({ role: 'leader', divisionCode: '140900', departmentId: null }), '140902', false, false],
    ['a citizen', principal({ role: 'citizen', divisionCode: '140902', departmentId: null }), '140902', false, false],
  ])('%s: reads %s → %s, full identifiers %s', (_who, p, division, canRead, canReveal) => {
    const scopes = readScopes(p, 'population', OWNER)
    expect(covers(scopes, division)).toBe(canRead)
    expect(revealsIn(scopes, division)).toBe(canReveal)
  })

  it('lets any staff role read the spatial and economy registries, but not write them', () => {
    const clerk = principal({ role: 'window_clerk', divisionCode: '140902', departmentId: null })
    expect(covers(readScopes(clerk, 'economy', null), '140981')).toBe(true)
    expect(revealsIn(readScopes(clerk, 'economy', null), '140981')).toBe(false)
    expect(writeScopes(clerk, null)).toEqual([])
    expect(readScopes(principal({ role: 'citizen', divisionCode: null, departmentId: null }), 'economy', null)).toEqual([])
  })

  it('limits lists to the prefixes of the caller’s grants', () => {
    const p = principal({ role: 'data_admin', divisionCode: '140902', departmentId: null }, { role: 'data_admin', divisionCode: '140900', departmentId: null })
    expect(visiblePrefixes(readScopes(p, 'population', null))).toEqual(['140902', '1409'])
    expect(visiblePrefixes(readScopes(principal({ role: 'platform_admin', divisionCode: null, departmentId: null }), 'population', null))).toBeNull()
  })
})
