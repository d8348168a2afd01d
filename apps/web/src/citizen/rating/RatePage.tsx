import { Card, Result, Toast } from 'antd-mobile'
import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useParams } from 'react-router'
import { formatDateTime } from '../../lib/format'
import { ratingApi, type Subject, type SubjectKind } from '../../lib/rating'
import { useFetch } from '../../lib/use-fetch'
import { LoadError, Loading, Page } from '../Page'
import { RatingSummary } from './Outcome'
import { RatingForm } from './RatingForm'
import { useRatingTags } from './use-tags'

/** Rates a closed case or a called-back ticket of the signed-in citizen, or shows the rating and its outcome. */
export default function RatePage() {
  const { t } = useTranslation()
  const { kind = 'case', refId = '' } = useParams()
  const subjectKind: SubjectKind = kind === 'ticket' ? 'ticket' : 'case'
  const loaded = useFetch((signal) => ratingApi.subject(subjectKind, refId, signal), [subjectKind, refId])
  const { tags, labels } = useRatingTags()
  const [subject, setSubject] = useState<Subject | undefined>(undefined)
  useEffect(() => setSubject(loaded.data), [loaded.data])
  const back = subjectKind === 'case' ? { to: `/m/cases/${encodeURIComponent(refId)}`, label: t('citizen.cases.detail') } : { to: `/m/hotline/${encodeURIComponent(refId)}`, label: t('rating.mine.title') }
  const title = subjectKind === 'case' ? t('rating.rateCase') : t('rating.rateTicket')

  if (loaded.loading && !subject) return <Page title={title} back={back}><Loading /></Page>
  if (loaded.error || !subject) return <Page title={title} back={back}><LoadError error={loaded.error} retry={loaded.reload} /></Page>

  return (
    <Page title={title} back={back}>
      <SubjectHeader subject={subject} />
      <RateOrShow
        subject={subject}
        tags={tags}
        labels={labels}
        onRate={async (input) => {
          setSubject(await ratingApi.rate(subjectKind, refId, input))
          Toast.show({ icon: 'success', content: t('rating.submitted') })
        }}
      />
    </Page>
  )
}

/** Which case or ticket, and until when it may be rated. */
export function SubjectHeader({ subject }: { subject: Subject }) {
  const { t } = useTranslation()
  return (
    <p className="m-subtitle">
      {subject.itemName ? `${subject.itemName} · ` : ''}
      {subject.label} · {subject.departmentName}
      {subject.canRate && (
        <>
          <br />
          {t('rating.windowUntil', { until: formatDateTime(subject.rateableUntil) })}
        </>
      )}
    </p>
  )
}

/** The form while the subject may be rated; the rating and its outcome once rated; else why not. */
export function RateOrShow({ subject, tags, labels, onRate }: { subject: Subject; tags: Parameters<typeof RatingForm>[0]['tags']; labels: Map<string, string>; onRate: Parameters<typeof RatingForm>[0]['onSubmit'] }) {
  const { t } = useTranslation()
  if (subject.rating) return <RatingSummary subject={subject} tags={labels} />
  if (!subject.canRate) return <Result status="info" title={t('rating.windowClosed')} />
  return (
    <Card className="m-card">
      <RatingForm tags={tags} onSubmit={onRate} />
    </Card>
  )
}
