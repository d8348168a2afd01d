import { App, Button, Checkbox, Descriptions, Form, Input, Modal, Select, Table, Tabs, Tag, Typography } from 'antd'
import type { ColumnsType } from 'antd/es/table'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { errorMessage } from '../../lib/api'
import { formatDateTime } from '../../lib/format'
import { callbackMethods, isBad, raterSatisfactions, ratingApi, type CallbackMethod, type RaterSatisfaction, type Rectification, type RectificationStatus } from '../../lib/rating'
import { useSession } from '../../lib/session'
import { useFetch } from '../../lib/use-fetch'
import { isRatingCentre, isRectifyingDepartment } from './access'

/**
 * The rectification desk: a department head answers its department's 差评 (整改情况); the centre
 * calls the rater back and records the contact. The server decides who may do what; the buttons
 * only follow the roles.
 */
export default function RectificationsPage() {
  const { t } = useTranslation()
  const { me } = useSession()
  const centre = isRatingCentre(me)
  const department = isRectifyingDepartment(me)
  const [status, setStatus] = useState<RectificationStatus>(department ? 'open' : 'answered')
  const [page, setPage] = useState(1)
  const list = useFetch((signal) => ratingApi.rectifications({ status, page }, signal), [status, page])
  const [answering, setAnswering] = useState<Rectification | null>(null)
  const [calling, setCalling] = useState<Rectification | null>(null)

  const columns: ColumnsType<Rectification> = [
    {
      title: t('rating.work.subject'),
      key: 'subject',
      render: (_: unknown, r) => (
        <>
          <div>{r.subjectLabel}</div>
          <Typography.Text type="secondary">{r.itemName ?? r.departmentName}</Typography.Text>
        </>
      ),
    },
    { title: t('rating.work.level'), dataIndex: 'level', render: (l: number) => <Tag color={isBad(l) ? 'red' : 'green'}>{t(`rating.level.${l as 1}`)}</Tag> },
    { title: t('rating.work.comment'), dataIndex: 'comment', render: (c: string | null) => c ?? '—' },
    {
      title: t('rating.work.due'),
      dataIndex: 'dueDate',
      render: (d: string, r) => (
        <>
          {d}
          {r.answeredOnTime !== null && <Tag color={r.answeredOnTime ? 'green' : 'orange'} style={{ marginLeft: 8 }}>{r.answeredOnTime ? t('rating.work.onTime') : t('rating.work.late')}</Tag>}
        </>
      ),
    },
    ...(centre ? [{ title: t('rating.work.rater'), key: 'rater', render: (_: unknown, r: Rectification) => (r.rater ? `${r.rater.name} ${r.rater.maskedPhone ?? ''}` : '—') }] : []),
    { title: t('rating.work.answer'), dataIndex: 'answer', render: (a: string | null) => a ?? '—' },
    {
      title: t('common.actions'),
      key: 'actions',
      render: (_: unknown, r) => (
        <>
          {r.status === 'open' && department && r.rater === null && (
            <Button size="small" type="primary" onClick={() => setAnswering(r)} aria-label={`${t('rating.work.answerAction')} ${r.subjectLabel}`}>
              {t('rating.work.answerAction')}
            </Button>
          )}
          {r.status === 'answered' && r.rater !== null && (
            <Button size="small" type="primary" onClick={() => setCalling(r)} aria-label={`${t('rating.work.callbackAction')} ${r.subjectLabel}`}>
              {t('rating.work.callbackAction')}
            </Button>
          )}
        </>
      ),
    },
  ]

  return (
    <>
      <Typography.Title level={1} className="desk-page-title">
        {t('rating.work.rectifications')}
      </Typography.Title>
      <Tabs
        activeKey={status}
        onChange={(k) => {
          setStatus(k as RectificationStatus)
          setPage(1)
        }}
        items={(['open', 'answered', 'closed'] as const).map((s) => ({ key: s, label: t(`rating.work.tab.${s}`) }))}
      />
      {list.error ? <Typography.Text type="danger">{errorMessage(list.error)}</Typography.Text> : null}
      <Table<Rectification>
        rowKey="id"
        loading={list.loading}
        columns={columns}
        dataSource={list.data?.items ?? []}
        locale={{ emptyText: t('rating.work.empty') }}
        expandable={{ expandedRowRender: (r) => <Details r={r} />, rowExpandable: (r) => r.callbacks.length > 0 || r.tags.length > 0 }}
        pagination={{ current: page, pageSize: 20, total: list.data?.total ?? 0, onChange: setPage, showSizeChanger: false }}
      />
      {answering && <AnswerDialog r={answering} onClose={(done) => { setAnswering(null); if (done) list.reload() }} />}
      {calling && <CallbackDialog r={calling} onClose={(done) => { setCalling(null); if (done) list.reload() }} />}
    </>
  )
}

