import { Empty } from 'antd-mobile'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { api } from '../../lib/api'
import type { CaseSummary } from '../../lib/cases'
import { formatDateTime } from '../../lib/format'
import type { Page as Paged } from '../../lib/types'
import { useFetch } from '../../lib/use-fetch'
import { LoadError, Loading, Page } from '../Page'
import { ProgressLine, StatusTag } from './StatusTag'

/** 我的办件: the citizen's applications, newest first, each with its status and deadline. */
export function MyCasesPage() {
  const { t } = useTranslation()
  const list = useFetch((signal) => api.get<Paged<CaseSummary>>('/api/cases/mine', { pageSize: 50 }, signal), [])
  return (
    <Page title={t('citizen.cases.title')}>
      {list.loading && !list.data ? (
        <Loading />
      ) : list.error ? (
        <LoadError error={list.error} retry={list.reload} />
      ) : !list.data?.items.length ? (
        <Empty description={t('citizen.cases.none')} />
      ) : (
        <ul className="m-list">
          {list.data.items.map((c) => (
            <li key={c.id}>
              <Link to={c.status === 'draft' ? `/m/items/${encodeURIComponent(c.itemCode)}/apply?case=${c.id}` : `/m/cases/${c.id}`} className="m-item-card">
                <span className="m-item-name">{c.itemName}</span>
                <span className="m-item-meta">{c.number ?? t('citizen.cases.draftNoNumber')}</span>
                <span className="m-tags">
                  <StatusTag status={c.status} />
                  <ProgressLine progress={c.progress} />
                </span>
                <span className="m-item-meta">{formatDateTime(c.submittedAt ?? c.createdAt)}</span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </Page>
  )
}
