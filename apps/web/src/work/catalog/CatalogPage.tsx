import { Alert, Button, Checkbox, Empty, Input, Select, Space, Table, Tag, Typography } from 'antd'
import type { ColumnsType } from 'antd/es/table'
import { useTranslation } from 'react-i18next'
import { Link, useNavigate, useSearchParams } from 'react-router'
import { api, ApiError, errorMessage } from '../../lib/api'
import type { ItemHit } from '../../lib/cases'
import { useSession } from '../../lib/session'
import type { Me, Page } from '../../lib/types'
import { useFetch } from '../../lib/use-fetch'
import { catalogApi } from './api'
import { ExcelPanel } from './ExcelPanel'

const PAGE_SIZE = 20
type RowStatus = 'published' | 'draft' | 'readonly'
const statusFilters = ['draft', 'published'] as const
type StatusFilter = (typeof statusFilters)[number]
const isStatusFilter = (v: string | null): v is StatusFilter => !!v && (statusFilters as readonly string[]).includes(v)

/** The department a department head edits for (their grant's, else their own). */
export function ownDepartmentId(me: Me | null | undefined): string | null {
  if (!me) return null
  const head = me.roles.find((g) => g.role === 'department_head')
  return head?.departmentId ?? me.departmentId
}

/** Whether each listed item has an open draft, from its version history (403: not the caller's to edit). */
async function statusesOf(items: ItemHit[], signal: AbortSignal): Promise<Record<string, RowStatus>> {
  const entries = await Promise.all(
    items.map(async (item): Promise<[string, RowStatus]> => {
      try {
        const versions = await catalogApi.versions(item.id, signal)
        return [item.id, versions.some((v) => v.status === 'draft') ? 'draft' : 'published']
      } catch (e) {
        if (e instanceof ApiError && (e.status === 403 || e.status === 404)) return [item.id, 'readonly']
        throw e
      }
    }),
  )
  return Object.fromEntries(entries)
}

/** 事项管理: the published catalog within reach, which items have drafts, Excel import and export. */
export function CatalogPage() {
  const { t } = useTranslation()
  const { me } = useSession()
  const [params, setParams] = useSearchParams()
  const navigate = useNavigate()
  const ownDepartment = ownDepartmentId(me)
  const q = params.get('q') ?? ''
  const page = Math.max(1, Number(params.get('page')) || 1)
  const status = isStatusFilter(params.get('status')) ? (params.get('status') as StatusFilter) : null
  // Department heads start on their own department; the switch widens to everything in reach.
  const onlyOwn = !!ownDepartment && (params.get('own') ?? (me?.roles.some((g) => g.role === 'department_head') ? '1' : '0')) === '1'
  const departmentId = onlyOwn ? ownDepartment : undefined

  const list = useFetch(
    (signal) => api.get<Page<ItemHit>>('/api/catalog/items', { q: q || undefined, departmentId: departmentId ?? undefined, page, pageSize: PAGE_SIZE }, signal),
    [q, departmentId, page],
  )
  const statuses = useFetch((signal) => (list.data ? statusesOf(list.data.items, signal) : Promise.resolve(null)), [list.data])

  const set = (next: Record<string, string | undefined>) => {
    const p: Record<string, string> = {}
    for (const [k, v] of Object.entries({ q, status: status ?? undefined, own: params.get('own') ?? undefined, ...next })) if (v) p[k] = v
    setParams(p)
  }

  const rows = (list.data?.items ?? []).filter((item) => !status || (statuses.data && statuses.data[item.id] === status))

  const columns: ColumnsType<ItemHit> = [
    { title: t('work.catalog.code'), dataIndex: 'code', render: (v: string) => <span className="desk-mono">{v}</span> },
    { title: t('work.catalog.name'), dataIndex: 'name', render: (_: unknown, item) => <Link to={`/work/catalog/${item.id}`}>{item.name}</Link> },
    { title: t('work.catalog.department'), dataIndex: 'departmentName', responsive: ['lg'] },
    { title: t('work.catalog.type'), dataIndex: 'type', render: (v: ItemHit['type']) => t(`catalog.type.${v}`), responsive: ['md'] },
    {
      title: t('work.catalog.promised'),
      dataIndex: 'promisedDays',
      render: (v: number) => (v === 0 ? t('catalog.sameDay') : t('catalog.promisedDays', { count: v })),
    },
    {
      title: t('work.catalog.status'),
      key: 'status',
      render: (_: unknown, item) => {
        const s = statuses.data?.[item.id]
        if (!s) return <Tag>{t('work.catalog.rowStatus.loading')}</Tag>
        return <Tag color={s === 'draft' ? 'orange' : s === 'published' ? 'green' : undefined}>{t(`work.catalog.rowStatus.${s}`)}</Tag>
      },
    },
    {
      title: t('common.actions'),
      key: 'actions',
      render: (_: unknown, item) =>
        statuses.data?.[item.id] === 'readonly' ? null : (
          <Link to={`/work/catalog/${item.id}`} aria-label={`${t('work.catalog.open')} ${item.name}`}>
            {t('work.catalog.open')}
          </Link>
        ),
    },
  ]

  return (
    <>
      <div className="desk-page-head">
        <Typography.Title level={1} className="desk-page-title">
          {t('work.catalog.title')}
        </Typography.Title>
        <Button type="primary" onClick={() => void navigate('/work/catalog/new')}>
          {t('work.catalog.create')}
        </Button>
      </div>
      <Space style={{ marginBottom: 12 }} wrap>
        <Input.Search
          allowClear
          defaultValue={q}
          placeholder={t('work.catalog.searchPlaceholder')}
          aria-label={t('work.catalog.search')}
          onSearch={(v) => set({ q: v.trim() || undefined, page: undefined })}
          style={{ width: 300 }}
        />
        {ownDepartment ? (
          <Checkbox checked={onlyOwn} onChange={(e) => set({ own: e.target.checked ? '1' : '0', page: undefined })}>
            {t('work.catalog.ownDepartment')}
          </Checkbox>
        ) : null}
        <Select<StatusFilter | 'all'>
          value={status ?? 'all'}
          onChange={(v) => set({ status: v === 'all' ? undefined : v })}
          aria-label={t('work.catalog.statusFilter')}
          title={t('work.catalog.statusFilterHint')}
          style={{ width: 140 }}
          options={[
            { value: 'all', label: t('work.catalog.statusAll') },
            ...statusFilters.map((s) => ({ value: s, label: t(`work.catalog.rowStatus.${s}`) })),
          ]}
        />
      </Space>
      {list.error ? <Alert type="error" showIcon title={errorMessage(list.error)} style={{ marginBottom: 16 }} /> : null}
      {statuses.error ? <Alert type="warning" showIcon title={errorMessage(statuses.error)} style={{ marginBottom: 16 }} /> : null}
      <Table<ItemHit>
        rowKey="id"
        size="middle"
        loading={list.loading}
        columns={columns}
        dataSource={rows}
        locale={{ emptyText: <Empty description={t('work.catalog.empty')} /> }}
        pagination={{
          current: page,
          pageSize: PAGE_SIZE,
          total: list.data?.total ?? 0,
          showSizeChanger: false,
          showTotal: (total) => t('common.total', { count: total }),
          onChange: (p) => set({ page: String(p) }),
        }}
      />
      <ExcelPanel onImported={list.reload} />
    </>
  )
}
