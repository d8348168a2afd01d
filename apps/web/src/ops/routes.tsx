import { useTranslation } from 'react-i18next'
import { Navigate, Route, Routes } from 'react-router'
import { DeskLogin } from '../lib/desk/DeskLogin'
import { DeskProviders } from '../lib/desk/DeskProviders'
import { DeskShell } from '../lib/desk/DeskShell'
import { RequireStaff } from '../lib/desk/RequireStaff'
import { OpsHome } from './home/OpsHome'
import '../lib/desk/desk.css'

/** The operations face (/ops): the city's big screen, a placeholder for now. */
export default function OpsApp() {
  return (
    <DeskProviders>
      <OpsRoutes />
    </DeskProviders>
  )
}

function OpsRoutes() {
  const { t } = useTranslation()
  const title = t('ops.title')
  return (
    <Routes>
      <Route path="login" element={<DeskLogin faceTitle={title} base="/ops" />} />
      <Route
        index
        element={
          <RequireStaff base="/ops">
            <DeskShell faceTitle={title} base="/ops">
              <OpsHome />
            </DeskShell>
          </RequireStaff>
        }
      />
      <Route path="*" element={<Navigate to="/ops" replace />} />
    </Routes>
  )
}
