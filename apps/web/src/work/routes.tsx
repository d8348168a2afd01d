import { lazy, Suspense, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { Navigate, Route, Routes } from 'react-router'
import { DeskLogin } from '../lib/desk/DeskLogin'
import { DeskProviders } from '../lib/desk/DeskProviders'
import { DeskShell } from '../lib/desk/DeskShell'
import { RequireStaff } from '../lib/desk/RequireStaff'
import { useSession } from '../lib/session'
import { CatalogPage } from './catalog/CatalogPage'
import { ItemEditorPage, NewItemPage } from './catalog/ItemEditorPage'
import { CaseDetailPage } from './cases/CaseDetailPage'
import { QueuesPage } from './cases/QueuesPage'
import { WorkHome } from './home/WorkHome'
import { isCatalogEditor, WorkNav } from './WorkNav'
import '../lib/desk/desk.css'

// The 12345 hotline pages load on first visit (each page its own chunk).
const HotlineRoutes = lazy(() => import('./hotline/routes'))
// E-license pages (issued licenses, seals, import) likewise.
const LicensesRoutes = lazy(() => import('./licenses/routes'))
// 好差评: the rectification desk and the statistics.
const RatingRoutes = lazy(() => import('./rating/routes'))

/** The staff workbench (/work). */
export default function WorkApp() {
  return (
    <DeskProviders>
      <WorkRoutes />
    </DeskProviders>
  )
}

function WorkRoutes() {
  const { t } = useTranslation()
  const title = t('work.title')
  const frame = (page: ReactNode) => (
    <RequireStaff base="/work">
      <DeskShell faceTitle={title} base="/work" nav={<WorkNav />} navLabel={t('work.nav.label')}>
        {page}
      </DeskShell>
    </RequireStaff>
  )
  return (
    <Routes>
      <Route path="login" element={<DeskLogin faceTitle={title} base="/work" />} />
      <Route index element={frame(<WorkHome />)} />
      <Route path="cases" element={frame(<QueuesPage />)} />
      <Route path="cases/:id" element={frame(<CaseDetailPage />)} />
      <Route path="catalog" element={frame(<RequireEditor><CatalogPage /></RequireEditor>)} />
      <Route path="catalog/new" element={frame(<RequireEditor><NewItemPage /></RequireEditor>)} />
      <Route path="catalog/:id" element={frame(<RequireEditor><ItemEditorPage /></RequireEditor>)} />
      <Route path="hotline/*" element={frame(<Suspense fallback={null}><HotlineRoutes /></Suspense>)} />
      <Route path="licenses/*" element={frame(<Suspense fallback={null}><LicensesRoutes /></Suspense>)} />
      <Route path="rating/*" element={frame(<Suspense fallback={null}><RatingRoutes /></Suspense>)} />
      <Route path="*" element={<Navigate to="/work" replace />} />
    </Routes>
  )
}

/** The catalog pages are for editors only; anyone else goes back to the workbench home. */
function RequireEditor({ children }: { children: ReactNode }) {
  const { me } = useSession()
  return isCatalogEditor(me) ? <>{children}</> : <Navigate to="/work" replace />
}
