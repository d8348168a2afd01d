import { Button, Toast } from 'antd-mobile'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { errorMessage } from '../../lib/api'
import { onethingApi } from '../../lib/onething'
import type { StepProps } from './DraftPage'

/** Screen 5: invite the co-applicants by phone; each gets a link, signs in and confirms their own part. */
export function InviteStep({ draft, setDraft, next }: StepProps) {
  const { t } = useTranslation()
  const [phones, setPhones] = useState<Record<string, string>>({})
  const [links, setLinks] = useState<Record<string, string>>({})
  const [busy, setBusy] = useState<string | null>(null)

  async function invite(role: string) {
    setBusy(role)
    try {
      const res = await onethingApi.invite(draft.id, role, phones[role]?.trim() || null)
      setDraft(res.draft)
      setLinks({ ...links, [role]: `${window.location.origin}${res.path}` })
    } catch (e) {
      Toast.show({ icon: 'fail', content: errorMessage(e) })
    } finally {
      setBusy(null)
    }
  }

  return (
    <>
      {draft.parties.map((p) => {
        const id = `ot-phone-${p.role}`
        return (
          <section key={p.role} className="ot-card" aria-labelledby={`${id}-title`}>
            <h2 id={`${id}-title`}>{p.label}</h2>
            <p className="ot-meta">
              {t('onething.invite.intro', { party: p.label })} {t(`onething.party.${p.status}`)}
              {p.accountName ? ` · ${p.accountName}` : p.invitedPhone ? ` · ${p.invitedPhone}` : ''}
            </p>
            <div className="ot-field">
              <label htmlFor={id}>{t('onething.invite.phone', { party: p.label })}</label>
              <input id={id} type="tel" inputMode="numeric" autoComplete="off" value={phones[p.role] ?? ''} onChange={(e) => setPhones({ ...phones, [p.role]: e.target.value })} />
            </div>
            <Button block color="primary" fill="outline" loading={busy === p.role} onClick={() => void invite(p.role)}>
              {t('onething.invite.send')}
            </Button>
            {links[p.role] && (
              <>
                <p>{t('onething.invite.link', { party: p.label })}</p>
                <p className="ot-link" data-invite-link={p.role}>
                  {links[p.role]}
                </p>
              </>
            )}
          </section>
        )
      })}
      <Button color="primary" block size="large" onClick={next}>
        {t('onething.next')}
      </Button>
    </>
  )
}
