import { Button, Toast } from 'antd-mobile'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { errorMessage } from '../../lib/api'
import { acceptedFileTypes, MAX_FILE_BYTES } from '../../lib/cases'
import { currentLanguage } from '../../lib/i18n'
import { onethingApi, type Draft, type DraftMaterial } from '../../lib/onething'

/**
 * Upload for one material of a bundle draft that no license or shared data provides: a native
 * file input (reachable by keyboard, named for screen readers) styled as a button, the files
 * already sent with a remove button each, and the reason a file was refused read out (role=alert).
 * The server checks the bytes again; this only saves a wasted upload.
 */
export function MaterialUpload({ draft, material, onChange }: { draft: Draft; material: DraftMaterial; onChange: () => Promise<void> }) {
  const { t } = useTranslation()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  const inputId = `ot-file-${material.itemCode}-${material.code}`

  async function upload(files: FileList | null) {
    if (!files?.length) return
    setBusy(true)
    setError('')
    try {
      for (const file of Array.from(files)) {
        if (file.size > MAX_FILE_BYTES) throw new Error(t('citizen.apply.fileTooBig', { name: file.name }))
        const type = file.type || (file.name.toLowerCase().endsWith('.ofd') ? 'application/ofd' : '')
        if (!(acceptedFileTypes as readonly string[]).includes(type)) throw new Error(t('citizen.apply.fileType', { name: file.name }))
        await onethingApi.uploadFile(draft.id, material.itemCode, material.code, file, currentLanguage())
      }
      Toast.show({ icon: 'success', content: t('citizen.apply.uploaded') })
    } catch (e) {
      setError(e instanceof Error && !('problem' in e) ? e.message : errorMessage(e))
    } finally {
      setBusy(false)
      await onChange().catch(() => undefined)
    }
  }

  async function remove(fileId: string) {
    try {
      await onethingApi.removeFile(draft.id, fileId)
    } catch (e) {
      Toast.show({ icon: 'fail', content: errorMessage(e) })
    }
    await onChange().catch(() => undefined)
  }

  return (
    <div className="m-upload" data-upload={`${material.itemCode}.${material.code}`}>
      {material.files.length > 0 && (
        <ul className="m-files">
          {material.files.map((f) => (
            <li key={f.id}>
              <span className="m-file-name">{f.fileName}</span>
              <Button size="mini" fill="none" color="danger" onClick={() => void remove(f.id)} aria-label={t('citizen.apply.removeFile', { name: f.fileName })}>
                {t('common.remove')}
              </Button>
            </li>
          ))}
        </ul>
      )}
      <input
        id={inputId}
        className="m-sr-only"
        type="file"
        multiple
        accept={[...acceptedFileTypes, '.ofd'].join(',')}
        aria-label={t('citizen.apply.uploadFor', { name: material.name })}
        aria-describedby={`${inputId}-hint`}
        disabled={busy}
        onChange={(e) => {
          void upload(e.target.files)
          e.target.value = ''
        }}
      />
      <label htmlFor={inputId} className="m-upload-button" aria-hidden="true">
        {busy ? t('common.working') : material.files.length ? t('citizen.apply.addFile') : t('citizen.apply.chooseFile')}
      </label>
      <span id={`${inputId}-hint`} className="ot-meta">
        {t('onething.materials.uploadHint')}
      </span>
      {error && (
        <p className="m-error" role="alert">
          {error}
        </p>
      )}
    </div>
  )
}
