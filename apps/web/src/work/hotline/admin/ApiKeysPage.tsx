import { Alert, App, Button, Form, Input, Modal, Popconfirm, Table, Typography } from 'antd'
import type { ColumnsType } from 'antd/es/table'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api, errorMessage } from '../../../lib/api'
import { formatDateTime } from '../../../lib/format'
import type { ApiKey } from '../../../lib/hotline'
import { useFetch } from '../../../lib/use-fetch'

/** Open311 api_keys of posting clients: the key is shown once, when created; revoking is immediate. */
export default function ApiKeysPage() {
  const { t } = useTranslation()
  const { message } = App.useApp()
  const keys = useFetch((signal) => api.get<ApiKey[] | { items: ApiKey[] }>('/api/hotline/api-keys', undefined, signal).then((r) => (Array.isArray(r) ? r : r.items)), [])
  const [created, setCreated] = useState<ApiKey | null>(null)
  const [busy, setBusy] = useState(false)
  const [form] = Form.useForm<{ name: string }>()

  const create = async ({ name }: { name: string }) => {
    setBusy(true)
    try {
      setCreated(await api.post<ApiKey>('/api/hotline/api-keys', { name: name.trim() }))
      form.resetFields()
      keys.reload()
    } catch (e) {
      message.error(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  const revoke = async (k: ApiKey) => {
    try {
      await api.delete(`/api/hotline/api-keys/${encodeURIComponent(k.id)}`)
      message.success(t('hotline.apiKeys.revoked', { name: k.name }))
    } catch (e) {
      message.error(errorMessage(e))
    }
    keys.reload()
  }

  const columns: ColumnsType<ApiKey> = [
    { title: t('hotline.apiKeys.name'), dataIndex: 'name' },
    { title: t('hotline.field.createdAt'), dataIndex: 'createdAt', render: (v: string) => formatDateTime(v) },
    { title: t('hotline.apiKeys.revokedAt'), dataIndex: 'revokedAt', render: (v: string | null | undefined) => (v ? formatDateTime(v) : t('hotline.apiKeys.active')) },
    {
      title: t('common.actions'),
      key: 'revoke',
      render: (_: unknown, k) => k.revokedAt ? null : (
        <Popconfirm title={t('hotline.apiKeys.revokeConfirm', { name: k.name })} okText={t('hotline.apiKeys.revoke')} cancelText={t('common.cancel')} onConfirm={() => void revoke(k)}>
          <Button size="small" danger aria-label={t('hotline.apiKeys.revokeLabel', { name: k.name })}>
            {t('hotline.apiKeys.revoke')}
          </Button>
        </Popconfirm>
      ),
    },
  ]

  return (
    <>
      <Typography.Title level={1} className="desk-page-title">
        {t('hotline.apiKeys.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('hotline.apiKeys.hint')}</Typography.Paragraph>
      <Form form={form} layout="inline" onFinish={(v) => void create(v)} style={{ marginBottom: 12 }}>
        <Form.Item name="name" label={t('hotline.apiKeys.name')} rules={[{ required: true, min: 2, whitespace: true, message: t('hotline.ticket.textRequired') }]}>
          <Input maxLength={100} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy}>
          {t('hotline.apiKeys.create')}
        </Button>
      </Form>
      {keys.error ? <Alert type="error" showIcon title={errorMessage(keys.error)} style={{ marginBottom: 16 }} /> : null}
      <Table<ApiKey> rowKey="id" size="middle" loading={keys.loading} columns={columns} dataSource={keys.data ?? []} pagination={false} />
      <Modal open={!!created} title={t('hotline.apiKeys.createdTitle')} onOk={() => setCreated(null)} onCancel={() => setCreated(null)} okText={t('common.close')} cancelButtonProps={{ style: { display: 'none' } }}>
        <Typography.Paragraph>{t('hotline.apiKeys.shownOnce')}</Typography.Paragraph>
        <Typography.Paragraph copyable code>
          {created?.key}
        </Typography.Paragraph>
      </Modal>
    </>
  )
}
