import type { TFunction } from 'i18next'
import type { Me } from '../../lib/types'
import { canEditKb, canSeeMetrics, isCentre, isDepartmentStaff, isHotlineAdmin } from './access'

/** The workbench menu entries of the 12345 hotline the account may use. */
export function hotlineNavItems(me: Me | null | undefined, t: TFunction): { key: string; to: string; label: string }[] {
  const items: { key: string; to: string; label: string }[] = []
  if (isCentre(me)) {
    items.push({ key: 'hotline-console', to: '/work/hotline/console', label: t('hotline.nav.console') })
    items.push({ key: 'hotline-centre', to: '/work/hotline/centre', label: t('hotline.nav.centre') })
  }
  if (isDepartmentStaff(me)) items.push({ key: 'hotline-department', to: '/work/hotline/department', label: t('hotline.nav.department') })
  if (isCentre(me) || canEditKb(me)) items.push({ key: 'hotline-kb', to: '/work/hotline/kb', label: t('hotline.nav.kb') })
  if (isCentre(me)) items.push({ key: 'hotline-rules', to: '/work/hotline/rules', label: t('hotline.nav.rules') })
  if (isHotlineAdmin(me)) items.push({ key: 'hotline-api-keys', to: '/work/hotline/api-keys', label: t('hotline.nav.apiKeys') })
  if (canSeeMetrics(me)) items.push({ key: 'hotline-metrics', to: '/work/hotline/metrics', label: t('hotline.nav.metrics') })
  return items
}
