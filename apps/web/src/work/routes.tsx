import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { Navigate, Route, Routes } from 'react-router'
import { DeskLogin } from '../lib/desk/DeskLogin'
import { DeskProviders } from '../lib/desk/DeskProviders'
import { DeskShell } from '../lib/desk/DeskShell'
import { RequireStaff } from '../lib/desk/RequireStaff'
import { CaseDetailPage } from './cases/CaseDetailPage'
import { QueuesPage } from './cases/QueuesPage'
import { WorkHome } from './home/WorkHome'
import { WorkNav } from './WorkNav'
import '../lib/desk/desk.css'

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
      <Route path="*" element={<Navigate to="/work" replace />} />
    </Routes>
  )
}
