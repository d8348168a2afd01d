import { Alert, Button, Descriptions, Space, Typography } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api, errorMessage } from '../../lib/api'
import { formatDateTime } from '../../lib/format'
import type { CaseLicense, LicenseMaterial } from '../../lib/licenses'
import { LicenseStatusTag } from './LicenseStatusTag'

/**
 * 免提交 in the clerk's case detail: the e-license standing in for a material. Reading it is a use
 * the holder sees in their log, so it is fetched on request, then shown verified (status and seal
 * signature) by the licenses service.
 */
export function CaseLicensePanel({ caseId, materialCode, license }: { caseId: string; materialCode: string; license: LicenseMaterial }) {
  const { t } = useTranslation()
  const [read, setRead] = useState<CaseLicense | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const load = async () => {
    setBusy(true)
    setError(null)
    try {
      setRead(await api.get<CaseLicense>(`/api/cases/${encodeURIComponent(caseId)}/materials/${encodeURIComponent(materialCode)}/license`))
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  const v = read?.verification
  const trusted = !!v && v.signatureValid && v.outcome === 'valid'
  return (
    <div className="desk-license">
      <Space wrap>
        <span>{t('licenses.apply.fromLicense', { type: license.typeName, number: license.number })}</span>
        {!read && (
          <Button size="small" type="primary" loading={busy} onClick={() => void load()} aria-label={t('licenses.work.readLabel', { number: license.number })}>
            {t('licenses.work.read')}
          </Button>
        )}
      </Space>
      {error && <Alert type="error" showIcon title={error} style={{ marginTop: 8 }} />}
      {read && v && (
        <div style={{ marginTop: 8 }}>
          <Alert
            type={trusted ? 'success' : 'error'}
            showIcon
            role="status"
            title={trusted ? t('licenses.work.verifiedOk') : t('licenses.work.verifiedBad', { outcome: t(`licenses.verify.outcome.${v.signatureValid ? v.outcome : 'invalid'}`) })}
            description={v.signatureValid ? t('licenses.verify.signatureOk') : t('licenses.verify.signatureBad')}
          />
          <Space align="start" style={{ marginTop: 8 }} wrap>
            {v.license && <img src={v.license.seal.imageUrl} alt={t('licenses.verify.sealAlt', { name: v.license.seal.name })} width={72} height={72} />}
            <Descriptions
              column={1}
              size="small"
              items={[
                { key: 'status', label: t('licenses.field.status'), children: <LicenseStatusTag status={read.status} /> },
                { key: 'holder', label: t('licenses.field.holder'), children: `${read.holderName}（${read.maskedHolderId}）` },
                ...read.fields.map((f) => ({ key: f.key, label: f.label, children: f.value || '—' })),
                { key: 'issuer', label: t('licenses.field.issuer'), children: read.issuerName },
                { key: 'validity', label: t('licenses.field.validity'), children: read.validUntil ? t('licenses.field.validRange', { from: read.validFrom, until: read.validUntil }) : t('licenses.field.validForever', { from: read.validFrom }) },
              ]}
            />
          </Space>
          <Typography.Text type="secondary">{t('licenses.verify.checkedAt', { at: formatDateTime(v.checkedAt) })}</Typography.Text>
        </div>
      )}
    </div>
  )
}
