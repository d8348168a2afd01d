import { Alert, App, Button, Card, Checkbox, Col, Form, Input, Radio, Result, Row, Select, Space, Typography } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api, ApiError, errorMessage } from '../../../lib/api'
import { applyProblem } from '../../../lib/desk/forms'
import { ticketActionPath, ticketTypes, type Caller, type KbArticle, type KbHit, type TicketDetail, type TicketType } from '../../../lib/hotline'
import { categoryName, StatusTag, useCategories } from '../common'
import { CallerPanel } from './CallerPanel'
import { DuplicatePanel } from './DuplicatePanel'
import { KbSuggestions } from './KbSuggestions'
import { useKbSearch } from './use-kb-search'

interface Values {
  type: TicketType
  categoryCode?: string
  title?: string
  content?: string
  address?: string
  reporterName?: string
  reporterPhone?: string
  anonymous?: boolean
}

type Outcome = { kind: 'closed' | 'dispatched' | 'merged' | 'registered'; ticket: TicketDetail }

const blank = (v?: string) => (v && v.trim() ? v.trim() : undefined)

/**
 * The operator's one screen for a call: caller lookup with earlier tickets, the ticket form, knowledge-
 * base suggestions as they type, 直接办结 from an article, duplicate suggestions with merge, and
 * dispatch by rule — nothing here navigates away until the call is done.
 */
