import { Alert, App, Checkbox, Form, Input, InputNumber, Radio, Select, Typography } from 'antd'
import { useEffect } from 'react'
import { useTranslation } from 'react-i18next'
import { api } from '../../../lib/api'
import { ActionDialog } from '../../../lib/desk/ActionDialog'
import { satisfactions, ticketActionPath, type DispatchRule, type TicketAction, type TicketDetail } from '../../../lib/hotline'
import { useFetch } from '../../../lib/use-fetch'
import { useDepartments } from '../common'
import { AssistList } from './AssistsCard'

interface Values {
  departmentId?: string
  assistDepartmentIds?: string[]
  opinion?: string
  reason?: string
  days?: number
  approve?: boolean
  content?: string
  answer?: string
  satisfaction?: string
  note?: string
  reopen?: boolean
  intoId?: string
}

const blank = (v?: string) => (v && v.trim() ? v.trim() : undefined)

/** Which body each action posts, beyond the version read. */
function bodyOf(action: TicketAction, v: Values): Record<string, unknown> {
  switch (action) {
    case 'dispatch':
      return { departmentId: v.departmentId, assistDepartmentIds: v.assistDepartmentIds ?? [], opinion: blank(v.opinion) }
    case 'return':
      return { reason: v.reason?.trim() }
    case 'request-extension':
      return { days: v.days, reason: v.reason?.trim() }
    case 'decide-extension':
    case 'review':
      return { approve: v.approve, opinion: blank(v.opinion) }
    case 'reply':
    case 'assist-opinion':
      return { content: v.content?.trim() }
    case 'direct-close':
      return { answer: v.answer?.trim() }
    case 'callback':
      return { satisfaction: v.satisfaction, note: blank(v.note), reopen: v.satisfaction === 'unsatisfied' ? !!v.reopen : false }
    case 'merge':
      return { intoId: v.intoId }
    default:
      return {}
  }
}

/** The dialog of one ticket action: its own fields, the ticket's version, field errors from the server. */
export function ActionModal({ action, ticket, onClose, onDone, onStale }: { action: TicketAction; ticket: TicketDetail; onClose: () => void; onDone: (t: TicketDetail) => void; onStale: () => void }) {
  const { t } = useTranslation()
  const { message } = App.useApp()
  const [form] = Form.useForm<Values>()
  const satisfaction = Form.useWatch('satisfaction', form)

  const submit = async (v: Values) => {
    const next = await api.post<TicketDetail>(ticketActionPath(ticket.id, action), { version: ticket.version, ...bodyOf(action, v) })
    message.success(t('hotline.ticket.done', { action: t(`hotline.action.${action}`) }))
    onDone(next)
  }

  const needsText = { required: true, min: 2, whitespace: true, message: t('hotline.ticket.textRequired') }
  return (
    <ActionDialog<Values>
      title={t(`hotline.action.${action}`)}
      okText={t('hotline.ticket.confirm')}
      form={form}
      fieldNames={['departmentId', 'assistDepartmentIds', 'opinion', 'reason', 'days', 'approve', 'content', 'answer', 'satisfaction', 'note', 'reopen', 'intoId']}
      initialValues={{ approve: true, days: 3, reopen: true }}
      onSubmit={submit}
      onClose={onClose}
      onStale={onStale}
    >
      {action === 'dispatch' && <DispatchFields ticket={ticket} form={form} />}
      {action === 'sign' && <Typography.Paragraph>{t('hotline.ticket.signHint')}</Typography.Paragraph>}
      {action === 'assist-sign' && <Typography.Paragraph>{t('hotline.ticket.assistSignHint')}</Typography.Paragraph>}
      {action === 'reply' && ticket.assists?.some((a) => a.opinion) && (
        <>
          <Typography.Paragraph strong>{t('hotline.ticket.assistBeforeReply')}</Typography.Paragraph>
          <AssistList assists={ticket.assists.filter((a) => a.opinion)} />
        </>
      )}
      {action === 'return' && (
        <Form.Item name="reason" label={t('hotline.field.returnReason')} rules={[needsText]}>
          <Input.TextArea rows={3} maxLength={1000} />
        </Form.Item>
      )}
      {action === 'request-extension' && (
        <>
          <Form.Item name="days" label={t('hotline.field.extensionDays')} rules={[{ required: true, type: 'integer', min: 1, max: 30, message: t('hotline.field.extensionDaysRange') }]}>
            <InputNumber min={1} max={30} precision={0} />
          </Form.Item>
          <Form.Item name="reason" label={t('hotline.field.extensionReason')} rules={[needsText]}>
            <Input.TextArea rows={3} maxLength={1000} />
          </Form.Item>
        </>
      )}
      {(action === 'decide-extension' || action === 'review') && (
        <>
          {action === 'decide-extension' && ticket.extension && (
            <Typography.Paragraph>{t('hotline.ticket.extensionAsked', { days: ticket.extension.days, reason: ticket.extension.reason })}</Typography.Paragraph>
          )}
          {action === 'review' && ticket.reply && <Typography.Paragraph className="hotline-quote">{ticket.reply.content}</Typography.Paragraph>}
          <Form.Item name="approve" label={t('hotline.field.decision')} rules={[{ required: true }]}>
            <Radio.Group
              options={[
                { value: true, label: action === 'review' ? t('hotline.field.reviewPass') : t('hotline.field.approve') },
                { value: false, label: action === 'review' ? t('hotline.field.reviewReject') : t('hotline.field.deny') },
              ]}
            />
          </Form.Item>
          <Form.Item name="opinion" label={t('hotline.field.opinion')}>
            <Input.TextArea rows={2} maxLength={1000} />
          </Form.Item>
        </>
      )}
      {(action === 'reply' || action === 'assist-opinion') && (
        <Form.Item name="content" label={action === 'reply' ? t('hotline.field.reply') : t('hotline.field.assistOpinion')} rules={[needsText]}>
          <Input.TextArea rows={5} maxLength={4000} showCount />
        </Form.Item>
      )}
      {action === 'direct-close' && (
        <Form.Item name="answer" label={t('hotline.console.answer')} rules={[needsText]}>
          <Input.TextArea rows={5} maxLength={4000} />
        </Form.Item>
      )}
      {action === 'callback' && (
        <>
          {ticket.reply && <Typography.Paragraph className="hotline-quote">{ticket.reply.content}</Typography.Paragraph>}
          <Form.Item name="satisfaction" label={t('hotline.field.satisfaction')} rules={[{ required: true, message: t('hotline.field.satisfactionRequired') }]}>
            <Radio.Group options={satisfactions.map((s) => ({ value: s, label: t(`hotline.satisfaction.${s}`) }))} />
          </Form.Item>
          {satisfaction === 'unsatisfied' && (
            <Form.Item name="reopen" valuePropName="checked">
              <Checkbox>{t('hotline.field.reopen')}</Checkbox>
            </Form.Item>
          )}
          <Form.Item name="note" label={t('hotline.field.callbackNote')}>
            <Input.TextArea rows={2} maxLength={1000} />
          </Form.Item>
        </>
      )}
      {action === 'merge' && (
        <Form.Item name="intoId" label={t('hotline.field.mergeInto')} rules={[{ required: true, message: t('hotline.field.mergeIntoRequired') }]}>
          <Select options={(ticket.duplicates ?? []).map((d) => ({ value: d.id, label: `${d.number} · ${d.title}` }))} notFoundContent={t('hotline.ticket.noDuplicates')} />
        </Form.Item>
      )}
    </ActionDialog>
  )
}

