import { Alert, Button, Card, Col, Descriptions, Image, Result, Row, Skeleton, Space, Tag, Timeline, Typography } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useNavigate, useParams } from 'react-router'
import { api, ApiError, errorMessage } from '../../../lib/api'
import { formatDateTime } from '../../../lib/format'
import { photoUrl, type TicketAction, type TicketDetail } from '../../../lib/hotline'
import { useSession } from '../../../lib/session'
import { useFetch } from '../../../lib/use-fetch'
import { isCentre, LightTag, StatusTag, TypeTag } from '../common'
import { ActionModal } from './ActionModal'
import { AssistsCard } from './AssistsCard'
import { RevealPhone } from './RevealPhone'

/** Staff actions in button order; the server's allowedActions decides which show. */
const order: TicketAction[] = ['sign', 'reply', 'request-extension', 'return', 'assist-sign', 'assist-opinion', 'dispatch', 'review', 'decide-extension', 'callback', 'merge', 'direct-close']
const primary = new Set<TicketAction>(['sign', 'assist-sign', 'reply', 'dispatch', 'review', 'callback'])

type TimelineAction = TicketAction | 'create' | 'merged-in' | 'reopen'
const timelineActions = new Set<string>(['create', 'merged-in', 'reopen', ...order])

/** One ticket for the centre or a department: facts, reporter (hidden on 举报 for departments), reply, timeline, actions. */
export default function TicketPage() {
  const { t } = useTranslation()
  const { id = '' } = useParams()
  const { me } = useSession()
  const [action, setAction] = useState<TicketAction | null>(null)
  const navigate = useNavigate()
  const data = useFetch((signal) => api.get<TicketDetail>(`/api/hotline/tickets/${encodeURIComponent(id)}`, undefined, signal), [id])
  const back = isCentre(me) ? { to: '/work/hotline/centre', label: t('hotline.nav.centre') } : { to: '/work/hotline/department', label: t('hotline.nav.department') }
  const backLink = <Link to={back.to}>‹ {back.label}</Link>

  if (data.loading && !data.data) return <>{backLink}<Skeleton active /></>
  if (data.error || !data.data) {
    return (
      <>
        {backLink}
        <Result status={data.error instanceof ApiError && data.error.status === 404 ? '404' : 'error'} title={errorMessage(data.error)} />
      </>
    )
  }
  const tk = data.data
  const timelineAction = (a: string) => (timelineActions.has(a) ? t(`hotline.action.${a as TimelineAction}`) : a)
  const actions = order.filter((a) => tk.allowedActions.includes(a))
  const reporter = tk.reporterHidden ? (
    <Tag color="red">{t('hotline.ticket.reporterHidden')}</Tag>
  ) : tk.reporter ? (
    <>
      {[tk.reporter.anonymous ? t('hotline.ticket.anonymous') : null, tk.reporter.name, tk.reporter.phone].filter(Boolean).join(' · ') || '—'}
      {/* The full number is the centre's, for the callback (audited with a reason). */}
      {isCentre(me) && tk.reporter.phone?.includes('*') && <RevealPhone ticketId={tk.id} />}
    </>
  ) : (
    '—'
  )

  return (
    <>
      {backLink}
      <Typography.Title level={1} className="desk-page-title">
        {tk.title}
      </Typography.Title>
      <Space wrap style={{ marginBottom: 16 }}>
        <Typography.Text code>{tk.number}</Typography.Text>
        <TypeTag type={tk.type} />
        <StatusTag status={tk.status} />
        <LightTag ticket={tk} />
        {tk.extensionPending && <Tag color="orange">{t('hotline.ticket.extensionPending')}</Tag>}
        {tk.reopenCount > 0 && <Tag color="magenta">{t('hotline.ticket.reopened', { n: tk.reopenCount })}</Tag>}
      </Space>
      <Card style={{ marginBottom: 16 }} title={<h2 className="desk-card-title">{t('hotline.ticket.actions')}</h2>}>
        {actions.length === 0 ? (
          <Typography.Text type="secondary">{t('hotline.ticket.noActions')}</Typography.Text>
        ) : (
          <Space wrap>
            {actions.map((a) => (
              <Button key={a} type={primary.has(a) ? 'primary' : 'default'} danger={a === 'return'} onClick={() => setAction(a)}>
                {t(`hotline.action.${a}`)}
              </Button>
            ))}
          </Space>
        )}
      </Card>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card title={<h2 className="desk-card-title">{t('hotline.ticket.facts')}</h2>}>
            <Descriptions
              column={1}
              size="small"
              items={[
                { key: 'category', label: t('hotline.field.category'), children: tk.categoryName },
                { key: 'channel', label: t('hotline.field.channel'), children: t(`hotline.channel.${tk.channel}`) },
                { key: 'department', label: t('hotline.field.mainDepartment'), children: tk.departmentName ?? '—' },
                { key: 'address', label: t('hotline.field.address'), children: tk.address ?? '—' },
                { key: 'reporter', label: t('hotline.field.reporter'), children: reporter },
                { key: 'created', label: t('hotline.field.createdAt'), children: formatDateTime(tk.createdAt) },
                { key: 'signDue', label: t('hotline.field.signDue'), children: formatDateTime(tk.signDueAt) || '—' },
                { key: 'due', label: t('hotline.field.due'), children: tk.progress ? tk.progress.dueDate : '—' },
                ...(tk.satisfaction ? [{ key: 'sat', label: t('hotline.field.satisfaction'), children: t(`hotline.satisfaction.${tk.satisfaction}`) }] : []),
                ...(tk.closeKind ? [{ key: 'close', label: t('hotline.field.closeKind'), children: t(`hotline.closeKind.${tk.closeKind}`) }] : []),
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={<h2 className="desk-card-title">{t('hotline.field.content')}</h2>}>
            <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }}>{tk.content}</Typography.Paragraph>
            {tk.mediaUrl && (
              // An outside link posted through Open311: never fetched or embedded, opened without referrer.
              <Typography.Paragraph>
                <a href={tk.mediaUrl} target="_blank" rel="noopener noreferrer nofollow" referrerPolicy="no-referrer">
                  {t('hotline.ticket.mediaLink')}
                </a>
                <br />
                <Typography.Text type="secondary">{t('hotline.ticket.mediaHint')}</Typography.Text>
              </Typography.Paragraph>
            )}
            {tk.photos.length > 0 && (
              <Image.PreviewGroup>
                <Space wrap>
                  {tk.photos.map((p) => (
                    <Image key={p.id} width={96} height={96} style={{ objectFit: 'cover' }} src={photoUrl(tk.id, p.id)} alt={t('hotline.ticket.photoAlt', { name: p.fileName })} />
                  ))}
                </Space>
              </Image.PreviewGroup>
            )}
          </Card>
        </Col>
        {(tk.assists?.length ?? 0) > 0 && (
          <Col xs={24} lg={12}>
            <AssistsCard assists={tk.assists!} />
          </Col>
        )}
        {(tk.reply || tk.extension) && (
          <Col xs={24} lg={12}>
            <Card title={<h2 className="desk-card-title">{t('hotline.ticket.handling')}</h2>}>
              {tk.reply && (
                <>
                  <Typography.Text strong>{t('hotline.field.reply')}</Typography.Text>
                  <Typography.Paragraph className="hotline-quote">{tk.reply.content}</Typography.Paragraph>
                  <Typography.Text type="secondary">
                    {formatDateTime(tk.reply.at)}
                    {tk.reply.by ? ` · ${tk.reply.by}` : ''}
                  </Typography.Text>
                </>
              )}
              {tk.extension && (
                <Alert
                  style={{ marginTop: 12 }}
                  type={tk.extension.decided ? (tk.extension.approved ? 'success' : 'warning') : 'info'}
                  title={t(tk.extension.decided ? (tk.extension.approved ? 'hotline.ticket.extensionApproved' : 'hotline.ticket.extensionDenied') : 'hotline.ticket.extensionWaiting', { days: tk.extension.days })}
                  description={tk.extension.reason}
                />
              )}
            </Card>
          </Col>
        )}
        <Col xs={24} lg={12}>
          <Card title={<h2 className="desk-card-title">{t('hotline.ticket.history')}</h2>}>
            <Timeline
              items={tk.timeline.map((e, i) => ({
                key: `${e.at}-${i}`,
                content: (
                  <>
                    <div>
                      <strong>{timelineAction(e.action)}</strong> → {t(`hotline.status.${e.toStatus}`)}
                    </div>
                    <Typography.Text type="secondary">
                      {formatDateTime(e.at)}
                      {e.actorName ? ` · ${e.actorName}` : ''}
                    </Typography.Text>
                    {e.opinion ? <div style={{ whiteSpace: 'pre-wrap' }}>{e.opinion}</div> : null}
                  </>
                ),
              }))}
            />
          </Card>
        </Col>
      </Row>
      {action && <ActionModal action={action} ticket={tk} onClose={() => setAction(null)} onDone={() => {
            // A returned ticket leaves the department's reach: back to its queue rather than a 404.
            const leaves = action === 'return' && !isCentre(me)
            setAction(null)
            if (leaves) navigate('/work/hotline/department')
            else data.reload()
          }} onStale={data.reload} />}
    </>
  )
}
