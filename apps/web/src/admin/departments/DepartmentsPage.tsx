import { Button, Tag } from 'antd'
import type { ColumnsType } from 'antd/es/table'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useSearchParams } from 'react-router'
import { api } from '../../lib/api'
import { formatDateTime } from '../../lib/format'
import type { Department, Page } from '../../lib/types'
import { useFetch } from '../../lib/use-fetch'
import { DivisionSelect } from '../components/DivisionSelect'
import { LoadError } from '../components/LoadError'
import { PageHead } from '../components/PageHead'
import { PagedTable } from '../../lib/desk/PagedTable'
import { SearchBox } from '../../lib/desk/SearchBox'
import { usePaging } from '../../lib/desk/paging'
import { DepartmentForm } from './DepartmentForm'

/** Departments: search, filter by division, create and edit (with optimistic versions). */
export default function DepartmentsPage() {
  const { t } = useTranslation()
  const [params, setParams] = useSearchParams()
  const divisionCode = params.get('divisionCode')
  const [q, setQ] = useState('')
  const { page, pageSize, setPage, paging } = usePaging()
  const [editing, setEditing] = useState<Department | 'new' | null>(null)

  const list = useFetch(
    (signal) => api.get<Page<Department>>('/api/org/departments', { divisionCode, q, page, pageSize }, signal),
    [divisionCode, q, page, pageSize],
  )

  const columns: ColumnsType<Department> = [
    { title: t('admin.departments.name'), dataIndex: 'name', key: 'name' },
    { title: t('admin.departments.shortName'), dataIndex: 'shortName', key: 'shortName', render: (v: string | null) => v ?? '—' },
    { title: t('admin.departments.kind'), dataIndex: 'kind', key: 'kind', render: (k: Department['kind']) => <Tag>{t(`departmentKind.${k}`)}</Tag> },
    { title: t('admin.departments.division'), dataIndex: 'divisionName', key: 'division' },
    { title: t('admin.departments.creditCode'), dataIndex: 'creditCode', key: 'creditCode', render: (v: string | null) => (v ? <span className="desk-mono">{v}</span> : '—') },
    { title: t('admin.departments.phone'), dataIndex: 'phone', key: 'phone', render: (v: string | null) => v ?? '—' },
    { title: t('admin.departments.updatedAt'), dataIndex: 'updatedAt', key: 'updatedAt', render: (v: string) => formatDateTime(v) },
    {
      title: t('common.actions'),
      key: 'actions',
      render: (_: unknown, d) => (
        <Button type="link" size="small" onClick={() => setEditing(d)} aria-label={t('admin.departments.editNamed', { name: d.name })}>
          {t('common.edit')}
        </Button>
      ),
    },
  ]

  return (
    <>
      <PageHead
        title={t('admin.departments.title')}
        extra={
          <Button type="primary" onClick={() => setEditing('new')}>
            {t('admin.departments.create')}
          </Button>
        }
      />
      <div className="desk-toolbar" role="search">
        <SearchBox
          label={t('admin.departments.searchLabel')}
          placeholder={t('admin.departments.searchPlaceholder')}
          onSearch={(q) => {
            setQ(q)
            setPage(1)
          }}
        />
        <DivisionSelect
          aria-label={t('admin.departments.filterDivision')}
          placeholder={t('admin.departments.filterDivision')}
          value={divisionCode}
          onChange={(code) => {
            const next = new URLSearchParams(params)
            if (code) next.set('divisionCode', code)
            else next.delete('divisionCode')
            setParams(next, { replace: true })
            setPage(1)
          }}
        />
      </div>
      <LoadError error={list.error} onRetry={list.reload} />
      <PagedTable<Department>
        list={list}
        paging={paging}
        columns={columns}
        empty={q || divisionCode ? t('admin.departments.noMatch') : t('admin.departments.empty')}
      />
      {editing && (
        <DepartmentForm
          department={editing === 'new' ? null : editing}
          defaultDivisionCode={divisionCode}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null)
            list.reload()
          }}
        />
      )}
    </>
  )
}
