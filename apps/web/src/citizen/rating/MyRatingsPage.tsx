import { Button, Empty, List, Tag } from 'antd-mobile'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { ratingApi, type Subject } from '../../lib/rating'
import { useFetch } from '../../lib/use-fetch'
import { LoadError, Loading, Page } from '../Page'

/** My closed cases and called-back tickets: rate the open ones, see ratings and rectification outcomes. */
export default function MyRatingsPage() {
  const { t } = useTranslation()
  const [page, setPage] = useState(1)
  const data = useFetch((signal) => ratingApi.mine(page, signal), [page])
  return (
    <Page title={t('rating.mine.title')}>
      {data.loading && !data.data ? (
        <Loading />
      ) : data.error || !data.data ? (
        <LoadError error={data.error} retry={data.reload} />
      ) : data.data.items.length === 0 ? (
        <Empty description={t('rating.mine.empty')} />
      ) : (
        <>
          <List className="m-card">
            {data.data.items.map((s) => (
              <List.Item key={`${s.kind}:${s.refId}`} description={`${s.label} · ${s.departmentName}`} extra={<State subject={s} />}>
                <Link to={`/m/rate/${s.kind}/${encodeURIComponent(s.refId)}`}>
                  {s.itemName ?? s.label}
                </Link>
              </List.Item>
            ))}
          </List>
          {data.data.total > page * data.data.pageSize && (
            <Button block onClick={() => setPage(page + 1)}>
              {t('rating.mine.more')}
            </Button>
          )}
        </>
      )}
    </Page>
  )
}

function State({ subject: s }: { subject: Subject }) {
  const { t } = useTranslation()
  if (s.rectification) return <Tag color={s.rectification.status === 'closed' ? 'success' : 'warning'}>{t(`rating.outcome.status.${s.rectification.status}`)}</Tag>
  if (s.rating) return <Tag color="primary">{t(`rating.level.${s.rating.level}`)}</Tag>
  if (s.canRate) return <Tag color="danger">{t('rating.mine.toRate')}</Tag>
  return <Tag color="default">{t('rating.windowClosed')}</Tag>
}
