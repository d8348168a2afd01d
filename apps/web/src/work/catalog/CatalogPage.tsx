import { Alert, Button, Checkbox, Input, Select, Space, Tag, Typography } from 'antd'
import type { ColumnsType } from 'antd/es/table'
import { useTranslation } from 'react-i18next'
import { Link, useNavigate, useSearchParams } from 'react-router'
import { errorMessage } from '../../lib/api'
import { formatDateTime } from '../../lib/format'
import { useSession } from '../../lib/session'
import type { Me } from '../../lib/types'
import { useFetch } from '../../lib/use-fetch'
import { catalogApi, type EditableItem } from './api'
import { ExcelPanel } from './ExcelPanel'
import { PagedTable } from '../../lib/desk/PagedTable'

const PAGE_SIZE = 20
const statusFilters = ['draft', 'published', 'unpublished'] as const
type StatusFilter = (typeof statusFilters)[number]
const isStatusFilter = (v: string | null): v is StatusFilter => !!v && (statusFilters as readonly string[]).includes(v)

/** The department a department head edits for (their grant's, else their own). */
export function ownDepartmentId(me: Me | null | undefined): string | null {
  if (!me) return null
  const head = me.roles.find((g) => g.role === 'department_head')
  return head?.departmentId ?? me.departmentId
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

  // Items the caller may edit, drafts never published included (GET /api/catalog/editing).
  const list = useFetch(
    (signal) => catalogApi.editable({ q: q || undefined, status: status ?? undefined, departmentId: departmentId ?? undefined, page, pageSize: PAGE_SIZE }, signal),
    [q, status, departmentId, page],
  )

  const set = (next: Record<string, string | undefined>) => {
    const p: Record<string, string> = {}
    for (const [k, v] of Object.entries({ q, status: status ?? undefined, own: params.get('own') ?? undefined, ...next })) if (v) p[k] = v
    setParams(p)
  }

  const columns: ColumnsType<EditableItem> = [
    { title: t('work.catalog.code'), dataIndex: 'code', render: (v: string) => <span className="desk-mono">{v}</span> },
    { title: t('work.catalog.name'), dataIndex: 'name', render: (_: unknown, item) => <Link to={`/work/catalog/${item.id}`}>{item.name}</Link> },
    { title: t('work.catalog.department'), dataIndex: 'departmentName', responsive: ['lg'] },
    { title: t('work.catalog.type'), dataIndex: 'type', render: (v: EditableItem['type']) => t(`catalog.type.${v}`), responsive: ['md'] },
    {
      title: t('work.catalog.status'),
      key: 'status',
      render: (_: unknown, item) => (
        <Space size={4} wrap>
          {item.publishedVersion !== null ? (
            <Tag color="green">{t('work.catalog.publishedVersion', { version: item.publishedVersion })}</Tag>
          ) : (
            <Tag>{t('work.catalog.rowStatus.unpublished')}</Tag>
          )}
          {item.draft ? <Tag color="orange">{t('work.catalog.rowStatus.draft')}</Tag> : null}
        </Space>
      ),
    },
    { title: t('work.catalog.updatedAt'), dataIndex: 'updatedAt', render: (v: string) => formatDateTime(v), responsive: ['lg'] },
    {
      title: t('common.actions'),
      key: 'actions',
      render: (_: unknown, item) => (
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
          onChange={(v) => set({ status: v === 'all' ? undefined : v, page: undefined })}
          aria-label={t('work.catalog.statusFilter')}
          style={{ width: 140 }}
          options={[
            { value: 'all', label: t('work.catalog.statusAll') },
            ...statusFilters.map((s) => ({ value: s, label: t(`work.catalog.rowStatus.${s}`) })),
          ]}
        />
      </Space>
      {list.error ? <Alert type="error" showIcon title={errorMessage(list.error)} style={{ marginBottom: 16 }} /> : null}
      <PagedTable<EditableItem>
        size="middle"
        list={list}
        paging={{ page, pageSize: PAGE_SIZE, onChange: (p) => set({ page: String(p) }) }}
        columns={columns}
        empty={t('work.catalog.empty')}
      />
      <ExcelPanel onImported={list.reload} />
    </>
  )
}
