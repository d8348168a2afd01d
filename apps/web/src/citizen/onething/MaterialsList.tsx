import { Button, Tag, Toast } from 'antd-mobile'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { errorMessage } from '../../lib/api'
import { onethingApi, type Draft, type DraftMaterial } from '../../lib/onething'
import { MaterialUpload } from './MaterialUpload'

const tagColor: Record<DraftMaterial['status'], 'success' | 'primary' | 'warning' | 'danger' | 'default'> = {
  license: 'success',
  registry: 'primary',
  bundle: 'primary',
  upload: 'success',
  available: 'warning',
  missing: 'danger',
}

/**
 * The bundle's materials and how each is provided. Each person consents (or withdraws) only for
 * the materials they hold: the first applicant's, or a co-applicant's own (e.g. their ID card);
 * a material another party still has to provide says who, not "upload". A material nothing else
 * provides (no license at hand, no shared data) takes a file from the person who holds it.
 */
export function MaterialsList({ draft, setDraft, only }: { draft: Draft; setDraft: (d: Draft) => void; only?: (m: DraftMaterial) => boolean }) {
  const { t } = useTranslation()
  const [busy, setBusy] = useState<string | null>(null)

  async function run(key: string, fn: () => Promise<Draft>) {
    setBusy(key)
    try {
      setDraft(await fn())
    } catch (e) {
      Toast.show({ icon: 'fail', content: errorMessage(e) })
    } finally {
      setBusy(null)
    }
  }

  const holderLabel = (m: DraftMaterial) => draft.parties.find((p) => p.role === m.party)?.label ?? m.party
  const status = (m: DraftMaterial) =>
    m.status === 'license'
      ? t('onething.materials.license')
      : m.status === 'registry'
        ? t('onething.materials.registry')
        : m.status === 'bundle'
          ? t('onething.materials.bundle')
          : m.status === 'upload'
            ? t('onething.materials.uploaded')
            : m.party !== draft.you.role
            ? t('onething.materials.byParty', { party: holderLabel(m) })
            : t('onething.materials.missing')
  const mine = (m: DraftMaterial) => m.party === draft.you.role

  return (
    <ul className="ot-items ot-card">
      {draft.materials.filter(only ?? (() => true)).map((m) => (
        <li key={`${m.itemCode}.${m.code}`} data-material={`${m.itemCode}.${m.code}`} data-status={m.status} style={{ flexDirection: 'column', alignItems: 'stretch' }}>
          <span>
            {m.name} <Tag color={tagColor[m.status]}>{status(m)}</Tag>
          </span>
          <span className="ot-meta">
            {m.itemName}
            {m.label ? ` · ${m.label}` : ''}
          </span>
          {mine(m) && m.licenses.length > 0 && m.status !== 'license' && m.licenseType && (
            <Button size="small" color="primary" fill="outline" loading={busy === m.licenseType} onClick={() => void run(m.licenseType!, () => onethingApi.useLicense(draft.id, m.licenseType!, m.licenses[0]!.id))}>
              {t('onething.materials.useLicense', { name: `${m.licenses[0]!.typeName} ${m.licenses[0]!.number}` })}
            </Button>
          )}
          {mine(m) && m.status === 'license' && m.licenseType && (
            <Button size="small" fill="none" loading={busy === m.licenseType} onClick={() => void run(m.licenseType!, () => onethingApi.withdrawLicense(draft.id, m.licenseType!))}>
              {t('onething.materials.withdraw')}
            </Button>
          )}
          {mine(m) && (m.status === 'missing' || m.status === 'upload') && draft.status === 'open' && (
            <MaterialUpload draft={draft} material={m} onChange={async () => setDraft(await onethingApi.draft(draft.id))} />
          )}
        </li>
      ))}
    </ul>
  )
}
