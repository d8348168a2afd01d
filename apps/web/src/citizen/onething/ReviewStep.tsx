import { Button, Dialog, Result, Toast } from 'antd-mobile'
import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useNavigate } from 'react-router'
import { errorMessage } from '../../lib/api'
import { onethingApi } from '../../lib/onething'
import type { StepProps } from './DraftPage'
import { FieldsEditor, saveFields, valuesOf } from './FieldsEditor'
import { MaterialsList } from './MaterialsList'

/** Screen 6: review and submit (first applicant), or check and confirm one's own part (co-applicant). */
export function ReviewStep(props: StepProps) {
  return props.draft.you.isOwner ? <OwnerReview {...props} /> : <PartyReview {...props} />
}

function OwnerReview({ draft, setDraft, next }: StepProps) {
  const { t } = useTranslation()
  const [busy, setBusy] = useState(false)
  const waiting = draft.parties.filter((p) => p.required && p.status !== 'confirmed')

  // While co-applicants have yet to confirm, look again every few seconds.
  useEffect(() => {
    if (waiting.length === 0 || draft.status !== 'open') return
    const timer = window.setInterval(() => {
      onethingApi.draft(draft.id).then(setDraft, () => undefined)
    }, 3000)
    return () => window.clearInterval(timer)
  }, [draft.id, draft.status, waiting.length, setDraft])

  async function submit() {
    setBusy(true)
    try {
      const res = await onethingApi.submit(draft.id, draft.version)
      setDraft(res.draft)
      next()
    } catch (e) {
      Toast.show({ icon: 'fail', content: errorMessage(e), duration: 4000 })
    } finally {
      setBusy(false)
    }
  }

  const c = draft.counts
  return (
    <>
      <section className="ot-card" aria-labelledby="ot-review-items">
        <h2 id="ot-review-items">{t('onething.review.items')}</h2>
        <ul className="ot-items">
          {draft.items
            .filter((i) => i.applies)
            .map((i) => (
              <li key={i.code}>
                <span>{i.name}</span>
                <span className="ot-meta">{i.departmentName}</span>
              </li>
            ))}
        </ul>
        <p className="ot-counts" data-counts={JSON.stringify(c)}>
          {t('onething.review.counts', { prefilled: c.prefilled, typed: c.typed, licenses: c.materialsFromLicenses, shared: c.materialsShared })}
        </p>
      </section>
      {draft.parties.length > 0 && (
        <section className="ot-card" aria-labelledby="ot-review-parties" aria-live="polite">
          <h2 id="ot-review-parties">{t('onething.bundle.partiesTitle')}</h2>
          <ul className="ot-items">
            {draft.parties.map((p) => (
              <li key={p.role} data-party={p.role} data-status={p.status}>
                <span>
                  {p.label}
                  {p.accountName ? ` · ${p.accountName}` : ''}
                </span>
                <span className="ot-meta">{t(`onething.party.${p.status}`)}</span>
              </li>
            ))}
          </ul>
          {waiting.length > 0 && <p className="ot-meta">{t('onething.review.waiting', { names: waiting.map((p) => p.label).join('、') })}</p>}
        </section>
      )}
      <Button color="primary" block size="large" loading={busy} disabled={waiting.length > 0} onClick={() => void submit()}>
        {t('onething.review.submit')}
      </Button>
    </>
  )
}

function PartyReview({ draft, setDraft }: StepProps) {
  const { t } = useTranslation()
  const navigate = useNavigate()
  const [values, setValues] = useState(() => valuesOf(draft))
  const [busy, setBusy] = useState(false)
  const [declined, setDeclined] = useState(false)
  const mine = (f: { party: string }) => f.party === draft.you.role

  async function confirm() {
    setBusy(true)
    try {
      const saved = await saveFields(draft, values, (field, by) => t('onething.form.conflict', { field, by }))
      if (!saved.ok) {
        setDraft(saved.draft)
        setValues(valuesOf(saved.draft))
        return
      }
      setDraft(await onethingApi.confirm(draft.id))
    } catch (e) {
      Toast.show({ icon: 'fail', content: errorMessage(e) })
    } finally {
      setBusy(false)
    }
  }

  async function decline() {
    if (!(await Dialog.confirm({ content: t('onething.review.decline') }))) return
    try {
      await onethingApi.decline(draft.id)
      setDeclined(true)
    } catch (e) {
      Toast.show({ icon: 'fail', content: errorMessage(e) })
    }
  }

  if (declined) return <Result status="info" title={t('onething.review.declined')} />
  if (draft.status === 'submitted' && draft.group) {
    return (
      <Button block color="primary" onClick={() => navigate(`/m/onething/applications/${draft.group!.id}`)}>
        {t('onething.submitted.view')}
      </Button>
    )
  }
  return (
    <>
      <p className="m-subtitle">
        {draft.ownerName} · {draft.bundle.name}
      </p>
      <h2 className="m-section-title">{t('onething.review.yourPart')}</h2>
      <FieldsEditor draft={draft} values={values} onChange={setValues} only={mine} />
      {draft.materials.some(mine) && (
        <>
          <h2 className="m-section-title">{t('onething.review.yourMaterials')}</h2>
          <MaterialsList draft={draft} setDraft={setDraft} only={mine} />
        </>
      )}
      {draft.you.status === 'confirmed' ? (
        <Result status="success" title={t('onething.review.confirmed', { owner: draft.ownerName })} />
      ) : (
        <div className="ot-actions">
          <Button fill="outline" onClick={() => void decline()}>
            {t('onething.review.decline')}
          </Button>
          <Button color="primary" loading={busy} onClick={() => void confirm()}>
            {t('onething.review.confirm')}
          </Button>
        </div>
      )}
    </>
  )
}
