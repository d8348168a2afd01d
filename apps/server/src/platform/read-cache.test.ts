import { describe, expect, it } from 'vitest'
import { createReadCache } from './read-cache.js'

function counter<V>(values: V[]) {
  let calls = 0
  return { load: async () => values[Math.min(calls++, values.length - 1)]!, calls: () => calls }
}

describe('createReadCache', () => {
  it('answers from memory within the TTL, and asks again after it', async () => {
    let t = 0
    const cache = createReadCache<string, string>({ ttlMs: 5_000, now: () => t })
    const c = counter(['a', 'b'])
    expect(await cache.get('k', c.load)).toBe('a')
    t = 4_999
    expect(await cache.get('k', c.load)).toBe('a')
    t = 5_000
    expect(await cache.get('k', c.load)).toBe('b')
    expect(c.calls()).toBe(2)
  })

  it('shares one load between concurrent misses of a key', async () => {
    const cache = createReadCache<string, number>({ ttlMs: 5_000 })
    const c = counter([1])
    const all = await Promise.all([cache.get('k', c.load), cache.get('k', c.load), cache.get('k', c.load)])
    expect(all).toEqual([1, 1, 1])
    expect(c.calls()).toBe(1)
  })

  it('does not keep what a load read before a clear, nor a failed load', async () => {
    const cache = createReadCache<string, string>({ ttlMs: 5_000 })
    let release!: (v: string) => void
    const slow = cache.get('k', () => new Promise<string>((r) => (release = r)))
    cache.clear()
    release('old')
    expect(await slow).toBe('old')
    expect(await cache.get('k', async () => 'new')).toBe('new')

    await expect(cache.get('f', async () => Promise.reject(new Error('down')))).rejects.toThrow('down')
    expect(await cache.get('f', async () => 'up')).toBe('up')
  })

  it('starts over past its size bound', async () => {
    const cache = createReadCache<number, number>({ ttlMs: 5_000, max: 2 })
    await cache.get(1, async () => 1)
    await cache.get(2, async () => 2)
    await cache.get(3, async () => 3)
    const c = counter([10])
    expect(await cache.get(1, c.load)).toBe(10)
    expect(c.calls()).toBe(1)
  })
})
