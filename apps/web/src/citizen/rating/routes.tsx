import { lazy, Suspense } from 'react'
import { Navigate, Route, Routes } from 'react-router'
import { Loading } from '../Page'
import { RequireAccount } from '../RequireAccount'
import './rating.css'

// 好差评 pages load on first visit, each its own chunk; antd-mobile only on /m.
const RatePage = lazy(() => import('./RatePage'))
const SmsRatePage = lazy(() => import('./SmsRatePage'))
const MyRatingsPage = lazy(() => import('./MyRatingsPage'))
const PublicRatingsPage = lazy(() => import('./PublicRatingsPage'))

/**
 * /m/rate/*: `:kind/:refId` rates a closed case or a called-back ticket (linked from the case
 * and ticket pages), `sms/:token` the SMS link (no sign-in), `mine` my ratings with outcomes,
 * `public` the aggregated figures (no sign-in).
 */
export default function RatingRoutes() {
  return (
    <Suspense fallback={<Loading />}>
      <Routes>
        <Route path="public" element={<PublicRatingsPage />} />
        <Route path="sms/:token" element={<SmsRatePage />} />
        {/* A 12345 phone caller's one-time link (no account). */}
        <Route path=":token" element={<SmsRatePage oneTime />} />
        <Route path="mine" element={<RequireAccount><MyRatingsPage /></RequireAccount>} />
        <Route path=":kind/:refId" element={<RequireAccount><RatePage /></RequireAccount>} />
        <Route path="*" element={<Navigate to="/m/rate/mine" replace />} />
      </Routes>
    </Suspense>
  )
}
