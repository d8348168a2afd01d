import { lazy, Suspense } from 'react'
import { Navigate, Route, Routes } from 'react-router'

const RectificationsPage = lazy(() => import('./RectificationsPage'))
const StatsPage = lazy(() => import('./StatsPage'))

/** /work/rating/*: the rectification desk (department answers, centre calls back) and the statistics. */
export default function RatingRoutes() {
  return (
    <Suspense fallback={null}>
      <Routes>
        <Route path="rectifications" element={<RectificationsPage />} />
        <Route path="stats" element={<StatsPage />} />
        <Route path="*" element={<Navigate to="/work/rating/rectifications" replace />} />
      </Routes>
    </Suspense>
  )
}
