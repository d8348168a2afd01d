import type { TFunction } from 'i18next'
import type { Me } from '../../lib/types'
import { canManageLicenses, canSeeIssued } from './access'

/** The workbench menu entries of e-licenses the account may use. */
export function licensesNavItems(me: Me | null | undefined, t: TFunction): { key: string; to: string; label: string }[] {
  const items: { key: string; to: string; label: string }[] = []
  if (canSeeIssued(me)) items.push({ key: 'licenses', to: '/work/licenses', label: t('licenses.work.nav.issued') })
  if (canManageLicenses(me)) {
    items.push({ key: 'licenses-seals', to: '/work/licenses/seals', label: t('licenses.work.nav.seals') })
    items.push({ key: 'licenses-import', to: '/work/licenses/import', label: t('licenses.work.nav.import') })
  }
  return items
}
