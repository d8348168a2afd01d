import { Empty } from 'antd-mobile'
import { useTranslation } from 'react-i18next'
import { ratingApi } from '../../lib/rating'
import { FiguresTable, LevelChart } from '../../lib/rating-figures'
import { useFetch } from '../../lib/use-fetch'
import { LoadError, Loading, Page } from '../Page'

/** 好差评公示: figures per department for this year, for anyone; no raters, no comments. */
export default function PublicRatingsPage() {
  const { t } = useTranslation()
  const data = useFetch((signal) => ratingApi.publicStats({}, signal), [])
  const s = data.data
  return (
    <Page title={t('rating.public.title')}>
      <p className="m-subtitle">{t('rating.public.intro')}</p>
      {data.loading && !s ? (
        <Loading />
      ) : data.error || !s ? (
        <LoadError error={data.error} retry={data.reload} />
      ) : (
        <section aria-labelledby="rating-public-period">
          <p id="rating-public-period" className="m-hint">
            {t('rating.public.period', { from: s.from, to: s.to })}
          </p>
          {s.overall.total === 0 ? (
            <Empty description={t('rating.public.empty')} />
          ) : (
            <>
              <LevelChart stats={s} group="department" />
              <FiguresTable stats={s} group="department" />
            </>
          )}
        </section>
      )}
    </Page>
  )
}
