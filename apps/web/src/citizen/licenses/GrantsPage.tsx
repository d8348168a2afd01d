import { Button, Dialog, Empty, Tag, Toast } from 'antd-mobile'
import { useTranslation } from 'react-i18next'
import { api, errorMessage } from '../../lib/api'
import { formatDateTime } from '../../lib/format'
import { walletPaths, type AccessRequest, type Grant, type LicenseSummary } from '../../lib/licenses'
import type { Page as Paged } from '../../lib/types'
import { useFetch } from '../../lib/use-fetch'
import { LoadError, Loading, Page } from '../Page'

/** 我的授权: departments' requests to answer, and the grants I gave, each withdrawable while active. */
export function GrantsPage() {
  const { t } = useTranslation()
  const grants = useFetch((signal) => api.get<Paged<Grant>>('/api/licenses/mine/grants', { pageSize: 100 }, signal), [])
  const requests = useFetch((signal) => api.get<Paged<AccessRequest>>('/api/licenses/mine/requests', { status: 'pending', pageSize: 50 }, signal), [])
  const wallet = useFetch((signal) => api.get<Paged<LicenseSummary>>(walletPaths.list, { status: 'valid', pageSize: 100 }, signal), [])
  /** The license a request would read: the one it names, else my valid one of its type. */
  const licenseFor = (r: AccessRequest) => wallet.data?.items.find((l) => (r.licenseId ? l.id === r.licenseId : l.type === r.licenseType)) ?? null

  const approve = async (r: AccessRequest, license: LicenseSummary) => {
    const ok = await Dialog.confirm({
      content: t('licenses.grants.approveConfirm', { department: r.departmentName, type: license.typeName, purpose: r.purpose }),
      confirmText: t('licenses.grants.approve'),
      cancelText: t('common.cancel'),
    })
    if (!ok) return
    try {
      await api.post(`/api/licenses/mine/requests/${encodeURIComponent(r.id)}/approve`, { licenseId: license.id, mode: 'single_use' })
      Toast.show({ icon: 'success', content: t('licenses.grants.approved') })
    } catch (e) {
      Toast.show({ content: errorMessage(e) })
    }
    requests.reload()
    grants.reload()
  }

  const withdraw = async (g: Grant) => {
    const ok = await Dialog.confirm({ content: t('licenses.grants.withdrawConfirm', { department: g.departmentName }), confirmText: t('licenses.grants.withdraw'), cancelText: t('common.cancel') })
    if (!ok) return
    try {
      await api.post(`/api/licenses/mine/grants/${encodeURIComponent(g.id)}/withdraw`, {})
      Toast.show({ icon: 'success', content: t('licenses.grants.withdrawn') })
    } catch (e) {
      Toast.show({ content: errorMessage(e) })
    }
    grants.reload()
  }

  const deny = async (r: AccessRequest) => {
    try {
      await api.post(`/api/licenses/mine/requests/${encodeURIComponent(r.id)}/deny`, {})
      Toast.show({ content: t('licenses.grants.denied') })
    } catch (e) {
      Toast.show({ content: errorMessage(e) })
    }
    requests.reload()
  }

  return (
    <Page title={t('licenses.grants.title')} back={{ to: '/m/licenses', label: t('licenses.wallet.title') }}>
      {requests.data && requests.data.items.length > 0 && (
        <section aria-labelledby="w-requests-title">
          <h2 id="w-requests-title" className="m-section-title">
            {t('licenses.grants.requests')}
          </h2>
          <ul className="m-list">
            {requests.data.items.map((r) => (
              <li key={r.id} className="m-upload">
                <strong>{r.departmentName}</strong>
                <div>{t('licenses.grants.asks', { purpose: r.purpose })}</div>
                <div className="m-item-meta">{formatDateTime(r.createdAt)}</div>
                <div className="w-row-buttons">
                  {licenseFor(r) ? (
                    <Button size="small" color="primary" onClick={() => void approve(r, licenseFor(r)!)}>
                      {t('licenses.grants.approve')}
                    </Button>
                  ) : (
                    <span className="m-item-meta">{t('licenses.grants.noSuchLicense')}</span>
                  )}
                  <Button size="small" onClick={() => void deny(r)}>
                    {t('licenses.grants.deny')}
                  </Button>
                </div>
              </li>
            ))}
          </ul>
        </section>
      )}
      <h2 className="m-section-title">{t('licenses.grants.given')}</h2>
      {grants.loading && !grants.data ? (
        <Loading />
      ) : grants.error ? (
        <LoadError error={grants.error} retry={grants.reload} />
      ) : !grants.data?.items.length ? (
        <Empty description={t('licenses.grants.empty')} />
      ) : (
        <ul className="m-list">
          {grants.data.items.map((g) => (
            <li key={g.id} className="m-upload">
              <div className="m-row">
                <strong>{g.departmentName}</strong>
                <Tag color={g.status === 'active' ? 'success' : 'default'} fill="outline">
                  {t(`licenses.grantStatus.${g.status}`)}
                </Tag>
              </div>
              <div>{t('licenses.uses.what', { number: g.licenseNumber })}</div>
              <div>{t('licenses.uses.purpose', { purpose: g.purpose })}</div>
              <div className="m-item-meta">
                {t(`licenses.grantMode.${g.mode}`)} · {formatDateTime(g.createdAt)}
              </div>
              {g.status === 'active' && (
                <Button size="small" color="danger" fill="outline" onClick={() => void withdraw(g)} aria-label={t('licenses.grants.withdrawLabel', { department: g.departmentName, number: g.licenseNumber })}>
                  {t('licenses.grants.withdraw')}
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
    </Page>
  )
}
