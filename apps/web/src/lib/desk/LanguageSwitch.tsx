import { Segmented } from 'antd'
import { useTranslation } from 'react-i18next'
import { languages, setLanguage, type Language } from '../i18n'

/** zh-CN / en switch for the desktop faces; the choice is remembered. */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation()
  return (
    <Segmented<Language>
      aria-label={t('lang.label')}
      size="small"
      value={i18n.language as Language}
      options={languages.map((lng) => ({ value: lng, label: <span lang={lng}>{t(`lang.name.${lng === 'zh-CN' ? 'zhCN' : 'en'}`)}</span> }))}
      onChange={(lng) => void setLanguage(lng)}
    />
  )
}
