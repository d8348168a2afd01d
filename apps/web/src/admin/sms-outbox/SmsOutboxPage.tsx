import { Button, Typography } from 'antd'
import type { ColumnsType } from 'antd/es/table'
import { useTranslation } from 'react-i18next'
import { api } from '../../lib/api'
import { formatDateTime } from '../../lib/format'
import type { Page, SmsMessage } from '../../lib/types'
import { useFetch } from '../../lib/use-fetch'
import { LoadError } from '../components/LoadError'
import { PageHead } from '../components/PageHead'
import { PagedTable } from '../../lib/desk/PagedTable'
import { usePaging } from '../../lib/desk/paging'

/** The development SMS outbox: texts the platform would have sent (login codes etc.). */
export default function SmsOutboxPage() {
  const { t } = useTranslation()
  const { page, pageSize, paging } = usePaging()
  const list = useFetch((signal) => api.get<Page<SmsMessage>>('/api/admin/sms-outbox', { page, pageSize }, signal), [page, pageSize])

  const columns: ColumnsType<SmsMessage> = [
    { title: t('admin.sms.createdAt'), dataIndex: 'createdAt', key: 'createdAt', render: (v: string) => formatDateTime(v), width: 200 },
    { title: t('admin.sms.phone'), dataIndex: 'phone', key: 'phone', render: (v: string) => <span className="desk-mono">{v}</span>, width: 160 },
    { title: t('admin.sms.text'), dataIndex: 'text', key: 'text' },
  ]

  return (
    <>
      <PageHead
        title={t('admin.sms.title')}
        extra={
          <Button onClick={list.reload} loading={list.loading}>
            {t('common.refresh')}
          </Button>
        }
      />
      <Typography.Paragraph type="secondary">{t('admin.sms.intro')}</Typography.Paragraph>
      <LoadError error={list.error} onRetry={list.reload} />
      <PagedTable<SmsMessage>
        list={list}
        paging={paging}
        columns={columns}
        empty={t('admin.sms.empty')}
      />
    </>
  )
}
