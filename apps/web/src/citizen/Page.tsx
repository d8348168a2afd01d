import { DotLoading, ErrorBlock, Button } from 'antd-mobile'
import { AppOutline, FileOutline, MessageOutline, SearchOutline } from 'antd-mobile-icons'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, NavLink } from 'react-router'
import { errorMessage } from '../lib/api'
import { TopBar } from './TopBar'

/** A citizen page: top bar, optional back link, the page's own heading and content, bottom navigation. */
export function Page({ title, back, children, footer }: { title: ReactNode; back?: { to: string; label: string }; children: ReactNode; footer?: ReactNode }) {
  return (
    <>
      <TopBar />
      <main id="main" className="m-main m-with-nav">
        {back && (
          <Link to={back.to} className="m-back">
            ‹ {back.label}
          </Link>
        )}
        <h1 className="m-title">{title}</h1>
        {children}
      </main>
      {footer && <div className="m-sticky-footer">{footer}</div>}
      <BottomNav />
    </>
  )
}

/** The tab bar at the bottom of every citizen page: plain links, so it works with a keyboard too. */
export function BottomNav() {
  const { t } = useTranslation()
  const items = [
    { to: '/m', label: t('citizen.nav.home'), Icon: AppOutline, end: true },
    { to: '/m/services', label: t('citizen.nav.services'), Icon: SearchOutline, end: false },
    { to: '/m/cases', label: t('citizen.nav.cases'), Icon: FileOutline, end: false },
    { to: '/m/inbox', label: t('citizen.nav.inbox'), Icon: MessageOutline, end: false },
  ]
  return (
    <nav className="m-bottom-nav" aria-label={t('citizen.nav.label')}>
      {items.map(({ to, label, Icon, end }) => (
        <NavLink key={to} to={to} end={end} className={({ isActive }) => (isActive ? 'm-nav-item m-nav-active' : 'm-nav-item')}>
          <Icon aria-hidden="true" />
          <span>{label}</span>
        </NavLink>
      ))}
    </nav>
  )
}

/** Loading and error states of a fetched page section. */
export function Loading() {
  const { t } = useTranslation()
  return (
    <div className="m-center" role="status">
      <DotLoading color="primary" />
      <span className="m-sr-only">{t('common.loading')}</span>
    </div>
  )
}

export function LoadError({ error, retry }: { error: unknown; retry?: () => void }) {
  const { t } = useTranslation()
  return (
    <ErrorBlock status="default" title={errorMessage(error)} description="">
      {retry && (
        <Button size="small" onClick={retry}>
          {t('common.retry')}
        </Button>
      )}
    </ErrorBlock>
  )
}
