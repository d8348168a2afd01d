import { Select } from 'antd'
import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api } from '../../lib/api'
import type { DivisionDetail, DivisionWithName } from '../../lib/types'

interface Option {
  value: string
  label: string
}

interface DivisionSelectProps {
  id?: string
  value?: string | null
  onChange?: (code: string | null) => void
  placeholder?: string
  allowClear?: boolean
  style?: React.CSSProperties
  'aria-label'?: string
}

/** Picks a division by typing part of its name or code (GET /api/org/divisions/search). */
export function DivisionSelect({ id, value, onChange, placeholder, allowClear = true, style, 'aria-label': ariaLabel }: DivisionSelectProps) {
  const { t } = useTranslation()
  const [options, setOptions] = useState<Option[]>([])
  const [searching, setSearching] = useState(false)
  const timer = useRef<number | undefined>(undefined)
  const latest = useRef(0)

  // Show the full name of a value set from outside (an edited record, a link).
  useEffect(() => {
    if (!value || options.some((o) => o.value === value)) return
    let live = true
    api.get<DivisionDetail>(`/api/org/divisions/${encodeURIComponent(value)}`).then(
      (d) => live && setOptions((prev) => [{ value: d.code, label: `${d.fullName} (${d.code})` }, ...prev.filter((o) => o.value !== d.code)]),
      () => undefined,
    )
    return () => {
      live = false
    }
  }, [value, options])

  const search = (q: string) => {
    window.clearTimeout(timer.current)
    if (!q.trim()) return
    timer.current = window.setTimeout(async () => {
      const call = ++latest.current
      setSearching(true)
      try {
        const { items } = await api.get<{ items: DivisionWithName[] }>('/api/org/divisions/search', { q: q.trim(), limit: 20 })
        if (call === latest.current) setOptions(items.map((d) => ({ value: d.code, label: `${d.fullName} (${d.code})` })))
      } catch {
        if (call === latest.current) setOptions([])
      } finally {
        if (call === latest.current) setSearching(false)
      }
    }, 250)
  }

  return (
    <Select<string>
      id={id}
      aria-label={ariaLabel}
      value={value ?? undefined}
      onChange={(v) => onChange?.(v ?? null)}
      options={options}
      showSearch={{ filterOption: false, onSearch: search }}
      loading={searching}
      allowClear={allowClear}
      placeholder={placeholder ?? t('admin.division.pick')}
      notFoundContent={searching ? t('common.loading') : t('admin.division.typeToSearch')}
      style={{ minWidth: 260, ...style }}
    />
  )
}
