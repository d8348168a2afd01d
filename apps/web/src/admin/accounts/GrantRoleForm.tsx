import { Alert, App, Form, Modal, Select } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api, errorMessage } from '../../lib/api'
import { applyProblem } from '../../lib/desk/forms'
import { roles, type AccountSummary, type Role } from '../../lib/types'
import { DepartmentSelect } from '../components/DepartmentSelect'
import { DivisionSelect } from '../components/DivisionSelect'

interface Values {
  role: Role
  divisionCode?: string | null
  departmentId?: string | null
}

/** Grant one role to an account, scoped to a division (and optionally a department). */
export function GrantRoleForm({ account, onClose, onSaved }: { account: AccountSummary; onClose: () => void; onSaved: () => void }) {
  const { t } = useTranslation()
  const { message } = App.useApp()
  const [form] = Form.useForm<Values>()
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const submit = async (v: Values) => {
    setBusy(true)
    setError(null)
    try {
      await api.post(`/api/admin/accounts/${encodeURIComponent(account.id)}/roles`, {
        role: v.role,
        divisionCode: v.divisionCode ?? null,
        departmentId: v.departmentId ?? null,
      })
      message.success(t('admin.accounts.granted', { role: t(`roles.${v.role}`), name: account.name }))
      onSaved()
    } catch (e) {
      applyProblem(form, e, ['role', 'divisionCode', 'departmentId'])
      setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Modal
      open
      title={t('admin.accounts.grantTitle', { name: account.name })}
      onCancel={onClose}
      okText={t('admin.accounts.grant')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      {error && <Alert type="error" showIcon role="alert" title={error} style={{ marginBottom: 16 }} />}
      <Form<Values> form={form} name="grant-role" layout="vertical" onFinish={submit} disabled={busy}>
        <Form.Item name="role" label={t('admin.accounts.role')} rules={[{ required: true, message: t('admin.accounts.roleRequired') }]}>
          <Select options={roles.map((r) => ({ value: r, label: t(`roles.${r}`) }))} />
        </Form.Item>
        <Form.Item name="divisionCode" label={t('admin.accounts.scopeDivision')} extra={t('admin.accounts.scopeHelp')}>
          <DivisionSelect placeholder={t('admin.accounts.wholePlatform')} />
        </Form.Item>
        <Form.Item name="departmentId" label={t('admin.accounts.scopeDepartment')}>
          <DepartmentSelect />
        </Form.Item>
      </Form>
    </Modal>
  )
}
