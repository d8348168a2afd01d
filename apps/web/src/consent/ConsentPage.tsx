import { useEffect, useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { useParams } from 'react-router'
import { api, ApiError, errorMessage } from '../lib/api'
import { otherLanguage, setLanguage } from '../lib/i18n'
import type { Me, OidcInteraction } from '../lib/types'
import './consent.css'

type Step = { kind: 'loading' } | { kind: 'failed'; message: string } | { kind: 'ready'; interaction: OidcInteraction } | { kind: 'leaving' }

const knownScopes = ['openid', 'profile', 'yiwang', 'email', 'phone', 'address', 'offline_access', 'roles', 'division'] as const
type KnownScope = (typeof knownScopes)[number]
const isKnownScope = (s: string): s is KnownScope => (knownScopes as readonly string[]).includes(s)

/**
 * The OpenID Connect interaction page (/consent/:uid): sign in if needed, then allow or deny the
 * application. Plain, accessible HTML so it loads fast on a phone and needs no component library.
 */
export default function ConsentPage() {
  const { t } = useTranslation()
  const { uid = '' } = useParams()
  const [step, setStep] = useState<Step>({ kind: 'loading' })
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [useOther, setUseOther] = useState(false)

  const base = `/api/oidc/interactions/${encodeURIComponent(uid)}`

  useEffect(() => {
    let live = true
    api.get<OidcInteraction>(base).then(
      (interaction) => live && setStep({ kind: 'ready', interaction }),
      (e: unknown) => live && setStep({ kind: 'failed', message: e instanceof ApiError && e.status === 404 ? t('consent.expired') : errorMessage(e) }),
    )
    return () => {
      live = false
    }
  }, [base, t])

  /** Posts one interaction step and follows the provider to wherever it sends the browser next. */
  const advance = async (action: 'login' | 'confirm' | 'abort') => {
    const { redirectTo } = await api.post<{ redirectTo: string }>(`${base}/${action}`)
    setStep({ kind: 'leaving' })
    window.location.assign(redirectTo)
  }

  const run = async (work: () => Promise<void>) => {
    setBusy(true)
    setError(null)
    try {
      await work()
    } catch (e) {
      setError(errorMessage(e))
      setBusy(false)
    }
  }

  const signIn = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const data = new FormData(event.currentTarget)
    const username = String(data.get('username') ?? '').trim()
    const password = String(data.get('password') ?? '')
    if (!username || !password) {
      setError(t('consent.fillBoth'))
      return
    }
    void run(async () => {
      await api.post<{ account: Me }>('/api/auth/login/password', { username, password })
      await advance('login')
    })
  }

  const switchAccount = () =>
    void run(async () => {
      await api.post('/api/auth/logout')
      setUseOther(true)
      setBusy(false)
    })

  const target = otherLanguage()
  return (
    <div className="consent">
      <header className="consent-top">
        <span className="consent-brand">
          <span className="consent-mark" aria-hidden="true">
            {t('app.mark')}
          </span>
          {t('consent.brand')}
        </span>
        <button type="button" className="consent-link" lang={target} aria-label={t('lang.switchLabel')} onClick={() => void setLanguage(target)}>
          {t('lang.switchTo')}
        </button>
      </header>
      <main id="main" className="consent-card">
        {step.kind === 'loading' || step.kind === 'leaving' ? (
          <p role="status">{step.kind === 'loading' ? t('common.loading') : t('consent.redirecting')}</p>
        ) : step.kind === 'failed' ? (
          <>
            <h1>{t('consent.failedTitle')}</h1>
            <p role="alert" className="consent-error">
              {step.message}
            </p>
          </>
        ) : step.interaction.prompt === 'login' ? (
          <>
            <h1>{t('consent.loginTitle')}</h1>
            <p>{t('consent.loginIntro', { client: step.interaction.client.name })}</p>
            {error && (
              <p role="alert" className="consent-error">
                {error}
              </p>
            )}
            {step.interaction.account && !useOther ? (
              <div className="consent-actions">
                <button type="button" className="consent-primary" disabled={busy} onClick={() => void run(() => advance('login'))}>
                  {t('consent.continueAs', { name: step.interaction.account.name })}
                </button>
                <button type="button" className="consent-secondary" disabled={busy} onClick={switchAccount}>
                  {t('consent.useAnother')}
                </button>
              </div>
            ) : (
              <form onSubmit={signIn} noValidate aria-label={t('consent.loginTitle')}>
                <label htmlFor="consent-username">{t('consent.username')}</label>
                <input id="consent-username" name="username" autoComplete="username" required disabled={busy} />
                <label htmlFor="consent-password">{t('auth.password')}</label>
                <input id="consent-password" name="password" type="password" autoComplete="current-password" required disabled={busy} />
                <button type="submit" className="consent-primary" disabled={busy}>
                  {busy ? t('common.working') : t('auth.login')}
                </button>
              </form>
            )}
            <div className="consent-actions">
              <button type="button" className="consent-link" disabled={busy} onClick={() => void run(() => advance('abort'))}>
                {t('consent.cancel')}
              </button>
            </div>
          </>
        ) : (
          <>
            <h1>{t('consent.consentTitle', { client: step.interaction.client.name })}</h1>
            {step.interaction.account && <p>{t('consent.signedInAs', { name: step.interaction.account.name })}</p>}
            <p>{t('consent.consentIntro', { client: step.interaction.client.name })}</p>
            <ul className="consent-scopes">
              {step.interaction.scopes.map((s) => (
                <li key={s}>{isKnownScope(s) ? t(`consent.scope.${s}`) : s}</li>
              ))}
            </ul>
            {error && (
              <p role="alert" className="consent-error">
                {error}
              </p>
            )}
            <div className="consent-actions">
              <button type="button" className="consent-primary" disabled={busy} onClick={() => void run(() => advance('confirm'))}>
                {t('consent.allow')}
              </button>
              <button type="button" className="consent-secondary" disabled={busy} onClick={() => void run(() => advance('abort'))}>
                {t('consent.deny')}
              </button>
            </div>
          </>
        )}
      </main>
    </div>
  )
}
