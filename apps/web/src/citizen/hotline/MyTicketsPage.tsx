import { Button, Empty } from 'antd-mobile'
import { useTranslation } from 'react-i18next'
import { Link, useNavigate } from 'react-router'
import { api } from '../../lib/api'
import { formatDateTime } from '../../lib/format'
import type { Tickets } from '../../lib/hotline'
import { useFetch } from '../../lib/use-fetch'
import { LoadError, Loading, Page } from '../Page'
import { TicketStatusTag } from './StatusTag'

/** 12345 on the phone: the citizen's tickets, newest first, and the way to file a new one. */
export default function MyTicketsPage() {
  const { t } = useTranslation()
  const navigate = useNavigate()
  const list = useFetch((signal) => api.get<Tickets>('/api/hotline/my/tickets', { page: 1, pageSize: 50 }, signal), [])
  return (
    <Page title={t('hotline.m.title')}>
      <p className="m-subtitle">{t('hotline.m.intro')}</p>
      <Button block color="primary" size="large" onClick={() => navigate('/m/hotline/new')} style={{ marginBottom: 16 }}>
        {t('hotline.m.fileTitle')}
      </Button>
      <h2 className="m-section-title">{t('hotline.m.mine')}</h2>
      {list.loading && !list.data ? (
        <Loading />
      ) : list.error ? (
        <LoadError error={list.error} retry={list.reload} />
      ) : !list.data?.items.length ? (
        <Empty description={t('hotline.m.none')} />
      ) : (
        <ul className="m-list">
          {list.data.items.map((tk) => (
            <li key={tk.id}>
              <Link to={`/m/hotline/${encodeURIComponent(tk.id)}`} className="m-item-card">
                <span className="m-item-name">{tk.title}</span>
                <span className="m-item-meta">
                  {tk.number} · {t(`hotline.type.${tk.type}`)} · {tk.categoryName}
                </span>
                <span className="m-tags">
                  <TicketStatusTag ticket={tk} />
                </span>
                <span className="m-item-meta">{formatDateTime(tk.createdAt)}</span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </Page>
  )
}
