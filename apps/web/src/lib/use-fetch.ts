import { useCallback, useEffect, useRef, useState, type DependencyList } from 'react'

export interface Fetched<T> {
  data: T | undefined
  error: unknown
  loading: boolean
  reload(): void
}

/**
 * Runs an async loader when its dependencies change and keeps the last answer. A newer call
 * aborts the older one, so a slow answer never overwrites a fresh one.
 */
export function useFetch<T>(load: (signal: AbortSignal) => Promise<T>, deps: DependencyList): Fetched<T> {
  const [data, setData] = useState<T | undefined>(undefined)
  const [error, setError] = useState<unknown>(null)
  const [loading, setLoading] = useState(true)
  const [tick, setTick] = useState(0)
  const loadRef = useRef(load)
  loadRef.current = load

  useEffect(() => {
    const controller = new AbortController()
    setLoading(true)
    loadRef.current(controller.signal).then(
      (value) => {
        if (controller.signal.aborted) return
        setData(value)
        setError(null)
        setLoading(false)
      },
      (e: unknown) => {
        if (controller.signal.aborted) return
        setError(e)
        setLoading(false)
      },
    )
    return () => controller.abort()
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick])

  const reload = useCallback(() => setTick((n) => n + 1), [])
  return { data, error, loading, reload }
}
