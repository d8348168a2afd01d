import { Button, Form, Input, Tabs, Toast } from 'antd-mobile'
import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Navigate, useNavigate, useSearchParams } from 'react-router'
import { api, ApiError, errorMessage } from '../../lib/api'
import { useSession } from '../../lib/session'
import type { Me } from '../../lib/types'
import { TopBar } from '../TopBar'

type FormInstance = ReturnType<typeof Form.useForm>[0]

const phonePattern = /^1[3-9]\d{9}$/

/** Puts a failed call's field errors on the form's fields (server names them body.<field>). */
function showFieldErrors(form: FormInstance, error: unknown, names: string[]) {
  if (!(error instanceof ApiError)) return
  const fields = error
    .fieldErrors()
    .filter((e) => names.includes(String(e.path[0])))
    .map((e) => ({ name: e.path, errors: [e.reason] }))
  if (fields.length) form.setFields(fields)
}

/** Citizen and enterprise sign-in: password, or a one-time code sent by SMS. */
export function LoginPage() {
  const { t } = useTranslation()
  const { me, signedIn } = useSession()
  const navigate = useNavigate()
  const [tab, setTab] = useState('password')
  const [params] = useSearchParams()
  // Only a path inside the citizen face, never another origin.
  const nextParam = params.get('next') ?? ''
  const next = /^\/m(\/|$)/.test(nextParam) && !nextParam.startsWith('//') ? nextParam : '/m'

  if (me) return <Navigate to={next} replace />

  const done = (account: Me) => {
    signedIn(account)
    navigate(next, { replace: true })
  }

  return (
    <>
      <TopBar />
      <main id="main" className="m-main">
        <h1 className="m-title">{t('citizen.login.title')}</h1>
        <p className="m-subtitle">{t('citizen.login.intro')}</p>
        <Tabs activeKey={tab} onChange={setTab}>
          <Tabs.Tab title={t('citizen.login.tabPassword')} key="password">
            <PasswordForm onDone={done} />
          </Tabs.Tab>
          <Tabs.Tab title={t('citizen.login.tabSms')} key="sms">
            <SmsForm onDone={done} />
          </Tabs.Tab>
        </Tabs>
      </main>
    </>
  )
}

function PasswordForm({ onDone }: { onDone: (me: Me) => void }) {
  const { t } = useTranslation()
  const [form] = Form.useForm()
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const submit = async (values: { username: string; password: string }) => {
    setBusy(true)
    setError(null)
    try {
      const { account } = await api.post<{ account: Me }>('/api/auth/login/password', { username: values.username.trim(), password: values.password })
      onDone(account)
    } catch (e) {
      showFieldErrors(form, e, ['username', 'password'])
      setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Form
      form={form}
      name="citizen-password"
      layout="vertical"
      requiredMarkStyle="none"
      onFinish={submit}
      footer={
        <>
          {error && (
            <p className="m-error" role="alert">
              {error}
            </p>
          )}
          <Button block type="submit" color="primary" size="large" loading={busy}>
            {t('auth.login')}
          </Button>
          <p className="m-hint">{t('citizen.login.passwordHint')}</p>
        </>
      }
    >
      <Form.Item name="username" label={t('citizen.login.username')} rules={[{ required: true, message: t('citizen.login.usernameRequired') }]}>
        <Input placeholder={t('citizen.login.usernamePlaceholder')} autoComplete="username" clearable />
      </Form.Item>
      <Form.Item name="password" label={t('auth.password')} rules={[{ required: true, message: t('auth.passwordRequired') }]}>
        <Input type="password" placeholder={t('auth.passwordPlaceholder')} autoComplete="current-password" />
      </Form.Item>
    </Form>
  )
}

function SmsForm({ onDone }: { onDone: (me: Me) => void }) {
  const { t } = useTranslation()
  const [form] = Form.useForm()
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [sending, setSending] = useState(false)
  const [wait, setWait] = useState(0)

  useEffect(() => {
    if (wait <= 0) return
    const timer = window.setTimeout(() => setWait((s) => s - 1), 1000)
    return () => window.clearTimeout(timer)
  }, [wait])

  const send = async () => {
    setError(null)
    try {
      await form.validateFields(['phone'])
    } catch {
      return
    }
    const phone = String(form.getFieldValue('phone')).trim()
    setSending(true)
    try {
      const sent = await api.post<{ expiresInSeconds: number; resendAfterSeconds: number }>('/api/auth/sms/send', { phone })
      setWait(Math.max(1, Math.round(sent.resendAfterSeconds)))
      Toast.show({ content: t('citizen.login.codeSent'), position: 'bottom' })
    } catch (e) {
      showFieldErrors(form, e, ['phone'])
      setError(errorMessage(e))
    } finally {
      setSending(false)
    }
  }

  const submit = async (values: { phone: string; code: string }) => {
    setBusy(true)
    setError(null)
    try {
      const { account } = await api.post<{ account: Me }>('/api/auth/login/sms', { phone: values.phone.trim(), code: values.code.trim() })
      onDone(account)
    } catch (e) {
      showFieldErrors(form, e, ['phone', 'code'])
      setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Form
      form={form}
      name="citizen-sms"
      layout="vertical"
      requiredMarkStyle="none"
      onFinish={submit}
      footer={
        <>
          {error && (
            <p className="m-error" role="alert">
              {error}
            </p>
          )}
          <Button block type="submit" color="primary" size="large" loading={busy}>
            {t('auth.login')}
          </Button>
        </>
      }
    >
      <Form.Item
        name="phone"
        label={t('citizen.login.phone')}
        rules={[
          { required: true, message: t('citizen.login.phoneRequired') },
          { pattern: phonePattern, message: t('citizen.login.phoneInvalid') },
        ]}
      >
        <Input type="tel" inputMode="numeric" placeholder={t('citizen.login.phonePlaceholder')} autoComplete="tel" clearable />
      </Form.Item>
      <Form.Item
        name="code"
        label={t('citizen.login.code')}
        rules={[
          { required: true, message: t('citizen.login.codeRequired') },
          { pattern: /^\d{4,8}$/, message: t('citizen.login.codeInvalid') },
        ]}
        extra={
          <Button size="small" color="primary" fill="outline" disabled={wait > 0} loading={sending} onClick={() => void send()}>
            {wait > 0 ? t('citizen.login.resendIn', { seconds: wait }) : t('citizen.login.sendCode')}
          </Button>
        }
      >
        <Input inputMode="numeric" placeholder={t('citizen.login.codePlaceholder')} autoComplete="one-time-code" />
      </Form.Item>
    </Form>
  )
}
