import { Select } from 'antd'
import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api } from '../../lib/api'
import type { Department, Page } from '../../lib/types'

/** Picks a department by name (GET /api/org/departments?q=), starting from `initial` when given. */
export function DepartmentPicker({ value, onChange, id }: { value?: string | null; onChange?: (id: string) => void; id?: string }) {
  const { t } = useTranslation()
  const [options, setOptions] = useState<{ value: string; label: string }[]>([])
  const timer = useRef<number | undefined>(undefined)
  const search = (q: string) => {
    window.clearTimeout(timer.current)
    timer.current = window.setTimeout(() => {
      api
        .get<Page<Department>>('/api/org/departments', { q: q.trim() || undefined, pageSize: 20 })
        .then((p) => setOptions(p.items.map((d) => ({ value: d.id, label: `${d.name} · ${d.divisionName}` }))))
        .catch(() => setOptions([]))
    }, 250)
  }
  useEffect(() => {
    if (value) {
      api
        .get<Department>(`/api/org/departments/${encodeURIComponent(value)}`)
        .then((d) => setOptions((o) => (o.some((x) => x.value === d.id) ? o : [{ value: d.id, label: `${d.name} · ${d.divisionName}` }, ...o])))
        .catch(() => undefined)
    }
    search('')
    return () => window.clearTimeout(timer.current)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [])
  return (
    <Select
      id={id}
      showSearch={{ filterOption: false, onSearch: search }}
      value={value ?? undefined}
      onChange={(v: string) => onChange?.(v)}
      options={options}
      placeholder={t('licenses.work.pickDepartment')}
      aria-label={t('licenses.work.department')}
      style={{ minWidth: 280 }}
    />
  )
}
