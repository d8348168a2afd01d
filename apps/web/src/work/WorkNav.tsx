import { Menu } from 'antd'
import { useTranslation } from 'react-i18next'
import { Link, useLocation } from 'react-router'
import { hasRole, useSession } from '../lib/session'
import type { Me } from '../lib/types'
import { hotlineNavItems } from './hotline/nav'
import { licensesNavItems } from './licenses/nav'
import { ratingNavItems } from './rating/nav'

/** Who edits the catalog (the server checks the department and division of each item). */
export function isCatalogEditor(me: Me | null | undefined): boolean {
  return hasRole(me, 'department_head', 'data_admin', 'platform_admin')
}

/** Side navigation of the workbench; plain links, reachable by keyboard. */
export function WorkNav() {
  const { t } = useTranslation()
  const { pathname } = useLocation()
  const { me } = useSession()
  const hotline = hotlineNavItems(me, t)
  const licenses = licensesNavItems(me, t)
  const rating = ratingNavItems(me, t)
  // The longest matching entry wins (/work/licenses/seals over /work/licenses).
  const feature = [...hotline, ...licenses, ...rating].sort((a, b) => b.to.length - a.to.length).find((i) => pathname.startsWith(i.to))
  const current = pathname.startsWith('/work/cases') ? 'cases' : pathname.startsWith('/work/catalog') ? 'catalog' : (feature?.key ?? 'home')
  const items = [
    { key: 'home', to: '/work', label: t('work.nav.home') },
    { key: 'cases', to: '/work/cases', label: t('work.nav.cases') },
    ...(isCatalogEditor(me) ? [{ key: 'catalog', to: '/work/catalog', label: t('work.nav.catalog') }] : []),
    ...hotline,
    ...licenses,
    ...rating,
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
