import { Toast } from 'antd-mobile'
import { useTranslation } from 'react-i18next'
import { onethingApi, type Draft, type DraftField } from '../../lib/onething'

export type Values = Record<string, string>

/** The editable values of a draft's fields as strings (what the inputs hold). */
export function valuesOf(d: Draft): Values {
  return Object.fromEntries(d.fields.map((f) => [f.name, f.value === null || f.value === undefined ? '' : String(f.value)]))
}

/**
 * Saves the caller's changed fields, each with the version it was read at. Fields someone else
 * changed meanwhile come back as conflicts: the latest value is shown and nothing is lost.
 * Returns the new draft, and whether everything was saved.
 */
export async function saveFields(draft: Draft, values: Values, conflictText: (field: string, by: string) => string): Promise<{ draft: Draft; ok: boolean }> {
  const changes = draft.fields
    .filter((f) => f.editable && (values[f.name] ?? '') !== (f.value === null ? '' : String(f.value)))
    .map((f) => ({ field: f.name, value: toValue(f, values[f.name] ?? ''), baseVersion: f.version }))
  if (changes.length === 0) return { draft, ok: true }
  const res = await onethingApi.fields(draft.id, changes)
  for (const c of res.conflicts) {
    const f = draft.fields.find((x) => x.name === c.field)
    Toast.show({ content: conflictText(f?.label ?? c.field, c.updatedBy) })
  }
  return { draft: res.draft, ok: res.conflicts.length === 0 }
}

function toValue(f: DraftField, v: string): string | number | null {
  if (v.trim() === '') return null
  if (f.widget === 'number') return Number(v)
  return v
}

/** Fields of a draft: the caller's own as inputs (prefilled ones marked with their source), others read-only. */
export function FieldsEditor({ draft, values, onChange, only }: { draft: Draft; values: Values; onChange(v: Values): void; only?: (f: DraftField) => boolean }) {
  const { t } = useTranslation()
  const partyLabel = (role: string) => draft.parties.find((p) => p.role === role)?.label ?? role
  const fields = draft.fields.filter((f) => f.source !== 'produced' && (!only || only(f)))
  return (
    <div className="ot-card">
      {fields.map((f) => {
        const id = `ot-f-${f.name}`
        const sourceId = `${id}-source`
        const set = (v: string) => onChange({ ...values, [f.name]: v })
        const value = values[f.name] ?? ''
        const common = { id, 'aria-describedby': f.source === 'prefill' ? sourceId : undefined, required: f.required }
        return (
          <div key={f.name} className="ot-field" data-field={f.name}>
            {f.editable ? <label htmlFor={id}>{f.label}</label> : <span className="ot-label">{f.label}</span>}
            {f.source === 'prefill' && f.sourceLabel && (
              <span id={sourceId} className="ot-source">
                {f.sourceLabel}
              </span>
            )}
            {!f.editable ? (
              <span className="ot-readonly">{value || t('onething.form.otherParty', { party: partyLabel(f.party) })}</span>
            ) : f.options ? (
              <select {...common} value={value} onChange={(e) => set(e.target.value)}>
                <option value="">{t('onething.form.select')}</option>
                {f.options.map((o) => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
              </select>
            ) : f.widget === 'textarea' ? (
              <textarea {...common} rows={2} value={value} onChange={(e) => set(e.target.value)} />
            ) : (
              <input
                {...common}
                type={f.widget === 'date' ? 'date' : f.widget === 'number' ? 'number' : f.widget === 'phone' ? 'tel' : 'text'}
                inputMode={f.widget === 'idNumber' || f.widget === 'phone' ? 'numeric' : undefined}
                value={value}
                onChange={(e) => set(e.target.value)}
              />
            )}
          </div>
        )
      })}
    </div>
  )
}
