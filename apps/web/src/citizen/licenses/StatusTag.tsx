import { Tag } from 'antd-mobile'
import { useTranslation } from 'react-i18next'
import type { LicenseStatus } from '../../lib/licenses'

const colors: Record<LicenseStatus, 'success' | 'warning' | 'danger' | 'default'> = { valid: 'success', suspended: 'warning', revoked: 'danger', expired: 'default' }

/** A license's status as a coloured tag (有效, 已暂停, 已吊销, 已过期). */
export function LicenseStatusTag({ status }: { status: LicenseStatus }) {
  const { t } = useTranslation()
  return (
    <Tag color={colors[status]} fill="outline">
      {t(`licenses.status.${status}`)}
    </Tag>
  )
}
