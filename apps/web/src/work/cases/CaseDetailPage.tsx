import { App, Button, Card, Col, Descriptions, Form, Input, Result, Row, Select, Skeleton, Space, Tag, Timeline, Typography } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useParams } from 'react-router'
import { api, ApiError, errorMessage } from '../../lib/api'
import { deliveryMethods, type CaseAction, type CaseDetail, type ItemVersion } from '../../lib/cases'
import { ActionDialog } from '../../lib/desk/ActionDialog'
import { formatDateTime } from '../../lib/format'
import { useFetch } from '../../lib/use-fetch'
import { CaseFillCard } from './CaseFillCard'
import { LightTag } from './LightTag'
import { CaseLicensePanel } from '../licenses/CaseLicensePanel'

/** Staff actions in the order the buttons show; applicant actions never appear here. */
const staffActions: CaseAction[] = ['accept', 'request_supplement', 'reject', 'review', 'return', 'approve', 'deny', 'issue_result', 'deliver', 'close']

/** Where each action posts, and the body beyond version and opinion. */
const endpoint: Partial<Record<CaseAction, string>> = {
  accept: 'accept',
  reject: 'reject',
  request_supplement: 'request-supplement',
  review: 'review',
  return: 'review',
  approve: 'approve',
  deny: 'deny',
  issue_result: 'issue-result',
  deliver: 'deliver',
  close: 'close',
}

interface Loaded {
  detail: CaseDetail
  item: ItemVersion | null
}

