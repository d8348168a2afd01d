import { App, Button, Form, Input, Modal, Typography } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api } from '../../../lib/api'
import { applyProblem } from '../../../lib/desk/forms'
import type { Reporter } from '../../../lib/hotline'

/**
 * The centre's "show full number" for the callback (回访): asks for a reason, which the server
 * records in the audit log with the reveal; the number is shown here only, never stored in the page state beyond it.
 */
export function RevealPhone({ ticketId }: { ticketId: string }) {
  const { t } = useTranslation()
  const { message } = App.useApp()
  const [open, setOpen] = useState(false)
  const [busy, setBusy] = useState(false)
  const [phone, setPhone] = useState<string | null>(null)
  const [form] = Form.useForm<{ reason: string }>()

  if (phone) return <Typography.Text copyable strong style={{ marginInlineStart: 8 }}>{phone}</Typography.Text>
  const submit = async ({ reason }: { reason: string }) => {
    setBusy(true)
    try {
      const r = await api.post<Reporter>(`/api/hotline/tickets/${encodeURIComponent(ticketId)}/reporter/reveal`, { reason: reason.trim() })
      setPhone(r.phone ?? '—')
      setOpen(false)
    } catch (e) {
      applyProblem(form, e, ['reason'])
      if (!form.getFieldError('reason').length) message.error(e instanceof Error ? e.message : String(e))
    } finally {
      setBusy(false)
    }
  }
  return (
    <>
      <Button size="small" type="link" onClick={() => setOpen(true)}>
        {t('hotline.ticket.revealPhone')}
      </Button>
      <Modal open={open} title={t('hotline.ticket.revealTitle')} okText={t('hotline.ticket.revealPhone')} cancelText={t('common.cancel')} confirmLoading={busy} onOk={() => form.submit()} onCancel={() => setOpen(false)} destroyOnHidden>
        <Typography.Paragraph type="secondary">{t('hotline.ticket.revealAudited')}</Typography.Paragraph>
        <Form form={form} layout="vertical" initialValues={{ reason: t('hotline.ticket.revealReasonDefault') }} onFinish={(v) => void submit(v)}>
          <Form.Item name="reason" label={t('hotline.ticket.revealReason')} rules={[{ required: true, min: 2, whitespace: true, message: t('hotline.ticket.revealRequired') }]}>
            <Input maxLength={200} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  )
}
