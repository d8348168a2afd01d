import { Alert, App, Button, Form, Modal, Popconfirm, Select, Space, Table, Typography } from 'antd'
import type { ColumnsType } from 'antd/es/table'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api, ApiError, errorMessage } from '../../../lib/api'
import { applyProblem } from '../../../lib/desk/forms'
import type { DispatchRule } from '../../../lib/hotline'
import type { Division } from '../../../lib/types'
import { useFetch } from '../../../lib/use-fetch'
import { useSession } from '../../../lib/session'
import { categoryName, isHotlineAdmin, useCategories, useDepartments } from '../common'

interface Values {
  categoryCode?: string | null
  divisionPrefix?: string | null
  departmentId?: string
  assistDepartmentIds?: string[]
}

/** The dispatch rules table (category × division → main and assisting departments); a rule with neither is the default. */
export default function RulesPage() {
  const { t, i18n } = useTranslation()
  const { message } = App.useApp()
  const rules = useFetch((signal) => api.get<DispatchRule[]>('/api/hotline/dispatch-rules', undefined, signal), [])
  const categories = useCategories()
  const departments = useDepartments()
  const divisions = useFetch((signal) => api.get<{ items: Division[] }>('/api/org/divisions', { parent: '140900' }, signal).then((r) => r.items), [])
  const [editing, setEditing] = useState<DispatchRule | 'new' | null>(null)
  // Operators read the rules (they dispatch by them); only the centre's admins change them.
  const { me } = useSession()
  const admin = isHotlineAdmin(me)

  const categoryLabel = (code: string | null) => {
    if (!code) return t('hotline.rules.anyCategory')
    const c = categories.data?.find((x) => x.code === code)
    return c ? categoryName(c, i18n.language) : code
  }
  const divisionLabel = (code: string | null) => (code ? (divisions.data?.find((d) => d.code === code)?.name ?? code) : t('hotline.rules.anyDivision'))
  const deptName = (id: string) => departments.data?.find((d) => d.id === id)?.name ?? id

  const remove = async (r: DispatchRule) => {
    try {
      await api.delete(`/api/hotline/dispatch-rules/${encodeURIComponent(r.id)}`)
      message.success(t('hotline.rules.deleted'))
    } catch (e) {
      message.error(errorMessage(e))
    }
    rules.reload()
  }

  const columns: ColumnsType<DispatchRule> = [
    { title: t('hotline.field.category'), dataIndex: 'categoryCode', render: (v: string | null) => categoryLabel(v) },
    { title: t('hotline.rules.division'), dataIndex: 'divisionPrefix', render: (v: string | null) => divisionLabel(v) },
    { title: t('hotline.field.mainDepartment'), dataIndex: 'departmentName' },
    { title: t('hotline.field.assistDepartments'), dataIndex: 'assistDepartmentIds', render: (ids: string[]) => (ids.length ? ids.map(deptName).join('、') : '—') },
    ...(!admin ? [] : [{
      title: t('common.actions'),
      key: 'actions',
      render: (_: unknown, r: DispatchRule) => (
        <Space>
          <Button size="small" onClick={() => setEditing(r)} aria-label={t('hotline.rules.editLabel', { category: categoryLabel(r.categoryCode), division: divisionLabel(r.divisionPrefix) })}>
            {t('common.edit')}
          </Button>
          <Popconfirm title={t('hotline.rules.deleteConfirm')} okText={t('common.delete')} cancelText={t('common.cancel')} onConfirm={() => void remove(r)}>
            <Button size="small" danger aria-label={t('hotline.rules.deleteLabel', { category: categoryLabel(r.categoryCode), division: divisionLabel(r.divisionPrefix) })}>
              {t('common.delete')}
            </Button>
          </Popconfirm>
        </Space>
      ),
    }]),
  ]

  return (
    <>
      <Typography.Title level={1} className="desk-page-title">
        {t('hotline.rules.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('hotline.rules.hint')}</Typography.Paragraph>
      {admin && (
        <Button type="primary" onClick={() => setEditing('new')} style={{ marginBottom: 12 }}>
          {t('hotline.rules.add')}
        </Button>
      )}
      {rules.error ? <Alert type="error" showIcon title={errorMessage(rules.error)} style={{ marginBottom: 16 }} /> : null}
      <Table<DispatchRule> rowKey="id" size="middle" loading={rules.loading} columns={columns} dataSource={rules.data ?? []} pagination={false} />
      {editing && (
        <RuleModal
          rule={editing === 'new' ? null : editing}
          categoryOptions={[{ value: '', label: t('hotline.rules.anyCategory') }, ...(categories.data ?? []).map((c) => ({ value: c.code, label: categoryName(c, i18n.language) }))]}
          divisionOptions={[{ value: '', label: t('hotline.rules.anyDivision') }, ...(divisions.data ?? []).map((d) => ({ value: d.code, label: d.name }))]}
          departmentOptions={(departments.data ?? []).map((d) => ({ value: d.id, label: d.name }))}
          onClose={() => setEditing(null)}
          onDone={() => (setEditing(null), rules.reload())}
        />
      )}
    </>
  )
}

type Option = { value: string; label: string }

function RuleModal({ rule, categoryOptions, divisionOptions, departmentOptions, onClose, onDone }: { rule: DispatchRule | null; categoryOptions: Option[]; divisionOptions: Option[]; departmentOptions: Option[]; onClose: () => void; onDone: () => void }) {
  const { t } = useTranslation()
  const { message } = App.useApp()
  const [form] = Form.useForm<Values>()
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const submit = async (v: Values) => {
    setBusy(true)
    setError(null)
    const body = { categoryCode: v.categoryCode || null, divisionPrefix: v.divisionPrefix || null, departmentId: v.departmentId, assistDepartmentIds: v.assistDepartmentIds ?? [] }
    try {
      // A rule's key (category × division) is fixed; editing changes its departments only.
      if (rule) await api.patch(`/api/hotline/dispatch-rules/${encodeURIComponent(rule.id)}`, { version: rule.version, departmentId: body.departmentId, assistDepartmentIds: body.assistDepartmentIds })
      else await api.post('/api/hotline/dispatch-rules', body)
      message.success(t('hotline.rules.saved'))
      onDone()
    } catch (e) {
      applyProblem(form, e, ['categoryCode', 'divisionPrefix', 'departmentId', 'assistDepartmentIds'])
      setError(e instanceof ApiError ? e.problem.title : errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Modal open title={rule ? t('hotline.rules.edit') : t('hotline.rules.add')} okText={t('common.save')} cancelText={t('common.cancel')} confirmLoading={busy} onOk={() => form.submit()} onCancel={onClose} destroyOnHidden>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form<Values>
        form={form}
        layout="vertical"
        onFinish={(v) => void submit(v)}
        initialValues={{ categoryCode: rule?.categoryCode ?? '', divisionPrefix: rule?.divisionPrefix ?? '', departmentId: rule?.departmentId, assistDepartmentIds: rule?.assistDepartmentIds ?? [] }}
      >
        <Form.Item name="categoryCode" label={t('hotline.field.category')}>
          <Select disabled={!!rule} showSearch={{ optionFilterProp: 'label' }} options={categoryOptions} />
        </Form.Item>
        <Form.Item name="divisionPrefix" label={t('hotline.rules.division')}>
          <Select disabled={!!rule} showSearch={{ optionFilterProp: 'label' }} options={divisionOptions} />
        </Form.Item>
        <Form.Item name="departmentId" label={t('hotline.field.mainDepartment')} rules={[{ required: true, message: t('hotline.field.departmentRequired') }]}>
          <Select showSearch={{ optionFilterProp: 'label' }} options={departmentOptions} />
        </Form.Item>
        <Form.Item name="assistDepartmentIds" label={t('hotline.field.assistDepartments')}>
          <Select mode="multiple" showSearch={{ optionFilterProp: 'label' }} options={departmentOptions} />
        </Form.Item>
      </Form>
    </Modal>
  )
}