function Details({ r }: { r: Rectification }) {
  const { t } = useTranslation()
  return (
    <Descriptions size="small" column={1}>
      {r.tags.length > 0 && <Descriptions.Item label={t('rating.tagsLegend')}>{r.tags.join('、')}</Descriptions.Item>}
      {r.callbacks.map((c, i) => (
        <Descriptions.Item key={i} label={`${t('rating.work.attempts')} ${i + 1}`}>
          {formatDateTime(c.at)} · {c.byName} · {t(`rating.work.methods.${c.method}`)} · {c.reached ? t('rating.work.reached') : '✕'} {c.note ?? ''}
        </Descriptions.Item>
      ))}
      {r.outcome && <Descriptions.Item label={t('rating.outcome.result')}>{r.outcome}</Descriptions.Item>}
    </Descriptions>
  )
}

function AnswerDialog({ r, onClose }: { r: Rectification; onClose: (done: boolean) => void }) {
  const { t } = useTranslation()
  const { message } = App.useApp()
  const [form] = Form.useForm<{ answer: string }>()
  const [busy, setBusy] = useState(false)
  const submit = async ({ answer }: { answer: string }) => {
    setBusy(true)
    try {
      await ratingApi.answer(r.id, r.version, answer.trim())
      message.success(t('rating.work.answered'))
      onClose(true)
    } catch (e) {
      message.error(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }
  return (
    <Modal open title={`${t('rating.work.answerAction')} · ${r.subjectLabel}`} onCancel={() => onClose(false)} onOk={() => form.submit()} okButtonProps={{ loading: busy }} okText={t('common.save')} cancelText={t('common.cancel')}>
      <p>
        <Tag color="red">{t(`rating.level.${r.level}`)}</Tag> {r.comment}
      </p>
      <Form form={form} layout="vertical" onFinish={submit}>
        <Form.Item name="answer" label={t('rating.work.answer')} rules={[{ required: true, min: 2, max: 2000 }]}>
          <Input.TextArea rows={5} maxLength={2000} showCount placeholder={t('rating.work.answerPlaceholder')} />
        </Form.Item>
      </Form>
    </Modal>
  )
}

interface CallbackForm {
  method: CallbackMethod
  reached: boolean
  note?: string
  outcome?: string
  raterSatisfaction?: RaterSatisfaction
}

function CallbackDialog({ r, onClose }: { r: Rectification; onClose: (done: boolean) => void }) {
  const { t } = useTranslation()
  const { message } = App.useApp()
  const [form] = Form.useForm<CallbackForm>()
  const reached = Form.useWatch('reached', form)
  const [busy, setBusy] = useState(false)
  const submit = async (v: CallbackForm) => {
    setBusy(true)
    try {
      await ratingApi.callback(r.id, {
        version: r.version,
        method: v.method,
        reached: !!v.reached,
        note: v.note?.trim() || undefined,
        outcome: v.reached ? v.outcome?.trim() : undefined,
        raterSatisfaction: v.reached ? v.raterSatisfaction : undefined,
      })
      message.success(t('rating.work.recorded'))
      onClose(true)
    } catch (e) {
      message.error(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }
  return (
    <Modal open title={`${t('rating.work.callbackAction')} · ${r.subjectLabel}`} onCancel={() => onClose(false)} onOk={() => form.submit()} okButtonProps={{ loading: busy }} okText={t('common.save')} cancelText={t('common.cancel')}>
      <Descriptions size="small" column={1}>
        <Descriptions.Item label={t('rating.work.rater')}>{r.rater ? `${r.rater.name} ${r.rater.maskedPhone ?? ''}` : '—'}</Descriptions.Item>
        <Descriptions.Item label={t('rating.work.answer')}>{r.answer}</Descriptions.Item>
      </Descriptions>
      <Form form={form} layout="vertical" onFinish={submit} initialValues={{ method: 'phone', reached: false }}>
        <Form.Item name="method" label={t('rating.work.method')} rules={[{ required: true }]}>
          <Select options={callbackMethods.map((m) => ({ value: m, label: t(`rating.work.methods.${m}`) }))} />
        </Form.Item>
        <Form.Item name="reached" valuePropName="checked">
          <Checkbox>{t('rating.work.reached')}</Checkbox>
        </Form.Item>
        <Form.Item name="note" label={t('rating.work.note')} rules={[{ max: 1000 }]}>
          <Input.TextArea rows={2} maxLength={1000} />
        </Form.Item>
        {reached && (
          <>
            <Form.Item name="outcome" label={t('rating.work.outcome')} rules={[{ required: true, min: 2, max: 1000 }]}>
              <Input.TextArea rows={3} maxLength={1000} />
            </Form.Item>
            <Form.Item name="raterSatisfaction" label={t('rating.work.raterSatisfaction')}>
              <Select allowClear options={raterSatisfactions.map((s) => ({ value: s, label: t(`rating.work.satisfaction.${s}`) }))} />
            </Form.Item>
          </>
        )}
      </Form>
    </Modal>
  )
}
