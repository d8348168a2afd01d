import { Input } from 'antd'
import { useTranslation } from 'react-i18next'

/** The desks' search field: labelled for screen readers, trims what is typed, clears with one click. */
export function SearchBox(props: { label: string; placeholder?: string; onSearch(q: string): void; defaultValue?: string; width?: number; button?: string }) {
  const { label, placeholder, onSearch, defaultValue, width = 320, button } = props
  const { t } = useTranslation()
  return (
    <Input.Search
      aria-label={label}
      placeholder={placeholder ?? label}
      defaultValue={defaultValue}
      allowClear
      enterButton={button ?? t('common.search')}
      style={{ maxWidth: width }}
      onSearch={(v) => onSearch(v.trim())}
    />
  )
}
