import { Alert, App, Button, Descriptions, Empty, Form, Input, Modal, Popconfirm, Table, Typography } from 'antd'
import type { ColumnsType } from 'antd/es/table'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api, errorMessage } from '../../lib/api'
import { applyProblem } from '../../lib/desk/forms'
import { formatDateTime } from '../../lib/format'
import type { OidcClient, RegisteredOidcClient } from '../../lib/types'
import { useFetch } from '../../lib/use-fetch'
import { LoadError } from '../components/LoadError'
import { PageHead } from '../components/PageHead'

interface Values {
  name: string
  redirectUris: string
  postLogoutRedirectUris?: string
}

const lines = (s: string | undefined) =>
  (s ?? '')
    .split(/\s+/)
    .map((l) => l.trim())
    .filter(Boolean)

function isUrl(s: string): boolean {
  try {
    const u = new URL(s)
    return u.protocol === 'https:' || u.protocol === 'http:'
  } catch {
    return false
  }
}

/** OpenID Connect relying parties: list, register (the secret is shown once), delete. */
export default function OidcClientsPage() {
  const { t } = useTranslation()
  const { message } = App.useApp()
  const list = useFetch((signal) => api.get<{ items: OidcClient[] }>('/api/admin/oidc-clients', undefined, signal), [])
  const [registering, setRegistering] = useState(false)
  const [registered, setRegistered] = useState<RegisteredOidcClient | null>(null)

  const remove = async (c: OidcClient) => {
    try {
      await api.delete(`/api/admin/oidc-clients/${encodeURIComponent(c.clientId)}`)
      message.success(t('admin.oidc.deleted', { name: c.name }))
      list.reload()
    } catch (e) {
      message.error(errorMessage(e))
    }
  }

  const columns: ColumnsType<OidcClient> = [
    { title: t('admin.oidc.name'), dataIndex: 'name', key: 'name' },
    { title: t('admin.oidc.clientId'), dataIndex: 'clientId', key: 'clientId', render: (v: string) => <Typography.Text code copyable>{v}</Typography.Text> },
    {
      title: t('admin.oidc.redirectUris'),
      dataIndex: 'redirectUris',
      key: 'redirectUris',
      render: (uris: string[]) => (
        <ul className="desk-plain-list">
          {uris.map((u) => (
            <li key={u} className="desk-mono">
              {u}
            </li>
          ))}
        </ul>
      ),
    },
    { title: t('admin.oidc.createdAt'), dataIndex: 'createdAt', key: 'createdAt', render: (v: string) => formatDateTime(v) },
    {
      title: t('common.actions'),
      key: 'actions',
      render: (_: unknown, c) => (
        <Popconfirm
          title={t('admin.oidc.deleteTitle')}
          description={t('admin.oidc.deleteConfirm', { name: c.name })}
          okText={t('common.delete')}
          okButtonProps={{ danger: true }}
          cancelText={t('common.cancel')}
          onConfirm={() => remove(c)}
        >
          <Button type="link" danger size="small" aria-label={t('admin.oidc.deleteNamed', { name: c.name })}>
            {t('common.delete')}
          </Button>
        </Popconfirm>
      ),
    },
  ]

  return (
    <>
      <PageHead
        title={t('admin.oidc.title')}
        extra={
          <Button type="primary" onClick={() => setRegistering(true)}>
            {t('admin.oidc.register')}
          </Button>
        }
      />
      <Typography.Paragraph type="secondary">
        {t('admin.oidc.intro')} <a href="/.well-known/openid-configuration">{t('admin.oidc.discovery')}</a>
      </Typography.Paragraph>
      <LoadError error={list.error} onRetry={list.reload} />
      <Table<OidcClient>
        rowKey="clientId"
        columns={columns}
        dataSource={list.data?.items ?? []}
        loading={list.loading}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: <Empty description={t('admin.oidc.empty')} /> }}
      />
      {registering && (
        <RegisterForm
          onClose={() => setRegistering(false)}
          onSaved={(c) => {
            setRegistering(false)
            setRegistered(c)
            list.reload()
          }}
        />
      )}
      <Modal
        open={!!registered}
        title={t('admin.oidc.secretTitle')}
        onCancel={() => setRegistered(null)}
        footer={
          <Button type="primary" onClick={() => setRegistered(null)}>
            {t('admin.oidc.secretDone')}
          </Button>
        }
        mask={{ closable: false }}
        destroyOnHidden
        width={600}
      >
        {registered && (
          <>
            <Alert type="warning" showIcon title={t('admin.oidc.secretOnce')} style={{ marginBottom: 16 }} />
            <Descriptions
              column={1}
              bordered
              size="small"
              items={[
                { key: 'name', label: t('admin.oidc.name'), children: registered.name },
                {
                  key: 'clientId',
                  label: t('admin.oidc.clientId'),
                  children: (
                    <Typography.Text code copyable data-testid="client-id">
                      {registered.clientId}
                    </Typography.Text>
                  ),
                },
                {
                  key: 'secret',
                  label: t('admin.oidc.clientSecret'),
                  children: (
                    <Typography.Text code copyable data-testid="client-secret" className="desk-mono">
                      {registered.clientSecret}
                    </Typography.Text>
                  ),
                },
              ]}
            />
          </>
        )}
      </Modal>
    </>
  )
}

function RegisterForm({ onClose, onSaved }: { onClose: () => void; onSaved: (c: RegisteredOidcClient) => void }) {
  const { t } = useTranslation()
  const [form] = Form.useForm<Values>()
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const urlsRule = (required: boolean) => ({
    validator: async (_: unknown, v: string | undefined) => {
      const list = lines(v)
      if (required && list.length === 0) throw new Error(t('admin.oidc.redirectRequired'))
      const bad = list.find((u) => !isUrl(u))
      if (bad) throw new Error(t('admin.oidc.urlInvalid', { url: bad }))
    },
  })

  const submit = async (v: Values) => {
    setBusy(true)
    setError(null)
    try {
      const created = await api.post<RegisteredOidcClient>('/api/admin/oidc-clients', {
        name: v.name.trim(),
        redirectUris: lines(v.redirectUris),
        postLogoutRedirectUris: lines(v.postLogoutRedirectUris),
      })
      onSaved(created)
    } catch (e) {
      applyProblem(form, e, ['name', 'redirectUris', 'postLogoutRedirectUris'])
      setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Modal
      open
      title={t('admin.oidc.register')}
      onCancel={onClose}
      okText={t('admin.oidc.registerOk')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onOk={() => form.submit()}
      destroyOnHidden
      width={560}
    >
      {error && <Alert type="error" showIcon role="alert" title={error} style={{ marginBottom: 16 }} />}
      <Form<Values> form={form} name="oidc-client" layout="vertical" onFinish={submit} disabled={busy}>
        <Form.Item name="name" label={t('admin.oidc.name')} rules={[{ required: true, whitespace: true, message: t('admin.oidc.nameRequired') }]}>
          <Input />
        </Form.Item>
        <Form.Item name="redirectUris" label={t('admin.oidc.redirectUris')} extra={t('admin.oidc.onePerLine')} rules={[urlsRule(true)]}>
          <Input.TextArea rows={3} placeholder={t('admin.oidc.redirectExample')} />
        </Form.Item>
        <Form.Item name="postLogoutRedirectUris" label={t('admin.oidc.postLogoutRedirectUris')} extra={t('admin.oidc.onePerLine')} rules={[urlsRule(false)]}>
          <Input.TextArea rows={2} />
        </Form.Item>
      </Form>
    </Modal>
  )
}
