import { Button, Toast } from 'antd-mobile'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useNavigate, useParams } from 'react-router'
import { errorMessage } from '../../lib/api'
import { onethingApi } from '../../lib/onething'
import { useSession } from '../../lib/session'
import { useFetch } from '../../lib/use-fetch'
import { LoadError, Loading, Page } from '../Page'

/** Screen 1: one bundle — what it covers, across which departments, and who applies together. */
export default function BundlePage() {
  const { t } = useTranslation()
  const { code = '' } = useParams()
  const navigate = useNavigate()
  const { me } = useSession()
  const [busy, setBusy] = useState(false)
  const bundle = useFetch((signal) => onethingApi.bundle(code, signal), [code])
  const back = { to: '/m/onething', label: t('onething.bundle.back') }
  if (bundle.loading && !bundle.data) return <Page title={t('onething.list.title')} back={back}><Loading /></Page>
  if (bundle.error || !bundle.data) return <Page title={t('onething.list.title')} back={back}><LoadError error={bundle.error} retry={bundle.reload} /></Page>
  const b = bundle.data

  async function start() {
    if (!me) {
      navigate(`/m/login?next=${encodeURIComponent(`/m/onething/${code}`)}`)
      return
    }
    setBusy(true)
    try {
      const d = await onethingApi.start(b.code)
      navigate(`/m/onething/drafts/${d.id}/${b.questions.length ? 'situation' : 'form'}`)
    } catch (e) {
      Toast.show({ icon: 'fail', content: errorMessage(e) })
      setBusy(false)
    }
  }

  return (
    <Page title={b.name} back={back}>
      <div className="ot-screen" data-screen="bundle">
        <p className="m-subtitle">{b.summary}</p>
        <section className="ot-card" aria-labelledby="ot-items-title">
          <h2 id="ot-items-title">{t('onething.bundle.itemsTitle')}</h2>
          <ul className="ot-items">
            {b.items.map((i) => (
              <li key={i.code}>
                <span>
                  {i.name}
                  <br />
                  <span className="ot-meta">{i.departmentName}</span>
                </span>
                <span className="ot-meta">{i.conditional ? t('onething.bundle.conditional') : t('onething.bundle.days', { days: i.promisedDays })}</span>
              </li>
            ))}
          </ul>
        </section>
        {b.parties.length > 0 && (
          <section className="ot-card" aria-labelledby="ot-parties-title">
            <h2 id="ot-parties-title">{t('onething.bundle.partiesTitle')}</h2>
            <p>{b.parties.map((p) => p.label).join('、')}</p>
          </section>
        )}
        <Button color="primary" block size="large" loading={busy} onClick={() => void start()}>
          {t('onething.bundle.start')}
        </Button>
      </div>
    </Page>
  )
}
