import { Alert, App, Button, Form, Input, Modal, Select, Space } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api, errorMessage } from '../../lib/api'
import { applyProblem } from '../../lib/desk/forms'
import { roles, type AccountSummary, type Role } from '../../lib/types'
import { DepartmentSelect } from '../components/DepartmentSelect'
import { DivisionSelect } from '../components/DivisionSelect'

interface Values {
  name: string
  username: string
  password: string
  phone?: string
  departmentId: string
  roles: { role: Role; divisionCode?: string | null }[]
}

const staffRoles = roles.filter((r) => r !== 'citizen' && r !== 'enterprise_agent')

/** Create a staff account with its first role grants. */
export function CreateStaffForm({ onClose, onSaved }: { onClose: () => void; onSaved: (a: AccountSummary) => void }) {
  const { t } = useTranslation()
  const { message } = App.useApp()
  const [form] = Form.useForm<Values>()
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const submit = async (v: Values) => {
    setBusy(true)
    setError(null)
    try {
      const created = await api.post<AccountSummary>('/api/admin/accounts', {
        kind: 'staff',
        name: v.name.trim(),
        username: v.username.trim(),
        password: v.password,
        ...(v.phone?.trim() ? { phone: v.phone.trim() } : {}),
        departmentId: v.departmentId,
        roles: v.roles.map((r) => ({ role: r.role, divisionCode: r.divisionCode ?? null, departmentId: null })),
      })
      message.success(t('admin.accounts.created', { name: created.name }))
      onSaved(created)
    } catch (e) {
      applyProblem(form, e, ['name', 'username', 'password', 'phone', 'departmentId', 'roles'])
      setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Modal
      open
      title={t('admin.accounts.createStaff')}
      onCancel={onClose}
      okText={t('common.create')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onOk={() => form.submit()}
      destroyOnHidden
      width={640}
    >
      {error && <Alert type="error" showIcon role="alert" title={error} style={{ marginBottom: 16 }} />}
      <Form<Values> form={form} name="create-staff" layout="vertical" onFinish={submit} disabled={busy} initialValues={{ roles: [{ role: 'window_clerk' }] }}>
        <Form.Item name="name" label={t('admin.accounts.name')} rules={[{ required: true, whitespace: true, message: t('admin.accounts.nameRequired') }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item
          name="username"
          label={t('admin.accounts.username')}
          rules={[
            { required: true, message: t('admin.accounts.usernameRequired') },
            { pattern: /^[a-zA-Z][a-zA-Z0-9_.-]{2,31}$/, message: t('admin.accounts.usernameInvalid') },
          ]}
        >
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item
          name="password"
          label={t('admin.accounts.password')}
          rules={[
            { required: true, message: t('auth.passwordRequired') },
            { min: 8, message: t('admin.accounts.passwordTooShort', { min: 8 }) },
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item name="phone" label={t('admin.accounts.phoneOptional')} rules={[{ pattern: /^1[3-9]\d{9}$/, message: t('admin.accounts.phoneInvalid') }]}>
          <Input inputMode="numeric" autoComplete="off" />
        </Form.Item>
        <Form.Item name="departmentId" label={t('admin.accounts.department')} rules={[{ required: true, message: t('admin.accounts.departmentRequired') }]}>
          <DepartmentSelect allowClear={false} />
        </Form.Item>
        <fieldset className="desk-fieldset">
          <legend>{t('admin.accounts.initialRoles')}</legend>
          <Form.List name="roles" rules={[{ validator: async (_, v: unknown[]) => (v?.length ? undefined : Promise.reject(new Error(t('admin.accounts.roleRequired')))) }]}>
            {(fields, { add, remove }, { errors }) => (
              <>
                {fields.map((field, i) => (
                  <Space key={field.key} align="start" wrap>
                    <Form.Item name={[field.name, 'role']} label={t('admin.accounts.roleN', { n: i + 1 })} rules={[{ required: true, message: t('admin.accounts.roleRequired') }]}>
                      <Select style={{ width: 180 }} options={staffRoles.map((r) => ({ value: r, label: t(`roles.${r}`) }))} />
                    </Form.Item>
                    <Form.Item name={[field.name, 'divisionCode']} label={t('admin.accounts.scopeDivision')}>
                      <DivisionSelect placeholder={t('admin.accounts.wholePlatform')} />
                    </Form.Item>
                    {fields.length > 1 && (
                      <Button onClick={() => remove(field.name)} style={{ marginTop: 30 }} aria-label={t('admin.accounts.removeRoleN', { n: i + 1 })}>
                        {t('common.remove')}
                      </Button>
                    )}
                  </Space>
                ))}
                <Form.ErrorList errors={errors} />
                <Button type="dashed" onClick={() => add({ role: 'window_clerk' })}>
                  {t('admin.accounts.addRole')}
                </Button>
              </>
            )}
          </Form.List>
        </fieldset>
      </Form>
    </Modal>
  )
}
