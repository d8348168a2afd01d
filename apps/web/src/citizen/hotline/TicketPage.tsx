import { Card } from 'antd-mobile'
import { useTranslation } from 'react-i18next'
import { useParams } from 'react-router'
import { api } from '../../lib/api'
import { formatDateTime } from '../../lib/format'
import { photoUrl, type TicketDetail } from '../../lib/hotline'
import { useFetch } from '../../lib/use-fetch'
import { LoadError, Loading, Page } from '../Page'
import { RatingLink } from '../rating/RatingLink'
import { TicketStatusTag } from './StatusTag'

/** One of the citizen's tickets: where it stands, the department's reply, the timeline, and the rating once called back. */
export default function TicketPage() {
  const { t } = useTranslation()
  const { id = '' } = useParams()
  const data = useFetch((signal) => api.get<TicketDetail>(`/api/hotline/tickets/${encodeURIComponent(id)}`, undefined, signal), [id])
  const back = { to: '/m/hotline', label: t('hotline.m.title') }
  if (data.loading && !data.data) return <Page title={t('hotline.m.detail')} back={back}><Loading /></Page>
  if (data.error || !data.data) return <Page title={t('hotline.m.detail')} back={back}><LoadError error={data.error} retry={data.reload} /></Page>
  const tk = data.data
  // Rating opens after the callback; the rating feature's own entry says whether it may be rated now.
  const rateable = tk.status === 'closed' && tk.closeKind === 'callback'

  return (
    <Page title={tk.title} back={back}>
      <p className="m-subtitle">
        {tk.number} · {t(`hotline.type.${tk.type}`)} · {tk.categoryName}
      </p>
      <p className="m-tags">
        <TicketStatusTag ticket={tk} />
        {tk.progress && tk.status !== 'closed' && tk.status !== 'merged' && <span className={`m-progress m-light-${tk.progress.light}`}>{t('hotline.m.due', { date: tk.progress.dueDate })}</span>}
      </p>

      {tk.reply && (
        <Card className="m-card" title={<h2 className="m-card-title">{t('hotline.m.reply')}</h2>}>
          <p className="m-opinion">{tk.reply.content}</p>
          <p className="m-item-meta">
            {formatDateTime(tk.reply.at)}
            {tk.departmentName ? ` · ${tk.departmentName}` : ''}
          </p>
        </Card>
      )}

      {rateable && (
        <Card className="m-card" title={<h2 className="m-card-title">{t('hotline.m.rateTitle')}</h2>}>
          <p>{t('hotline.m.rateText')}</p>
          <RatingLink kind="ticket" refId={tk.id} />
        </Card>
      )}

      <section>
        <h2 className="m-section-title">{t('hotline.m.content')}</h2>
        <p className="m-opinion">{tk.content}</p>
        {tk.address && <p className="m-item-meta">{t('hotline.m.at', { address: tk.address })}</p>}
        {tk.photos.length > 0 && (
          <ul className="m-hotline-photos">
            {tk.photos.map((p) => (
              <li key={p.id}>
                <a href={photoUrl(tk.id, p.id)}>
                  <img src={photoUrl(tk.id, p.id)} alt={p.fileName} />
                </a>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section>
        <h2 className="m-section-title">{t('hotline.m.timeline')}</h2>
        <ol className="m-timeline">
          {[...tk.timeline].reverse().map((e, i) => (
            <li key={`${e.at}-${i}`}>
              <div>
                <strong>{t(`hotline.m.status.${e.toStatus}`)}</strong>
              </div>
              <div className="m-item-meta">{formatDateTime(e.at)}</div>
            </li>
          ))}
        </ol>
      </section>
    </Page>
  )
}
