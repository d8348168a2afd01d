import { Button, Result } from 'antd-mobile'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import type { StepProps } from './DraftPage'

/** Screen 7: submitted — one application number; every department has its case. */
export function SubmittedStep({ draft }: StepProps) {
  const { t } = useTranslation()
  const count = draft.items.filter((i) => i.applies).length
  return (
    <>
      <Result status="success" title={draft.group ? t('onething.submitted.number', { number: draft.group.number }) : ''} description={t('onething.submitted.text', { count })} />
      <p className="ot-counts" data-counts={JSON.stringify(draft.counts)}>
        {t('onething.review.counts', { prefilled: draft.counts.prefilled, typed: draft.counts.typed, licenses: draft.counts.materialsFromLicenses, shared: draft.counts.materialsShared })}
      </p>
      {draft.group && (
        <Link to={`/m/onething/applications/${draft.group.id}`}>
          <Button block color="primary">
            {t('onething.submitted.view')}
          </Button>
        </Link>
      )}
    </>
  )
}
