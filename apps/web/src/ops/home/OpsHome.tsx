import { Result } from 'antd'
import { useTranslation } from 'react-i18next'
import { useSession } from '../../lib/session'

/** Placeholder home of the operations centre: greets the operator. */
export function OpsHome() {
  const { t } = useTranslation()
  const { me } = useSession()
  return <Result status="info" title={<h1 className="desk-result-title">{t('ops.home.greeting', { name: me?.name ?? '' })}</h1>} subTitle={t('ops.home.soon')} />
}
