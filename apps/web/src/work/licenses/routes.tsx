import type { ReactNode } from 'react'
import { Navigate, Route, Routes } from 'react-router'
import { useSession } from '../../lib/session'
import { canManageLicenses, canSeeIssued } from './access'
import { ImportPage } from './ImportPage'
import { IssuedDetailPage } from './IssuedDetailPage'
import { IssuedPage } from './IssuedPage'
import { SealsPage } from './SealsPage'

/** E-license pages of the workbench (/work/licenses, its own chunk): issued licenses, seals, aggregation import. */
export default function LicensesRoutes() {
  const { me } = useSession()
  const guard = (ok: boolean, page: ReactNode) => (ok ? page : <Navigate to="/work" replace />)
  return (
    <Routes>
      <Route index element={guard(canSeeIssued(me), <IssuedPage />)} />
      <Route path="seals" element={guard(canManageLicenses(me), <SealsPage />)} />
      <Route path="import" element={guard(canManageLicenses(me), <ImportPage />)} />
      <Route path=":id" element={guard(canSeeIssued(me), <IssuedDetailPage />)} />
    </Routes>
  )
}
