import { ConfigProvider } from 'antd-mobile'
import enUS from 'antd-mobile/es/locales/en-US'
import zhCN from 'antd-mobile/es/locales/zh-CN'
import { useTranslation } from 'react-i18next'
import { Navigate, Route, Routes } from 'react-router'
import { SessionProvider } from '../lib/session'
import { ApplyPage } from './apply/ApplyPage'
import { CasePage } from './cases/CasePage'
import { MyCasesPage } from './cases/MyCasesPage'
import { HomePage } from './home/HomePage'
import { InboxPage } from './inbox/InboxPage'
import { LoginPage } from './login/LoginPage'
import { RequireAccount } from './RequireAccount'
import { ItemPage } from './services/ItemPage'
import { ServicesPage } from './services/ServicesPage'
import './citizen.css'

/** The citizen face (/m): mobile-first, antd-mobile only — never antd. */
export default function CitizenApp() {
  const { i18n } = useTranslation()
  return (
    <ConfigProvider locale={i18n.language === 'en' ? enUS : zhCN}>
      <SessionProvider>
        <div className="m-app">
          <Routes>
            <Route path="login" element={<LoginPage />} />
            <Route
              index
              element={
                <RequireAccount>
                  <HomePage />
                </RequireAccount>
              }
            />
            <Route path="services" element={<ServicesPage />} />
            <Route path="items/:id" element={<ItemPage />} />
            <Route path="items/:id/apply" element={<RequireAccount><ApplyPage /></RequireAccount>} />
            <Route path="cases" element={<RequireAccount><MyCasesPage /></RequireAccount>} />
            <Route path="cases/:id" element={<RequireAccount><CasePage /></RequireAccount>} />
            <Route path="inbox" element={<RequireAccount><InboxPage /></RequireAccount>} />
            <Route path="*" element={<Navigate to="/m" replace />} />
          </Routes>
        </div>
      </SessionProvider>
    </ConfigProvider>
  )
}
