import { Button, Result, Spin } from 'antd'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { Navigate, useLocation, useNavigate } from 'react-router'
import { hasRole, useSession } from '../session'
import type { Role } from '../types'

/** Shows children to a signed-in staff member (holding one of `roles`, when given). */
export function RequireStaff({ base, roles, children }: { base: string; roles?: Role[]; children: ReactNode }) {
  const { t } = useTranslation()
  const { me, signOut } = useSession()
  const location = useLocation()
  const navigate = useNavigate()
  if (me === undefined) {
    return (
      <div className="desk-center" role="status">
        <Spin description={t('common.loading')} />
      </div>
    )
  }
  if (me === null) return <Navigate to={`${base}/login`} replace state={{ from: location.pathname + location.search }} />
  if (me.kind !== 'staff' || (roles && !hasRole(me, ...roles))) {
    return (
      <main id="main" className="desk-center">
        <Result
          status="403"
          title={t('auth.forbidden.title')}
          subTitle={t('auth.forbidden.detail')}
          extra={
            <Button
              type="primary"
              onClick={async () => {
                await signOut()
                navigate(`${base}/login`, { replace: true })
              }}
            >
              {t('auth.switchAccount')}
            </Button>
          }
        />
      </main>
    )
  }
  return <>{children}</>
}
