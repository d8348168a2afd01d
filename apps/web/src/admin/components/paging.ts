import { useState } from 'react'
import type { TablePaginationConfig } from 'antd'
import { i18n } from '../../lib/i18n'

/** Page state for a server-paginated table, and the antd pagination config that drives it. */
export function usePaging(initialPageSize = 20) {
  const [page, setPage] = useState(1)
  const [pageSize, setPageSize] = useState(initialPageSize)
  const pagination = (total: number | undefined): TablePaginationConfig => ({
    current: page,
    pageSize,
    total: total ?? 0,
    showSizeChanger: true,
    pageSizeOptions: [10, 20, 50, 100],
    showTotal: (n) => i18n.t('common.total', { count: n }),
    onChange: (p, size) => {
      setPage(size !== pageSize ? 1 : p)
      setPageSize(size)
    },
  })
  return { page, pageSize, setPage, pagination }
}
