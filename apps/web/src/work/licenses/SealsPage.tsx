import { UploadOutlined } from '@ant-design/icons'
import { Alert, App, Button, Card, Empty, Form, Input, Space, Table, Tag, Typography, Upload } from 'antd'
import type { ColumnsType } from 'antd/es/table'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api, errorMessage } from '../../lib/api'
import { applyProblem } from '../../lib/desk/forms'
import { formatDateTime } from '../../lib/format'
import type { Seal } from '../../lib/licenses'
import { useSession } from '../../lib/session'
import type { Page } from '../../lib/types'
import { useFetch } from '../../lib/use-fetch'
import { ownDepartmentId } from './access'
import { DepartmentPicker } from './DepartmentPicker'
import { fileToBase64 } from './files'

const PAGE_SIZE = 20

/** 电子印章: a department's seals (SM2 key pairs kept on the server), a new one with a generated or uploaded image. */
export function SealsPage() {
  const { t } = useTranslation()
  const { me } = useSession()
  const { message } = App.useApp()
  const [departmentId, setDepartmentId] = useState<string | null>(ownDepartmentId(me))
  const [page, setPage] = useState(1)
  const [form] = Form.useForm<{ name?: string }>()
  const [png, setPng] = useState<File | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const list = useFetch(
    (signal) => api.get<Page<Seal>>('/api/licenses/seals', { departmentId: departmentId ?? undefined, page, pageSize: PAGE_SIZE }, signal),
    [departmentId, page],
  )

  const create = async (v: { name?: string }) => {
    if (!departmentId) return setError(t('licenses.work.pickDepartment'))
    setBusy(true)
    setError(null)
    try {
      const body: Record<string, unknown> = { departmentId, name: (v.name ?? '').trim() }
      if (png) body.imagePngBase64 = await fileToBase64(png)
      await api.post<Seal>('/api/licenses/seals', body)
      message.success(t('licenses.work.sealCreated'))
      form.resetFields()
      setPng(null)
      list.reload()
    } catch (e) {
      applyProblem(form, e, ['name'])
      setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  const toggle = async (s: Seal) => {
    try {
      await api.patch<Seal>(`/api/licenses/seals/${encodeURIComponent(s.id)}`, { status: s.status === 'active' ? 'disabled' : 'active' })
      list.reload()
    } catch (e) {
      message.error(errorMessage(e))
    }
  }

  const columns: ColumnsType<Seal> = [
    { title: t('licenses.work.sealImage'), dataIndex: 'imageUrl', render: (v: string, s) => <img src={v} alt={t('licenses.verify.sealAlt', { name: s.name })} width={64} height={64} /> },
    { title: t('licenses.work.sealName'), dataIndex: 'name' },
    { title: t('licenses.work.department'), dataIndex: 'departmentName', responsive: ['lg'] },
    { title: t('licenses.work.imageSource'), dataIndex: 'imageSource', render: (v: Seal['imageSource']) => t(`licenses.work.imageSources.${v}`), responsive: ['md'] },
    { title: t('licenses.field.status'), dataIndex: 'status', render: (v: Seal['status']) => <Tag color={v === 'active' ? 'green' : undefined}>{t(`licenses.work.sealStatus.${v}`)}</Tag> },
    { title: t('licenses.work.createdAt'), dataIndex: 'createdAt', render: (v: string) => formatDateTime(v), responsive: ['lg'] },
    {
      title: t('common.actions'),
      key: 'actions',
      render: (_: unknown, s) => (
        <Button size="small" onClick={() => void toggle(s)} aria-label={`${t(s.status === 'active' ? 'licenses.work.disable' : 'licenses.work.enable')} ${s.name}`}>
          {t(s.status === 'active' ? 'licenses.work.disable' : 'licenses.work.enable')}
        </Button>
      ),
    },
  ]

  return (
    <>
      <Typography.Title level={1} className="desk-page-title">
        {t('licenses.work.sealsTitle')}
      </Typography.Title>
      <Space style={{ marginBottom: 12 }} wrap>
        <DepartmentPicker value={departmentId} onChange={(id) => (setDepartmentId(id), setPage(1))} />
      </Space>
      {list.error ? <Alert type="error" showIcon title={errorMessage(list.error)} style={{ marginBottom: 16 }} /> : null}
      <Table<Seal>
        rowKey="id"
        size="middle"
        loading={list.loading}
        columns={columns}
        dataSource={list.data?.items ?? []}
        locale={{ emptyText: <Empty description={t('licenses.work.noSeals')} /> }}
        pagination={{ current: page, pageSize: PAGE_SIZE, total: list.data?.total ?? 0, showSizeChanger: false, onChange: setPage }}
      />
      <Card title={<h2 className="desk-card-title">{t('licenses.work.newSeal')}</h2>} style={{ marginTop: 24 }}>
        <Typography.Paragraph type="secondary">{t('licenses.work.newSealHelp')}</Typography.Paragraph>
        {error ? <Alert type="error" showIcon role="alert" title={error} style={{ marginBottom: 12 }} /> : null}
        <Form form={form} layout="vertical" onFinish={(v) => void create(v)} style={{ maxWidth: 480 }}>
          <Form.Item name="name" label={t('licenses.work.sealName')} rules={[{ required: true, whitespace: true, message: t('licenses.work.sealNameRequired') }]}>
            <Input maxLength={60} placeholder={t('licenses.work.sealNameHint')} />
          </Form.Item>
          <Form.Item label={t('licenses.work.sealUpload')}>
            <Upload
              accept="image/png"
              maxCount={1}
              beforeUpload={(file) => {
                setPng(file)
                return false
              }}
              onRemove={() => setPng(null)}
              fileList={png ? [{ uid: '1', name: png.name, status: 'done' }] : []}
            >
              <Button icon={<UploadOutlined />}>{t('licenses.work.choosePng')}</Button>
            </Upload>
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={busy}>
            {t('licenses.work.createSeal')}
          </Button>
        </Form>
      </Card>
    </>
  )
}
