import { Button, Form, Radio, TextArea, Toast } from 'antd-mobile'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useNavigate, useParams } from 'react-router'
import { api, errorMessage } from '../../lib/api'
import { walletPaths, type Grant, type GrantMode, type LicenseDetail } from '../../lib/licenses'
import type { Department, Page as Paged } from '../../lib/types'
import { useFetch } from '../../lib/use-fetch'
import { LoadError, Loading, Page } from '../Page'

interface ShareValues {
  purpose?: string
  mode?: GrantMode
}

/** 授权使用: lets a department read one license for a stated purpose, once or until withdrawn. */
export function SharePage() {
  const { t } = useTranslation()
  const { id = '' } = useParams()
  const navigate = useNavigate()
  const [q, setQ] = useState('')
  const [search, setSearch] = useState('')
  const [department, setDepartment] = useState<Department | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const license = useFetch((signal) => api.get<LicenseDetail>(walletPaths.one(id), undefined, signal), [id])
  const departments = useFetch(
    (signal) => (search ? api.get<Paged<Department>>('/api/org/departments', { q: search, pageSize: 10 }, signal) : Promise.resolve(null)),
    [search],
  )
  const back = { to: `/m/licenses/${encodeURIComponent(id)}`, label: t('licenses.detail.title') }
  if (license.loading && !license.data) return <Page title={t('licenses.share.title')} back={back}><Loading /></Page>
  if (license.error || !license.data) return <Page title={t('licenses.share.title')} back={back}><LoadError error={license.error} retry={license.reload} /></Page>
  const l = license.data

  const share = async (v: ShareValues) => {
    if (!department) return setError(t('licenses.share.pickDepartment'))
    setBusy(true)
    setError(null)
    try {
      await api.post<Grant>(walletPaths.grants(l.id), { departmentId: department.id, purpose: (v.purpose ?? '').trim(), mode: v.mode ?? 'single_use' })
      Toast.show({ icon: 'success', content: t('licenses.share.done', { department: department.name }) })
      navigate('/m/licenses/grants')
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Page title={t('licenses.share.title')} back={back}>
      <p className="m-subtitle">
        {l.typeName} · {l.number}
      </p>
      <section aria-labelledby="w-dept-title">
        <h2 id="w-dept-title" className="m-section-title">
          {t('licenses.share.department')}
        </h2>
        <form
          className="m-search"
          role="search"
          onSubmit={(e) => {
            e.preventDefault()
            setSearch(q.trim())
          }}
        >
          <input type="search" value={q} onChange={(e) => setQ(e.target.value)} aria-label={t('licenses.share.searchDepartment')} placeholder={t('licenses.share.searchDepartment')} maxLength={50} />
          <Button type="submit" color="primary">
            {t('common.search')}
          </Button>
        </form>
        {department && <p className="w-picked">{t('licenses.share.picked', { name: department.name })}</p>}
        {departments.data && (
          <ul className="m-list" aria-label={t('licenses.share.results')}>
            {departments.data.items.length === 0 && <li className="m-hint">{t('licenses.share.noDepartment')}</li>}
            {departments.data.items.map((d) => (
              <li key={d.id}>
                <button type="button" className={`m-item-card${department?.id === d.id ? ' m-chip-on' : ''}`} aria-pressed={department?.id === d.id} onClick={() => setDepartment(d)}>
                  <span className="m-item-name">{d.name}</span>
                  <span className="m-item-meta">{d.divisionName}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
      <Form
        layout="vertical"
        initialValues={{ mode: 'single_use' }}
        onFinish={(v) => void share(v as ShareValues)}
        footer={
          <>
            {error && (
              <p className="m-error" role="alert">
                {error}
              </p>
            )}
            <Button block type="submit" color="primary" size="large" loading={busy}>
              {t('licenses.share.submit')}
            </Button>
          </>
        }
      >
        <Form.Item name="purpose" label={t('licenses.share.purpose')} rules={[{ required: true, min: 2, message: t('licenses.share.purposeRequired') }]}>
          <TextArea maxLength={200} autoSize={{ minRows: 2, maxRows: 4 }} placeholder={t('licenses.share.purposeHint')} />
        </Form.Item>
        <Form.Item name="mode" label={t('licenses.share.mode')}>
          <Radio.Group>
            <Radio value="single_use">{t('licenses.grantMode.single_use')}</Radio>
            <Radio value="standing" style={{ marginLeft: 16 }}>
              {t('licenses.grantMode.standing')}
            </Radio>
          </Radio.Group>
        </Form.Item>
      </Form>
      <p className="m-hint">{t('licenses.share.note')}</p>
    </Page>
  )
}
