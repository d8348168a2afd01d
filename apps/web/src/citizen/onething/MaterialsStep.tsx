import { Button, Tag, Toast } from 'antd-mobile'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { errorMessage } from '../../lib/api'
import { onethingApi, type DraftMaterial } from '../../lib/onething'
import type { StepProps } from './DraftPage'

const tagColor: Record<DraftMaterial['status'], 'success' | 'primary' | 'warning' | 'danger' | 'default'> = {
  license: 'success',
  registry: 'primary',
  bundle: 'primary',
  available: 'warning',
  missing: 'danger',
}

/** Screen 4: materials — e-licenses (with consent), shared registry data or other items of the bundle stand in for uploads. */
export function MaterialsStep({ draft, setDraft, next }: StepProps) {
  const { t } = useTranslation()
  const [busy, setBusy] = useState<string | null>(null)

  async function run(key: string, fn: () => Promise<typeof draft>) {
    setBusy(key)
    try {
      setDraft(await fn())
    } catch (e) {
      Toast.show({ icon: 'fail', content: errorMessage(e) })
    } finally {
      setBusy(null)
    }
  }

  const status = (m: DraftMaterial) =>
    m.status === 'license' ? t('onething.materials.license') : m.status === 'registry' ? t('onething.materials.registry') : m.status === 'bundle' ? t('onething.materials.bundle') : t('onething.materials.missing')

  return (
    <>
      <p className="m-subtitle">{t('onething.materials.intro')}</p>
      <ul className="ot-items ot-card">
        {draft.materials.map((m) => (
          <li key={`${m.itemCode}.${m.code}`} style={{ flexDirection: 'column', alignItems: 'stretch' }}>
            <span>
              {m.name} <Tag color={tagColor[m.status]}>{status(m)}</Tag>
            </span>
            <span className="ot-meta">
              {m.itemName}
              {m.label ? ` · ${m.label}` : ''}
            </span>
            {m.licenses.length > 0 && m.status !== 'license' && m.licenseType && (
              <Button size="small" color="primary" fill="outline" loading={busy === m.licenseType} onClick={() => void run(m.licenseType!, () => onethingApi.useLicense(draft.id, m.licenseType!, m.licenses[0]!.id))}>
                {t('onething.materials.useLicense', { name: `${m.licenses[0]!.typeName} ${m.licenses[0]!.number}` })}
              </Button>
            )}
            {m.status === 'license' && m.licenseType && (
              <Button size="small" fill="none" loading={busy === m.licenseType} onClick={() => void run(m.licenseType!, () => onethingApi.withdrawLicense(draft.id, m.licenseType!))}>
                {t('onething.materials.withdraw')}
              </Button>
            )}
          </li>
        ))}
      </ul>
      <Button color="primary" block size="large" onClick={next}>
        {t('onething.next')}
      </Button>
    </>
  )
}
