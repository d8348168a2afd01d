import { App, Button, Card, List, Space, Typography } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api, errorMessage } from '../../../lib/api'
import { formatDateTime } from '../../../lib/format'
import { ticketActionPath, type Duplicate, type TicketDetail } from '../../../lib/hotline'
import { useFetch } from '../../../lib/use-fetch'
import { StatusTag } from '../common'

/**
 * Tickets at the same place about the same thing within the window (GET …/duplicates): the
 * operator may merge the new ticket into one of them instead of dispatching it twice.
 */
export function DuplicatePanel({ ticket, onMerged }: { ticket: TicketDetail; onMerged: (t: TicketDetail) => void }) {
  const { t } = useTranslation()
  const { message } = App.useApp()
  const [busy, setBusy] = useState<string | null>(null)
  const list = useFetch((signal) => api.get<Duplicate[]>(`/api/hotline/tickets/${encodeURIComponent(ticket.id)}/duplicates`, undefined, signal), [ticket.id])
  const items = list.data ?? ticket.duplicates ?? []
  if (!ticket.allowedActions.includes('merge') || items.length === 0) return null

  const merge = async (d: Duplicate) => {
    setBusy(d.id)
    try {
      const merged = await api.post<TicketDetail>(ticketActionPath(ticket.id, 'merge'), { version: ticket.version, intoId: d.id })
      message.success(t('hotline.console.merged', { number: d.number }))
      onMerged(merged)
    } catch (e) {
      message.error(errorMessage(e))
    } finally {
      setBusy(null)
    }
  }

  return (
    <Card size="small" title={<h2 className="desk-card-title">{t('hotline.console.duplicates')}</h2>} style={{ marginBottom: 12 }}>
      <Typography.Paragraph type="secondary">{t('hotline.console.duplicatesHint')}</Typography.Paragraph>
      <List
        size="small"
        dataSource={items}
        renderItem={(d) => (
          <List.Item
            key={d.id}
            actions={[
              <Button key="merge" size="small" loading={busy === d.id} onClick={() => void merge(d)} aria-label={t('hotline.console.mergeInto', { number: d.number })}>
                {t('hotline.action.merge')}
              </Button>,
            ]}
          >
            <Space wrap size={4}>
              <Typography.Text code>{d.number}</Typography.Text>
              <StatusTag status={d.status} />
              <span>{d.title}</span>
              <Typography.Text type="secondary">
                {formatDateTime(d.createdAt)}
                {d.distanceM != null ? ` · ${t('hotline.console.distance', { m: Math.round(d.distanceM) })}` : ''}
              </Typography.Text>
            </Space>
          </List.Item>
        )}
      />
    </Card>
  )
}
