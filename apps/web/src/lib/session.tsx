import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react'
import { api, ApiError } from './api'
import type { Me } from './types'

/** `undefined` while loading, `null` when nobody is signed in. */
export type SessionAccount = Me | null | undefined

interface SessionValue {
  me: SessionAccount
  /** Set when `/api/me` failed for another reason than "not signed in". */
  error: ApiError | null
  refresh(): Promise<Me | null>
  /** Records the account a login call returned, without another round trip. */
  signedIn(me: Me): void
  signOut(): Promise<void>
}

const SessionContext = createContext<SessionValue | null>(null)

/** Loads the signed-in account once per face and shares it with the face's pages. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<SessionAccount>(undefined)
  const [error, setError] = useState<ApiError | null>(null)

  const refresh = useCallback(async () => {
    try {
      const account = await api.get<Me>('/api/me')
      setMe(account)
      setError(null)
      return account
    } catch (e) {
      if (e instanceof ApiError && e.status !== 401) setError(e)
      setMe(null)
      return null
    }
  }, [])

  useEffect(() => {
    void refresh()
  }, [refresh])

  const signOut = useCallback(async () => {
    try {
      await api.post('/api/auth/logout')
    } finally {
      setMe(null)
    }
  }, [])

  const value = useMemo<SessionValue>(
    () => ({ me, error, refresh, signedIn: (account) => (setMe(account), setError(null)), signOut }),
    [me, error, refresh, signOut],
  )
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>
}

/** The current face's session. */
export function useSession(): SessionValue {
  const value = useContext(SessionContext)
  if (!value) throw new Error('useSession outside SessionProvider')
  return value
}

/** Whether the account holds one of the roles. */
export function hasRole(me: Me | null | undefined, ...wanted: Me['roles'][number]['role'][]): boolean {
  return !!me && me.roles.some((g) => wanted.includes(g.role))
}
