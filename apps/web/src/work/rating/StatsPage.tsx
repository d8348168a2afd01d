import { Button, DatePicker, Form, Radio, Typography } from 'antd'
import type { Dayjs } from 'dayjs'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { errorMessage } from '../../lib/api'
import { ratingApi } from '../../lib/rating'
import { FiguresTable, LevelChart } from '../../lib/rating-figures'
import { useFetch } from '../../lib/use-fetch'

interface Query {
  from?: string
  to?: string
  groupBy: 'department' | 'item'
}

/** 好差评 statistics within the caller's scope: counts per level, satisfaction, rectification and on-time rates. */
export default function StatsPage() {
  const { t } = useTranslation()
  const [query, setQuery] = useState<Query>({ groupBy: 'department' })
  const stats = useFetch((signal) => ratingApi.stats(query, signal), [query.from, query.to, query.groupBy])
  return (
    <>
      <Typography.Title level={1} className="desk-page-title">
        {t('rating.work.stats')}
      </Typography.Title>
      <Form
        layout="inline"
        initialValues={{ groupBy: 'department' }}
        onFinish={(v: { from?: Dayjs; to?: Dayjs; groupBy: Query['groupBy'] }) => setQuery({ from: v.from?.format('YYYY-MM-DD'), to: v.to?.format('YYYY-MM-DD'), groupBy: v.groupBy })}
        style={{ marginBottom: 16, rowGap: 8 }}
      >
        <Form.Item name="groupBy" label={t('rating.work.groupBy')}>
          <Radio.Group
            options={[
              { value: 'department', label: t('rating.stats.department') },
              { value: 'item', label: t('rating.stats.item') },
            ]}
          />
        </Form.Item>
        <Form.Item name="from" label={t('rating.work.from')}>
          <DatePicker />
        </Form.Item>
        <Form.Item name="to" label={t('rating.work.to')}>
          <DatePicker />
        </Form.Item>
        <Button type="primary" htmlType="submit">
          {t('rating.work.query')}
        </Button>
      </Form>
      {stats.error ? <Typography.Text type="danger">{errorMessage(stats.error)}</Typography.Text> : null}
      {stats.data && (
        <>
          <Typography.Paragraph type="secondary">{t('rating.public.period', { from: stats.data.from, to: stats.data.to })}</Typography.Paragraph>
          <LevelChart stats={stats.data} group={query.groupBy} />
          <FiguresTable stats={stats.data} group={query.groupBy} />
        </>
      )}
    </>
  )
}
