import { Button, Checkbox, Toast } from 'antd-mobile'
import QRCode from 'qrcode'
import { useCallback, useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useParams } from 'react-router'
import { api, errorMessage } from '../../lib/api'
import { walletPaths, type LicenseDetail, type WalletToken } from '../../lib/licenses'
import { useFetch } from '../../lib/use-fetch'
import { LoadError, Loading, Page } from '../Page'

/** Seconds a shown code lives; it is renewed a few seconds before it runs out while the page is open. */
const TTL_SECONDS = 120
const RENEW_BEFORE_MS = 5_000

/**
 * 亮证: a short-lived QR code for one license. The holder picks the fields it discloses; the code
 * renews itself while the page is open, and a scanned code that ran out shows as expired.
 */
export function ShowQrPage() {
  const { t } = useTranslation()
  const { id = '' } = useParams()
  const data = useFetch((signal) => api.get<LicenseDetail>(walletPaths.one(id), undefined, signal), [id])
  const [disclose, setDisclose] = useState<string[] | null>(null)
  const [token, setToken] = useState<WalletToken | null>(null)
  const [image, setImage] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [now, setNow] = useState(() => Date.now())
  const busy = useRef(false)
  const back = { to: `/m/licenses/${encodeURIComponent(id)}`, label: t('licenses.detail.title') }

  const issue = useCallback(
    async (fields: string[]) => {
      if (busy.current) return
      busy.current = true
      try {
        const next = await api.post<WalletToken>(walletPaths.tokens(id), { disclose: fields, ttlSeconds: TTL_SECONDS })
        setImage(await QRCode.toDataURL(next.verifyUrl, { margin: 1, width: 264, errorCorrectionLevel: 'M' }))
        setToken(next)
        setError(null)
      } catch (e) {
        setError(errorMessage(e))
        setToken(null)
        setImage(null)
      } finally {
        busy.current = false
      }
    },
    [id],
  )

  // One tick a second drives the countdown and the renewal.
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [])
  useEffect(() => {
    if (token && disclose && new Date(token.expiresAt).getTime() - now <= RENEW_BEFORE_MS) void issue(disclose)
  }, [now, token, disclose, issue])

  if (data.loading && !data.data) return <Page title={t('licenses.qr.title')} back={back}><Loading /></Page>
  if (data.error || !data.data) return <Page title={t('licenses.qr.title')} back={back}><LoadError error={data.error} retry={data.reload} /></Page>
  const l = data.data
  const chosen = disclose ?? []
  const left = token ? Math.max(0, Math.ceil((new Date(token.expiresAt).getTime() - now) / 1000)) : 0

  return (
    <Page title={t('licenses.qr.title')} back={back}>
      <p className="m-subtitle">
        {l.typeName} · {l.number}
      </p>
      <fieldset className="w-disclose">
        <legend className="m-section-title">{t('licenses.qr.disclose')}</legend>
        <p className="m-hint">{t('licenses.qr.discloseHint')}</p>
        <Checkbox.Group value={chosen} onChange={(v) => setDisclose(v as string[])}>
          <ul className="m-plain">
            {l.fields.map((f) => (
              <li key={f.key}>
                <Checkbox value={f.key}>{f.label}</Checkbox>
              </li>
            ))}
          </ul>
        </Checkbox.Group>
      </fieldset>
      <Button
        block
        color="primary"
        size="large"
        onClick={() => {
          setDisclose(chosen)
          void issue(chosen).then(() => Toast.show({ content: t('licenses.qr.ready') }))
        }}
      >
        {token ? t('licenses.qr.regenerate') : t('licenses.qr.generate')}
      </Button>
      {error && (
        <p className="m-error" role="alert">
          {error}
        </p>
      )}
      {token && image && (
        <section className="w-qr" aria-labelledby="w-qr-title">
          <h2 id="w-qr-title" className="m-section-title">
            {t('licenses.qr.scanMe')}
          </h2>
          <img src={image} alt={t('licenses.qr.alt', { type: l.typeName })} width={264} height={264} />
          <p className="w-countdown" role="timer" aria-live="off">
            {t('licenses.qr.countdown', { seconds: left })}
          </p>
          <p className="m-hint">{t('licenses.qr.renews')}</p>
          <p className="m-hint">
            <a href={token.verifyUrl} className="w-qr-link">
              {t('licenses.qr.openLink')}
            </a>
          </p>
        </section>
      )}
    </Page>
  )
}
