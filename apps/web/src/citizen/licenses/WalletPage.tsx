import { Empty } from 'antd-mobile'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { api } from '../../lib/api'
import { walletPaths, type LicenseSummary } from '../../lib/licenses'
import type { Page as Paged } from '../../lib/types'
import { useFetch } from '../../lib/use-fetch'
import { LoadError, Loading, Page } from '../Page'
import { LicenseStatusTag } from './StatusTag'

/** 我的证照: every license issued to the signed-in person or enterprise, with its status. */
export function WalletPage() {
  const { t } = useTranslation()
  const list = useFetch((signal) => api.get<Paged<LicenseSummary>>(walletPaths.list, { pageSize: 100 }, signal), [])
  return (
    <Page title={t('licenses.wallet.title')} back={{ to: '/m', label: t('citizen.nav.home') }}>
      <nav className="w-links" aria-label={t('licenses.wallet.more')}>
        <Link to="/m/licenses/uses" className="m-chip">
          {t('licenses.uses.title')}
        </Link>
        <Link to="/m/licenses/grants" className="m-chip">
          {t('licenses.grants.title')}
        </Link>
      </nav>
      {list.loading && !list.data ? (
        <Loading />
      ) : list.error ? (
        <LoadError error={list.error} retry={list.reload} />
      ) : !list.data?.items.length ? (
        <Empty description={t('licenses.wallet.empty')} />
      ) : (
        <ul className="m-list">
          {list.data.items.map((l) => (
            <li key={l.id}>
              <Link to={`/m/licenses/${encodeURIComponent(l.id)}`} className={`w-tile w-tile-${l.status}`}>
                <span className="w-tile-type">{l.typeName}</span>
                <span className="w-tile-number">{l.number}</span>
                <span className="m-tags">
                  <LicenseStatusTag status={l.status} />
                </span>
                <span className="m-item-meta">
                  {l.issuerName} · {l.validUntil ? t('licenses.field.validUntil', { date: l.validUntil }) : t('licenses.field.permanent')}
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </Page>
  )
}
