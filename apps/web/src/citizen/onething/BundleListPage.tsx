import { Empty } from 'antd-mobile'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { onethingApi } from '../../lib/onething'
import { useFetch } from '../../lib/use-fetch'
import { LoadError, Loading, Page } from '../Page'

/** The life-event bundles (一件事) a citizen or enterprise can apply for at once. */
export default function BundleListPage() {
  const { t } = useTranslation()
  const list = useFetch((signal) => onethingApi.bundles(signal), [])
  return (
    <Page title={t('onething.list.title')}>
      <p className="m-subtitle">{t('onething.list.intro')}</p>
      {list.loading && !list.data ? (
        <Loading />
      ) : list.error ? (
        <LoadError error={list.error} retry={list.reload} />
      ) : !list.data?.items.length ? (
        <Empty description={t('onething.list.none')} />
      ) : (
        <ul className="m-list">
          {list.data.items.map((b) => (
            <li key={b.code}>
              <Link to={`/m/onething/${encodeURIComponent(b.code)}`} className="m-item-card">
                <span className="m-item-name">{b.name}</span>
                <span className="m-item-meta">{t('onething.list.items', { count: b.items.length })}</span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </Page>
  )
}
