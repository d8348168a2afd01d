import { Tag } from 'antd'
import { useTranslation } from 'react-i18next'
import type { RoleGrant } from '../../lib/types'

/** A role grant as a tag: role name and where it applies. */
export function RoleTag({ grant, onClose }: { grant: Omit<RoleGrant, 'id'>; onClose?: () => void }) {
  const { t } = useTranslation()
  const scope = grant.divisionCode ?? t('admin.accounts.wholePlatform')
  return (
    <Tag
      color={grant.role === 'platform_admin' ? 'red' : grant.role === 'citizen' || grant.role === 'enterprise_agent' ? 'default' : 'blue'}
      closable={!!onClose}
      closeIcon={onClose ? undefined : false}
      onClose={(e) => {
        e.preventDefault()
        onClose?.()
      }}
      aria-label={t('admin.accounts.roleAt', { role: t(`roles.${grant.role}`), scope })}
    >
      {t(`roles.${grant.role}`)} · {scope}
    </Tag>
  )
}
