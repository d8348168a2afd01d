import { DotLoading } from 'antd-mobile'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { Navigate, useLocation } from 'react-router'
import { useSession } from '../lib/session'

/** Shows children once someone is signed in; otherwise sends them to /m/login and back afterwards. */
export function RequireAccount({ children }: { children: ReactNode }) {
  const { t } = useTranslation()
  const { me } = useSession()
  const location = useLocation()
  if (me === undefined) {
    return (
      <div className="m-center" role="status">
        <DotLoading color="primary" />
        <span className="m-sr-only">{t('common.loading')}</span>
      </div>
    )
  }
  if (me === null) {
    // Come back here after signing in (the apply button of a guide read without login).
    const here = location.pathname + location.search
    return <Navigate to={here === '/m' || here === '/m/' ? '/m/login' : `/m/login?next=${encodeURIComponent(here)}`} replace />
  }
  return <>{children}</>
}
