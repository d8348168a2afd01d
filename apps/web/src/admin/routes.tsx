import { Spin } from 'antd'
import { lazy, Suspense } from 'react'
import { useTranslation } from 'react-i18next'
import { Navigate, Outlet, Route, Routes } from 'react-router'
import { DeskLogin } from '../lib/desk/DeskLogin'
import { DeskProviders } from '../lib/desk/DeskProviders'
import { DeskShell } from '../lib/desk/DeskShell'
import { RequireStaff } from '../lib/desk/RequireStaff'
import { AdminNav } from './AdminNav'
import '../lib/desk/desk.css'

const DivisionsPage = lazy(() => import('./divisions/DivisionsPage'))
const DepartmentsPage = lazy(() => import('./departments/DepartmentsPage'))
const AccountsPage = lazy(() => import('./accounts/AccountsPage'))
const OidcClientsPage = lazy(() => import('./oidc-clients/OidcClientsPage'))
const SmsOutboxPage = lazy(() => import('./sms-outbox/SmsOutboxPage'))
const AuditPage = lazy(() => import('./audit/AuditPage'))
const LedgerPage = lazy(() => import('./ledger/LedgerPage'))

/** The administration face (/admin): platform and data-bureau administrators. */
export default function AdminApp() {
  return (
    <DeskProviders>
      <AdminRoutes />
    </DeskProviders>
  )
}

function AdminLayout() {
  const { t } = useTranslation()
  return (
    <RequireStaff base="/admin" roles={['platform_admin', 'data_admin']}>
      <DeskShell faceTitle={t('admin.title')} base="/admin" nav={<AdminNav />}>
        <Suspense
          fallback={
            <div className="desk-center" role="status">
              <Spin description={t('common.loading')} />
            </div>
          }
        >
          <Outlet />
        </Suspense>
      </DeskShell>
    </RequireStaff>
  )
}

function AdminRoutes() {
  const { t } = useTranslation()
  return (
    <Routes>
      <Route path="login" element={<DeskLogin faceTitle={t('admin.title')} base="/admin" />} />
      <Route element={<AdminLayout />}>
        <Route index element={<Navigate to="divisions" replace />} />
        <Route path="divisions" element={<DivisionsPage />} />
        <Route path="departments" element={<DepartmentsPage />} />
        <Route path="accounts" element={<AccountsPage />} />
        <Route path="oidc-clients" element={<OidcClientsPage />} />
        <Route path="sms-outbox" element={<SmsOutboxPage />} />
        <Route path="audit" element={<AuditPage />} />
        <Route path="ledger" element={<LedgerPage />} />
        <Route path="*" element={<Navigate to="/admin" replace />} />
      </Route>
    </Routes>
  )
}
