import { Alert, Input, Select, Space, Typography } from 'antd'
import type { ColumnsType } from 'antd/es/table'
import { useTranslation } from 'react-i18next'
import { Link, useSearchParams } from 'react-router'
import { api, errorMessage } from '../../lib/api'
import { formatDateTime } from '../../lib/format'
import { licenseStatuses, type LicenseStatus, type LicenseSummary, type LicenseType } from '../../lib/licenses'
import type { Page } from '../../lib/types'
import { useFetch } from '../../lib/use-fetch'
import { LicenseStatusTag } from './LicenseStatusTag'
import { PagedTable } from '../../lib/desk/PagedTable'

const PAGE_SIZE = 20

/** 证照管理: licenses issued by the departments in reach, searchable by number or holder, by type and status. */
export function IssuedPage() {
  const { t } = useTranslation()
  const [params, setParams] = useSearchParams()
  const q = params.get('q') ?? ''
  const type = params.get('type') ?? ''
  const status = (licenseStatuses as readonly string[]).includes(params.get('status') ?? '') ? (params.get('status') as LicenseStatus) : ''
  const page = Math.max(1, Number(params.get('page')) || 1)
  const types = useFetch((signal) => api.get<{ items: LicenseType[] }>('/api/licenses/types', undefined, signal), [])
  const list = useFetch(
    (signal) => api.get<Page<LicenseSummary>>('/api/licenses/issued', { q: q || undefined, type: type || undefined, status: status || undefined, page, pageSize: PAGE_SIZE }, signal),
    [q, type, status, page],
  )
  const set = (next: Record<string, string | undefined>) => {
    const p: Record<string, string> = {}
    for (const [k, v] of Object.entries({ q, type, status, ...next })) if (v) p[k] = v
    setParams(p)
  }

  const columns: ColumnsType<LicenseSummary> = [
    { title: t('licenses.work.number'), dataIndex: 'number', render: (v: string, l) => <Link to={`/work/licenses/${encodeURIComponent(l.id)}`} className="desk-mono">{v}</Link> },
    { title: t('licenses.work.type'), dataIndex: 'typeName' },
    { title: t('licenses.field.holder'), dataIndex: 'holderName', render: (v: string, l) => `${v}（${l.maskedHolderId}）` },
    { title: t('licenses.field.issuer'), dataIndex: 'issuerName', responsive: ['lg'] },
    { title: t('licenses.work.issuedAt'), dataIndex: 'issuedAt', render: (v: string) => formatDateTime(v), responsive: ['md'] },
    { title: t('licenses.work.source'), dataIndex: 'source', render: (v: LicenseSummary['source']) => t(`licenses.source.${v}`), responsive: ['lg'] },
    { title: t('licenses.field.status'), dataIndex: 'status', render: (v: LicenseStatus) => <LicenseStatusTag status={v} /> },
  ]

  return (
    <>
      <Typography.Title level={1} className="desk-page-title">
        {t('licenses.work.issuedTitle')}
      </Typography.Title>
      <Space style={{ marginBottom: 12 }} wrap>
        <Input.Search
          allowClear
          defaultValue={q}
          placeholder={t('licenses.work.searchPlaceholder')}
          aria-label={t('licenses.work.search')}
          onSearch={(v) => set({ q: v.trim() || undefined, page: undefined })}
          style={{ width: 300 }}
        />
        <Select
          value={type || 'all'}
          onChange={(v: string) => set({ type: v === 'all' ? undefined : v, page: undefined })}
          aria-label={t('licenses.work.type')}
          style={{ width: 200 }}
          options={[{ value: 'all', label: t('licenses.work.allTypes') }, ...(types.data?.items ?? []).map((x) => ({ value: x.code, label: x.name }))]}
        />
        <Select
          value={status || 'all'}
          onChange={(v: string) => set({ status: v === 'all' ? undefined : v, page: undefined })}
          aria-label={t('licenses.field.status')}
          style={{ width: 140 }}
          options={[{ value: 'all', label: t('licenses.work.allStatuses') }, ...licenseStatuses.map((s) => ({ value: s, label: t(`licenses.status.${s}`) }))]}
        />
      </Space>
      {list.error ? <Alert type="error" showIcon title={errorMessage(list.error)} style={{ marginBottom: 16 }} /> : null}
      <PagedTable<LicenseSummary>
        size="middle"
        list={list}
        paging={{ page, pageSize: PAGE_SIZE, onChange: (p) => set({ page: String(p) }) }}
        columns={columns}
        empty={t('licenses.work.empty')}
      />
    </>
  )
}
