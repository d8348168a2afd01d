import { Button } from 'antd-mobile'
import { useTranslation } from 'react-i18next'
import { useNavigate } from 'react-router'
import { ratingApi, type SubjectKind } from '../../lib/rating'
import { useFetch } from '../../lib/use-fetch'

/**
 * The "评价" entry of a closed case or a called-back ticket: a button to the rating page while it
 * may be rated, or the rating given (and the rectification's state). Renders nothing when the
 * subject is not rateable (yet). Exported for the case page and the hotline ticket page.
 */
export function RatingLink({ kind, refId }: { kind: SubjectKind; refId: string }) {
  const { t } = useTranslation()
  const navigate = useNavigate()
  const subject = useFetch((signal) => ratingApi.subject(kind, refId, signal).catch(() => null), [kind, refId])
  const s = subject.data
  if (!s || (!s.canRate && !s.rating)) return null
  const to = `/m/rate/${kind}/${encodeURIComponent(refId)}`
  if (s.rating) {
    return (
      <Button block fill="outline" className="m-rating-entry" onClick={() => navigate(to)}>
        {t('rating.rated', { level: t(`rating.level.${s.rating.level}`) })}
        {s.rectification ? ` · ${t(`rating.outcome.status.${s.rectification.status}`)}` : ''}
      </Button>
    )
  }
  return (
    <Button block color="primary" className="m-rating-entry" onClick={() => navigate(to)}>
      {t('rating.entry')}
    </Button>
  )
}
