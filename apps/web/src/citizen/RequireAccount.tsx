import { DotLoading } from 'antd-mobile'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { Navigate } from 'react-router'
import { useSession } from '../lib/session'

/** Shows children once someone is signed in; otherwise sends them to /m/login. */
export function RequireAccount({ children }: { children: ReactNode }) {
  const { t } = useTranslation()
  const { me } = useSession()
  if (me === undefined) {
    return (
      <div className="m-center" role="status">
        <DotLoading color="primary" />
        <span className="m-sr-only">{t('common.loading')}</span>
      </div>
    )
  }
  if (me === null) return <Navigate to="/m/login" replace />
  return <>{children}</>
}
