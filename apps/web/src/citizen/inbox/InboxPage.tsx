import { Badge, Button, Empty } from 'antd-mobile'
import { useTranslation } from 'react-i18next'
import { useNavigate } from 'react-router'
import { api, errorMessage } from '../../lib/api'
import type { Notification } from '../../lib/cases'
import { formatDateTime } from '../../lib/format'
import type { Page as Paged } from '../../lib/types'
import { useFetch } from '../../lib/use-fetch'
import { LoadError, Loading, Page } from '../Page'
import { Toast } from 'antd-mobile'

/** 消息: notices about the citizen's applications; opening one marks it read and shows the case. */
export function InboxPage() {
  const { t } = useTranslation()
  const navigate = useNavigate()
  const list = useFetch((signal) => api.get<Paged<Notification> & { unread: number }>('/api/inbox', { pageSize: 50 }, signal), [])

  const open = async (n: Notification) => {
    if (!n.readAt) await api.post(`/api/inbox/${encodeURIComponent(n.id)}/read`).catch(() => undefined)
    navigate(`/m/cases/${n.applicationId}`)
  }
  const readAll = async () => {
    try {
      await api.post('/api/inbox/read-all')
    } catch (e) {
      Toast.show({ content: errorMessage(e) })
    }
    list.reload()
  }

  return (
    <Page title={t('citizen.inbox.title')}>
      {list.data && list.data.unread > 0 && (
        <p className="m-row">
          <span>{t('citizen.inbox.unread', { count: list.data.unread })}</span>
          <Button size="small" onClick={() => void readAll()}>
            {t('citizen.inbox.readAll')}
          </Button>
        </p>
      )}
      {list.loading && !list.data ? (
        <Loading />
      ) : list.error ? (
        <LoadError error={list.error} retry={list.reload} />
      ) : !list.data?.items.length ? (
        <Empty description={t('citizen.inbox.none')} />
      ) : (
        <ul className="m-list">
          {list.data.items.map((n) => (
            <li key={n.id}>
              <button type="button" className={n.readAt ? 'm-item-card' : 'm-item-card m-unread'} onClick={() => void open(n)}>
                <span className="m-item-name">
                  {!n.readAt && <Badge content={Badge.dot} aria-hidden="true" />} {n.text}
                </span>
                <span className="m-item-meta">
                  {formatDateTime(n.createdAt)}
                  {!n.readAt ? ` · ${t('citizen.inbox.new')}` : ''}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </Page>
  )
}
