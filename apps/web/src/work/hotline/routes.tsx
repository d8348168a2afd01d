import { Spin } from 'antd'
import { lazy, Suspense, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { Navigate, Route, Routes } from 'react-router'
import { hasRole, useSession } from '../../lib/session'
import { canEditKb, canSeeMetrics, hotlineHome, isCentre, isDepartmentStaff, isHotlineAdmin } from './access'
import './hotline.css'

// Each page its own chunk: a department clerk never downloads the operator console, and so on.
const OperatorConsolePage = lazy(() => import('./console/OperatorConsolePage'))
const CentreQueuePage = lazy(() => import('./queues/QueuePages').then((m) => ({ default: m.CentreQueuePage })))
const DepartmentQueuePage = lazy(() => import('./queues/QueuePages').then((m) => ({ default: m.DepartmentQueuePage })))
const TicketPage = lazy(() => import('./ticket/TicketPage'))
const RulesPage = lazy(() => import('./rules/RulesPage'))
const KbPage = lazy(() => import('./kb/KbPage'))
const ApiKeysPage = lazy(() => import('./admin/ApiKeysPage'))
const MetricsPage = lazy(() => import('./admin/MetricsPage'))

function Only({ when, children }: { when: boolean; children: ReactNode }) {
  return when ? <>{children}</> : <Navigate to="/work" replace />
}

/** The 12345 hotline pages of the workbench (/work/hotline/*). */
export default function HotlineRoutes() {
  const { t } = useTranslation()
  const { me } = useSession()
  const home = hotlineHome(me)
  return (
    <Suspense
      fallback={
        <div className="desk-center" role="status">
          <Spin description={t('common.loading')} />
        </div>
      }
    >
      <Routes>
        <Route index element={<Navigate to={home ?? '/work'} replace />} />
        <Route path="console" element={<Only when={isCentre(me)}><OperatorConsolePage /></Only>} />
        <Route path="centre" element={<Only when={isCentre(me)}><CentreQueuePage /></Only>} />
        <Route path="department" element={<Only when={isDepartmentStaff(me)}><DepartmentQueuePage /></Only>} />
        <Route path="tickets/:id" element={<Only when={isCentre(me) || hasRole(me, 'window_clerk', 'department_head')}><TicketPage /></Only>} />
        <Route path="rules" element={<Only when={isCentre(me)}><RulesPage /></Only>} />
        <Route path="kb" element={<Only when={isCentre(me) || canEditKb(me)}><KbPage /></Only>} />
        <Route path="api-keys" element={<Only when={isHotlineAdmin(me)}><ApiKeysPage /></Only>} />
        <Route path="metrics" element={<Only when={canSeeMetrics(me)}><MetricsPage /></Only>} />
        <Route path="*" element={<Navigate to="/work/hotline" replace />} />
      </Routes>
    </Suspense>
  )
}
