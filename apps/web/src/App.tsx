import { lazy, Suspense } from 'react'
import { useTranslation } from 'react-i18next'
import { BrowserRouter, Navigate, Route, Routes } from 'react-router'

// One chunk graph per face: opening /m never downloads the desktop faces' antd.
const LandingPage = lazy(() => import('./landing/LandingPage'))
const CitizenApp = lazy(() => import('./citizen/routes'))
const WorkApp = lazy(() => import('./work/routes'))
const OpsApp = lazy(() => import('./ops/routes'))
const AdminApp = lazy(() => import('./admin/routes'))
const ConsentPage = lazy(() => import('./consent/ConsentPage'))
const VerifyPage = lazy(() => import('./verify/VerifyPage'))
const NotFoundPage = lazy(() => import('./NotFoundPage'))

function Loading() {
  const { t } = useTranslation()
  return (
    <div className="yw-loading" role="status">
      {t('common.loading')}
    </div>
  )
}

/** The web app's top-level routes: a landing page, four faces, and the OIDC consent page. */
export function App() {
  return (
    <BrowserRouter>
      <Suspense fallback={<Loading />}>
        <Routes>
          <Route path="/" element={<LandingPage />} />
          <Route path="/login" element={<Navigate to="/" replace />} />
          <Route path="/m/*" element={<CitizenApp />} />
          <Route path="/work/*" element={<WorkApp />} />
          <Route path="/ops/*" element={<OpsApp />} />
          <Route path="/admin/*" element={<AdminApp />} />
          <Route path="/consent/:uid" element={<ConsentPage />} />
          <Route path="/verify/:code" element={<VerifyPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </Suspense>
    </BrowserRouter>
  )
}
