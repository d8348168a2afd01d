import { useState } from 'react'

/** The page a paged table shows and how it moves; `PagedTable` turns it into antd's pagination. */
export interface Paging {
  page: number
  pageSize: number
  onChange(page: number, pageSize: number): void
  /** Whether the reader may choose the page size (10–100). */
  sizeChanger?: boolean
}

/** Page state kept in the component (admin lists); a changed page size starts again at page 1. */
export function usePaging(initialPageSize = 20) {
  const [page, setPage] = useState(1)
  const [pageSize, setPageSize] = useState(initialPageSize)
  const paging: Paging = {
    page,
    pageSize,
    sizeChanger: true,
    onChange: (p, size) => {
      setPage(size !== pageSize ? 1 : p)
      setPageSize(size)
    },
  }
  return { page, pageSize, setPage, paging }
}
