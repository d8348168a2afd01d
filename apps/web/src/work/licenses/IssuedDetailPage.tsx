import { Alert, App, Button, Card, Col, Descriptions, Form, Input, Modal, Result, Row, Skeleton, Space, Timeline, Typography } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useParams } from 'react-router'
import { api, ApiError, errorMessage } from '../../lib/api'
import { applyProblem } from '../../lib/desk/forms'
import { formatDateTime, shortHex } from '../../lib/format'
import type { LicenseDetail } from '../../lib/licenses'
import { useSession } from '../../lib/session'
import { useFetch } from '../../lib/use-fetch'
import { canManageLicenses } from './access'
import { LicenseStatusTag } from './LicenseStatusTag'

type StatusAction = 'revoke' | 'suspend' | 'reinstate'

/** One issued license for its department: content, seal, signature, status history; revoke, suspend, reinstate. */
export function IssuedDetailPage() {
  const { t } = useTranslation()
  const { id = '' } = useParams()
  const { me } = useSession()
  const [action, setAction] = useState<StatusAction | null>(null)
  const data = useFetch((signal) => api.get<LicenseDetail>(`/api/licenses/issued/${encodeURIComponent(id)}`, undefined, signal), [id])
  const back = <Link to="/work/licenses">‹ {t('licenses.work.issuedTitle')}</Link>
  if (data.loading && !data.data) return <>{back}<Skeleton active /></>
  if (data.error || !data.data) return <>{back}<Result status={data.error instanceof ApiError && data.error.status === 404 ? '404' : 'error'} title={errorMessage(data.error)} /></>
  const l = data.data
  const actions: StatusAction[] = !canManageLicenses(me) ? [] : l.status === 'valid' ? ['suspend', 'revoke'] : l.status === 'suspended' ? ['reinstate', 'revoke'] : []

  return (
    <>
      {back}
      <Typography.Title level={1} className="desk-page-title">
        {l.typeName} <LicenseStatusTag status={l.status} />
      </Typography.Title>
      {actions.length > 0 && (
        <Space wrap style={{ marginBottom: 16 }}>
          {actions.map((a) => (
            <Button key={a} danger={a === 'revoke'} type={a === 'reinstate' ? 'primary' : 'default'} onClick={() => setAction(a)}>
              {t(`licenses.work.action.${a}`)}
            </Button>
          ))}
        </Space>
      )}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={14}>
          <Card title={<h2 className="desk-card-title">{t('licenses.work.content')}</h2>}>
            <Descriptions
              column={1}
              size="small"
              items={[
                { key: 'number', label: t('licenses.work.number'), children: <span className="desk-mono">{l.number}</span> },
                { key: 'holder', label: t('licenses.field.holder'), children: `${l.holderName}（${l.maskedHolderId}）` },
                ...l.fields.map((f) => ({ key: f.key, label: f.label, children: f.value || '—' })),
                { key: 'validity', label: t('licenses.field.validity'), children: l.validUntil ? t('licenses.field.validRange', { from: l.validFrom, until: l.validUntil }) : t('licenses.field.validForever', { from: l.validFrom }) },
                { key: 'issuer', label: t('licenses.field.issuer'), children: l.issuerName },
                { key: 'issued', label: t('licenses.work.issuedAt'), children: formatDateTime(l.issuedAt) },
                { key: 'source', label: t('licenses.work.source'), children: l.applicationId ? <Link to={`/work/cases/${encodeURIComponent(l.applicationId)}`}>{t('licenses.source.case')}</Link> : t(`licenses.source.${l.source}`) },
                { key: 'verify', label: t('licenses.work.verifyPage'), children: <a href={l.verifyUrl} target="_blank" rel="noreferrer">{l.verifyUrl}</a> },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} lg={10}>
          <Card title={<h2 className="desk-card-title">{t('licenses.work.seal')}</h2>}>
            <img src={`/api/licenses/seals/${encodeURIComponent(l.sealId)}/image.svg`} alt={t('licenses.field.sealAlt', { issuer: l.issuerName })} width={120} height={120} />
            <Descriptions
              column={1}
              size="small"
              items={[
                { key: 'alg', label: t('licenses.work.algorithm'), children: `${l.signature.algorithm} · ${l.signature.userId}` },
                { key: 'digest', label: t('licenses.work.digest'), children: <span className="desk-mono" title={l.signature.digest}>{shortHex(l.signature.digest)}</span> },
              ]}
            />
          </Card>
          <Card style={{ marginTop: 16 }} title={<h2 className="desk-card-title">{t('licenses.detail.history')}</h2>}>
            <Timeline
              items={l.statusHistory.map((h, i) => ({
                key: i,
                content: (
                  <>
                    <strong>{t(`licenses.status.${h.status}`)}</strong>
                    {h.reason ? ` · ${h.reason}` : ''}
                    <div>
                      <Typography.Text type="secondary">
                        {formatDateTime(h.at)}
                        {h.actorName ? ` · ${h.actorName}` : ''}
                      </Typography.Text>
                    </div>
                  </>
                ),
              }))}
            />
          </Card>
        </Col>
      </Row>
      {action && <StatusModal action={action} license={l} onClose={() => setAction(null)} onDone={() => (setAction(null), data.reload())} />}
    </>
  )
}

/** The reason dialog of a status change; the reason is required and shown in the history. */
function StatusModal({ action, license, onClose, onDone }: { action: StatusAction; license: LicenseDetail; onClose: () => void; onDone: () => void }) {
  const { t } = useTranslation()
  const { message } = App.useApp()
  const [form] = Form.useForm<{ reason?: string }>()
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const submit = async (v: { reason?: string }) => {
    setBusy(true)
    setError(null)
    try {
      await api.post(`/api/licenses/issued/${encodeURIComponent(license.id)}/${action}`, { reason: (v.reason ?? '').trim() })
      message.success(t('licenses.work.actionDone', { action: t(`licenses.work.action.${action}`) }))
      onDone()
    } catch (e) {
      applyProblem(form, e, ['reason'])
      setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }
  return (
    <Modal open title={t(`licenses.work.action.${action}`)} okText={t('licenses.work.confirm')} cancelText={t('common.cancel')} confirmLoading={busy} okButtonProps={{ danger: action === 'revoke' }} onOk={() => form.submit()} onCancel={onClose} destroyOnHidden>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Typography.Paragraph>{t(`licenses.work.actionHint.${action}`, { number: license.number })}</Typography.Paragraph>
      <Form form={form} layout="vertical" onFinish={(v) => void submit(v)}>
        <Form.Item name="reason" label={t('licenses.work.reason')} rules={[{ required: true, whitespace: true, message: t('licenses.work.reasonRequired') }]}>
          <Input.TextArea rows={3} maxLength={500} />
        </Form.Item>
      </Form>
    </Modal>
  )
}
