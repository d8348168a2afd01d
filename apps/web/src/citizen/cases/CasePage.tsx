import { Button, Card, Dialog, Form, Result, TextArea, Toast } from 'antd-mobile'
import { useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useParams } from 'react-router'
import { api, ApiError, errorMessage } from '../../lib/api'
import { formProblems, type CaseDetail, type ItemVersion } from '../../lib/cases'
import { formatDateTime } from '../../lib/format'
import { useFetch } from '../../lib/use-fetch'
import { FormFields, optionLabel, placedFields, toFormData } from '../apply/FormFields'
import { MaterialUploads } from '../apply/MaterialUploads'
import { RatingLink } from '../rating/RatingLink'
import { LoadError, Loading, Page } from '../Page'
import { ProgressLine, StatusTag } from './StatusTag'

interface Loaded {
  detail: CaseDetail
  item: ItemVersion | null
}

/** One application: status, days used, the 补正 notice and its answer, the result, the timeline; withdraw. */
export function CasePage() {
  const { t } = useTranslation()
  const { id = '' } = useParams()
  const data = useFetch(async (signal): Promise<Loaded> => {
    const detail = await api.get<CaseDetail>(`/api/cases/${encodeURIComponent(id)}`, undefined, signal)
    const item = await api.get<ItemVersion>(`/api/catalog/versions/${encodeURIComponent(detail.itemVersionId)}`, undefined, signal).catch(() => null)
    return { detail, item }
  }, [id])
  const back = { to: '/m/cases', label: t('citizen.cases.title') }

  if (data.loading && !data.data) return <Page title={t('citizen.cases.detail')} back={back}><Loading /></Page>
  if (data.error || !data.data) return <Page title={t('citizen.cases.detail')} back={back}><LoadError error={data.error} retry={data.reload} /></Page>
  const { detail: c, item } = data.data
  const def = item?.guide.form ?? null

  const withdraw = async () => {
    const ok = await Dialog.confirm({ content: t('citizen.cases.withdrawConfirm'), confirmText: t('citizen.cases.withdraw'), cancelText: t('common.cancel') })
    if (!ok) return
    try {
      await api.post(`/api/cases/${encodeURIComponent(c.id)}/withdraw`, { version: c.version })
      Toast.show({ icon: 'success', content: t('citizen.cases.withdrawn') })
    } catch (e) {
      Toast.show({ content: errorMessage(e) })
    }
    data.reload()
  }

  return (
    <Page title={c.itemName} back={back}>
      <p className="m-subtitle">
        {c.number} · {c.departmentName}
      </p>
      <p className="m-tags">
        <StatusTag status={c.status} />
        <ProgressLine progress={c.progress} />
      </p>

      {c.status === 'supplement_requested' && c.supplement && <SupplementCard detail={c} item={item} onDone={data.reload} />}
      {c.status === 'closed' && <RatingLink kind="case" refId={c.id} />}

      {c.decision && (
        <Card className="m-card" title={<h2 className="m-card-title">{t('citizen.cases.decision')}</h2>}>
          <Result
            status={c.decision.outcome === 'approved' ? 'success' : 'error'}
            title={t(`citizen.cases.outcome.${c.decision.outcome}`)}
            description={[c.decision.reason, c.decision.legalBasis].filter(Boolean).join(' · ')}
          />
          {c.result && (
            <dl className="m-facts">
              <div>
                <dt>{t('citizen.cases.resultIssued')}</dt>
                <dd>{formatDateTime(c.result.at)}</dd>
              </div>
              {c.result.documentNumber && (
                <div>
                  <dt>{t('citizen.cases.documentNumber')}</dt>
                  <dd>{c.result.documentNumber}</dd>
                </div>
              )}
              {c.result.summary && (
                <div>
                  <dt>{t('citizen.cases.resultSummary')}</dt>
                  <dd>{c.result.summary}</dd>
                </div>
              )}
            </dl>
          )}
          {c.delivery && (
            <p className="m-hint">
              {t('citizen.cases.delivered', { method: t(`cases.delivery.${c.delivery.method}`), at: formatDateTime(c.delivery.at) })}
              {c.delivery.trackingNumber ? ` · ${c.delivery.trackingNumber}` : ''}
            </p>
          )}
        </Card>
      )}

      <section>
        <h2 className="m-section-title">{t('citizen.cases.timeline')}</h2>
        <ol className="m-timeline">
          {[...c.timeline].reverse().map((e) => (
            <li key={e.id}>
              <div>
                <strong>{t(`cases.action.${e.action}`)}</strong>
                {e.stepName ? ` · ${e.stepName}` : ''} → {t(`cases.status.${e.toStatus}`)}
              </div>
              <div className="m-item-meta">
                {formatDateTime(e.at)}
                {e.actorName ? ` · ${e.actorName}` : ''}
              </div>
              {e.opinion && <div className="m-opinion">{e.opinion}</div>}
            </li>
          ))}
        </ol>
      </section>

      {def && (
        <section>
          <h2 className="m-section-title">{t('citizen.cases.formData')}</h2>
          <dl className="m-facts">
            {placedFields(def).map((l) => {
              const v = c.formData[l.field]
              return (
                <div key={l.field}>
                  <dt>{l.label}</dt>
                  <dd>{v === undefined || v === '' ? '—' : Array.isArray(v) ? v.map((x) => optionLabel(l, x)).join('、') : optionLabel(l, v)}</dd>
                </div>
              )
            })}
          </dl>
        </section>
      )}

      <section>
        <h2 className="m-section-title">{t('citizen.cases.materials')}</h2>
        <ul className="m-plain">
          {c.materials
            .filter((m) => m.files.length > 0 || m.license)
            .map((m) => (
              <li key={m.code}>
                {m.name}：
                {m.license ? t('licenses.apply.fromLicense', { type: m.license.typeName, number: m.license.number }) : null}
                {m.files.map((f, i) => (
                  <span key={f.id}>
                    {i > 0 ? '、' : ''}
                    <a href={`/api/cases/${encodeURIComponent(c.id)}/files/${encodeURIComponent(f.id)}`}>{f.fileName}</a>
                  </span>
                ))}
              </li>
            ))}
        </ul>
      </section>

      {c.allowedActions.includes('withdraw') && (
        <Button block color="danger" fill="outline" onClick={() => void withdraw()}>
          {t('citizen.cases.withdraw')}
        </Button>
      )}
    </Page>
  )
}

