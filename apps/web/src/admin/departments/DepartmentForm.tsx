import { Alert, App, Button, Form, Input, Modal, Select } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api, ApiError, errorMessage } from '../../lib/api'
import { applyProblem } from '../../lib/desk/forms'
import { departmentKinds, type Department, type DepartmentKind } from '../../lib/types'
import { DivisionSelect } from '../components/DivisionSelect'

interface Values {
  name: string
  shortName?: string
  divisionCode: string
  kind: DepartmentKind
  creditCode?: string
  phone?: string
  address?: string
}

const fieldNames = ['name', 'shortName', 'divisionCode', 'kind', 'creditCode', 'phone', 'address'] as const

/** Empty optional strings become null (PATCH: clear the field) or are left out (POST). */
function clean(values: Values, forPatch: boolean) {
  const out: Record<string, string | null> = {}
  for (const key of fieldNames) {
    const v = values[key]
    const s = typeof v === 'string' ? v.trim() : v
    if (s) out[key] = s
    else if (forPatch) out[key] = null
  }
  return out
}

const initial = (d: Department): Values => ({
  name: d.name,
  shortName: d.shortName ?? undefined,
  divisionCode: d.divisionCode,
  kind: d.kind,
  creditCode: d.creditCode ?? undefined,
  phone: d.phone ?? undefined,
  address: d.address ?? undefined,
})

/** Create or edit a department. Editing sends the version it read; a stale one is a 409. */
export function DepartmentForm({
  department,
  defaultDivisionCode,
  onClose,
  onSaved,
}: {
  department: Department | null
  defaultDivisionCode?: string | null
  onClose: () => void
  onSaved: (d: Department) => void
}) {
  const { t } = useTranslation()
  const { message } = App.useApp()
  const [form] = Form.useForm<Values>()
  const [current, setCurrent] = useState(department)
  const [error, setError] = useState<string | null>(null)
  const [conflict, setConflict] = useState(false)
  const [busy, setBusy] = useState(false)

  const submit = async (values: Values) => {
    setBusy(true)
    setError(null)
    setConflict(false)
    try {
      const saved = current
        ? await api.patch<Department>(`/api/org/departments/${encodeURIComponent(current.id)}`, { version: current.version, ...clean(values, true) })
        : await api.post<Department>('/api/org/departments', clean(values, false))
      message.success(t(current ? 'admin.departments.saved' : 'admin.departments.created', { name: saved.name }))
      onSaved(saved)
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) setConflict(true)
      applyProblem(form, e, fieldNames)
      setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  /** After a 409: load what is stored now and start over from it. */
  const reloadLatest = async () => {
    if (!current) return
    try {
      const latest = await api.get<Department>(`/api/org/departments/${encodeURIComponent(current.id)}`)
      setCurrent(latest)
      form.setFieldsValue(initial(latest))
      setConflict(false)
      setError(null)
    } catch (e) {
      setError(errorMessage(e))
    }
  }

  const phoneRule = { pattern: /^[\d\-+() ]{5,20}$/, message: t('admin.departments.phoneInvalid') }
  const creditRule = { pattern: /^[0-9A-HJ-NPQRTUWXY]{18}$/, message: t('admin.departments.creditCodeInvalid') }

  return (
    <Modal
      open
      title={current ? t('admin.departments.editTitle', { name: current.name }) : t('admin.departments.createTitle')}
      onCancel={onClose}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onOk={() => form.submit()}
      destroyOnHidden
      width={560}
    >
      {error && (
        <Alert
          type="error"
          showIcon
          role="alert"
          title={error}
          description={conflict ? t('admin.departments.conflictHelp') : undefined}
          action={
            conflict ? (
              <Button size="small" onClick={() => void reloadLatest()}>
                {t('admin.departments.reloadLatest')}
              </Button>
            ) : undefined
          }
          style={{ marginBottom: 16 }}
        />
      )}
      <Form<Values>
        form={form}
        name="department"
        layout="vertical"
        initialValues={current ? initial(current) : { kind: 'bureau', divisionCode: defaultDivisionCode ?? undefined }}
        onFinish={submit}
        disabled={busy}
      >
        <Form.Item name="name" label={t('admin.departments.name')} rules={[{ required: true, whitespace: true, message: t('admin.departments.nameRequired') }, { max: 100 }]}>
          <Input />
        </Form.Item>
        <Form.Item name="shortName" label={t('admin.departments.shortName')} rules={[{ max: 50 }]}>
          <Input />
        </Form.Item>
        <Form.Item name="divisionCode" label={t('admin.departments.division')} rules={[{ required: true, message: t('admin.departments.divisionRequired') }]}>
          <DivisionSelect allowClear={false} />
        </Form.Item>
        <Form.Item name="kind" label={t('admin.departments.kind')} rules={[{ required: true }]}>
          <Select options={departmentKinds.map((k) => ({ value: k, label: t(`departmentKind.${k}`) }))} />
        </Form.Item>
        <Form.Item name="creditCode" label={t('admin.departments.creditCode')} rules={[creditRule]} normalize={(v: string) => v?.toUpperCase()}>
          <Input maxLength={18} />
        </Form.Item>
        <Form.Item name="phone" label={t('admin.departments.phone')} rules={[phoneRule]}>
          <Input />
        </Form.Item>
        <Form.Item name="address" label={t('admin.departments.address')} rules={[{ max: 200 }]}>
          <Input />
        </Form.Item>
      </Form>
    </Modal>
  )
}
