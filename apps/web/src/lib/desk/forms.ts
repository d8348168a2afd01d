import type { FormInstance } from 'antd'
import { ApiError } from '../api'

/**
 * Puts a failed call's field errors (problem+json `errors[]`) on the matching form fields. The
 * caller still shows the problem's title above the form, so the user sees why even when no
 * field matches.
 */
export function applyProblem(form: FormInstance, error: unknown, fieldNames?: readonly string[]): void {
  if (!(error instanceof ApiError)) return
  const known = fieldNames ?? Object.keys(form.getFieldsValue(true) ?? {})
  const fields = error
    .fieldErrors()
    .filter((e) => known.includes(String(e.path[0])))
    .map((e) => ({ name: e.path, errors: [e.reason] }))
  if (fields.length) form.setFields(fields)
}
