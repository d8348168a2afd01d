import { Button, Toast } from 'antd-mobile'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { errorMessage } from '../../lib/api'
import type { StepProps } from './DraftPage'
import { FieldsEditor, saveFields, valuesOf } from './FieldsEditor'

/** Screen 3: the merged form — asked once for every item, prefilled from the registries and licenses. */
export function FormStep({ draft, setDraft, next }: StepProps) {
  const { t } = useTranslation()
  const [values, setValues] = useState(() => valuesOf(draft))
  const [busy, setBusy] = useState(false)

  async function save() {
    setBusy(true)
    try {
      const res = await saveFields(draft, values, (field, by) => t('onething.form.conflict', { field, by }))
      setDraft(res.draft)
      if (res.ok) next()
      else setValues(valuesOf(res.draft))
    } catch (e) {
      Toast.show({ icon: 'fail', content: errorMessage(e) })
    } finally {
      setBusy(false)
    }
  }

  return (
    <>
      <p className="m-subtitle">{t('onething.form.intro', { count: draft.counts.prefilled })}</p>
      <FieldsEditor draft={draft} values={values} onChange={setValues} />
      <Button color="primary" block size="large" loading={busy} onClick={() => void save()}>
        {t('onething.next')}
      </Button>
    </>
  )
}
