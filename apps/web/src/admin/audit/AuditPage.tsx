import { Tag } from 'antd'
import type { ColumnsType } from 'antd/es/table'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api } from '../../lib/api'
import { formatDateTime } from '../../lib/format'
import type { AuditRecord, Page } from '../../lib/types'
import { useFetch } from '../../lib/use-fetch'
import { LoadError } from '../components/LoadError'
import { PageHead } from '../components/PageHead'
import { PagedTable } from '../../lib/desk/PagedTable'
import { SearchBox } from '../../lib/desk/SearchBox'
import { usePaging } from '../../lib/desk/paging'

/** The audit log: who did what, when, from where; filter by action or actor. */
export default function AuditPage() {
  const { t } = useTranslation()
  const [action, setAction] = useState('')
  const [actorId, setActorId] = useState('')
  const { page, pageSize, setPage, paging } = usePaging()
  const list = useFetch((signal) => api.get<Page<AuditRecord>>('/api/admin/audit', { action, actorId, page, pageSize }, signal), [action, actorId, page, pageSize])

  const columns: ColumnsType<AuditRecord> = [
    { title: t('admin.audit.at'), dataIndex: 'at', key: 'at', render: (v: string) => formatDateTime(v) },
    {
      title: t('admin.audit.actor'),
      key: 'actor',
      render: (_: unknown, r) => (
        <span>
          {r.actorName ?? r.actorId ?? t('admin.audit.system')}
          {r.actorKind ? <Tag style={{ marginInlineStart: 6 }}>{r.actorKind}</Tag> : null}
        </span>
      ),
    },
    { title: t('admin.audit.action'), dataIndex: 'action', key: 'action', render: (v: string) => <span className="desk-mono">{v}</span> },
    {
      title: t('admin.audit.target'),
      key: 'target',
      render: (_: unknown, r) => (r.targetType ? <span className="desk-mono">{`${r.targetType}:${r.targetId ?? ''}`}</span> : '—'),
    },
    { title: t('admin.audit.division'), dataIndex: 'divisionCode', key: 'division', render: (v: string | null) => v ?? '—' },
    { title: t('admin.audit.ip'), dataIndex: 'ip', key: 'ip', render: (v: string | null) => v ?? '—' },
    {
      title: t('admin.audit.outcome'),
      dataIndex: 'outcome',
      key: 'outcome',
      render: (v: string) => <Tag color={v === 'success' || v === 'ok' ? 'green' : 'red'}>{v}</Tag>,
    },
  ]

  return (
    <>
      <PageHead title={t('admin.audit.title')} />
      <div className="desk-toolbar" role="search">
        <SearchBox
          label={t('admin.audit.filterAction')}
          placeholder={t('admin.audit.filterActionPlaceholder')} button={t('common.filter')}
          onSearch={(q) => {
            setAction(q)
            setPage(1)
          }}
        />
        <SearchBox
          label={t('admin.audit.filterActor')}
          placeholder={t('admin.audit.filterActorPlaceholder')} button={t('common.filter')}
          onSearch={(q) => {
            setActorId(q)
            setPage(1)
          }}
        />
      </div>
      <LoadError error={list.error} onRetry={list.reload} />
      <PagedTable<AuditRecord>
        list={list}
        paging={paging}
        columns={columns}
        expandable={{
          expandedRowRender: (r) => <pre className="desk-pre">{JSON.stringify(r.detail ?? null, null, 2)}</pre>,
          rowExpandable: (r) => r.detail !== null && r.detail !== undefined,
        }}
        empty={action || actorId ? t('admin.audit.noMatch') : t('admin.audit.empty')}
      />
    </>
  )
}
