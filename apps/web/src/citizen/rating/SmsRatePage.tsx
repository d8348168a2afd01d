import { Result, Toast } from 'antd-mobile'
import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useParams } from 'react-router'
import { ratingApi, type Subject } from '../../lib/rating'
import { useFetch } from '../../lib/use-fetch'
import { Loading, Page } from '../Page'
import { RateOrShow, SubjectHeader } from './RatePage'
import { useRatingTags } from './use-tags'

/**
 * The page an SMS link opens: rates one case or ticket without signing in; the link lapses with the
 * window. `oneTime`: a 12345 phone caller's link (/m/rate/<token>), spent by the rating.
 */
export default function SmsRatePage({ oneTime = false }: { oneTime?: boolean }) {
  const { t } = useTranslation()
  const { token = '' } = useParams()
  const loaded = useFetch((signal) => (oneTime ? ratingApi.byLink(token, signal) : ratingApi.bySms(token, signal)), [token, oneTime])
  const { tags, labels } = useRatingTags()
  const [subject, setSubject] = useState<Subject | undefined>(undefined)
  useEffect(() => setSubject(loaded.data), [loaded.data])

  if (loaded.loading && !subject) return <Page title={t('rating.sms.title')}><Loading /></Page>
  if (loaded.error || !subject) return <Page title={t('rating.sms.title')}><Result status="warning" title={t('rating.sms.invalid')} /></Page>
  return (
    <Page title={t('rating.sms.title')}>
      <SubjectHeader subject={subject} />
      {!subject.rating && <p className="m-hint">{t('rating.sms.hint')}</p>}
      <RateOrShow
        subject={subject}
        tags={tags}
        labels={labels}
        onRate={async (input) => {
          setSubject(await (oneTime ? ratingApi.rateByLink(token, input) : ratingApi.rateBySms(token, input)))
          Toast.show({ icon: 'success', content: t('rating.submitted') })
        }}
      />
    </Page>
  )
}
