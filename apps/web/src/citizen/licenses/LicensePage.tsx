import { Button, Card } from 'antd-mobile'
import { useTranslation } from 'react-i18next'
import { Link, useNavigate, useParams } from 'react-router'
import { api } from '../../lib/api'
import { formatDateTime } from '../../lib/format'
import { walletPaths, type LicenseDetail } from '../../lib/licenses'
import { useFetch } from '../../lib/use-fetch'
import { LoadError, Loading, Page } from '../Page'
import { LicenseCard } from './LicenseCard'
import { LicenseStatusTag } from './StatusTag'

/** One license of the wallet: the picture, its status and history, and what the holder can do with it. */
export function LicensePage() {
  const { t } = useTranslation()
  const { id = '' } = useParams()
  const navigate = useNavigate()
  const data = useFetch((signal) => api.get<LicenseDetail>(walletPaths.one(id), undefined, signal), [id])
  const back = { to: '/m/licenses', label: t('licenses.wallet.title') }
  if (data.loading && !data.data) return <Page title={t('licenses.detail.title')} back={back}><Loading /></Page>
  if (data.error || !data.data) return <Page title={t('licenses.detail.title')} back={back}><LoadError error={data.error} retry={data.reload} /></Page>
  const l = data.data
  const usable = l.status === 'valid'

  return (
    <Page title={l.typeName} back={back}>
      <p className="m-tags">
        <LicenseStatusTag status={l.status} />
      </p>
      <LicenseCard license={l} />
      <div className="w-actions">
        <Button block color="primary" size="large" disabled={!usable} onClick={() => navigate(`/m/licenses/${encodeURIComponent(l.id)}/qr`)}>
          {t('licenses.detail.showQr')}
        </Button>
        <a className="m-link-button w-action-link" href={walletPaths.pdf(l.id)} download={`${l.number}.pdf`}>
          {t('licenses.detail.downloadPdf')}
        </a>
        <Button block disabled={!usable} onClick={() => navigate(`/m/licenses/${encodeURIComponent(l.id)}/share`)}>
          {t('licenses.detail.share')}
        </Button>
        <Link className="m-link-button w-action-link" to={`/m/licenses/uses?license=${encodeURIComponent(l.id)}`}>
          {t('licenses.detail.uses')}
        </Link>
      </div>
      {!usable && <p className="m-hint">{t('licenses.detail.notUsable')}</p>}
      <Card className="m-card" title={<h2 className="m-card-title">{t('licenses.detail.history')}</h2>}>
        <ol className="m-timeline">
          {[...l.statusHistory].reverse().map((h, i) => (
            <li key={i}>
              <div>
                <strong>{t(`licenses.status.${h.status}`)}</strong>
                {h.reason ? ` · ${h.reason}` : ''}
              </div>
              <div className="m-item-meta">
                {formatDateTime(h.at)}
                {h.actorName ? ` · ${h.actorName}` : ''}
              </div>
            </li>
          ))}
        </ol>
      </Card>
      <p className="m-hint">{t('licenses.detail.signature', { algorithm: l.signature.algorithm })}</p>
    </Page>
  )
}
