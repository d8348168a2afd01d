import { UploadOutlined } from '@ant-design/icons'
import { Alert, Button, Card, Space, Table, Typography, Upload } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { errorMessage } from '../../lib/api'
import { catalogApi, exportUrl, XLSX_MIME, type ImportError, type ImportResult } from './api'

/** Excel round trip of the whole catalog: download, and upload with counts or row-level errors. */
export function ExcelPanel({ onImported }: { onImported: () => void }) {
  const { t } = useTranslation()
  const [busy, setBusy] = useState(false)
  const [result, setResult] = useState<ImportResult | null>(null)
  const [error, setError] = useState<string | null>(null)

  const upload = async (file: File) => {
    setBusy(true)
    setError(null)
    setResult(null)
    try {
      const r = await catalogApi.importWorkbook(file)
      setResult(r)
      if (r.errors.length === 0) onImported()
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Card title={<h2 className="desk-card-title">{t('work.catalog.excel.title')}</h2>} style={{ marginTop: 24 }}>
      <Typography.Paragraph type="secondary">{t('work.catalog.excel.help')}</Typography.Paragraph>
      <Space wrap style={{ marginBottom: 12 }}>
        <a href={exportUrl} download="catalog.xlsx">
          {t('work.catalog.excel.export')}
        </a>
        <Upload
          accept={`.xlsx,${XLSX_MIME}`}
          showUploadList={false}
          maxCount={1}
          beforeUpload={(file) => {
            void upload(file)
            return false
          }}
        >
          <Button icon={<UploadOutlined />} loading={busy}>
            {t('work.catalog.excel.import')}
          </Button>
        </Upload>
      </Space>
      {error ? <Alert type="error" showIcon role="alert" title={error} /> : null}
      {result && result.errors.length === 0 ? (
        <Alert type="success" showIcon role="status" title={t('work.catalog.excel.done', { created: result.created, updated: result.updated, unchanged: result.unchanged })} />
      ) : null}
      {result && result.errors.length > 0 ? (
        <>
          <Alert type="error" showIcon role="alert" title={t('work.catalog.excel.rejected', { count: result.errors.length })} style={{ marginBottom: 12 }} />
          <Table<ImportError>
            size="small"
            rowKey={(e) => `${e.sheet}-${e.row}-${e.column}-${e.code}-${e.message}`}
            dataSource={result.errors}
            pagination={result.errors.length > 20 ? { pageSize: 20, showSizeChanger: false } : false}
            columns={[
              { title: t('work.catalog.excel.sheet'), dataIndex: 'sheet' },
              { title: t('work.catalog.excel.row'), dataIndex: 'row', render: (v: number | null) => v ?? '—' },
              { title: t('work.catalog.excel.column'), dataIndex: 'column', render: (v: string | null) => v ?? '—' },
              { title: t('work.catalog.excel.field'), dataIndex: 'field', render: (v: string | null) => v ?? '—' },
              { title: t('work.catalog.excel.message'), dataIndex: 'message' },
            ]}
          />
        </>
      ) : null}
    </Card>
  )
}