export default function OperatorConsolePage() {
  const { t, i18n } = useTranslation()
  const { message } = App.useApp()
  const [form] = Form.useForm<Values>()
  const categories = useCategories()
  const [ticket, setTicket] = useState<TicketDetail | null>(null)
  const [outcome, setOutcome] = useState<Outcome | null>(null)
  const [article, setArticle] = useState<KbHit | null>(null)
  const [answer, setAnswer] = useState('')
  const [busy, setBusy] = useState<'register' | 'close' | 'dispatch' | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [typeTouched, setTypeTouched] = useState(false)
  const [callKey, setCallKey] = useState(0)
  const type = Form.useWatch('type', form) ?? 'consult'
  const title = Form.useWatch('title', form) ?? ''
  const content = Form.useWatch('content', form) ?? ''
  const kb = useKbSearch(`${title} ${content}`)

  const onCaller = (phone: string, caller: Caller | null) => {
    form.setFieldsValue({ reporterPhone: phone, ...(caller?.name ? { reporterName: caller.name } : {}) })
  }

  const pick = async (hit: KbHit) => {
    setArticle(hit)
    setAnswer(hit.snippet)
    try {
      const full = await api.get<KbArticle>(`/api/hotline/kb/${encodeURIComponent(hit.id)}`)
      setAnswer(full.body)
    } catch (e) {
      message.warning(errorMessage(e))
    }
  }

  /** Registers the ticket once; a second click (e.g. 直接办结 after 登记) reuses it. */
  const register = async (): Promise<TicketDetail | null> => {
    if (ticket) return ticket
    let v: Values
    try {
      v = await form.validateFields()
    } catch {
      return null
    }
    const body = {
      type: v.type,
      categoryCode: v.categoryCode,
      title: blank(v.title),
      content: v.content?.trim(),
      address: blank(v.address),
      reporter: { name: blank(v.reporterName), phone: v.reporterPhone?.replace(/\s+/g, ''), anonymous: !!v.anonymous },
    }
    try {
      const created = await api.post<TicketDetail>('/api/hotline/tickets', body)
      setTicket(created)
      return created
    } catch (e) {
      applyProblem(form, e, ['type', 'categoryCode', 'title', 'content', 'address'])
      if (e instanceof ApiError) {
        const located = e.fieldErrors().filter((f) => f.path[0] === 'reporter')
        if (located.length) form.setFields(located.map((f) => ({ name: f.path[1] === 'name' ? 'reporterName' : 'reporterPhone', errors: [f.reason] })))
      }
      setError(errorMessage(e))
      return null
    }
  }

  const run = async (what: 'register' | 'close' | 'dispatch') => {
    setBusy(what)
    setError(null)
    try {
      const tk = await register()
      if (!tk) return
      if (what === 'register') {
        message.success(t('hotline.console.registered', { number: tk.number }))
        return
      }
      if (what === 'close') {
        const closed = await api.post<TicketDetail>(ticketActionPath(tk.id, 'direct-close'), { version: tk.version, answer: answer.trim(), articleId: article?.id })
        setOutcome({ kind: 'closed', ticket: closed })
      } else {
        const sent = await api.post<TicketDetail>(ticketActionPath(tk.id, 'dispatch'), { version: tk.version })
        setOutcome({ kind: 'dispatched', ticket: sent })
      }
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusy(null)
    }
  }

  const nextCall = () => {
    form.resetFields()
    setTicket(null)
    setOutcome(null)
    setArticle(null)
    setAnswer('')
    setError(null)
    setTypeTouched(false)
    setCallKey((k) => k + 1)
  }

  const heading = (
    <Typography.Title level={1} className="desk-page-title">
      {t('hotline.console.title')}
    </Typography.Title>
  )

  if (outcome) {
    return (
      <>
        {heading}
        <Result
          status="success"
          title={t(`hotline.console.outcome.${outcome.kind}`, { number: outcome.ticket.number })}
          subTitle={
            <Space>
              <StatusTag status={outcome.ticket.status} />
              {outcome.ticket.departmentName ?? ''}
            </Space>
          }
          extra={
            <Button type="primary" autoFocus onClick={nextCall}>
              {t('hotline.console.nextCall')}
            </Button>
          }
        />
      </>
    )
  }

  const canClose = type === 'consult' && answer.trim().length >= 2 && (!ticket || ticket.allowedActions.includes('direct-close'))
  const locked = !!ticket
  return (
    <>
      {heading}
      {error && <Alert type="error" showIcon title={error} closable onClose={() => setError(null)} style={{ marginBottom: 12 }} />}
      <Row gutter={[12, 12]}>
        <Col xs={24} xl={14}>
          <CallerPanel key={callKey} onCaller={onCaller} />
          <Card size="small" title={<h2 className="desk-card-title">{ticket ? t('hotline.console.ticketNumber', { number: ticket.number }) : t('hotline.console.newTicket')}</h2>}>
            <Form<Values> form={form} layout="vertical" disabled={locked} initialValues={{ type: 'consult', anonymous: false }} requiredMark="optional">
              <Form.Item name="type" label={t('hotline.field.type')} rules={[{ required: true }]}>
                <Radio.Group optionType="button" buttonStyle="solid" onChange={() => setTypeTouched(true)} options={ticketTypes.map((k) => ({ value: k, label: t(`hotline.type.${k}`) }))} />
              </Form.Item>
              <Row gutter={12}>
                <Col xs={24} md={12}>
                  <Form.Item name="categoryCode" label={t('hotline.field.category')} rules={[{ required: true, message: t('hotline.field.categoryRequired') }]}>
                    <Select
                      showSearch={{ optionFilterProp: 'label' }}
                      loading={categories.loading}
                      options={(categories.data ?? []).map((c) => ({ value: c.code, label: categoryName(c, i18n.language) }))}
                      onChange={(code: string) => {
                        const c = categories.data?.find((x) => x.code === code)
                        if (c && !typeTouched) form.setFieldValue('type', c.defaultType)
                      }}
                    />
                  </Form.Item>
                </Col>
                <Col xs={24} md={12}>
                  <Form.Item name="title" label={t('hotline.field.title')}>
                    <Input maxLength={100} />
                  </Form.Item>
                </Col>
              </Row>
              <Form.Item name="content" label={t('hotline.field.content')} rules={[{ required: true, min: 5, whitespace: true, message: t('hotline.field.contentRequired') }]}>
                <Input.TextArea rows={4} maxLength={4000} showCount />
              </Form.Item>
              <Form.Item name="address" label={t('hotline.field.address')} extra={t('hotline.field.addressHelp')}>
                <Input maxLength={200} />
              </Form.Item>
              <Row gutter={12}>
                <Col xs={24} md={10}>
                  <Form.Item name="reporterName" label={t('hotline.field.reporterName')}>
                    <Input maxLength={50} />
                  </Form.Item>
                </Col>
                <Col xs={24} md={10}>
                  <Form.Item name="reporterPhone" label={t('hotline.field.reporterPhone')} rules={[{ required: true, pattern: /^(1\d{10}|0\d{2,3}-?\d{7,8})$/, message: t('hotline.console.phoneInvalid') }]}>
                    <Input inputMode="tel" maxLength={20} />
                  </Form.Item>
                </Col>
                <Col xs={24} md={4}>
                  <Form.Item name="anonymous" valuePropName="checked" label=" ">
                    <Checkbox>{t('hotline.field.anonymous')}</Checkbox>
                  </Form.Item>
                </Col>
              </Row>
            </Form>
            <Space wrap>
              {!ticket && (
                <Button loading={busy === 'register'} disabled={busy !== null} onClick={() => void run('register')}>
                  {t('hotline.console.register')}
                </Button>
              )}
              {(!ticket || ticket.allowedActions.includes('dispatch')) && type !== 'consult' && (
                <Button type="primary" loading={busy === 'dispatch'} disabled={busy !== null} onClick={() => void run('dispatch')}>
                  {t('hotline.console.registerAndDispatch')}
                </Button>
              )}
              {ticket && type === 'consult' && ticket.allowedActions.includes('dispatch') && (
                <Button loading={busy === 'dispatch'} disabled={busy !== null} onClick={() => void run('dispatch')}>
                  {t('hotline.console.dispatchByRule')}
                </Button>
              )}
              {ticket && (
                <Button onClick={() => setOutcome({ kind: 'registered', ticket })} disabled={busy !== null}>
                  {t('hotline.console.finishCall')}
                </Button>
              )}
            </Space>
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          <KbSuggestions hits={kb.hits} loading={kb.loading} query={kb.query} selectedId={article?.id ?? null} onPick={(h) => void pick(h)} />
          <Card size="small" title={<h2 className="desk-card-title">{t('hotline.console.directClose')}</h2>} style={{ marginBottom: 12 }}>
            <Typography.Paragraph type="secondary">{type === 'consult' ? t('hotline.console.directCloseHint') : t('hotline.console.directCloseConsultOnly')}</Typography.Paragraph>
            {article && (
              <Typography.Paragraph>
                {t('hotline.console.fromArticle', { title: article.title })}
              </Typography.Paragraph>
            )}
            <label htmlFor="hotline-answer" className="hotline-label">
              {t('hotline.console.answer')}
            </label>
            <Input.TextArea id="hotline-answer" rows={5} maxLength={4000} value={answer} onChange={(e) => setAnswer(e.target.value)} disabled={type !== 'consult'} />
            <Button type="primary" style={{ marginTop: 8 }} block loading={busy === 'close'} disabled={!canClose || (busy !== null && busy !== 'close')} onClick={() => void run('close')}>
              {t('hotline.console.answerAndClose')}
            </Button>
          </Card>
          {ticket && <DuplicatePanel ticket={ticket} onMerged={(m) => setOutcome({ kind: 'merged', ticket: m })} />}
        </Col>
      </Row>
    </>
  )
}
