import { Tag } from 'antd'
import { useTranslation } from 'react-i18next'
import type { LicenseStatus, VerifyOutcome } from '../../lib/licenses'

const colors: Record<VerifyOutcome, string> = { valid: 'green', suspended: 'orange', revoked: 'red', expired: 'default', invalid: 'red' }

/** A license status (or verification outcome) as a tag. */
export function LicenseStatusTag({ status }: { status: LicenseStatus | VerifyOutcome }) {
  const { t } = useTranslation()
  return <Tag color={colors[status]}>{status === 'invalid' ? t('licenses.verify.outcome.invalid') : t(`licenses.status.${status}`)}</Tag>
}
