import { Button, Card, Dialog, Toast } from 'antd-mobile'
import { AppstoreOutline, BankcardOutline, FileOutline, PhoneFill } from 'antd-mobile-icons'
import type { ComponentType, SVGProps } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useNavigate } from 'react-router'
import { useSession } from '../../lib/session'
import { BottomNav } from '../Page'
import { TopBar } from '../TopBar'

type ShortcutKey = 'services' | 'applications' | 'licenses' | 'hotline'

const shortcuts: { key: ShortcutKey; Icon: ComponentType<SVGProps<SVGSVGElement>>; to?: string }[] = [
  { key: 'services', Icon: AppstoreOutline, to: '/m/services' },
  { key: 'applications', Icon: FileOutline, to: '/m/cases' },
  { key: 'licenses', Icon: BankcardOutline, to: '/m/licenses' },
  { key: 'hotline', Icon: PhoneFill, to: '/m/hotline' },
]

/** The citizen's home: who is signed in, and shortcuts to the services. */
export function HomePage() {
  const { t } = useTranslation()
  const { me, signOut } = useSession()
  const navigate = useNavigate()
  if (!me) return null

  const idLine =
    me.kind === 'legal' && me.creditCode
      ? t('citizen.home.creditCode', { code: me.creditCode })
      : me.maskedIdNumber
        ? t('citizen.home.idNumber', { id: me.maskedIdNumber })
        : me.maskedPhone
          ? t('citizen.home.phone', { phone: me.maskedPhone })
          : null

  const logout = async () => {
    const ok = await Dialog.confirm({ content: t('citizen.home.logoutConfirm'), confirmText: t('auth.logout'), cancelText: t('common.cancel') })
    if (!ok) return
    await signOut()
    navigate('/m/login', { replace: true })
  }

  return (
    <>
      <TopBar />
      <main id="main" className="m-main m-with-nav">
        <Card className="m-card">
          <h1 className="m-greeting">{t('citizen.home.greeting', { name: me.name })}</h1>
          {idLine && <p className="m-id-line">{idLine}</p>}
        </Card>
        <section aria-labelledby="m-shortcuts-title">
          <h2 id="m-shortcuts-title" className="m-section-title">
            {t('citizen.home.shortcutsTitle')}
          </h2>
          <ul className="m-shortcuts">
            {shortcuts.map(({ key, Icon, to }) => (
              <li key={key}>
                {to ? (
                  <Link to={to} className="m-shortcut">
                    <Icon className="m-shortcut-icon" aria-hidden="true" />
                    <span className="m-shortcut-label">{t(`citizen.home.shortcut.${key}`)}</span>
                  </Link>
                ) : (
                <button
                  type="button"
                  className="m-shortcut"
                  aria-describedby={`m-soon-${key}`}
                  onClick={() => Toast.show({ content: t('citizen.home.comingSoonToast', { name: t(`citizen.home.shortcut.${key}`) }) })}
                >
                  <Icon className="m-shortcut-icon" aria-hidden="true" />
                  <span className="m-shortcut-label">{t(`citizen.home.shortcut.${key}`)}</span>
                  <span id={`m-soon-${key}`} className="m-soon">
                    {t('citizen.home.comingSoon')}
                  </span>
                </button>
                )}
              </li>
            ))}
          </ul>
        </section>
        <Button block size="large" onClick={() => void logout()}>
          {t('auth.logout')}
        </Button>
      </main>
      <BottomNav />
    </>
  )
}
