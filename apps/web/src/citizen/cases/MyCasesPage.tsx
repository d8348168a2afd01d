import { Empty } from 'antd-mobile'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { api } from '../../lib/api'
import type { CaseSummary } from '../../lib/cases'
import { formatDateTime } from '../../lib/format'
import type { Page as Paged } from '../../lib/types'
import { onethingApi } from '../../lib/onething'
import { useFetch } from '../../lib/use-fetch'
import { MyApplications } from '../onething/MyApplications'
import { LoadError, Loading, Page } from '../Page'
import { ProgressLine, StatusTag } from './StatusTag'

/** 我的办件: the citizen's applications, newest first, each with its status and deadline. */
export function MyCasesPage() {
  const { t } = useTranslation()
  const list = useFetch((signal) => api.get<Paged<CaseSummary>>('/api/cases/mine', { pageSize: 50 }, signal), [])
  // 一件事: the applicant sees one application per bundle, its cases beneath it, not among the others.
  const groups = useFetch((signal) => onethingApi.applications(signal), [])
  const grouped = new Set((groups.data?.items ?? []).flatMap((g) => g.children.map((c) => c.id)))
  const cases = (list.data?.items ?? []).filter((c) => !grouped.has(c.id))
  return (
    <Page title={t('citizen.cases.title')}>
      <MyApplications items={groups.data?.items ?? []} />
      {list.loading && !list.data ? (
        <Loading />
      ) : list.error ? (
        <LoadError error={list.error} retry={list.reload} />
      ) : !cases.length ? (
        groups.data?.items.length ? null : <Empty description={t('citizen.cases.none')} />
      ) : (
        <ul className="m-list">
          {cases.map((c) => (
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
