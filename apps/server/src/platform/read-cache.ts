/**
 * A few seconds' memory of rows that many requests read and few change (departments, API keys):
 * under load such a lookup was one database round trip per request for the same answer. Writes in
 * this process call `clear()`; a change made by another process sharing the database reaches this
 * one within `ttlMs`. Concurrent misses for one key share one load; a failed load is not kept.
 */
export function createReadCache<K, V>(opts: { ttlMs: number; max?: number; now?: () => number }) {
  const max = opts.max ?? 1_000
  const now = opts.now ?? Date.now
  // A load in flight is an entry too: `clear()` drops it, so what it read before a write is not kept.
  const entries = new Map<K, { at: number; value: Promise<V> }>()

  return {
    get(key: K, load: () => Promise<V>): Promise<V> {
      const t = now()
      const hit = entries.get(key)
      if (hit && t - hit.at < opts.ttlMs && t >= hit.at) return hit.value
      if (entries.size >= max) entries.clear()
      const value = load()
      entries.set(key, { at: t, value })
      value.catch(() => {
        if (entries.get(key)?.value === value) entries.delete(key)
      })
      return value
    },
    clear(): void {
      entries.clear()
    },
  }
}
