import { Alert, Card, Col, Row, Statistic, Table, Typography } from 'antd'
import type { ColumnsType } from 'antd/es/table'
import { useTranslation } from 'react-i18next'
import { useSearchParams } from 'react-router'
import { api, errorMessage } from '../../../lib/api'
import { formatRate, type DepartmentMetrics, type Metrics } from '../../../lib/hotline'
import { useFetch } from '../../../lib/use-fetch'

const isDate = (v: string | null): v is string => !!v && /^\d{4}-\d{2}-\d{2}$/.test(v)
const today = () => new Date().toISOString().slice(0, 10)
const monthStart = () => `${today().slice(0, 8)}01`

/** 三率 per department (响应率, 解决率, 满意率) and the centre's 直接办结率 for a period. */
export default function MetricsPage() {
  const { t } = useTranslation()
  const [params, setParams] = useSearchParams()
  const from = isDate(params.get('from')) ? params.get('from')! : monthStart()
  const to = isDate(params.get('to')) ? params.get('to')! : today()
  const data = useFetch((signal) => api.get<Metrics>('/api/hotline/metrics', { from, to }, signal), [from, to])

  const columns: ColumnsType<DepartmentMetrics> = [
    { title: t('hotline.metrics.department'), dataIndex: 'departmentName' },
    { title: t('hotline.metrics.dispatched'), dataIndex: 'dispatched', align: 'right' },
    { title: t('hotline.metrics.responseRate'), dataIndex: 'responseRate', align: 'right', render: (v: number | null, m) => <span title={`${m.signedInTime}/${m.dispatched}`}>{formatRate(v)}</span> },
    { title: t('hotline.metrics.resolutionRate'), dataIndex: 'resolutionRate', align: 'right', render: (v: number | null, m) => <span title={`${m.resolved}/${m.replied}`}>{formatRate(v)}</span> },
    { title: t('hotline.metrics.satisfactionRate'), dataIndex: 'satisfactionRate', align: 'right', render: (v: number | null, m) => <span title={`${m.satisfied}/${m.callbacks}`}>{formatRate(v)}</span> },
  ]

  return (
    <>
      <Typography.Title level={1} className="desk-page-title">
        {t('hotline.metrics.title')}
      </Typography.Title>
      <div style={{ marginBottom: 16, display: 'flex', gap: 12, alignItems: 'center', flexWrap: 'wrap' }}>
        <label htmlFor="hotline-metrics-from">{t('hotline.metrics.from')}</label>
        <input id="hotline-metrics-from" type="date" value={from} max={to} onChange={(e) => isDate(e.target.value) && setParams({ from: e.target.value, to })} className="hotline-date" />
        <label htmlFor="hotline-metrics-to">{t('hotline.metrics.to')}</label>
        <input id="hotline-metrics-to" type="date" value={to} min={from} onChange={(e) => isDate(e.target.value) && setParams({ from, to: e.target.value })} className="hotline-date" />
      </div>
      {data.error ? <Alert type="error" showIcon title={errorMessage(data.error)} style={{ marginBottom: 16 }} /> : null}
      <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
        <Col xs={12} md={6}>
          <Card>
            <Statistic title={t('hotline.metrics.total')} value={data.data?.centre.total ?? '—'} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card>
            <Statistic title={t('hotline.metrics.consults')} value={data.data?.centre.consults ?? '—'} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card>
            <Statistic title={t('hotline.metrics.directClosed')} value={data.data?.centre.directClosed ?? '—'} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card>
            <Statistic title={t('hotline.metrics.directCloseRate')} value={formatRate(data.data?.centre.directCloseRate)} />
          </Card>
        </Col>
      </Row>
      <Typography.Paragraph type="secondary">{t('hotline.metrics.explain')}</Typography.Paragraph>
      <Table<DepartmentMetrics> rowKey="departmentId" size="middle" loading={data.loading} columns={columns} dataSource={data.data?.departments ?? []} pagination={false} />
    </>
  )
}
