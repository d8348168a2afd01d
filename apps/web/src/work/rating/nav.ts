import type { TFunction } from 'i18next'
import type { Me } from '../../lib/types'
import { canSeeRatingStats, isRatingCentre, isRectifyingDepartment } from './access'

/** The workbench menu entries of 好差评 the account may use. */
export function ratingNavItems(me: Me | null | undefined, t: TFunction): { key: string; to: string; label: string }[] {
  const items: { key: string; to: string; label: string }[] = []
  if (isRectifyingDepartment(me) || isRatingCentre(me)) items.push({ key: 'rating-rectifications', to: '/work/rating/rectifications', label: t('rating.work.nav.rectifications') })
  if (canSeeRatingStats(me)) items.push({ key: 'rating-stats', to: '/work/rating/stats', label: t('rating.work.nav.stats') })
  return items
}
