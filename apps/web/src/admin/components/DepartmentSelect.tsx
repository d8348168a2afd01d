import { Select } from 'antd'
import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api } from '../../lib/api'
import type { Department, Page } from '../../lib/types'

interface Option {
  value: string
  label: string
}

interface DepartmentSelectProps {
  id?: string
  value?: string | null
  onChange?: (id: string | null) => void
  allowClear?: boolean
  style?: React.CSSProperties
}

const label = (d: Department) => `${d.name} · ${d.divisionName}`

/** Picks a department by name (GET /api/org/departments?q=). */
export function DepartmentSelect({ id, value, onChange, allowClear = true, style }: DepartmentSelectProps) {
  const { t } = useTranslation()
  const [options, setOptions] = useState<Option[]>([])
  const [searching, setSearching] = useState(false)
  const timer = useRef<number | undefined>(undefined)
  const latest = useRef(0)

  const search = (q: string) => {
    window.clearTimeout(timer.current)
    timer.current = window.setTimeout(async () => {
      const call = ++latest.current
      setSearching(true)
      try {
        const page = await api.get<Page<Department>>('/api/org/departments', { q: q.trim() || undefined, page: 1, pageSize: 20 })
        if (call === latest.current) setOptions(page.items.map((d) => ({ value: d.id, label: label(d) })))
      } catch {
        if (call === latest.current) setOptions([])
      } finally {
        if (call === latest.current) setSearching(false)
      }
    }, 250)
  }

  useEffect(() => {
    search('')
    return () => window.clearTimeout(timer.current)
  }, [])

  useEffect(() => {
    if (!value || options.some((o) => o.value === value)) return
    let live = true
    api.get<Department>(`/api/org/departments/${encodeURIComponent(value)}`).then(
      (d) => live && setOptions((prev) => [{ value: d.id, label: label(d) }, ...prev]),
      () => undefined,
    )
    return () => {
      live = false
    }
  }, [value, options])

  return (
    <Select<string>
      id={id}
      value={value ?? undefined}
      onChange={(v) => onChange?.(v ?? null)}
      options={options}
      showSearch={{ filterOption: false, onSearch: search }}
      loading={searching}
      allowClear={allowClear}
      placeholder={t('admin.department.pick')}
      notFoundContent={searching ? t('common.loading') : t('common.noData')}
      style={{ minWidth: 260, ...style }}
    />
  )
}
