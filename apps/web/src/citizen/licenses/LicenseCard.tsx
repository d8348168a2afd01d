import { useTranslation } from 'react-i18next'
import type { LicenseDetail } from '../../lib/licenses'

/**
 * The license as a picture of the paper: title, holder, the type's fields, issuer with the red
 * seal over it, validity and number. A license that is not valid carries its status across it.
 */
export function LicenseCard({ license }: { license: LicenseDetail }) {
  const { t } = useTranslation()
  const l = license
  return (
    <article className={`w-card w-card-${l.status}`} aria-labelledby="w-card-title">
      <header className="w-card-head">
        <h2 id="w-card-title" className="w-card-title">
          {l.typeName}
        </h2>
        <p className="w-card-number">{t('licenses.field.numberShort', { number: l.number })}</p>
      </header>
      <dl className="w-card-fields">
        <div>
          <dt>{t('licenses.field.holder')}</dt>
          <dd>{l.holderName}</dd>
        </div>
        <div>
          <dt>{t(l.holderKind === 'entity' ? 'licenses.field.creditCode' : 'licenses.field.idNumber')}</dt>
          <dd>{l.maskedHolderId}</dd>
        </div>
        {l.fields.map((f) => (
          <div key={f.key}>
            <dt>{f.label}</dt>
            <dd>{f.value || '—'}</dd>
          </div>
        ))}
        <div>
          <dt>{t('licenses.field.validity')}</dt>
          <dd>{l.validUntil ? t('licenses.field.validRange', { from: l.validFrom, until: l.validUntil }) : t('licenses.field.validForever', { from: l.validFrom })}</dd>
        </div>
      </dl>
      <footer className="w-card-foot">
        <div>
          <div className="w-card-issuer">{l.issuerName}</div>
          <div className="m-item-meta">{t('licenses.field.issuedOn', { date: l.issuedAt.slice(0, 10) })}</div>
        </div>
        <img className="w-card-seal" src={`/api/licenses/seals/${encodeURIComponent(l.sealId)}/image.svg`} alt={t('licenses.field.sealAlt', { issuer: l.issuerName })} width={88} height={88} />
      </footer>
      {l.status !== 'valid' && (
        <div className="w-card-stamp" aria-hidden="true">
          {t(`licenses.status.${l.status}`)}
        </div>
      )}
    </article>
  )
}
