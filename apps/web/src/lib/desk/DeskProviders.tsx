import { App as AntApp, ConfigProvider } from 'antd'
import enUS from 'antd/es/locale/en_US'
import zhCN from 'antd/es/locale/zh_CN'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { SessionProvider } from '../session'

/**
 * Everything the desktop faces (/work, /ops, /admin) share: antd in the user's language, antd's
 * App context (message/modal hooks) and the session. Only antd faces import lib/desk; the
 * citizen face never does, so antd stays out of its chunks (the build checks this).
 */
export function DeskProviders({ children }: { children: ReactNode }) {
  const { i18n } = useTranslation()
  return (
    <ConfigProvider locale={i18n.language === 'en' ? enUS : zhCN} button={{ autoInsertSpace: false }} theme={{ token: { colorPrimary: '#c8102e', borderRadius: 6 } }}>
      <AntApp>
        <SessionProvider>{children}</SessionProvider>
      </AntApp>
    </ConfigProvider>
  )
}
