import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Navigate, useNavigate, useParams } from 'react-router'
import { onethingApi, type Draft } from '../../lib/onething'
import { useFetch } from '../../lib/use-fetch'
import { LoadError, Loading, Page } from '../Page'
import { FormStep } from './FormStep'
import { InviteStep } from './InviteStep'
import { MaterialsStep } from './MaterialsStep'
import { ReviewStep } from './ReviewStep'
import { SituationStep } from './SituationStep'
import { SubmittedStep } from './SubmittedStep'

export type Step = 'situation' | 'form' | 'materials' | 'invite' | 'review' | 'submitted'

export interface StepProps {
  draft: Draft
  setDraft(d: Draft): void
  /** Goes to the following screen. */
  next(): void
}

/** The screens of a draft, in order: the first applicant's, or a co-applicant's (their part, then confirm). */
export function stepsOf(d: Draft): Step[] {
  if (!d.you.isOwner) return ['review']
  return [...(d.questions.length ? (['situation'] as const) : []), 'form', 'materials', ...(d.parties.length ? (['invite'] as const) : []), 'review']
}

/** A shared draft at one step (screens 2–7 of a bundle). */
export default function DraftPage() {
  const { t } = useTranslation()
  const { id = '', step = 'form' } = useParams()
  const navigate = useNavigate()
  const loaded = useFetch((signal) => onethingApi.draft(id, signal), [id])
  const [draft, setDraft] = useState<Draft | undefined>(undefined)
  useEffect(() => setDraft(loaded.data), [loaded.data])

  const title = t(`onething.${(step === 'submitted' ? 'submitted' : step) as Step}.title`)
  if (loaded.loading && !draft) return <Page title={title}><Loading /></Page>
  if (loaded.error || !draft) return <Page title={title}><LoadError error={loaded.error} retry={loaded.reload} /></Page>

  const steps = stepsOf(draft)
  const current = step as Step
  if (draft.status === 'submitted' && current !== 'submitted' && draft.you.isOwner) return <Navigate to={`/m/onething/drafts/${id}/submitted`} replace />
  if (current !== 'submitted' && !steps.includes(current)) return <Navigate to={`/m/onething/drafts/${id}/${steps[0]}`} replace />
  const index = steps.indexOf(current)
  const go = (s: Step) => navigate(`/m/onething/drafts/${id}/${s}`)
  const props: StepProps = { draft, setDraft, next: () => go(steps[index + 1] ?? 'submitted') }
  const back = index > 0 ? { to: `/m/onething/drafts/${id}/${steps[index - 1]}`, label: t('onething.back') } : { to: `/m/onething/${encodeURIComponent(draft.bundle.code)}`, label: draft.bundle.name }

  return (
    <Page title={title} back={current === 'submitted' ? undefined : back}>
      <div className="ot-screen" data-screen={current}>
        {current !== 'submitted' && steps.length > 1 && <p className="ot-step">{t('onething.step', { n: index + 1, total: steps.length })} · {draft.bundle.name}</p>}
        {current === 'situation' && <SituationStep {...props} />}
        {current === 'form' && <FormStep {...props} />}
        {current === 'materials' && <MaterialsStep {...props} />}
        {current === 'invite' && <InviteStep {...props} />}
        {current === 'review' && <ReviewStep {...props} />}
        {current === 'submitted' && <SubmittedStep {...props} />}
      </div>
    </Page>
  )
}
