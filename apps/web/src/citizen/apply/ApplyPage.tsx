import { Button, Form, Result, Steps } from 'antd-mobile'
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useNavigate, useParams, useSearchParams } from 'react-router'
import { api, ApiError, errorMessage } from '../../lib/api'
import { formProblems, type CaseDetail, type ItemVersion } from '../../lib/cases'
import { LoadError, Loading, Page } from '../Page'
import { FormFields, optionLabel, placedFields, toFormData } from './FormFields'
import { MaterialUploads } from './MaterialUploads'

const steps = ['form', 'materials', 'review', 'done'] as const
type Step = (typeof steps)[number]

/**
 * Apply for an item: fill the form, upload materials, review, submit. Four screens after the
 * guide; the draft is saved on the server at each step, so a reload resumes where it was.
 */
export function ApplyPage() {
  const { t } = useTranslation()
  const { id = '' } = useParams()
  const navigate = useNavigate()
  const [params, setParams] = useSearchParams()
  const caseId = params.get('case')
  const step: Step = (steps as readonly string[]).includes(params.get('step') ?? '') ? (params.get('step') as Step) : 'form'
  const [item, setItem] = useState<ItemVersion | null>(null)
  const [detail, setDetail] = useState<CaseDetail | null>(null)
  const [loadError, setLoadError] = useState<unknown>(null)
  const [error, setError] = useState<string | null>(null)
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({})
  const [busy, setBusy] = useState(false)
  const creating = useRef(false)
  const [form] = Form.useForm()

  const go = useCallback(
    (next: Step, c: string | null = caseId, replace = false) => {
      const p: Record<string, string> = {}
      if (c) p.case = c
      if (next !== 'form') p.step = next
      setParams(p, { replace })
      setError(null)
      window.scrollTo(0, 0)
    },
    [caseId, setParams],
  )

  // Load the case (resume) or start a draft for the item's published version.
  useEffect(() => {
    let cancelled = false
    const run = async () => {
      try {
        let c: CaseDetail
        if (caseId) c = await api.get<CaseDetail>(`/api/cases/${encodeURIComponent(caseId)}`)
        else {
          if (creating.current) return
          creating.current = true
          c = await api.post<CaseDetail>('/api/cases', { itemId: id })
          if (!cancelled) go('form', c.id, true)
        }
        const v = await api.get<ItemVersion>(`/api/catalog/versions/${encodeURIComponent(c.itemVersionId)}`)
        if (cancelled) return
        setDetail(c)
        setItem(v)
      } catch (e) {
        if (!cancelled) setLoadError(e)
      }
    }
    void run()
    return () => {
      cancelled = true
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [caseId, id])

  const refresh = useCallback(async () => {
    if (!detail) return
    setDetail(await api.get<CaseDetail>(`/api/cases/${encodeURIComponent(detail.id)}`))
  }, [detail])

  const def = item?.guide.form ?? null
  const initialValues = useMemo(() => (detail ? { ...detail.formData } : {}), [detail?.id]) // eslint-disable-line react-hooks/exhaustive-deps
  const conditions = useMemo(() => Object.fromEntries((item?.guide.materials ?? []).map((m) => [m.code, m.condition])), [item])
  const licenseTypes = useMemo(() => Object.fromEntries((item?.guide.materials ?? []).map((m) => [m.code, m.licenseType])), [item])

  const back = { to: `/m/items/${encodeURIComponent(id)}`, label: t('citizen.apply.backToGuide') }
  if (loadError) return <Page title={t('citizen.apply.title')} back={back}><LoadError error={loadError} /></Page>
  if (!detail || !item) return <Page title={t('citizen.apply.title')} back={back}><Loading /></Page>
  if (detail.status !== 'draft' && step !== 'done') {
    return (
      <Page title={item.guide.name} back={back}>
        <Result status="info" title={t('citizen.apply.notDraft')} />
        <Button block onClick={() => navigate(`/m/cases/${detail.id}`)}>
          {t('citizen.apply.viewCase')}
        </Button>
      </Page>
    )
  }

  const saveForm = async (values: Record<string, unknown>) => {
    if (!def) return go('materials')
    setBusy(true)
    setError(null)
    try {
      const updated = await api.patch<CaseDetail>(`/api/cases/${encodeURIComponent(detail.id)}`, { version: detail.version, formData: toFormData(def, values, detail.formData) })
      setDetail(updated)
      go('materials')
    } catch (e) {
      if (e instanceof ApiError) setFieldErrors(formProblems(e.problem))
      setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  const missing = detail.materials.filter((m) => m.requirement === 'required' && m.files.length === 0 && !m.license)

  const submit = async () => {
    setBusy(true)
    setError(null)
    try {
      const done = await api.post<CaseDetail>(`/api/cases/${encodeURIComponent(detail.id)}/submit`, { version: detail.version })
      setDetail(done)
      go('done')
    } catch (e) {
      if (e instanceof ApiError && e.problem.type.endsWith('cases/invalid-form')) {
        setFieldErrors(formProblems(e.problem))
        go('form')
        setError(errorMessage(e))
      } else {
        setError(errorMessage(e))
        if (e instanceof ApiError && e.status === 409) void refresh()
      }
    } finally {
      setBusy(false)
    }
  }

  const index = steps.indexOf(step)
  const errorBox = error && (
    <p className="m-error" role="alert">
      {error}
    </p>
  )

  return (
    <Page title={item.guide.name} back={step === 'done' ? undefined : back}>
      <Steps current={index} className="m-steps">
        {steps.map((s) => (
          <Steps.Step key={s} title={t(`citizen.apply.step.${s}`)} />
        ))}
      </Steps>
      <h2 className="m-section-title">{t(`citizen.apply.step.${step}`)}</h2>

      {step === 'form' &&
        (def ? (
          <Form
            form={form}
            layout="vertical"
            initialValues={initialValues}
            onFinish={(v) => void saveForm(v as Record<string, unknown>)}
            onFinishFailed={() => setError(t('citizen.apply.fixForm'))}
            footer={
              <>
                {errorBox}
                <Button block type="submit" color="primary" size="large" loading={busy}>
                  {t('citizen.apply.next')}
                </Button>
              </>
            }
          >
            <FormFields def={def} form={form} serverErrors={fieldErrors} />
          </Form>
        ) : (
          <>
            <p>{t('citizen.apply.noForm')}</p>
            <Button block color="primary" size="large" onClick={() => go('materials')}>
              {t('citizen.apply.next')}
            </Button>
          </>
        ))}

      {step === 'materials' && (
        <>
          <p className="m-hint">{t('citizen.apply.materialsHint')}</p>
          <MaterialUploads detail={detail} onChange={() => void refresh()} conditions={conditions} licenseTypes={licenseTypes} />
          {errorBox}
          <div className="m-buttons">
            <Button onClick={() => go('form')}>{t('citizen.apply.prev')}</Button>
            <Button
              color="primary"
              onClick={() => {
                if (missing.length) setError(t('citizen.apply.missing', { names: missing.map((m) => m.name).join('、') }))
                else go('review')
              }}
            >
              {t('citizen.apply.next')}
            </Button>
          </div>
        </>
      )}

      {step === 'review' && (
        <>
          {def && (
            <dl className="m-facts">
              {placedFields(def).map((l) => {
                const v = detail.formData[l.field]
                const shown = v === undefined || v === '' ? '—' : Array.isArray(v) ? v.map((x) => optionLabel(l, x)).join('、') : optionLabel(l, v)
                return (
                  <div key={l.field}>
                    <dt>{l.label}</dt>
                    <dd>{shown}</dd>
                  </div>
                )
              })}
            </dl>
          )}
          <h3 className="m-section-title">{t('citizen.apply.step.materials')}</h3>
          <ul className="m-plain">
            {detail.materials
              .filter((m) => m.files.length > 0 || m.license || m.requirement === 'required')
              .map((m) => (
                <li key={m.code}>
                  {m.name}：
                  {m.license
                    ? t('licenses.apply.fromLicense', { type: m.license.typeName, number: m.license.number })
                    : m.files.length
                      ? m.files.map((f) => f.fileName).join('、')
                      : t('citizen.apply.noFile')}
                </li>
              ))}
          </ul>
          <p className="m-hint">{t('citizen.apply.declaration')}</p>
          {errorBox}
          <div className="m-buttons">
            <Button onClick={() => go('materials')}>{t('citizen.apply.prev')}</Button>
            <Button color="primary" loading={busy} onClick={() => void submit()}>
              {t('citizen.apply.submit')}
            </Button>
          </div>
        </>
      )}

      {step === 'done' && (
        <>
          <Result status="success" title={t('citizen.apply.submitted')} description={t('citizen.apply.submittedNumber', { number: detail.number ?? '' })} />
          <div className="m-buttons">
            <Link to="/m/cases" className="m-link-button">
              {t('citizen.nav.cases')}
            </Link>
            <Link to={`/m/cases/${detail.id}`} className="m-link-button m-link-primary">
              {t('citizen.apply.viewCase')}
            </Link>
          </div>
        </>
      )}
    </Page>
  )
}
