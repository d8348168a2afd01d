import { Card, Tag } from 'antd-mobile'
import { useTranslation } from 'react-i18next'
import { formatDateTime } from '../../lib/format'
import { isBad, type Subject } from '../../lib/rating'

/** The rater's own rating and, for a 差评, the rectification: the department's answer and the call-back. */
export function RatingSummary({ subject, tags }: { subject: Subject; tags?: Map<string, string> }) {
  const { t } = useTranslation()
  const r = subject.rating
  if (!r) return null
  const rect = subject.rectification
  return (
    <>
      <Card className="m-card" title={<h2 className="m-card-title">{t('rating.yourRating')}</h2>}>
        <p className="m-rating-line">
          <span aria-hidden="true" className="m-stars">{'★'.repeat(r.level)}{'☆'.repeat(5 - r.level)}</span> <strong>{t(`rating.level.${r.level}`)}</strong>
          <span className="m-hint"> · {t(`rating.channel.${r.channel}`)} · {formatDateTime(r.createdAt)}</span>
        </p>
        {r.tags.length > 0 && (
          <p className="m-tags">
            {r.tags.map((code) => (
              <Tag key={code} color="default">
                {tags?.get(code) ?? code}
              </Tag>
            ))}
          </p>
        )}
        {r.comment && <p className="m-rating-comment">{r.comment}</p>}
        {isBad(r.level) && !rect && <p className="m-hint">{t('rating.badNotice')}</p>}
      </Card>
      {rect && (
        <Card className="m-card" title={<h2 className="m-card-title">{t('rating.outcome.title')}</h2>}>
          <p className="m-tags" data-testid="rectification-status">
            <Tag color={rect.status === 'closed' ? 'success' : 'warning'}>{t(`rating.outcome.status.${rect.status}`)}</Tag>
            <Tag color={rect.contacted ? 'success' : 'default'}>{rect.contacted ? t('rating.outcome.contacted') : t('rating.outcome.notContacted')}</Tag>
          </p>
          <dl className="m-facts">
            <div>
              <dt>{rect.departmentName}</dt>
              <dd>{t('rating.outcome.due', { date: rect.dueDate })}</dd>
            </div>
            {rect.answer && (
              <div>
                <dt>{t('rating.outcome.answer')}</dt>
                <dd>{rect.answer}</dd>
              </div>
            )}
            {rect.outcome && (
              <div>
                <dt>{t('rating.outcome.result')}</dt>
                <dd>{rect.outcome}</dd>
              </div>
            )}
          </dl>
        </Card>
      )}
    </>
  )
}
