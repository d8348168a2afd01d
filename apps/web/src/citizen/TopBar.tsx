import { Button } from 'antd-mobile'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { otherLanguage, setLanguage } from '../lib/i18n'

/** The citizen face's top bar: brand and the one-tap language switch. */
export function TopBar() {
  const { t } = useTranslation()
  const target = otherLanguage()
  return (
    <header className="m-top">
      <Link to="/m" className="m-brand">
        <span className="m-brand-mark" aria-hidden="true">
          {t('app.mark')}
        </span>
        <span>{t('app.name')}</span>
      </Link>
      <Button
        size="small"
        fill="outline"
        aria-label={t('lang.switchLabel')}
        onClick={() => void setLanguage(target)}
      >
        <span lang={target}>{t('lang.switchTo')}</span>
      </Button>
    </header>
  )
}
