import { Table, Tag, Typography } from 'antd'
import type { ColumnsType } from 'antd/es/table'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { formatDateTime } from '../../../lib/format'
import type { Tickets, TicketSummary } from '../../../lib/hotline'
import { LightTag, StatusTag, TypeTag } from '../common'

/** A page of tickets: number (link to the ticket), type, title, department, status, light, time. */
export function TicketTable({ data, loading, page, onPage }: { data: Tickets | undefined; loading: boolean; page: number; onPage: (p: number) => void }) {
  const { t } = useTranslation()
  const columns: ColumnsType<TicketSummary> = [
    { title: t('hotline.field.number'), dataIndex: 'number', render: (_: unknown, tk) => <Link to={`/work/hotline/tickets/${encodeURIComponent(tk.id)}`}>{tk.number}</Link> },
    { title: t('hotline.field.type'), dataIndex: 'type', render: (_: unknown, tk) => <TypeTag type={tk.type} /> },
    {
      title: t('hotline.field.title'),
      dataIndex: 'title',
      render: (_: unknown, tk) => (
        <>
          {tk.title} <Typography.Text type="secondary">{tk.categoryName}</Typography.Text>
        </>
      ),
    },
    { title: t('hotline.field.mainDepartment'), dataIndex: 'departmentName', render: (v: string | null) => v ?? '—', responsive: ['lg'] },
    {
      title: t('hotline.field.status'),
      dataIndex: 'status',
      render: (_: unknown, tk) => (
        <>
          <StatusTag status={tk.status} />
          {tk.extensionPending && <Tag color="orange">{t('hotline.ticket.extensionPending')}</Tag>}
        </>
      ),
    },
    { title: t('hotline.field.deadline'), dataIndex: 'progress', render: (_: unknown, tk) => <LightTag ticket={tk} /> },
    { title: t('hotline.field.createdAt'), dataIndex: 'createdAt', render: (v: string) => formatDateTime(v), responsive: ['md'] },
  ]
  return (
    <Table<TicketSummary>
      rowKey="id"
      size="middle"
      loading={loading}
      columns={columns}
      dataSource={data?.items ?? []}
      pagination={{ current: page, pageSize: 20, total: data?.total ?? 0, showSizeChanger: false, showTotal: (total) => (data?.totalCapped ? t('hotline.list.totalCapped', { n: total.toLocaleString() }) : t('common.total', { count: total })), onChange: onPage }}
    />
  )
}
