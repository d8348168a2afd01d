import { Alert, Button, Card, Form, Input, Typography } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Navigate, useLocation, useNavigate } from 'react-router'
import { api, errorMessage } from '../api'
import { useSession } from '../session'
import type { Me } from '../types'
import { applyProblem } from './forms'
import { LanguageSwitch } from './LanguageSwitch'

interface LoginValues {
  username: string
  password: string
}

/** Staff sign-in with username and password, shared by /work, /ops and /admin. */
export function DeskLogin({ faceTitle, base }: { faceTitle: string; base: string }) {
  const { t } = useTranslation()
  const { me, signedIn } = useSession()
  const navigate = useNavigate()
  const location = useLocation()
  const [form] = Form.useForm<LoginValues>()
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const from = (location.state as { from?: string } | null)?.from ?? base

  if (me && me.kind === 'staff') return <Navigate to={from} replace />

  const submit = async (values: LoginValues) => {
    setBusy(true)
    setError(null)
    try {
      const { account } = await api.post<{ account: Me }>('/api/auth/login/password', values)
      signedIn(account)
      navigate(from, { replace: true })
    } catch (e) {
      applyProblem(form, e, ['username', 'password'])
      setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="desk-login">
      <header className="desk-login-top">
        <LanguageSwitch />
      </header>
      <main id="main">
        <Card className="desk-login-card">
          <Typography.Title level={1} className="desk-login-title">
            {t('app.name')} · {faceTitle}
          </Typography.Title>
          <Typography.Paragraph type="secondary">{t('auth.staff.intro')}</Typography.Paragraph>
          {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 16 }} />}
          <Form<LoginValues> form={form} name="staff-login" layout="vertical" requiredMark={false} onFinish={submit} disabled={busy}>
            <Form.Item name="username" label={t('auth.staff.username')} rules={[{ required: true, message: t('auth.staff.usernameRequired') }]}>
              <Input autoComplete="username" autoFocus />
            </Form.Item>
            <Form.Item name="password" label={t('auth.password')} rules={[{ required: true, message: t('auth.passwordRequired') }]}>
              <Input.Password autoComplete="current-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block loading={busy}>
              {t('auth.login')}
            </Button>
          </Form>
        </Card>
      </main>
    </div>
  )
}
