import { describe, expect, it } from 'vitest'
import { levelWordEnds, nameAliases, normalizeAddress, shortName } from './geocode.js'

describe('division names as addresses write them', () => {
  it.each([
    ['北关社区居民委员会', ['北关社区居民委员会', '北关社区'], '北关社区'],
    ['东楼村村民委员会', ['东楼村村民委员会', '东楼村'], '东楼村'],
    ['顿村村委会', ['顿村村委会', '顿村'], '顿村'],
    ['前高蒋村委会', ['前高蒋村委会', '前高蒋村', '前高蒋'], '前高蒋村'],
    ['东街居委会', ['东街居委会', '东街社区', '东街'], '东街社区'],
    ['新建路街道办事处', ['新建路街道办事处', '新建路街道'], '新建路街道'],
    ['忻府区', ['忻府区'], '忻府区'],
  ])('%s', (name, aliases, short) => {
    expect(nameAliases(name)).toEqual(aliases)
    expect(shortName(name)).toBe(short)
  })

  it('finds every end of a level word, overlapping ones included', () => {
    expect(levelWordEnds('董村村委会5号')).toEqual([2, 3, 5])
    expect(levelWordEnds('新建路街道北关社区')).toEqual([5, 9])
  })

  it('folds full-width digits and drops spaces', () => {
    expect(normalizeAddress('和平街 １２ 号')).toBe('和平街12号')
  })
})
