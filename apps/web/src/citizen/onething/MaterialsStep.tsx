import { Button } from 'antd-mobile'
import { useTranslation } from 'react-i18next'
import type { StepProps } from './DraftPage'
import { MaterialsList } from './MaterialsList'

/** Screen 4: materials — e-licenses (with consent), shared registry data or other items of the bundle stand in for uploads. */
export function MaterialsStep({ draft, setDraft, next }: StepProps) {
  const { t } = useTranslation()
  return (
    <>
      <p className="m-subtitle">{t('onething.materials.intro')}</p>
      <MaterialsList draft={draft} setDraft={setDraft} />
      <Button color="primary" block size="large" onClick={next}>
        {t('onething.next')}
      </Button>
    </>
  )
}
