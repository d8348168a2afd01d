import { useTranslation } from 'react-i18next'
import { Navigate, Route, Routes } from 'react-router'
import { DeskLogin } from '../lib/desk/DeskLogin'
import { DeskProviders } from '../lib/desk/DeskProviders'
import { DeskShell } from '../lib/desk/DeskShell'
import { RequireStaff } from '../lib/desk/RequireStaff'
import { WorkHome } from './home/WorkHome'
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
  return (
    <Routes>
      <Route path="login" element={<DeskLogin faceTitle={title} base="/work" />} />
      <Route
        index
        element={
          <RequireStaff base="/work">
            <DeskShell faceTitle={title} base="/work">
              <WorkHome />
            </DeskShell>
          </RequireStaff>
        }
      />
      <Route path="*" element={<Navigate to="/work" replace />} />
    </Routes>
  )
}
