import { Button, Tag, Toast } from 'antd-mobile'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api, errorMessage } from '../../lib/api'
import { acceptedFileTypes, MAX_FILE_BYTES, uploadMaterial, type CaseDetail, type CaseFile } from '../../lib/cases'
import { currentLanguage } from '../../lib/i18n'
import { LicenseChoice, useValidLicenses } from './LicenseChoice'

/**
 * Upload rows for an application's materials: pick a file (PDF, JPG, PNG, OFD up to 10 MB),
 * see it listed, remove it again. `codes` narrows to the materials a 补正 notice asks for.
 */
export function MaterialUploads({
  detail,
  onChange,
  codes,
  conditions,
  licenseTypes,
}: {
  detail: CaseDetail
  onChange: () => void
  codes?: ReadonlySet<string>
  conditions?: Record<string, string | null>
  /** Material code → the license type that can stand in for an upload (免提交). */
  licenseTypes?: Record<string, string | null>
}) {
  const { t } = useTranslation()
  const [busy, setBusy] = useState<string | null>(null)
  const [errors, setErrors] = useState<Record<string, string>>({})
  const materials = detail.materials.filter((m) => !codes || codes.has(m.code))
  const wallet = useValidLicenses(materials.some((m) => !!licenseTypes?.[m.code]))

  const upload = async (code: string, files: FileList | null) => {
    if (!files?.length) return
    setBusy(code)
    setErrors((e) => ({ ...e, [code]: '' }))
    try {
      for (const file of Array.from(files)) {
        if (file.size > MAX_FILE_BYTES) throw new Error(t('citizen.apply.fileTooBig', { name: file.name }))
        const type = file.type || (file.name.toLowerCase().endsWith('.ofd') ? 'application/ofd' : '')
        if (!(acceptedFileTypes as readonly string[]).includes(type)) throw new Error(t('citizen.apply.fileType', { name: file.name }))
        await uploadMaterial(detail.id, code, file, currentLanguage())
      }
      Toast.show({ icon: 'success', content: t('citizen.apply.uploaded') })
    } catch (e) {
      setErrors((x) => ({ ...x, [code]: e instanceof Error && !('problem' in e) ? e.message : errorMessage(e) }))
    } finally {
      setBusy(null)
      onChange()
    }
  }

  const remove = async (file: CaseFile) => {
    try {
      await api.delete(`/api/cases/${encodeURIComponent(detail.id)}/files/${encodeURIComponent(file.id)}`)
    } catch (e) {
      Toast.show({ content: errorMessage(e) })
    }
    onChange()
  }

  return (
    <ul className="m-list">
      {materials.map((m) => {
        const inputId = `m-file-${m.code}`
        return (
          <li key={m.code} className="m-upload">
            <div>
              <strong>{m.name}</strong>{' '}
              <Tag color={m.requirement === 'required' ? 'danger' : 'default'} fill="outline">
                {t(`catalog.requirement.${m.requirement}`)}
              </Tag>
            </div>
            {conditions?.[m.code] && <div className="m-item-meta">{t('citizen.item.condition', { condition: conditions[m.code] })}</div>}
            {m.files.length > 0 && (
              <ul className="m-files">
                {m.files.map((f) => (
                  <li key={f.id}>
                    <span className="m-file-name">{f.fileName}</span>
                    <Button size="mini" fill="none" color="danger" onClick={() => void remove(f)} aria-label={t('citizen.apply.removeFile', { name: f.fileName })}>
                      {t('common.remove')}
                    </Button>
                  </li>
                ))}
              </ul>
            )}
            <LicenseChoice detail={detail} material={m} candidates={wallet.filter((l) => l.type === licenseTypes?.[m.code])} onChange={onChange} />
            <label htmlFor={inputId} className="m-upload-button" style={m.license ? { display: 'none' } : undefined}>
              {busy === m.code ? t('common.working') : m.files.length ? t('citizen.apply.addFile') : t('citizen.apply.chooseFile')}
              <span className="m-sr-only">{m.name}</span>
            </label>
            <input
              id={inputId}
              className="m-sr-only"
              type="file"
              multiple
              accept={[...acceptedFileTypes, '.ofd'].join(',')}
              aria-label={t('citizen.apply.uploadFor', { name: m.name })}
              disabled={busy !== null || !!m.license}
              onChange={(e) => {
                void upload(m.code, e.target.files)
                e.target.value = ''
              }}
            />
            {errors[m.code] && (
              <p className="m-error" role="alert">
                {errors[m.code]}
              </p>
            )}
          </li>
        )
      })}
    </ul>
  )
}
