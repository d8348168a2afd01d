import { useMemo } from 'react'
import { useTranslation } from 'react-i18next'
import { ratingApi } from '../../lib/rating'
import { useFetch } from '../../lib/use-fetch'

/** The tag vocabulary in the current language, and a code → label map. */
export function useRatingTags() {
  const { i18n } = useTranslation()
  const tags = useFetch((signal) => ratingApi.tags(signal), [i18n.language])
  const labels = useMemo(() => new Map((tags.data ?? []).map((x) => [x.code, x.label])), [tags.data])
  return { tags: tags.data ?? [], labels }
}
