import { Button } from 'antd-mobile'
import { useEffect, useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { MAX_PHOTO_BYTES, MAX_PHOTOS, photoProblem, photoTypes } from '../../lib/hotline'

/**
 * Photos picked for a new ticket, checked here for type, size and count before anything is sent
 * (the server sniffs the bytes again). Shown as thumbnails that can be removed.
 */
export function PhotoPicker({ files, onChange }: { files: File[]; onChange: (files: File[]) => void }) {
  const { t } = useTranslation()
  const [error, setError] = useState<string | null>(null)
  const urls = useMemo(() => files.map((f) => URL.createObjectURL(f)), [files])
  useEffect(() => () => urls.forEach((u) => URL.revokeObjectURL(u)), [urls])

  const add = (list: FileList | null) => {
    if (!list?.length) return
    const next = [...files]
    const problems: string[] = []
    for (const f of Array.from(list)) {
      const problem = photoProblem(f)
      if (problem === 'type') problems.push(t('hotline.m.photoType', { name: f.name }))
      else if (problem === 'size') problems.push(t('hotline.m.photoSize', { name: f.name, mb: MAX_PHOTO_BYTES / 1024 / 1024 }))
      else if (next.length >= MAX_PHOTOS) problems.push(t('hotline.m.photoCount', { max: MAX_PHOTOS }))
      else next.push(f)
    }
    setError(problems.length ? [...new Set(problems)].join(' ') : null)
    onChange(next)
  }

  return (
    <div className="m-upload">
      {files.length > 0 && (
        <ul className="m-hotline-photos">
          {files.map((f, i) => (
            <li key={`${f.name}-${i}`}>
              <img src={urls[i]} alt={f.name} />
              <Button size="mini" fill="none" color="danger" onClick={() => onChange(files.filter((_, j) => j !== i))} aria-label={t('hotline.m.removePhoto', { name: f.name })}>
                {t('common.remove')}
              </Button>
            </li>
          ))}
        </ul>
      )}
      <input
        id="m-hotline-photo"
        className="m-sr-only"
        type="file"
        multiple
        accept={photoTypes.join(',')}
        aria-label={t('hotline.m.addPhotos')}
        aria-describedby="m-hotline-photo-help"
        onChange={(e) => {
          add(e.target.files)
          e.target.value = ''
        }}
      />
      <label htmlFor="m-hotline-photo" className="m-upload-button">
        {t('hotline.m.addPhotos')}
      </label>
      <p id="m-hotline-photo-help" className="m-hint">
        {t('hotline.m.photoHelp', { max: MAX_PHOTOS, mb: MAX_PHOTO_BYTES / 1024 / 1024 })}
      </p>
      {error && (
        <p className="m-error" role="alert">
          {error}
        </p>
      )}
    </div>
  )
}
