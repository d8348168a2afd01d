import { Button, Toast } from 'antd-mobile'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { errorMessage } from '../../lib/api'
import { onethingApi } from '../../lib/onething'
import type { StepProps } from './DraftPage'

/** Screen 2: situation questions (情形引导); which items apply follows from the answers. */
export function SituationStep({ draft, setDraft, next }: StepProps) {
  const { t } = useTranslation()
  const [answers, setAnswers] = useState<Record<string, string>>(draft.answers)
  const [busy, setBusy] = useState(false)

  async function save() {
    setBusy(true)
    try {
      const changed = draft.questions.some((q) => answers[q.key] !== draft.answers[q.key])
      if (changed) setDraft(await onethingApi.answer(draft.id, draft.version, answers))
      next()
    } catch (e) {
      Toast.show({ icon: 'fail', content: errorMessage(e) })
    } finally {
      setBusy(false)
    }
  }

  return (
    <>
      <p className="m-subtitle">{t('onething.situation.intro')}</p>
      <div className="ot-card">
        {draft.questions.map((q) => (
          <fieldset key={q.key} className="ot-question">
            <legend>{q.label}</legend>
            {q.help && <span className="ot-meta">{q.help}</span>}
            <div className="ot-choices">
              {q.options.map((o) => (
                <label key={o.value}>
                  <input type="radio" name={q.key} value={o.value} checked={answers[q.key] === o.value} onChange={() => setAnswers({ ...answers, [q.key]: o.value })} /> {o.label}
                </label>
              ))}
            </div>
          </fieldset>
        ))}
      </div>
      <section className="ot-card" aria-labelledby="ot-applies">
        <h2 id="ot-applies">{t('onething.bundle.itemsTitle')}</h2>
        <ul className="ot-items">
          {draft.items.map((i) => (
            <li key={i.code}>
              <span>{i.name}</span>
              <span className="ot-meta">{i.applies ? t('onething.situation.applies') : t('onething.situation.skipped')}</span>
            </li>
          ))}
        </ul>
      </section>
      <Button color="primary" block size="large" loading={busy} onClick={() => void save()}>
        {t('onething.next')}
      </Button>
    </>
  )
}
