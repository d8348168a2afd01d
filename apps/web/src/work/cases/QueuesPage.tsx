import { Alert, App, Badge, Button, Input, Space, Tabs, Tag, Typography } from 'antd'
import type { ColumnsType } from 'antd/es/table'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useSearchParams } from 'react-router'
import { api, errorMessage } from '../../lib/api'
import { queues, type CaseSummary, type Queue } from '../../lib/cases'
import { formatDateTime } from '../../lib/format'
import type { Page } from '../../lib/types'
import { useFetch } from '../../lib/use-fetch'
import { LightTag } from './LightTag'
import { PagedTable } from '../../lib/desk/PagedTable'

const isQueue = (v: string | null): v is Queue => !!v && (queues as readonly string[]).includes(v)

/** Work queues (待受理, 待补正, 待审查, 待决定, …, 即将超期, 已超期) within the clerk's reach; batch accept. */
export function QueuesPage() {
  const { t } = useTranslation()
  const { message } = App.useApp()
  const [params, setParams] = useSearchParams()
  const queue: Queue = isQueue(params.get('queue')) ? (params.get('queue') as Queue) : 'to_accept'
  const page = Math.max(1, Number(params.get('page')) || 1)
  const q = params.get('q') ?? ''
  const [selected, setSelected] = useState<CaseSummary[]>([])
  const [busy, setBusy] = useState(false)
  const counts = useFetch((signal) => api.get<Record<Queue, number>>('/api/cases/queues', undefined, signal), [])
  const list = useFetch((signal) => api.get<Page<CaseSummary>>(`/api/cases/queues/${queue}`, { page, pageSize: 20, q: q || undefined }, signal), [queue, page, q])

  const set = (next: Record<string, string | undefined>) => {
    const p: Record<string, string> = {}
    for (const [k, v] of Object.entries({ queue, q, ...next })) if (v) p[k] = v
    setParams(p)
    setSelected([])
  }

  const batchAccept = async () => {
    setBusy(true)
    try {
      const { results } = await api.post<{ results: { id: string; ok: boolean }[] }>('/api/cases/batch-accept', { cases: selected.map((c) => ({ id: c.id, version: c.version })) })
      const ok = results.filter((r) => r.ok).length
      if (ok === results.length) message.success(t('work.cases.batchDone', { count: ok }))
      else message.warning(t('work.cases.batchPartial', { ok, failed: results.length - ok }))
    } catch (e) {
      message.error(errorMessage(e))
    } finally {
      setBusy(false)
      setSelected([])
      list.reload()
      counts.reload()
    }
  }

  const columns: ColumnsType<CaseSummary> = [
    {
      title: t('work.cases.number'),
      dataIndex: 'number',
      render: (_: unknown, c) => <Link to={`/work/cases/${c.id}`}>{c.number ?? c.id}</Link>,
    },
    { title: t('work.cases.item'), dataIndex: 'itemName' },
    { title: t('work.cases.applicant'), dataIndex: 'applicantName' },
    { title: t('work.cases.department'), dataIndex: 'departmentName', responsive: ['lg'] },
    {
      title: t('work.cases.status'),
      dataIndex: 'status',
      render: (_: unknown, c) => (
        <>
          <Tag>{t(`cases.status.${c.status}`)}</Tag>
          {c.stepName ? <Typography.Text type="secondary">{c.stepName}</Typography.Text> : null}
        </>
      ),
    },
    { title: t('work.cases.deadline'), dataIndex: 'progress', render: (_: unknown, c) => <LightTag progress={c.progress} /> },
    { title: t('work.cases.submittedAt'), dataIndex: 'submittedAt', render: (v: string | null) => formatDateTime(v), responsive: ['md'] },
  ]

  return (
    <>
      <Typography.Title level={1} className="desk-page-title">
        {t('work.cases.title')}
      </Typography.Title>
      {counts.error ? <Alert type="error" showIcon title={errorMessage(counts.error)} style={{ marginBottom: 16 }} /> : null}
      <Tabs
        activeKey={queue}
        onChange={(k) => set({ queue: k, page: undefined })}
        items={queues.map((k) => ({
          key: k,
          label: (
            <Space size={4}>
              {t(`work.queue.${k}`)}
              <Badge count={counts.data?.[k] ?? 0} showZero color={k === 'overdue' ? 'red' : k === 'due_soon' ? 'gold' : 'blue'} overflowCount={999} />
            </Space>
          ),
        }))}
      />
      <Space style={{ marginBottom: 12 }} wrap>
        <Input.Search
          allowClear
          defaultValue={q}
          placeholder={t('work.cases.searchPlaceholder')}
          aria-label={t('work.cases.searchPlaceholder')}
          onSearch={(v) => set({ q: v.trim() || undefined, page: undefined })}
          style={{ width: 320 }}
        />
        {queue === 'to_accept' && (
          <Button type="primary" disabled={selected.length === 0} loading={busy} onClick={() => void batchAccept()}>
            {t('work.cases.batchAccept', { count: selected.length })}
          </Button>
        )}
      </Space>
      {list.error ? <Alert type="error" showIcon title={errorMessage(list.error)} style={{ marginBottom: 16 }} /> : null}
      <PagedTable<CaseSummary>
        size="middle"
        list={list}
        paging={{ page, pageSize: 20, onChange: (p) => set({ page: String(p) }) }}
        columns={columns}
        rowSelection={queue === 'to_accept' ? { selectedRowKeys: selected.map((c) => c.id), onChange: (_keys, rows) => setSelected(rows) } : undefined}
        empty={t('common.noData')}
      />
    </>
  )
}
