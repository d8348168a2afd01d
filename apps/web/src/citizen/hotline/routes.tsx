import { lazy, Suspense } from 'react'
import { Navigate, Route, Routes } from 'react-router'
import { Loading } from '../Page'
import { RequireAccount } from '../RequireAccount'
import './hotline.css'

// Each page its own chunk, loaded on first visit; antd-mobile only (never antd) on /m.
const MyTicketsPage = lazy(() => import('./MyTicketsPage'))
const FileTicketPage = lazy(() => import('./FileTicketPage'))
const TicketPage = lazy(() => import('./TicketPage'))

/** The citizen's 12345 pages (/m/hotline/*): my tickets, file a ticket, a ticket. */
export default function HotlineRoutes() {
  return (
    <RequireAccount>
      <Suspense fallback={<Loading />}>
        <Routes>
          <Route index element={<MyTicketsPage />} />
          <Route path="new" element={<FileTicketPage />} />
          <Route path=":id" element={<TicketPage />} />
          <Route path="*" element={<Navigate to="/m/hotline" replace />} />
        </Routes>
      </Suspense>
    </RequireAccount>
  )
}
