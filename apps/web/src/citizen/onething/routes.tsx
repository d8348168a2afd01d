import { lazy, Suspense } from 'react'
import { Navigate, Route, Routes } from 'react-router'
import { Loading } from '../Page'
import { RequireAccount } from '../RequireAccount'
import './onething.css'

// 一件事一次办 loads on first visit, each page its own chunk; antd-mobile only on /m.
const BundleListPage = lazy(() => import('./BundleListPage'))
const BundlePage = lazy(() => import('./BundlePage'))
const DraftPage = lazy(() => import('./DraftPage'))
const JoinPage = lazy(() => import('./JoinPage'))
const ApplicationPage = lazy(() => import('./ApplicationPage'))

/**
 * /m/onething/*: the bundles, one bundle (`:code`), a shared draft at a step
 * (`drafts/:id/:step`), an invitation link (`join/:token`) and the one application
 * (`applications/:id`) whose status, deadline and results come from its cases.
 */
export default function OnethingRoutes() {
  return (
    <Suspense fallback={<Loading />}>
      <Routes>
        <Route index element={<BundleListPage />} />
        <Route path="join/:token" element={<RequireAccount><JoinPage /></RequireAccount>} />
        <Route path="drafts/:id/:step" element={<RequireAccount><DraftPage /></RequireAccount>} />
        <Route path="applications/:id" element={<RequireAccount><ApplicationPage /></RequireAccount>} />
        <Route path=":code" element={<BundlePage />} />
        <Route path="*" element={<Navigate to="/m/onething" replace />} />
      </Routes>
    </Suspense>
  )
}
