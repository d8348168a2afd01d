import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { otherLanguage, setLanguage } from '../lib/i18n'
import './landing.css'

const faces = [
  { to: '/m', key: 'citizen' },
  { to: '/work', key: 'work' },
  { to: '/ops', key: 'ops' },
  { to: '/admin', key: 'admin' },
] as const

/** The front door: what Yiwang is and a link to each face. Plain HTML, no component library. */
export default function LandingPage() {
  const { t } = useTranslation()
  const target = otherLanguage()
  return (
    <div className="landing">
      <header className="landing-top">
        <span className="landing-brand">
          <span className="landing-mark" aria-hidden="true">
            {t('app.mark')}
          </span>
          {t('app.name')}
        </span>
        <button type="button" className="landing-lang" lang={target} aria-label={t('lang.switchLabel')} onClick={() => void setLanguage(target)}>
          {t('lang.switchTo')}
        </button>
      </header>
      <main id="main" className="landing-main">
        <h1>{t('landing.title')}</h1>
        <p className="landing-lead">{t('landing.lead')}</p>
        <nav aria-label={t('landing.facesLabel')}>
          <ul className="landing-faces">
            {faces.map((f) => (
              <li key={f.key}>
                <Link to={f.to} className="landing-face">
                  <span className="landing-face-title">{t(`landing.face.${f.key}.title`)}</span>
                  <span className="landing-face-text">{t(`landing.face.${f.key}.text`)}</span>
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      </main>
      <footer className="landing-footer">
        <a href="/api/docs">{t('landing.apiDocs')}</a>
        <span aria-hidden="true"> · </span>
        <a href="/.well-known/openid-configuration">{t('landing.oidc')}</a>
      </footer>
    </div>
  )
}
