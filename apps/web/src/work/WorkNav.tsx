import { Menu } from 'antd'
import { useTranslation } from 'react-i18next'
import { Link, useLocation } from 'react-router'

/** Side navigation of the workbench; plain links, reachable by keyboard. */
export function WorkNav() {
  const { t } = useTranslation()
  const { pathname } = useLocation()
  const current = pathname.startsWith('/work/cases') ? 'cases' : 'home'
  const items = [
    { key: 'home', to: '/work', label: t('work.nav.home') },
    { key: 'cases', to: '/work/cases', label: t('work.nav.cases') },
  ]
  return (
    <Menu
      mode="inline"
      selectedKeys={[current]}
      items={items.map((i) => ({
        key: i.key,
        label: (
          <Link to={i.to} aria-current={i.key === current ? 'page' : undefined}>
            {i.label}
          </Link>
        ),
      }))}
    />
  )
}
