import { Button, Toast } from 'antd-mobile'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useNavigate, useParams } from 'react-router'
import { errorMessage } from '../../lib/api'
import { onethingApi } from '../../lib/onething'
import { Page } from '../Page'

/** An invitation link: the invitee (signed in) accepts, and sees the shared draft with their own part prefilled. */
export default function JoinPage() {
  const { t } = useTranslation()
  const { token = '' } = useParams()
  const navigate = useNavigate()
  const [busy, setBusy] = useState(false)

  async function accept() {
    setBusy(true)
    try {
      const d = await onethingApi.accept(token)
      navigate(`/m/onething/drafts/${d.id}/review`, { replace: true })
    } catch (e) {
      Toast.show({ icon: 'fail', content: errorMessage(e), duration: 4000 })
      setBusy(false)
    }
  }

  return (
    <Page title={t('onething.join.title')}>
      <div className="ot-screen" data-screen="join">
        <p className="m-subtitle">{t('onething.join.text')}</p>
        <Button color="primary" block size="large" loading={busy} onClick={() => void accept()}>
          {t('onething.join.accept')}
        </Button>
      </div>
    </Page>
  )
}
