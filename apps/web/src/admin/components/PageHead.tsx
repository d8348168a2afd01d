import { Typography } from 'antd'
import type { ReactNode } from 'react'

/** A page's heading (the one h1) with its main actions beside it. */
export function PageHead({ title, extra }: { title: string; extra?: ReactNode }) {
  return (
    <div className="desk-page-head">
      <Typography.Title level={1} className="desk-page-title">
        {title}
      </Typography.Title>
      {extra}
    </div>
  )
}
