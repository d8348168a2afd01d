import { Menu } from 'antd'
import { useTranslation } from 'react-i18next'
import { Link, useLocation } from 'react-router'

const sections = ['divisions', 'departments', 'accounts', 'oidc-clients', 'sms-outbox', 'audit', 'ledger'] as const
type Section = (typeof sections)[number]

/** Side navigation of the admin face; plain links, so every entry is reachable by keyboard. */
export function AdminNav() {
  const { t } = useTranslation()
  const { pathname } = useLocation()
  const labels: Record<Section, string> = {
    divisions: t('admin.nav.divisions'),
    departments: t('admin.nav.departments'),
    accounts: t('admin.nav.accounts'),
    'oidc-clients': t('admin.nav.oidcClients'),
    'sms-outbox': t('admin.nav.smsOutbox'),
    audit: t('admin.nav.audit'),
    ledger: t('admin.nav.ledger'),
  }
  const current = sections.find((s) => pathname.startsWith(`/admin/${s}`))
  return (
    <Menu
      mode="inline"
      selectedKeys={current ? [current] : []}
      items={sections.map((s) => ({
        key: s,
        label: (
          <Link to={`/admin/${s}`} aria-current={s === current ? 'page' : undefined}>
            {labels[s]}
          </Link>
        ),
      }))}
    />
  )
}