/** The 一次性告知 notice and the citizen's answer: the files and fields it asks for, and a note. */
function SupplementCard({ detail, item, onDone }: { detail: CaseDetail; item: ItemVersion | null; onDone: () => void }) {
  const { t } = useTranslation()
  const [form] = Form.useForm()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({})
  const [current, setCurrent] = useState(detail)
  const s = detail.supplement!
  const codes = useMemo(() => new Set(s.items.map((i) => i.materialCode).filter((x): x is string => !!x)), [s])
  const fields = useMemo(() => new Set(s.items.map((i) => i.field).filter((x): x is string => !!x)), [s])
  const def = item?.guide.form ?? null
  const materialName = (code: string | null) => (code ? (detail.materials.find((m) => m.code === code)?.name ?? code) : null)
  const fieldLabel = (field: string | null) => (field ? (def?.layout.find((l) => l.field === field)?.label ?? field) : null)

  const reloadFiles = async () => setCurrent(await api.get<CaseDetail>(`/api/cases/${encodeURIComponent(detail.id)}`))

  const send = async (values: Record<string, unknown>) => {
    setBusy(true)
    setError(null)
    try {
      const body: Record<string, unknown> = { version: current.version, note: typeof values.note === 'string' && values.note.trim() ? values.note.trim() : null }
      if (def && fields.size) body.formData = toFormData(def, values, detail.formData)
      await api.post(`/api/cases/${encodeURIComponent(detail.id)}/supplement`, body)
      Toast.show({ icon: 'success', content: t('citizen.cases.supplemented') })
      onDone()
    } catch (e) {
      if (e instanceof ApiError) setFieldErrors(formProblems(e.problem))
      setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Card className="m-card m-notice" title={<h2 className="m-card-title">{t('citizen.cases.supplementTitle')}</h2>}>
      <p className="m-item-meta">{t('citizen.cases.supplementIntro', { at: formatDateTime(s.requestedAt), by: s.requestedBy })}</p>
      <ol className="m-materials" aria-label={t('citizen.cases.supplementList')}>
        {s.items.map((i, n) => (
          <li key={n}>
            {materialName(i.materialCode) || fieldLabel(i.field) ? <strong>{materialName(i.materialCode) ?? fieldLabel(i.field)}：</strong> : null}
            {i.description}
          </li>
        ))}
      </ol>
      {s.message && <p className="m-pre">{s.message}</p>}

      {codes.size > 0 && <MaterialUploads detail={current} codes={codes} onChange={() => void reloadFiles()} />}
      <Form
        form={form}
        layout="vertical"
        initialValues={{ ...detail.formData }}
        onFinish={(v) => void send(v as Record<string, unknown>)}
        onFinishFailed={() => setError(t('citizen.apply.fixForm'))}
        footer={
          <>
            {error && (
              <p className="m-error" role="alert">
                {error}
              </p>
            )}
            <Button block type="submit" color="primary" size="large" loading={busy}>
              {t('citizen.cases.sendSupplement')}
            </Button>
          </>
        }
      >
        {def && fields.size > 0 && <FormFields def={def} form={form} only={fields} serverErrors={fieldErrors} />}
        <Form.Item name="note" label={t('citizen.cases.supplementNote')}>
          <TextArea maxLength={1000} autoSize={{ minRows: 2, maxRows: 5 }} />
        </Form.Item>
      </Form>
    </Card>
  )
}
