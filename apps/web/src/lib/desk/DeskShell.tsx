import { Button, Layout, Space, Typography } from 'antd'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useNavigate } from 'react-router'
import { useSession } from '../session'
import { LanguageSwitch } from './LanguageSwitch'

interface DeskShellProps {
  /** The face's name shown next to the brand, already translated. */
  faceTitle: string
  /** Where the face lives (/work, /ops, /admin); logout goes to its login page. */
  base: string
  /** Optional side navigation (admin, work). */
  nav?: ReactNode
  /** Accessible name of the side navigation, already translated. */
  navLabel?: string
  children: ReactNode
}

/** The frame of a desktop face: header with brand, language and account; nav; main. */
export function DeskShell({ faceTitle, base, nav, navLabel, children }: DeskShellProps) {
  const { t } = useTranslation()
  const { me, signOut } = useSession()
  const navigate = useNavigate()
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header className="desk-header">
        <Link to={base} className="desk-brand">
          <span className="desk-brand-mark" aria-hidden="true">
            {t('app.mark')}
          </span>
          <span>{t('app.name')}</span>
          <span className="desk-face">{faceTitle}</span>
        </Link>
        <Space size="middle" wrap>
          <LanguageSwitch />
          {me && (
            <>
              <Typography.Text className="desk-user">{me.name}</Typography.Text>
              <Button
                size="small"
                onClick={async () => {
                  await signOut()
                  navigate(`${base}/login`, { replace: true })
                }}
              >
                {t('auth.logout')}
              </Button>
            </>
          )}
        </Space>
      </Layout.Header>
      <Layout hasSider={!!nav}>
        {nav && (
          <Layout.Sider width={220} theme="light" className="desk-sider">
            <nav aria-label={navLabel ?? t('admin.nav.label')}>{nav}</nav>
          </Layout.Sider>
        )}
        <Layout.Content className="desk-content">
          <main id="main">{children}</main>
        </Layout.Content>
      </Layout>
    </Layout>
  )
}