/** Main and assisting departments; the dispatch rule's choice comes pre-selected and is named. */
function DispatchFields({ ticket, form }: { ticket: TicketDetail; form: ReturnType<typeof Form.useForm<Values>>[0] }) {
  const { t } = useTranslation()
  const departments = useDepartments()
  // The server names the rule it would apply (category × the ticket's division), so the choice shown is the one made.
  const rules = useFetch(
    (signal) => api.get<DispatchRule | null>('/api/hotline/dispatch-rules/resolve', { categoryCode: ticket.categoryCode, divisionCode: ticket.divisionCode ?? undefined }, signal),
    [ticket.categoryCode, ticket.divisionCode],
  )
  const suggested = rules.data ?? null
  const options = (departments.data ?? []).map((d) => ({ value: d.id, label: `${d.name}` }))
  // Pre-select the rule's departments once they are known, unless the user already chose.
  useEffect(() => {
    if (suggested && !form.getFieldValue('departmentId')) form.setFieldsValue({ departmentId: suggested.departmentId, assistDepartmentIds: suggested.assistDepartmentIds })
  }, [suggested, form])
  return (
    <>
      {ticket.status === 'returned' && <ReturnReason ticket={ticket} />}
      <Typography.Paragraph type="secondary" aria-live="polite">
        {suggested ? t('hotline.ticket.ruleSuggests', { department: suggested.departmentName }) : rules.loading ? t('common.loading') : t('hotline.ticket.noRule')}
      </Typography.Paragraph>
      <Form.Item name="departmentId" label={t('hotline.field.mainDepartment')} rules={[{ required: !suggested, message: t('hotline.field.departmentRequired') }]}>
        <Select showSearch={{ optionFilterProp: 'label' }} allowClear loading={departments.loading} options={options} />
      </Form.Item>
      <Form.Item name="assistDepartmentIds" label={t('hotline.field.assistDepartments')}>
        <Select mode="multiple" showSearch={{ optionFilterProp: 'label' }} loading={departments.loading} options={options} />
      </Form.Item>
      <Form.Item name="opinion" label={t('hotline.field.dispatchOpinion')}>
        <Input.TextArea rows={2} maxLength={1000} />
      </Form.Item>
    </>
  )
}

function ReturnReason({ ticket }: { ticket: TicketDetail }) {
  const { t } = useTranslation()
  const last = [...ticket.timeline].reverse().find((e) => e.toStatus === 'returned')
  if (!last?.opinion) return null
  return <Alert type="warning" showIcon style={{ marginBottom: 12 }} title={t('hotline.ticket.returnedBecause', { reason: last.opinion, by: last.actorName ?? '' })} />
}