/** One case for staff: form data, materials, history, and the actions the caller may take now. */
export function CaseDetailPage() {
  const { t } = useTranslation()
  const { id = '' } = useParams()
  const [action, setAction] = useState<CaseAction | null>(null)
  const data = useFetch(async (signal): Promise<Loaded> => {
    const detail = await api.get<CaseDetail>(`/api/cases/${encodeURIComponent(id)}`, undefined, signal)
    const item = await api.get<ItemVersion>(`/api/catalog/versions/${encodeURIComponent(detail.itemVersionId)}`, undefined, signal).catch(() => null)
    return { detail, item }
  }, [id])

  const title = (
    <Typography.Title level={1} className="desk-page-title">
      {data.data?.detail.itemName ?? t('work.cases.detail')}
    </Typography.Title>
  )
  const back = <Link to="/work/cases">‹ {t('work.cases.title')}</Link>
  if (data.loading && !data.data) return <>{back}{title}<Skeleton active /></>
  if (data.error || !data.data) {
    return (
      <>
        {back}
        <Result status={data.error instanceof ApiError && data.error.status === 404 ? '404' : 'error'} title={errorMessage(data.error)} />
      </>
    )
  }
  const { detail: c, item } = data.data
  const layout = item?.guide.form?.layout ?? []
  const labelOf = (field: string) => layout.find((l) => l.field === field)?.label ?? field
  const shownFields = [...layout.map((l) => l.field), ...Object.keys(c.formData).filter((k) => !layout.some((l) => l.field === k))].filter((k) => k in c.formData)
  const actions = staffActions.filter((a) => c.allowedActions.includes(a))

  return (
    <>
      {back}
      {title}
      <Space wrap style={{ marginBottom: 16 }}>
        <Tag color="blue">{t(`cases.status.${c.status}`)}</Tag>
        {c.stepName ? <Tag>{c.stepName}</Tag> : null}
        <LightTag progress={c.progress} />
      </Space>
      <Card style={{ marginBottom: 16 }} title={<h2 className="desk-card-title">{t('work.cases.actions')}</h2>}>
        {actions.length === 0 ? (
          <Typography.Text type="secondary">{t('work.cases.noActions')}</Typography.Text>
        ) : (
          <Space wrap>
            {actions.map((a) => (
              <Button key={a} type={a === 'accept' || a === 'approve' || a === 'review' || a === 'issue_result' ? 'primary' : 'default'} danger={a === 'reject' || a === 'deny'} onClick={() => setAction(a)}>
                {t(`work.action.${a}`)}
              </Button>
            ))}
          </Space>
        )}
      </Card>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card title={<h2 className="desk-card-title">{t('work.cases.basics')}</h2>}>
            <Descriptions
              column={1}
              size="small"
              items={[
                { key: 'number', label: t('work.cases.number'), children: c.number ?? '—' },
                { key: 'item', label: t('work.cases.item'), children: `${c.itemName}（${c.itemCode}）` },
                { key: 'dept', label: t('work.cases.department'), children: c.departmentName },
                { key: 'applicant', label: t('work.cases.applicant'), children: c.applicantName },
                { key: 'id', label: t('work.cases.idNumber'), children: c.applicantMaskedIdNumber ?? '—' },
                { key: 'phone', label: t('work.cases.phone'), children: c.applicantMaskedPhone ?? '—' },
                { key: 'submitted', label: t('work.cases.submittedAt'), children: formatDateTime(c.submittedAt) || '—' },
                { key: 'accepted', label: t('work.cases.acceptedAt'), children: formatDateTime(c.acceptedAt) || '—' },
                {
                  key: 'progress',
                  label: t('work.cases.deadline'),
                  children: c.progress ? t('work.cases.daysDue', { used: c.progress.usedDays, allowed: c.progress.allowedDays, due: c.progress.dueDate }) : '—',
                },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={<h2 className="desk-card-title">{t('work.cases.formData')}</h2>}>
            <Descriptions
              column={1}
              size="small"
              items={shownFields.map((k) => {
                const v = c.formData[k]
                return { key: k, label: labelOf(k), children: Array.isArray(v) ? v.join('、') : String(v ?? '—') }
              })}
            />
          </Card>
          <CaseFillCard caseId={c.id} />
        </Col>
        <Col xs={24} lg={12}>
          <Card title={<h2 className="desk-card-title">{t('work.cases.materials')}</h2>}>
            <ul className="desk-rows desk-rows-start">
              {c.materials.map((m) => (
                <li key={m.code}>
                  <span>
                    {m.name} {m.requirement === 'required' ? <Tag color="red">{t('catalog.requirement.required')}</Tag> : null}
                  </span>
                  <span>
                    {m.license ? (
                      <CaseLicensePanel caseId={c.id} materialCode={m.code} license={m.license} />
                    ) : m.files.length === 0
                      ? t('work.cases.noFiles')
                      : m.files.map((f) => (
                          <a key={f.id} href={`/api/cases/${encodeURIComponent(c.id)}/files/${encodeURIComponent(f.id)}`} style={{ marginRight: 8 }}>
                            {f.fileName}
                          </a>
                        ))}
                  </span>
                </li>
              ))}
            </ul>
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={<h2 className="desk-card-title">{t('work.cases.history')}</h2>}>
            <Timeline
              items={c.timeline.map((e) => ({
                key: e.id,
                content: (
                  <>
                    <div>
                      <strong>{t(`cases.action.${e.action}`)}</strong>
                      {e.stepName ? ` · ${e.stepName}` : ''} → {t(`cases.status.${e.toStatus}`)}
                    </div>
                    <Typography.Text type="secondary">
                      {formatDateTime(e.at)}
                      {e.actorName ? ` · ${e.actorName}` : ''}
                    </Typography.Text>
                    {e.opinion ? <div>{t('work.cases.opinionShown', { opinion: e.opinion })}</div> : null}
                  </>
                ),
              }))}
            />
          </Card>
        </Col>
        {(c.supplement || c.decision || c.result || c.delivery) && (
          <Col xs={24}>
            <Card title={<h2 className="desk-card-title">{t('work.cases.records')}</h2>}>
              <Descriptions
                column={1}
                size="small"
                items={[
                  ...(c.supplement
                    ? [
                        {
                          key: 'supplement',
                          label: t('work.action.request_supplement'),
                          children: (
                            <>
                              <ol style={{ margin: 0, paddingLeft: 20 }}>
                                {c.supplement.items.map((i, n) => (
                                  <li key={n}>
                                    {i.materialCode ? `${c.materials.find((m) => m.code === i.materialCode)?.name ?? i.materialCode}：` : i.field ? `${labelOf(i.field)}：` : ''}
                                    {i.description}
                                  </li>
                                ))}
                              </ol>
                              {c.supplement.respondedAt ? t('work.cases.supplementAnswered', { at: formatDateTime(c.supplement.respondedAt), note: c.supplement.note ?? '' }) : null}
                            </>
                          ),
                        },
                      ]
                    : []),
                  ...(c.decision
                    ? [{ key: 'decision', label: t(`cases.status.${c.decision.outcome}`), children: [c.decision.reason, c.decision.legalBasis, `${c.decision.by} ${formatDateTime(c.decision.at)}`].filter(Boolean).join(' · ') }]
                    : []),
                  ...(c.result ? [{ key: 'result', label: t('cases.status.result_issued'), children: [c.result.documentNumber, c.result.summary].filter(Boolean).join(' · ') || formatDateTime(c.result.at) }] : []),
                  ...(c.delivery ? [{ key: 'delivery', label: t('cases.status.delivered'), children: [t(`cases.delivery.${c.delivery.method}`), c.delivery.trackingNumber].filter(Boolean).join(' · ') }] : []),
                ]}
              />
            </Card>
          </Col>
        )}
      </Row>
      {action && <ActionModal action={action} detail={c} labelOf={labelOf} onClose={() => setAction(null)} onDone={() => (setAction(null), data.reload())} onStale={data.reload} />}
    </>
  )
}

interface ActionValues {
  opinion?: string
  reason?: string
  legalBasis?: string
  message?: string
  documentNumber?: string
  summary?: string
  method?: string
  trackingNumber?: string
  items?: { target?: string; description?: string }[]
}

/** The dialog of one action: its own fields, an optional opinion, and the case version read. */
function ActionModal({ action, detail, labelOf, onClose, onDone, onStale }: { action: CaseAction; detail: CaseDetail; labelOf: (f: string) => string; onClose: () => void; onDone: () => void; onStale: () => void }) {
  const { t } = useTranslation()
  const { message } = App.useApp()
  const [form] = Form.useForm<ActionValues>()
  const blank = (v?: string) => (v && v.trim() ? v.trim() : null)
  const targets = [
    ...detail.materials.map((m) => ({ value: `m:${m.code}`, label: t('work.cases.targetMaterial', { name: m.name }) })),
    ...Object.keys(detail.formData).map((f) => ({ value: `f:${f}`, label: t('work.cases.targetField', { name: labelOf(f) }) })),
  ]

  const submit = async (v: ActionValues) => {
    const body: Record<string, unknown> = { version: detail.version }
    if (action !== 'request_supplement') body.opinion = blank(v.opinion)
    if (action === 'reject') Object.assign(body, { reason: v.reason?.trim(), legalBasis: v.legalBasis?.trim() })
    if (action === 'deny') Object.assign(body, { reason: v.reason?.trim(), legalBasis: blank(v.legalBasis) })
    if (action === 'review') body.outcome = 'pass'
    if (action === 'return') body.outcome = 'return'
    if (action === 'issue_result') Object.assign(body, { documentNumber: blank(v.documentNumber), summary: blank(v.summary) })
    if (action === 'deliver') Object.assign(body, { method: v.method, trackingNumber: blank(v.trackingNumber) })
    if (action === 'request_supplement') {
      body.message = blank(v.message)
      body.items = (v.items ?? []).map((i) => ({
        materialCode: i.target?.startsWith('m:') ? i.target.slice(2) : null,
        field: i.target?.startsWith('f:') ? i.target.slice(2) : null,
        description: i.description?.trim() ?? '',
      }))
    }
    await api.post(`/api/cases/${encodeURIComponent(detail.id)}/${endpoint[action]}`, body)
    message.success(t('work.cases.done', { action: t(`work.action.${action}`) }))
    onDone()
  }

  return (
    <ActionDialog<ActionValues>
      title={t(`work.action.${action}`)}
      okText={t('work.cases.confirm')}
      width={640}
      form={form}
      fieldNames={['opinion', 'reason', 'legalBasis', 'message', 'documentNumber', 'summary', 'method', 'trackingNumber', 'items']}
      initialValues={{ items: [{}], method: 'electronic' }}
      onSubmit={submit}
      onClose={onClose}
      onStale={onStale}
    >
      {(action === 'reject' || action === 'deny') && (
        <>
          <Form.Item name="reason" label={t('work.cases.reason')} rules={[{ required: true, min: 2, message: t('work.cases.reasonRequired') }]}>
            <Input.TextArea rows={3} maxLength={1000} />
          </Form.Item>
          <Form.Item name="legalBasis" label={t('work.cases.legalBasis')} rules={action === 'reject' ? [{ required: true, min: 2, message: t('work.cases.legalBasisRequired') }] : []}>
            <Input.TextArea rows={2} maxLength={1000} />
          </Form.Item>
        </>
      )}
      {action === 'request_supplement' && (
        <>
          <Typography.Paragraph type="secondary">{t('work.cases.supplementHint')}</Typography.Paragraph>
          <Form.List name="items">
            {(fields, { add, remove }) => (
              <>
                {fields.map((f, n) => (
                  <Space key={f.key} align="start" wrap style={{ display: 'flex' }}>
                    <Form.Item name={[f.name, 'target']} label={n === 0 ? t('work.cases.supplementTarget') : undefined}>
                      <Select allowClear options={targets} style={{ width: 220 }} placeholder={t('work.cases.supplementTargetAny')} aria-label={t('work.cases.supplementTarget')} />
                    </Form.Item>
                    <Form.Item
                      name={[f.name, 'description']}
                      label={n === 0 ? t('work.cases.supplementDescription') : undefined}
                      rules={[{ required: true, min: 2, message: t('work.cases.supplementDescriptionRequired') }]}
                    >
                      <Input style={{ width: 300 }} maxLength={500} aria-label={t('work.cases.supplementDescription')} />
                    </Form.Item>
                    {fields.length > 1 && (
                      <Button onClick={() => remove(f.name)} style={{ marginTop: n === 0 ? 30 : 0 }}>
                        {t('common.remove')}
                      </Button>
                    )}
                  </Space>
                ))}
                <Button onClick={() => add({})} style={{ marginBottom: 16 }}>
                  {t('work.cases.addItem')}
                </Button>
              </>
            )}
          </Form.List>
          <Form.Item name="message" label={t('work.cases.supplementMessage')}>
            <Input.TextArea rows={2} maxLength={1000} />
          </Form.Item>
        </>
      )}
      {action === 'issue_result' && (
        <>
          <Form.Item name="documentNumber" label={t('work.cases.documentNumber')}>
            <Input maxLength={100} />
          </Form.Item>
          <Form.Item name="summary" label={t('work.cases.resultSummary')}>
            <Input.TextArea rows={2} maxLength={1000} />
          </Form.Item>
        </>
      )}
      {action === 'deliver' && (
        <>
          <Form.Item name="method" label={t('work.cases.deliveryMethod')} rules={[{ required: true }]}>
            <Select options={deliveryMethods.map((m) => ({ value: m, label: t(`cases.delivery.${m}`) }))} />
          </Form.Item>
          <Form.Item name="trackingNumber" label={t('work.cases.trackingNumber')}>
            <Input maxLength={50} />
          </Form.Item>
        </>
      )}
      {action !== 'request_supplement' && (
        <Form.Item name="opinion" label={t('work.cases.opinion')}>
          <Input.TextArea rows={3} maxLength={1000} />
        </Form.Item>
      )}
    </ActionDialog>
  )
}
