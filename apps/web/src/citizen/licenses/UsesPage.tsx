import { Empty, Tag } from 'antd-mobile'
import { useTranslation } from 'react-i18next'
import { useSearchParams } from 'react-router'
import { api } from '../../lib/api'
import { formatDateTime } from '../../lib/format'
import type { UseEntry } from '../../lib/licenses'
import type { Page as Paged } from '../../lib/types'
import { useFetch } from '../../lib/use-fetch'
import { LoadError, Loading, Page } from '../Page'

/** 用证记录: who read which of my licenses, when and what for — refused attempts included. */
export function UsesPage() {
  const { t } = useTranslation()
  const [params] = useSearchParams()
  const licenseId = params.get('license') ?? undefined
  const list = useFetch((signal) => api.get<Paged<UseEntry>>('/api/licenses/mine/uses', { licenseId, pageSize: 100 }, signal), [licenseId])
  return (
    <Page title={t('licenses.uses.title')} back={{ to: '/m/licenses', label: t('licenses.wallet.title') }}>
      <p className="m-subtitle">{t('licenses.uses.intro')}</p>
      {list.loading && !list.data ? (
        <Loading />
      ) : list.error ? (
        <LoadError error={list.error} retry={list.reload} />
      ) : !list.data?.items.length ? (
        <Empty description={t('licenses.uses.empty')} />
      ) : (
        <ol className="m-list w-uses">
          {list.data.items.map((u) => (
            <li key={u.id} className={`m-upload${u.outcome === 'denied' ? ' w-denied' : ''}`}>
              <div className="m-row">
                <strong>{u.departmentName ?? t('licenses.uses.anyone')}</strong>
                <Tag color={u.outcome === 'denied' ? 'danger' : 'primary'} fill="outline">
                  {t(`licenses.useKind.${u.kind}`)}
                </Tag>
              </div>
              <div>{t('licenses.uses.what', { number: u.licenseNumber })}</div>
              <div>{t('licenses.uses.purpose', { purpose: u.purpose })}</div>
              <div className="m-item-meta">{formatDateTime(u.at)}</div>
            </li>
          ))}
        </ol>
      )}
    </Page>
  )
}
