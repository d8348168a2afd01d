import { useEffect, useState } from 'react'
import { api } from '../../../lib/api'
import type { KbHit } from '../../../lib/hotline'
import type { Page } from '../../../lib/types'

/** The search box of the knowledge base accepts this much; the tail of what was said matters most. */
const MAX_QUERY = 50
const DEBOUNCE_MS = 300

/**
 * Knowledge-base hits for what the operator is typing: waits until typing pauses, and a newer
 * query aborts the older request so a slow answer never replaces a fresh one.
 */
export function useKbSearch(text: string): { hits: KbHit[]; loading: boolean; query: string } {
  const [hits, setHits] = useState<KbHit[]>([])
  const [loading, setLoading] = useState(false)
  const query = text.replace(/\s+/g, ' ').trim().slice(-MAX_QUERY)

  useEffect(() => {
    if (query.length < 2) {
      setHits([])
      setLoading(false)
      return
    }
    const controller = new AbortController()
    const timer = window.setTimeout(() => {
      setLoading(true)
      api.get<Page<KbHit>>('/api/hotline/kb', { q: query, page: 1, pageSize: 5 }, controller.signal).then(
        (page) => {
          if (controller.signal.aborted) return
          setHits(page.items)
          setLoading(false)
        },
        () => {
          if (controller.signal.aborted) return
          setHits([])
          setLoading(false)
        },
      )
    }, DEBOUNCE_MS)
    return () => {
      window.clearTimeout(timer)
      controller.abort()
    }
  }, [query])

  return { hits, loading, query }
}
