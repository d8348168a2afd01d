import { useTranslation } from 'react-i18next'
import { useParams } from 'react-router'
import { api, ApiError, errorMessage } from '../lib/api'
import { formatDateTime } from '../lib/format'
import { otherLanguage, setLanguage } from '../lib/i18n'
import type { Verification, VerifyOutcome } from '../lib/licenses'
import { useFetch } from '../lib/use-fetch'
import './verify.css'

/** Outcomes the page can show: a verification's, or why there is none. */
type Shown = VerifyOutcome | 'unknown' | 'token_expired' | 'error'

const tone: Record<Shown, 'ok' | 'warn' | 'bad'> = {
  valid: 'ok',
  suspended: 'warn',
  expired: 'warn',
  revoked: 'bad',
  invalid: 'bad',
  unknown: 'bad',
  token_expired: 'warn',
  error: 'bad',
}

/**
 * The public verification page (/verify/<code>): no login, plain HTML. Anyone who scans a license's
 * QR code sees whether it is valid, revoked, suspended, expired or forged, who issued and sealed it,
 * and only the fields its holder chose to show.
 */
export default function VerifyPage() {
  const { t } = useTranslation()
  const { code = '' } = useParams()
  const target = otherLanguage()
  const result = useFetch((signal) => api.get<Verification>(`/api/licenses/verify/${encodeURIComponent(code)}`, undefined, signal), [code])

  const failure: Shown | null = result.error
    ? result.error instanceof ApiError && result.error.status === 404
      ? 'unknown'
      : result.error instanceof ApiError && result.error.status === 410
        ? 'token_expired'
        : 'error'
    : null
  const v = result.data
  const shown: Shown | null = failure ?? (v ? (v.signatureValid ? v.outcome : 'invalid') : null)
  const license = v && !failure ? v.license : null

  return (
    <div className="verify">
      <header className="verify-top">
        <span className="verify-brand">
          <span className="verify-mark" aria-hidden="true">
            {t('app.mark')}
          </span>
          {t('app.name')}
        </span>
        <button type="button" className="verify-lang" lang={target} aria-label={t('lang.switchLabel')} onClick={() => void setLanguage(target)}>
          {t('lang.switchTo')}
        </button>
      </header>
      <main id="main" className="verify-main">
        <h1>{t('licenses.verify.title')}</h1>
        {!shown ? (
          <p role="status" className="verify-loading">
            {t('licenses.verify.checking')}
          </p>
        ) : (
          <section className={`verify-outcome verify-${tone[shown]}`} role="status" aria-live="polite" aria-labelledby="verify-outcome-title">
            <span className="verify-outcome-icon" aria-hidden="true">
              {tone[shown] === 'ok' ? '✓' : tone[shown] === 'warn' ? '!' : '✕'}
            </span>
            <div>
              <h2 id="verify-outcome-title">{t(`licenses.verify.outcome.${shown}`)}</h2>
              <p>{shown === 'error' ? errorMessage(result.error) : t(`licenses.verify.explain.${shown}`)}</p>
            </div>
          </section>
        )}

        {license && (
          <article className="verify-card" aria-labelledby="verify-license-title">
            <div className="verify-card-head">
              <div>
                <h2 id="verify-license-title">{license.typeName}</h2>
                <p className="verify-number">{t('licenses.verify.number', { number: license.number })}</p>
              </div>
              <img className="verify-seal" src={license.seal.imageUrl} alt={t('licenses.verify.sealAlt', { name: license.seal.name })} width={96} height={96} />
            </div>
            <dl className="verify-facts">
              <div>
                <dt>{t('licenses.field.holder')}</dt>
                <dd>{license.holderName}</dd>
              </div>
              <div>
                <dt>{t(license.holderKind === 'entity' ? 'licenses.field.creditCode' : 'licenses.field.idNumber')}</dt>
                <dd>{license.maskedHolderId}</dd>
              </div>
              {license.fields.map((f) => (
                <div key={f.key}>
                  <dt>{f.label}</dt>
                  <dd>{f.value}</dd>
                </div>
              ))}
              <div>
                <dt>{t('licenses.field.issuer')}</dt>
                <dd>{license.issuer.name}</dd>
              </div>
              <div>
                <dt>{t('licenses.field.validity')}</dt>
                <dd>{license.validUntil ? t('licenses.field.validRange', { from: license.validFrom, until: license.validUntil }) : t('licenses.field.validForever', { from: license.validFrom })}</dd>
              </div>
              <div>
                <dt>{t('licenses.field.status')}</dt>
                <dd>
                  {t(`licenses.status.${license.status}`)}
                  {license.statusChangedAt ? ` · ${formatDateTime(license.statusChangedAt)}` : ''}
                </dd>
              </div>
              <div>
                <dt>{t('licenses.verify.seal')}</dt>
                <dd>{license.seal.name}</dd>
              </div>
              <div>
                <dt>{t('licenses.verify.signature')}</dt>
                <dd>{v?.signatureValid ? t('licenses.verify.signatureOk') : t('licenses.verify.signatureBad')}</dd>
              </div>
            </dl>
            <p className="verify-note">{t('licenses.verify.disclosedOnly')}</p>
            {v?.tokenExpiresAt && <p className="verify-note">{t('licenses.verify.tokenUntil', { at: formatDateTime(v.tokenExpiresAt) })}</p>}
            <p className="verify-note">{t('licenses.verify.checkedAt', { at: formatDateTime(v?.checkedAt) })}</p>
          </article>
        )}
      </main>
    </div>
  )
}
