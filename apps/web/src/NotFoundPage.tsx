import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'

/** Any path no face claims. */
export default function NotFoundPage() {
  const { t } = useTranslation()
  return (
    <main id="main" className="yw-plain">
      <h1>{t('notFound.title')}</h1>
      <p>{t('notFound.text')}</p>
      <Link to="/">{t('notFound.home')}</Link>
    </main>
  )
}
