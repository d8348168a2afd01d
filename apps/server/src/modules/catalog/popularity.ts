import type { Logger } from 'pino'

/** Views and applications of one item not yet written. */
export interface PendingCounts {
  views: number
  applications: number
}

/**
 * Popularity counters (catalog.item view_count / apply_count) added up in memory and written in
 * one statement at most every `delayMs`. One UPDATE per submission made the item's row a hot spot
 * every concurrent submission of that item queued on. Readers that show or rank by the counters
 * call `flush()` first, so what a caller recorded is visible to its next search. Counts not yet
 * written when the process dies are lost; they are popularity hints, not records.
 */
export function createPopularity(deps: { write: (counts: Map<string, PendingCounts>) => Promise<void>; logger?: Pick<Logger, 'warn'>; delayMs?: number }) {
  const delayMs = deps.delayMs ?? 500
  let pending = new Map<string, PendingCounts>()
  let timer: NodeJS.Timeout | undefined
  let writing: Promise<void> = Promise.resolve()

  function add(itemId: string, kind: keyof PendingCounts): void {
    const c = pending.get(itemId) ?? { views: 0, applications: 0 }
    c[kind] += 1
    pending.set(itemId, c)
    if (!timer) {
      timer = setTimeout(() => void flush().catch((err: unknown) => deps.logger?.warn({ err }, 'catalog popularity counters not written')), delayMs)
      timer.unref()
    }
  }

  /** Writes what is pending (after any write under way); a failed write puts its counts back. */
  function flush(): Promise<void> {
    if (timer) clearTimeout(timer)
    timer = undefined
    if (pending.size === 0) return writing
    const batch = pending
    pending = new Map()
    writing = writing
      .catch(() => undefined)
      .then(() => deps.write(batch))
      .catch((err: unknown) => {
        for (const [id, c] of batch) {
          const p = pending.get(id) ?? { views: 0, applications: 0 }
          pending.set(id, { views: p.views + c.views, applications: p.applications + c.applications })
        }
        throw err
      })
    return writing
  }

  return { add, flush, get size() { return pending.size } }
}
