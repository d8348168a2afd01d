import { Empty, Table, type TableProps } from 'antd'
import { useTranslation } from 'react-i18next'
import type { Paging } from './paging'

/** One page of a server-paginated list, as `useFetch` holds it. */
interface PagedList<T> {
  data: { items: T[]; total: number } | undefined
  loading: boolean
}

export interface PagedTableProps<T> extends Omit<TableProps<T>, 'dataSource' | 'loading' | 'pagination' | 'locale'> {
  list: PagedList<T>
  paging: Paging
  /** What an empty page says (a filter that matches nothing should say so). */
  empty: string
}

/** The desks' table of a paged list: rows keyed by id, total shown, empty state, wide tables scroll. */
export function PagedTable<T extends object>({ list, paging, empty, ...table }: PagedTableProps<T>) {
  const { t } = useTranslation()
  return (
    <Table<T>
      rowKey="id"
      scroll={{ x: 'max-content' }}
      dataSource={list.data?.items ?? []}
      loading={list.loading}
      locale={{ emptyText: <Empty description={empty} /> }}
      pagination={{
        current: paging.page,
        pageSize: paging.pageSize,
        total: list.data?.total ?? 0,
        showSizeChanger: paging.sizeChanger ?? false,
        pageSizeOptions: [10, 20, 50, 100],
        showTotal: (total) => t('common.total', { count: total }),
        onChange: paging.onChange,
      }}
      {...table}
    />
  )
}
