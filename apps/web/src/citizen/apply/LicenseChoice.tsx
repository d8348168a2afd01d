import { Button, Dialog, Toast } from 'antd-mobile'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api, errorMessage } from '../../lib/api'
import type { CaseDetail } from '../../lib/cases'
import { walletPaths, type LicenseMaterial, type LicenseSummary } from '../../lib/licenses'
import type { Page as Paged } from '../../lib/types'
import { useFetch } from '../../lib/use-fetch'

/** The applicant's valid licenses, fetched once when some material could use one (else nothing is asked). */
export function useValidLicenses(wanted: boolean): LicenseSummary[] {
  const wallet = useFetch(
    (signal) => (wanted ? api.get<Paged<LicenseSummary>>(walletPaths.list, { status: 'valid', pageSize: 100 }, signal).catch(() => null) : Promise.resolve(null)),
    [wanted],
  )
  return (wallet.data?.items ?? []).filter((l) => l.status === 'valid')
}

const materialPath = (caseId: string, code: string) => `/api/cases/${encodeURIComponent(caseId)}/materials/${encodeURIComponent(code)}/license`

/**
 * 免提交 for one material: offers the applicant's e-licenses of the material's type instead of an
 * upload (asking consent for the department to read it), or shows the one in use with a way back.
 */
export function LicenseChoice({
  detail,
  material,
  candidates,
  onChange,
}: {
  detail: CaseDetail
  material: { code: string; name: string; license: LicenseMaterial | null }
  candidates: LicenseSummary[]
  onChange: () => void
}) {
  const { t } = useTranslation()
  const [busy, setBusy] = useState(false)

  const use = async (l: LicenseSummary) => {
    const ok = await Dialog.confirm({
      title: t('licenses.apply.consentTitle'),
      content: t('licenses.apply.consent', { department: detail.departmentName, item: detail.itemName, type: l.typeName, number: l.number }),
      confirmText: t('licenses.apply.agree'),
      cancelText: t('common.cancel'),
    })
    if (!ok) return
    setBusy(true)
    try {
      await api.put(materialPath(detail.id, material.code), { licenseId: l.id })
      Toast.show({ icon: 'success', content: t('licenses.apply.used') })
    } catch (e) {
      Toast.show({ content: errorMessage(e) })
    } finally {
      setBusy(false)
      onChange()
    }
  }

  const stop = async () => {
    setBusy(true)
    try {
      await api.delete(materialPath(detail.id, material.code))
    } catch (e) {
      Toast.show({ content: errorMessage(e) })
    } finally {
      setBusy(false)
      onChange()
    }
  }

  if (material.license) {
    return (
      <div className="w-license-choice" role="status">
        <span>{t('licenses.apply.inUse', { type: material.license.typeName, number: material.license.number })}</span>
        <Button size="mini" fill="none" color="danger" loading={busy} onClick={() => void stop()} aria-label={t('licenses.apply.stopLabel', { name: material.name })}>
          {t('licenses.apply.stop')}
        </Button>
      </div>
    )
  }
  if (candidates.length === 0) return null
  return (
    <>
      {candidates.map((l) => (
        <Button key={l.id} block color="success" fill="outline" loading={busy} onClick={() => void use(l)} aria-label={t('licenses.apply.useLabel', { name: material.name, number: l.number })}>
          {t('licenses.apply.use', { type: l.typeName })}
        </Button>
      ))}
    </>
  )
}
