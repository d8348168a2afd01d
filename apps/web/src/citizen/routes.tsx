import { ConfigProvider } from 'antd-mobile'
import enUS from 'antd-mobile/es/locales/en-US'
import zhCN from 'antd-mobile/es/locales/zh-CN'
import { lazy, Suspense } from 'react'
import { useTranslation } from 'react-i18next'
import { Navigate, Route, Routes } from 'react-router'
import { SessionProvider } from '../lib/session'
import { Loading } from './Page'
import { RequireAccount } from './RequireAccount'
import './citizen.css'

// Every page is its own chunk, so a phone's first visit loads only the screen it opens (the
// login or the home page), not the apply form, the case timeline and the inbox as well.
const ApplyPage = lazy(() => import('./apply/ApplyPage').then((m) => ({ default: m.ApplyPage })))
const CasePage = lazy(() => import('./cases/CasePage').then((m) => ({ default: m.CasePage })))
const MyCasesPage = lazy(() => import('./cases/MyCasesPage').then((m) => ({ default: m.MyCasesPage })))
const HomePage = lazy(() => import('./home/HomePage').then((m) => ({ default: m.HomePage })))
const InboxPage = lazy(() => import('./inbox/InboxPage').then((m) => ({ default: m.InboxPage })))
const LoginPage = lazy(() => import('./login/LoginPage').then((m) => ({ default: m.LoginPage })))
const ItemPage = lazy(() => import('./services/ItemPage').then((m) => ({ default: m.ItemPage })))
const ServicesPage = lazy(() => import('./services/ServicesPage').then((m) => ({ default: m.ServicesPage })))

// The wallet is its own chunk: most visits to /m never open it.
const WalletRoutes = lazy(() => import('./licenses/WalletRoutes'))
// 12345 on the phone: its own chunks too.
const HotlineRoutes = lazy(() => import('./hotline/routes'))
// 好差评 (rate, SMS link, my ratings, public figures): its own chunks too.
const RatingRoutes = lazy(() => import('./rating/routes'))
// 一件事一次办 (bundles, shared drafts, the one application): its own chunks too.
const OnethingRoutes = lazy(() => import('./onething/routes'))

/** The citizen face (/m): mobile-first, antd-mobile only — never antd. */
export default function CitizenApp() {
  const { i18n } = useTranslation()
  return (
    <ConfigProvider locale={i18n.language === 'en' ? enUS : zhCN}>
      <SessionProvider>
        <div className="m-app">
          <Suspense fallback={<Loading />}>
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
            <Route path="licenses/*" element={<RequireAccount><Suspense fallback={<Loading />}><WalletRoutes /></Suspense></RequireAccount>} />
            <Route path="hotline/*" element={<Suspense fallback={<Loading />}><HotlineRoutes /></Suspense>} />
            <Route path="rate/*" element={<Suspense fallback={<Loading />}><RatingRoutes /></Suspense>} />
            <Route path="onething/*" element={<Suspense fallback={<Loading />}><OnethingRoutes /></Suspense>} />
            <Route path="*" element={<Navigate to="/m" replace />} />
          </Routes>
          </Suspense>
        </div>
      </SessionProvider>
    </ConfigProvider>
  )
}
