import { Alert, Badge, Input, Select, Space, Tabs, Typography } from 'antd'
import { useTranslation } from 'react-i18next'
import { useSearchParams } from 'react-router'
import { api, errorMessage } from '../../../lib/api'
import { centreQueues, departmentQueues, ticketTypes, type CentreQueue, type DepartmentQueue, type Tickets } from '../../../lib/hotline'
import { useFetch } from '../../../lib/use-fetch'
import { TicketTable } from './TicketTable'

function useQueueParams<Q extends string>(all: readonly Q[], fallback: Q) {
  const [params, setParams] = useSearchParams()
  const raw = params.get('queue')
  const queue = raw && (all as readonly string[]).includes(raw) ? (raw as Q) : fallback
  const page = Math.max(1, Number(params.get('page')) || 1)
  const set = (next: Record<string, string | undefined>) => {
    const p: Record<string, string> = {}
    for (const [k, v] of Object.entries({ queue, q: params.get('q') ?? undefined, type: params.get('type') ?? undefined, ...next })) if (v) p[k] = v
    setParams(p)
  }
  return { queue, page, q: params.get('q') ?? '', type: params.get('type') ?? '', set }
}

const badgeColor = (q: string) => (q === 'overdue' ? 'red' : q === 'to_sign' || q === 'extensions' || q === 'returned' ? 'gold' : 'blue')

/** The hotline centre's queues: to dispatch, returned, replies to review, callbacks, extension requests, overdue, all. */
export function CentreQueuePage() {
  const { t } = useTranslation()
  const { queue, page, q, type, set } = useQueueParams<CentreQueue>(centreQueues, 'to_dispatch')
  const list = useFetch((signal) => api.get<Tickets>('/api/hotline/tickets', { queue, page, pageSize: 20, q: q || undefined, type: type || undefined }, signal), [queue, page, q, type])
  return (
    <>
      <Typography.Title level={1} className="desk-page-title">
        {t('hotline.centre.title')}
      </Typography.Title>
      <Tabs
        activeKey={queue}
        onChange={(k) => set({ queue: k, page: undefined })}
        items={centreQueues.map((k) => ({ key: k, label: <>{t(`hotline.centreQueue.${k}`)}{k === queue && list.data ? <Badge count={list.data.total} showZero color={badgeColor(k)} overflowCount={9999} style={{ marginLeft: 4 }} /> : null}</> }))}
      />
      <Space style={{ marginBottom: 12 }} wrap>
        <Input.Search allowClear defaultValue={q} placeholder={t('hotline.centre.search')} aria-label={t('hotline.centre.search')} onSearch={(v) => set({ q: v.trim() || undefined, page: undefined })} style={{ width: 300 }} />
        <Select
          allowClear
          value={type || undefined}
          placeholder={t('hotline.field.type')}
          aria-label={t('hotline.field.type')}
          style={{ width: 140 }}
          onChange={(v?: string) => set({ type: v, page: undefined })}
          options={ticketTypes.map((k) => ({ value: k, label: t(`hotline.type.${k}`) }))}
        />
      </Space>
      {list.error ? <Alert type="error" showIcon title={errorMessage(list.error)} style={{ marginBottom: 16 }} /> : null}
      <TicketTable data={list.data} loading={list.loading} page={page} onPage={(p) => set({ page: String(p) })} />
    </>
  )
}

/** A department's queue: to sign (待签收), processing, assisting, overdue — with the yellow/red lights. */
export function DepartmentQueuePage() {
  const { t } = useTranslation()
  const { queue, page, set } = useQueueParams<DepartmentQueue>(departmentQueues, 'to_sign')
  const list = useFetch((signal) => api.get<Tickets>('/api/hotline/queue', { queue, page, pageSize: 20 }, signal), [queue, page])
  return (
    <>
      <Typography.Title level={1} className="desk-page-title">
        {t('hotline.department.title')}
      </Typography.Title>
      <Tabs
        activeKey={queue}
        onChange={(k) => set({ queue: k, page: undefined })}
        items={departmentQueues.map((k) => ({ key: k, label: <>{t(`hotline.departmentQueue.${k}`)}{k === queue && list.data ? <Badge count={list.data.total} showZero color={badgeColor(k)} overflowCount={9999} style={{ marginLeft: 4 }} /> : null}</> }))}
      />
      <Typography.Paragraph type="secondary">{t('hotline.department.lights')}</Typography.Paragraph>
      {list.error ? <Alert type="error" showIcon title={errorMessage(list.error)} style={{ marginBottom: 16 }} /> : null}
      <TicketTable data={list.data} loading={list.loading} page={page} onPage={(p) => set({ page: String(p) })} />
    </>
  )
}
