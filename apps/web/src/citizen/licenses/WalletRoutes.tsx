import { Route, Routes } from 'react-router'
import { GrantsPage } from './GrantsPage'
import { LicensePage } from './LicensePage'
import { SharePage } from './SharePage'
import { ShowQrPage } from './ShowQrPage'
import { UsesPage } from './UsesPage'
import { WalletPage } from './WalletPage'
import './wallet.css'

/** 我的证照 (/m/licenses): the holder's wallet, loaded as its own chunk. */
export default function WalletRoutes() {
  return (
    <Routes>
      <Route index element={<WalletPage />} />
      <Route path="uses" element={<UsesPage />} />
      <Route path="grants" element={<GrantsPage />} />
      <Route path=":id" element={<LicensePage />} />
      <Route path=":id/qr" element={<ShowQrPage />} />
      <Route path=":id/share" element={<SharePage />} />
    </Routes>
  )
}
