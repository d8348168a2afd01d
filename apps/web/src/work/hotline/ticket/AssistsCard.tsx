import { Card, List, Tag, Typography } from 'antd'
import { useTranslation } from 'react-i18next'
import { formatDateTime } from '../../../lib/format'
import type { AssistPart } from '../../../lib/hotline'

/** 协办 departments' parts: whether each signed, and its latest opinion (the 主办 reads these before replying). */
export function AssistsCard({ assists }: { assists: AssistPart[] }) {
  const { t } = useTranslation()
  return (
    <Card title={<h2 className="desk-card-title">{t('hotline.ticket.assists')}</h2>}>
      <AssistList assists={assists} />
    </Card>
  )
}

export function AssistList({ assists }: { assists: AssistPart[] }) {
  const { t } = useTranslation()
  return (
    <List
      size="small"
      dataSource={assists}
      rowKey="departmentId"
      renderItem={(a) => (
        <List.Item>
          <div>
            <Typography.Text strong>{a.departmentName}</Typography.Text>{' '}
            {a.signedAt ? <Tag color="green">{t('hotline.ticket.assistSigned', { at: formatDateTime(a.signedAt) })}</Tag> : <Tag>{t('hotline.ticket.assistNotSigned')}</Tag>}
            <div className={a.opinion ? 'hotline-quote' : undefined} style={{ whiteSpace: 'pre-wrap' }}>
              {a.opinion ?? <Typography.Text type="secondary">{t('hotline.ticket.assistNoOpinion')}</Typography.Text>}
            </div>
            {a.opinionAt && (
              <Typography.Text type="secondary">
                {formatDateTime(a.opinionAt)}
                {a.opinionBy ? ` · ${a.opinionBy}` : ''}
              </Typography.Text>
            )}
          </div>
        </List.Item>
      )}
    />
  )
}
