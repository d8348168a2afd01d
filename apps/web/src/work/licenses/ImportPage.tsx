import { UploadOutlined } from '@ant-design/icons'
import { Alert, Button, Card, Form, Select, Space, Table, Typography, Upload } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { api, ApiError, errorMessage } from '../../lib/api'
import type { LicenseType, Seal } from '../../lib/licenses'
import { useSession } from '../../lib/session'
import type { Page } from '../../lib/types'
import { useFetch } from '../../lib/use-fetch'
import { ownDepartmentId } from './access'
import { DepartmentPicker } from './DepartmentPicker'
import { fileToBase64 } from './files'

interface RowError {
  row: number
  column: string | null
  code: string
  message: string
}

/**
 * 证照汇聚: an issuing department's existing licenses from a CSV or Excel sheet. The whole file
 * is checked first; one bad row rejects it with every row's problems and nothing is written.
 */
export function ImportPage() {
  const { t } = useTranslation()
  const { me } = useSession()
  const [departmentId, setDepartmentId] = useState<string | null>(ownDepartmentId(me))
  const [type, setType] = useState<string | null>(null)
  const [sealId, setSealId] = useState<string | null>(null)
  const [file, setFile] = useState<File | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [rowErrors, setRowErrors] = useState<RowError[]>([])
  const [done, setDone] = useState<number | null>(null)
  const types = useFetch((signal) => api.get<{ items: LicenseType[] }>('/api/licenses/types', undefined, signal), [])
  const seals = useFetch(
    (signal) => (departmentId ? api.get<Page<Seal>>('/api/licenses/seals', { departmentId, pageSize: 50 }, signal) : Promise.resolve(null)),
    [departmentId],
  )
  const chosenType = types.data?.items.find((x) => x.code === type) ?? null

  const send = async () => {
    setError(null)
    setRowErrors([])
    setDone(null)
    if (!departmentId || !type || !file) return setError(t('licenses.work.importMissing'))
    setBusy(true)
    try {
      // CSV goes as text, a workbook as Base64.
      const format = file.name.toLowerCase().endsWith('.xlsx') ? 'xlsx' : 'csv'
      const r = await api.post<{ imported: number; licenseIds: string[] }>('/api/licenses/imports', {
        departmentId,
        type,
        sealId: sealId ?? undefined,
        format,
        fileName: file.name,
        content: format === 'xlsx' ? await fileToBase64(file) : await file.text(),
      })
      setDone(r.imported)
    } catch (e) {
      setError(errorMessage(e))
      if (e instanceof ApiError && Array.isArray(e.problem.errors)) setRowErrors((e.problem.errors as unknown as RowError[]).filter((x) => typeof x.row === 'number'))
    } finally {
      setBusy(false)
    }
  }

  return (
    <>
      <Typography.Title level={1} className="desk-page-title">
        {t('licenses.work.importTitle')}
      </Typography.Title>
      <Card>
        <Typography.Paragraph type="secondary">{t('licenses.work.importHelp')}</Typography.Paragraph>
        <Form layout="vertical" style={{ maxWidth: 560 }} onFinish={() => void send()}>
          <Form.Item label={t('licenses.work.department')} required>
            <DepartmentPicker value={departmentId} onChange={(id) => (setDepartmentId(id), setSealId(null))} />
          </Form.Item>
          <Form.Item label={t('licenses.work.type')} required>
            <Select value={type ?? undefined} onChange={(v: string) => setType(v)} aria-label={t('licenses.work.type')} options={(types.data?.items ?? []).map((x) => ({ value: x.code, label: x.name }))} />
          </Form.Item>
          {chosenType && (
            <Typography.Paragraph>
              {t('licenses.work.importColumns')}
              <code>
                {[
                  ...(chosenType.holderKind === 'entity' ? [t('licenses.work.col.entityName'), t('licenses.work.col.creditCode')] : [t('licenses.work.col.name'), t('licenses.work.col.idNumber')]),
                  t('licenses.work.col.validFrom'),
                  t('licenses.work.col.validUntil'),
                  ...chosenType.fields.map((f) => f.label),
                ].join('，')}
              </code>
            </Typography.Paragraph>
          )}
          <Form.Item label={t('licenses.work.seal')}>
            <Select
              allowClear
              value={sealId ?? undefined}
              onChange={(v?: string) => setSealId(v ?? null)}
              aria-label={t('licenses.work.seal')}
              placeholder={t('licenses.work.sealDefault')}
              options={(seals.data?.items ?? []).filter((s) => s.status === 'active').map((s) => ({ value: s.id, label: s.name }))}
            />
          </Form.Item>
          <Form.Item label={t('licenses.work.importFile')} required>
            <Upload
              accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
              maxCount={1}
              beforeUpload={(f) => {
                setFile(f)
                return false
              }}
              onRemove={() => setFile(null)}
              fileList={file ? [{ uid: '1', name: file.name, status: 'done' }] : []}
            >
              <Button icon={<UploadOutlined />}>{t('licenses.work.chooseFile')}</Button>
            </Upload>
          </Form.Item>
          <Space>
            <Button type="primary" htmlType="submit" loading={busy}>
              {t('licenses.work.importRun')}
            </Button>
            <Link to="/work/licenses">{t('licenses.work.issuedTitle')}</Link>
          </Space>
        </Form>
      </Card>
      <div style={{ marginTop: 16 }}>
        {done !== null && <Alert type="success" showIcon role="status" title={t('licenses.work.imported', { count: done })} />}
        {error && <Alert type="error" showIcon role="alert" title={error} style={{ marginBottom: 12 }} />}
        {rowErrors.length > 0 && (
          <Table<RowError>
            size="small"
            rowKey={(e) => `${e.row}-${e.column}-${e.code}-${e.message}`}
            dataSource={rowErrors}
            pagination={rowErrors.length > 20 ? { pageSize: 20, showSizeChanger: false } : false}
            columns={[
              { title: t('licenses.work.row'), dataIndex: 'row' },
              { title: t('licenses.work.column'), dataIndex: 'column', render: (v: string | null) => v ?? '—' },
              { title: t('licenses.work.problem'), dataIndex: 'message' },
            ]}
          />
        )}
      </div>
    </>
  )
}
