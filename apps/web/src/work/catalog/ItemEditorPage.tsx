import { Alert, App, Button, Card, Col, Empty, Form, Input, InputNumber, Radio, Result, Row, Select, Skeleton, Space, Table, Tag, Typography } from 'antd'
import type { FormInstance } from 'antd'
import { useState, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useNavigate, useParams } from 'react-router'
import { api, ApiError, errorMessage } from '../../lib/api'
import { themeCodes, type Audience, type FormDefinition, type Guide, type HandlingClass, type ItemType, type ItemVersion, type Material, type ServiceMode, type ThemeCode } from '../../lib/cases'
import { applyProblem } from '../../lib/desk/forms'
import { formatDateTime } from '../../lib/format'
import { useSession } from '../../lib/session'
import type { Department } from '../../lib/types'
import { useFetch } from '../../lib/use-fetch'
import { catalogApi, type GuideInput, type VersionSummary } from './api'
import { ownDepartmentId } from './CatalogPage'

const itemTypes: readonly ItemType[] = ['licensing', 'confirmation', 'payment', 'adjudication', 'reward', 'other_power', 'public_service']
const audiences: readonly Audience[] = ['person', 'legal', 'both']
const handlingClasses: readonly HandlingClass[] = ['immediate', 'same_day', 'time_limited', 'agency']
const serviceModes: readonly ServiceMode[] = ['fully_online', 'one_visit', 'window']
const requirements: readonly Material['requirement'][] = ['required', 'conditional']
const materialForms: readonly Material['form'][] = ['original', 'copy', 'electronic']
const stepRoles = ['reviewer', 'department_head', 'leader'] as const

interface MaterialValues {
  code?: string | null
  name: string
  requirement: Material['requirement']
  condition?: string | null
  form: Material['form']
  copies?: number | null
  source?: string | null
  licenseType?: string | null
  note?: string | null
}

interface Values {
  name: string
  type: ItemType
  departmentId: string
  applicableTo: Audience
  summary?: string | null
  legalBasis: string
  conditions: string
  legalDays?: number | null
  promisedDays: number
  handlingClass: HandlingClass
  mode: ServiceMode
  visits: number
  address?: string | null
  hours?: string | null
  phone?: string | null
  themes: ThemeCode[]
  keywords: string[]
  materials: MaterialValues[]
  fees: { name: string; amount: number; basis: string }[]
  reviewSteps: { name: string; role: string }[]
  faq: { question: string; answer: string }[]
  formJson?: string
}

const fieldNames = [
  'name', 'type', 'departmentId', 'applicableTo', 'summary', 'legalBasis', 'conditions', 'legalDays', 'promisedDays', 'handlingClass', 'mode', 'visits',
  'address', 'hours', 'phone', 'themes', 'keywords', 'materials', 'fees', 'reviewSteps', 'faq', 'formJson',
] as const

const blank = (s: string | null | undefined) => (s && s.trim() ? s.trim() : null)

function toValues(g: Guide): Values {
  return {
    ...g,
    materials: g.materials.map((m) => ({ ...m })),
    fees: g.fees.map((f) => ({ ...f })),
    reviewSteps: g.reviewSteps.map((s) => ({ ...s })),
    faq: g.faq.map((f) => ({ ...f })),
    formJson: g.form ? JSON.stringify(g.form, null, 2) : '',
  }
}

const emptyValues = (departmentId: string | undefined): Partial<Values> => ({
  departmentId,
  type: 'public_service',
  applicableTo: 'person',
  handlingClass: 'time_limited',
  mode: 'one_visit',
  visits: 1,
  promisedDays: 1,
  themes: [],
  keywords: [],
  materials: [],
  fees: [],
  reviewSteps: [{ name: '审查', role: 'reviewer' }],
  faq: [],
  formJson: '',
})

/** The whole guide from the form; elements the form does not show are kept from `base`. */
function toGuide(v: Values, base: Guide | null): GuideInput {
  return {
    name: v.name.trim(),
    type: v.type,
    departmentId: v.departmentId,
    divisionCode: base && base.departmentId === v.departmentId ? base.divisionCode : null,
    applicableTo: v.applicableTo,
    summary: blank(v.summary),
    legalBasis: v.legalBasis.trim(),
    conditions: v.conditions.trim(),
    materials: (v.materials ?? []).map((m) => ({
      code: m.code || null,
      name: m.name.trim(),
      requirement: m.requirement,
      condition: blank(m.condition),
      form: m.form,
      copies: m.copies ?? 1,
      source: blank(m.source),
      licenseType: blank(m.licenseType),
      note: blank(m.note),
    })),
    form: v.formJson && v.formJson.trim() ? (JSON.parse(v.formJson) as FormDefinition) : null,
    fees: (v.fees ?? []).map((f) => ({ name: f.name.trim(), amount: f.amount, basis: f.basis.trim() })),
    legalDays: v.legalDays ?? null,
    promisedDays: v.promisedDays,
    handlingClass: v.handlingClass,
    mode: v.mode,
    visits: v.visits,
    reviewSteps: (v.reviewSteps ?? []).map((s) => ({ name: s.name.trim(), role: s.role })),
    producesLicenseType: base?.producesLicenseType ?? null,
    address: blank(v.address),
    hours: blank(v.hours),
    phone: blank(v.phone),
    faq: (v.faq ?? []).map((f) => ({ question: f.question.trim(), answer: f.answer.trim() })),
    themes: v.themes ?? [],
    keywords: v.keywords ?? [],
  }
}

/** Server field errors on the form; `body.form.*` belongs to the JSON textarea. */
function showProblem(form: FormInstance<Values>, e: unknown) {
  applyProblem(form, e, fieldNames)
  if (e instanceof ApiError) {
    const reasons = e.fieldErrors().filter((f) => f.path[0] === 'form').map((f) => `${f.path.slice(1).join('.')}: ${f.reason}`)
    if (reasons.length) form.setFields([{ name: 'formJson', errors: reasons }])
  }
}

interface Loaded {
  published: ItemVersion | null
  draft: ItemVersion | null
  versions: VersionSummary[]
}

async function loadItem(id: string, signal: AbortSignal): Promise<Loaded> {
  const [published, draft, versions] = await Promise.all([catalogApi.published(id, signal), catalogApi.draft(id, signal), catalogApi.versions(id, signal)])
  return { published, draft, versions }
}

/** Departments an editor may pick for a new item: theirs and those already in the catalog. */
async function loadDepartments(ownId: string | null, signal: AbortSignal): Promise<{ value: string; label: string }[]> {
  const { items } = await api.get<{ items: { departmentId: string; departmentName: string }[] }>('/api/catalog/departments', undefined, signal)
  const options = items.map((d) => ({ value: d.departmentId, label: d.departmentName }))
  if (ownId && !options.some((o) => o.value === ownId)) {
    const own = await api.get<Department>(`/api/org/departments/${encodeURIComponent(ownId)}`, undefined, signal).catch(() => null)
    options.unshift({ value: ownId, label: own?.name ?? ownId })
  }
  return options
}

/** Edit an item's draft: start one from the published version, save (revision-checked), discard, publish; history. */
export function ItemEditorPage() {
  const { t } = useTranslation()
  const { id = '' } = useParams()
  const item = useFetch((signal) => loadItem(id, signal), [id])

  if (item.error) {
    const notFound = item.error instanceof ApiError && item.error.status === 404
    return (
      <>
        <BackLink />
        <Alert type="error" showIcon role="alert" title={notFound ? t('work.catalog.editor.notFound') : errorMessage(item.error)} action={<Button size="small" onClick={item.reload}>{t('common.retry')}</Button>} />
      </>
    )
  }
  if (!item.data) return <Skeleton active paragraph={{ rows: 12 }} />
  const { published, draft, versions } = item.data
  const source = draft ?? published
  if (!source) return <Result status="404" title={t('work.catalog.editor.notFound')} extra={<BackLink />} />
  return (
    <>
      <BackLink />
      <Editor key={`${source.id}:${source.revision}`} itemId={source.itemId} published={published} draft={draft} reload={item.reload} />
      <VersionHistory versions={versions} />
    </>
  )
}

/** Create a new item; it starts as a draft. */
export function NewItemPage() {
  const { t } = useTranslation()
  const { me } = useSession()
  const own = ownDepartmentId(me)
  const isHeadOnly = !!me && me.roles.every((g) => g.role !== 'platform_admin' && g.role !== 'data_admin')
  const departments = useFetch((signal) => loadDepartments(own, signal), [own])
  return (
    <>
      <BackLink />
      <Typography.Title level={1} className="desk-page-title">
        {t('work.catalog.editor.newTitle')}
      </Typography.Title>
      {departments.error ? <Alert type="warning" showIcon title={errorMessage(departments.error)} style={{ marginBottom: 16 }} /> : null}
      <Editor
        itemId={null}
        published={null}
        draft={null}
        departmentOptions={isHeadOnly && own ? (departments.data ?? []).filter((d) => d.value === own) : (departments.data ?? [])}
        defaultDepartmentId={own ?? undefined}
        reload={() => undefined}
      />
    </>
  )
}

function BackLink() {
  const { t } = useTranslation()
  return (
    <p>
      <Link to="/work/catalog">← {t('work.catalog.editor.back')}</Link>
    </p>
  )
}

function Editor({
  itemId,
  published,
  draft,
  reload,
  departmentOptions,
  defaultDepartmentId,
}: {
  itemId: string | null
  published: ItemVersion | null
  draft: ItemVersion | null
  reload: () => void
  departmentOptions?: { value: string; label: string }[]
  defaultDepartmentId?: string
}) {
  const { t } = useTranslation()
  const { message, modal } = App.useApp()
  const navigate = useNavigate()
  const [form] = Form.useForm<Values>()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [conflict, setConflict] = useState(false)
  const [dirty, setDirty] = useState(false)
  const creating = itemId === null
  const source = draft ?? published
  const editable = creating || !!draft

  /** Runs one call; problems go above the form (and on fields), a 409 offers a reload. */
  const run = async <T,>(fn: () => Promise<T>): Promise<T | null> => {
    setBusy(true)
    setError(null)
    setConflict(false)
    try {
      return await fn()
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) setConflict(true)
      showProblem(form, e)
      setError(errorMessage(e))
      return null
    } finally {
      setBusy(false)
    }
  }

  const values = async (): Promise<GuideInput | null> => {
    try {
      await form.validateFields()
    } catch {
      return null
    }
    return toGuide(form.getFieldsValue(true) as Values, source?.guide ?? null)
  }

  const save = async (): Promise<ItemVersion | null> => {
    const guide = await values()
    if (!guide) return null
    if (creating) {
      const created = await run(() => catalogApi.create(guide))
      if (created) {
        message.success(t('work.catalog.editor.created', { name: created.guide.name }))
        void navigate(`/work/catalog/${created.itemId}`)
      }
      return created
    }
    const saved = await run(() => catalogApi.saveDraft(itemId, draft!.revision, guide))
    if (saved) {
      message.success(t('work.catalog.editor.saved'))
      setDirty(false)
    }
    return saved
  }

  const startDraft = async () => {
    if (!itemId) return
    if (await run(() => catalogApi.startDraft(itemId))) {
      message.success(t('work.catalog.editor.draftStarted'))
      reload()
    }
  }

  const onSave = async () => {
    if ((await save()) && !creating) reload()
  }

  const discard = () => {
    if (!itemId || !draft) return
    modal.confirm({
      title: t('work.catalog.editor.discardTitle'),
      content: t('work.catalog.editor.discardConfirm'),
      okText: t('work.catalog.editor.discard'),
      okButtonProps: { danger: true },
      cancelText: t('common.cancel'),
      onOk: async () => {
        if ((await run(() => catalogApi.discardDraft(itemId, draft.revision))) === null) return
        message.success(t('work.catalog.editor.discarded'))
        if (published) reload()
        else void navigate('/work/catalog')
      },
    })
  }

  const publish = () => {
    if (!itemId || !draft) return
    modal.confirm({
      title: t('work.catalog.editor.publishTitle'),
      content: t('work.catalog.editor.publishConfirm'),
      okText: t('work.catalog.editor.publish'),
      cancelText: t('common.cancel'),
      onOk: async () => {
        let revision = draft.revision
        if (dirty) {
          const saved = await save()
          if (!saved) return
          revision = saved.revision
        }
        const done = await run(() => catalogApi.publish(itemId, revision))
        if (!done) return
        message.success(t('work.catalog.editor.published', { version: done.version }))
        reload()
      },
    })
  }

  const reloadLatest = () => {
    setConflict(false)
    setError(null)
    setDirty(false)
    reload()
  }

  const section = (title: string, children: ReactNode) => (
    <Card title={<h2 className="desk-card-title">{title}</h2>} style={{ marginBottom: 16 }}>
      {children}
    </Card>
  )
  const required = { required: true, whitespace: true, message: t('work.catalog.editor.required') }
  const requiredValue = { required: true, message: t('work.catalog.editor.required') }

  return (
    <>
      {source ? (
        <div className="desk-page-head">
          <Typography.Title level={1} className="desk-page-title">
            {source.guide.name}
          </Typography.Title>
          <Space wrap>
            <Tag className="desk-mono">{source.code}</Tag>
            {published ? <Tag color="green">{t('work.catalog.versionStatus.published')} · v{published.version}</Tag> : null}
            {draft ? <Tag color="orange">{t('work.catalog.editor.draftOf', { version: draft.version, revision: draft.revision })}</Tag> : null}
            {dirty ? <Tag color="gold">{t('work.catalog.editor.unsaved')}</Tag> : null}
          </Space>
        </div>
      ) : null}

      <Space wrap className="desk-toolbar" style={{ marginBottom: 16 }}>
        {!editable ? (
          <Button type="primary" loading={busy} onClick={() => void startDraft()}>
            {t('work.catalog.editor.startDraft')}
          </Button>
        ) : (
          <>
            <Button type="primary" loading={busy} onClick={() => void onSave()}>
              {creating ? t('common.create') : t('work.catalog.editor.save')}
            </Button>
            {!creating ? (
              <>
                <Button onClick={publish} disabled={busy}>
                  {t('work.catalog.editor.publish')}
                </Button>
                <Button danger onClick={discard} disabled={busy}>
                  {t('work.catalog.editor.discard')}
                </Button>
              </>
            ) : null}
          </>
        )}
      </Space>

      {!editable ? <Alert type="info" showIcon title={t('work.catalog.editor.noDraft')} style={{ marginBottom: 16 }} /> : null}
      {error ? (
        <Alert
          type="error"
          showIcon
          role="alert"
          title={error}
          description={conflict ? t('work.catalog.editor.conflictHelp') : undefined}
          action={
            conflict ? (
              <Button size="small" onClick={reloadLatest}>
                {t('work.catalog.editor.reloadLatest')}
              </Button>
            ) : undefined
          }
          style={{ marginBottom: 16 }}
        />
      ) : null}

      <Form<Values>
        form={form}
        name="catalogItem"
        layout="vertical"
        disabled={!editable || busy}
        initialValues={source ? toValues(source.guide) : emptyValues(defaultDepartmentId)}
        onValuesChange={() => setDirty(true)}
        onFinish={() => void onSave()}
      >
        {section(
          t('work.catalog.editor.basics'),
          <Row gutter={16}>
            <Col xs={24} md={12}>
              <Form.Item name="name" label={t('work.catalog.editor.name')} rules={[required, { min: 2, max: 100 }]}>
                <Input />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="departmentId" label={t('work.catalog.editor.department')} rules={[requiredValue]}>
                <Select
                  disabled={!creating}
                  showSearch={{ optionFilterProp: 'label' }}
                  options={creating ? departmentOptions : source ? [{ value: source.guide.departmentId, label: source.departmentName ?? source.guide.departmentId }] : []}
                />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="type" label={t('work.catalog.editor.type')} rules={[requiredValue]}>
                <Select options={itemTypes.map((v) => ({ value: v, label: t(`catalog.type.${v}`) }))} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="applicableTo" label={t('work.catalog.editor.applicableTo')} rules={[requiredValue]}>
                <Radio.Group options={audiences.map((v) => ({ value: v, label: t(`catalog.audience.${v}`) }))} />
              </Form.Item>
            </Col>
            <Col xs={24}>
              <Form.Item name="summary" label={t('work.catalog.editor.summary')} rules={[{ max: 500 }]}>
                <Input.TextArea autoSize={{ minRows: 2, maxRows: 4 }} />
              </Form.Item>
              <Form.Item name="conditions" label={t('work.catalog.editor.conditions')} rules={[required, { max: 5000 }]}>
                <Input.TextArea autoSize={{ minRows: 3, maxRows: 8 }} />
              </Form.Item>
              <Form.Item name="legalBasis" label={t('work.catalog.editor.legalBasis')} rules={[required, { min: 2, max: 2000 }]}>
                <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="themes" label={t('work.catalog.editor.themes')}>
                <Select mode="multiple" options={themeCodes.map((v) => ({ value: v, label: t(`catalog.theme.${v}`) }))} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="keywords" label={t('work.catalog.editor.keywords')} extra={t('work.catalog.editor.keywordsHelp')}>
                <Select mode="tags" open={false} tokenSeparators={['、', ',', '，']} />
              </Form.Item>
            </Col>
          </Row>,
        )}

        {section(
          t('work.catalog.editor.handling'),
          <Row gutter={16}>
            <Col xs={24} md={12}>
              <Form.Item name="legalDays" label={t('work.catalog.editor.legalDays')} extra={t('work.catalog.editor.legalDaysHelp')}>
                <InputNumber min={0} max={3650} precision={0} style={{ width: '100%' }} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item
                name="promisedDays"
                label={t('work.catalog.editor.promisedDays')}
                extra={t('work.catalog.editor.promisedDaysHelp')}
                dependencies={['legalDays']}
                rules={[
                  requiredValue,
                  ({ getFieldValue }) => ({
                    validator: (_rule, value: number | null) => {
                      const legal = getFieldValue('legalDays') as number | null | undefined
                      // 承诺时限 only shortens the statutory one.
                      if (legal != null && value != null && value > legal) return Promise.reject(new Error(t('work.catalog.editor.promisedExceedsLegal', { legal })))
                      return Promise.resolve()
                    },
                  }),
                ]}
              >
                <InputNumber min={0} max={3650} precision={0} style={{ width: '100%' }} />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item name="handlingClass" label={t('work.catalog.editor.handlingClass')} rules={[requiredValue]}>
                <Select options={handlingClasses.map((v) => ({ value: v, label: t(`catalog.handlingClass.${v}`) }))} />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item name="mode" label={t('work.catalog.editor.mode')} rules={[requiredValue]}>
                <Select options={serviceModes.map((v) => ({ value: v, label: t(`catalog.mode.${v}`) }))} />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item name="visits" label={t('work.catalog.editor.visits')} rules={[requiredValue]}>
                <Radio.Group options={[0, 1].map((v) => ({ value: v, label: t('work.catalog.editor.visitsCount', { count: v }) }))} />
              </Form.Item>
            </Col>
          </Row>,
        )}

        {section(
          t('work.catalog.editor.place'),
          <Row gutter={16}>
            <Col xs={24} md={12}>
              <Form.Item name="address" label={t('work.catalog.editor.address')} rules={[{ max: 200 }]}>
                <Input />
              </Form.Item>
            </Col>
            <Col xs={24} md={6}>
              <Form.Item name="hours" label={t('work.catalog.editor.hours')} rules={[{ max: 200 }]}>
                <Input />
              </Form.Item>
            </Col>
            <Col xs={24} md={6}>
              <Form.Item name="phone" label={t('work.catalog.editor.phone')} rules={[{ max: 40, pattern: /^[0-9+\-()（） ,、]*$/ }]}>
                <Input inputMode="tel" />
              </Form.Item>
            </Col>
          </Row>,
        )}

        {section(
          t('work.catalog.editor.materials'),
          <Form.List name="materials">
            {(fields, { add, remove }) => (
              <>
                {fields.length === 0 ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('work.catalog.editor.empty')} /> : null}
                {fields.map((f, i) => (
                  <fieldset key={f.key} className="desk-fieldset">
                    <legend>{t('work.catalog.editor.materialN', { n: i + 1 })}</legend>
                    <Row gutter={12}>
                      <Col xs={24} md={12}>
                        <Form.Item name={[f.name, 'name']} label={t('work.catalog.editor.material.name')} rules={[required, { min: 2, max: 100 }]}>
                          <Input />
                        </Form.Item>
                      </Col>
                      <Col xs={12} md={6}>
                        <Form.Item name={[f.name, 'requirement']} label={t('work.catalog.editor.material.requirement')} rules={[requiredValue]}>
                          <Select options={requirements.map((v) => ({ value: v, label: t(`catalog.requirement.${v}`) }))} />
                        </Form.Item>
                      </Col>
                      <Col xs={12} md={6}>
                        <Form.Item name={[f.name, 'form']} label={t('work.catalog.editor.material.form')} rules={[requiredValue]}>
                          <Select options={materialForms.map((v) => ({ value: v, label: t(`catalog.materialForm.${v}`) }))} />
                        </Form.Item>
                      </Col>
                      <Col xs={24} md={12}>
                        <Form.Item
                          name={[f.name, 'condition']}
                          label={t('work.catalog.editor.material.condition')}
                          dependencies={[['materials', f.name, 'requirement']]}
                          rules={[
                            { max: 500 },
                            ({ getFieldValue }) => ({
                              validator: (_rule, value: string | null | undefined) =>
                                getFieldValue(['materials', f.name, 'requirement']) === 'conditional' && !blank(value)
                                  ? Promise.reject(new Error(t('work.catalog.editor.material.conditionRequired')))
                                  : Promise.resolve(),
                            }),
                          ]}
                        >
                          <Input />
                        </Form.Item>
                      </Col>
                      <Col xs={12} md={4}>
                        <Form.Item name={[f.name, 'copies']} label={t('work.catalog.editor.material.copies')}>
                          <InputNumber min={1} max={20} precision={0} style={{ width: '100%' }} />
                        </Form.Item>
                      </Col>
                      <Col xs={12} md={8}>
                        <Form.Item name={[f.name, 'source']} label={t('work.catalog.editor.material.source')} rules={[{ max: 100 }]}>
                          <Input />
                        </Form.Item>
                      </Col>
                      <Col xs={24} md={12}>
                        <Form.Item name={[f.name, 'licenseType']} label={t('work.catalog.editor.material.licenseType')} rules={[{ pattern: /^[a-z][a-z0-9_]{1,49}$/ }]}>
                          <Input className="desk-mono" />
                        </Form.Item>
                      </Col>
                      <Col xs={24} md={12}>
                        <Form.Item name={[f.name, 'note']} label={t('work.catalog.editor.material.note')} rules={[{ max: 500 }]}>
                          <Input />
                        </Form.Item>
                      </Col>
                    </Row>
                    <Button danger size="small" onClick={() => remove(f.name)}>
                      {t('work.catalog.editor.remove')} {t('work.catalog.editor.materialN', { n: i + 1 })}
                    </Button>
                  </fieldset>
                ))}
                <Button onClick={() => add({ name: '', requirement: 'required', form: 'original', copies: 1 })}>+ {t('work.catalog.editor.material.add')}</Button>
              </>
            )}
          </Form.List>,
        )}

        {section(
          t('work.catalog.editor.fees'),
          <Form.List name="fees">
            {(fields, { add, remove }) => (
              <>
                {fields.length === 0 ? <Typography.Paragraph type="secondary">{t('work.catalog.editor.fee.free')}</Typography.Paragraph> : null}
                {fields.map((f, i) => (
                  <fieldset key={f.key} className="desk-fieldset">
                    <legend>{t('work.catalog.editor.feeN', { n: i + 1 })}</legend>
                    <Row gutter={12}>
                      <Col xs={24} md={8}>
                        <Form.Item name={[f.name, 'name']} label={t('work.catalog.editor.fee.name')} rules={[required, { max: 100 }]}>
                          <Input />
                        </Form.Item>
                      </Col>
                      <Col xs={24} md={4}>
                        <Form.Item name={[f.name, 'amount']} label={t('work.catalog.editor.fee.amount')} rules={[requiredValue]}>
                          <InputNumber min={0} max={10_000_000} precision={2} style={{ width: '100%' }} />
                        </Form.Item>
                      </Col>
                      <Col xs={24} md={12}>
                        <Form.Item name={[f.name, 'basis']} label={t('work.catalog.editor.fee.basis')} rules={[required, { min: 2, max: 500 }]}>
                          <Input />
                        </Form.Item>
                      </Col>
                    </Row>
                    <Button danger size="small" onClick={() => remove(f.name)}>
                      {t('work.catalog.editor.remove')} {t('work.catalog.editor.feeN', { n: i + 1 })}
                    </Button>
                  </fieldset>
                ))}
                <Button onClick={() => add({ name: '', amount: 0, basis: '' })}>+ {t('work.catalog.editor.fee.add')}</Button>
              </>
            )}
          </Form.List>,
        )}

        {section(
          t('work.catalog.editor.steps'),
          <Form.List
            name="reviewSteps"
            rules={[{ validator: (_rule, steps: unknown[] | undefined) => (steps && steps.length > 0 ? Promise.resolve() : Promise.reject(new Error(t('work.catalog.editor.step.min')))) }]}
          >
            {(fields, { add, remove }, { errors }) => (
              <>
                {fields.map((f, i) => (
                  <fieldset key={f.key} className="desk-fieldset">
                    <legend>{t('work.catalog.editor.stepN', { n: i + 1 })}</legend>
                    <Row gutter={12} align="bottom">
                      <Col xs={24} md={10}>
                        <Form.Item name={[f.name, 'name']} label={t('work.catalog.editor.step.name')} rules={[required, { max: 20 }]}>
                          <Input />
                        </Form.Item>
                      </Col>
                      <Col xs={24} md={10}>
                        <Form.Item name={[f.name, 'role']} label={t('work.catalog.editor.step.role')} rules={[requiredValue]}>
                          <Select options={stepRoles.map((v) => ({ value: v, label: t(`roles.${v}`) }))} />
                        </Form.Item>
                      </Col>
                      <Col xs={24} md={4}>
                        <Form.Item>
                          <Button danger size="small" onClick={() => remove(f.name)} aria-label={`${t('work.catalog.editor.remove')} ${t('work.catalog.editor.stepN', { n: i + 1 })}`}>
                            {t('work.catalog.editor.remove')}
                          </Button>
                        </Form.Item>
                      </Col>
                    </Row>
                  </fieldset>
                ))}
                <Form.ErrorList errors={errors} />
                <Button onClick={() => add({ name: '', role: 'reviewer' })}>+ {t('work.catalog.editor.step.add')}</Button>
              </>
            )}
          </Form.List>,
        )}

        {section(
          t('work.catalog.editor.faq'),
          <Form.List name="faq">
            {(fields, { add, remove }) => (
              <>
                {fields.length === 0 ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('work.catalog.editor.empty')} /> : null}
                {fields.map((f, i) => (
                  <fieldset key={f.key} className="desk-fieldset">
                    <legend>{t('work.catalog.editor.faqN', { n: i + 1 })}</legend>
                    <Form.Item name={[f.name, 'question']} label={t('work.catalog.editor.faqItem.question')} rules={[required, { min: 2, max: 200 }]}>
                      <Input />
                    </Form.Item>
                    <Form.Item name={[f.name, 'answer']} label={t('work.catalog.editor.faqItem.answer')} rules={[required, { max: 2000 }]}>
                      <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} />
                    </Form.Item>
                    <Button danger size="small" onClick={() => remove(f.name)}>
                      {t('work.catalog.editor.remove')} {t('work.catalog.editor.faqN', { n: i + 1 })}
                    </Button>
                  </fieldset>
                ))}
                <Button onClick={() => add({ question: '', answer: '' })}>+ {t('work.catalog.editor.faqItem.add')}</Button>
              </>
            )}
          </Form.List>,
        )}

        {section(
          t('work.catalog.editor.form'),
          <Form.Item
            name="formJson"
            label={t('work.catalog.editor.formJson')}
            extra={t('work.catalog.editor.formJsonHelp')}
            rules={[
              {
                validator: (_rule, value: string | undefined) => {
                  if (!value || !value.trim()) return Promise.resolve()
                  let parsed: unknown
                  try {
                    parsed = JSON.parse(value)
                  } catch (e) {
                    return Promise.reject(new Error(t('work.catalog.editor.formJsonInvalid', { message: e instanceof Error ? e.message : '' })))
                  }
                  const ok = !!parsed && typeof parsed === 'object' && !Array.isArray(parsed) && 'schema' in parsed && 'layout' in parsed
                  return ok ? Promise.resolve() : Promise.reject(new Error(t('work.catalog.editor.formJsonShape')))
                },
              },
            ]}
          >
            <Input.TextArea className="desk-mono" autoSize={{ minRows: 6, maxRows: 24 }} spellCheck={false} />
          </Form.Item>,
        )}
      </Form>
    </>
  )
}

/** Every version of the item, newest first. */
function VersionHistory({ versions }: { versions: VersionSummary[] }) {
  const { t } = useTranslation()
  return (
    <Card title={<h2 className="desk-card-title">{t('work.catalog.editor.versions')}</h2>} style={{ marginTop: 16 }}>
      <Table<VersionSummary>
        rowKey="id"
        size="small"
        pagination={false}
        dataSource={versions}
        locale={{ emptyText: <Empty description={t('work.catalog.editor.noVersions')} /> }}
        columns={[
          { title: t('work.catalog.editor.version'), dataIndex: 'version', render: (v: number) => `v${v}` },
          {
            title: t('work.catalog.status'),
            dataIndex: 'status',
            render: (s: VersionSummary['status']) => <Tag color={s === 'draft' ? 'orange' : s === 'published' ? 'green' : undefined}>{t(`work.catalog.versionStatus.${s}`)}</Tag>,
          },
          { title: t('work.catalog.name'), dataIndex: 'name' },
          { title: t('work.catalog.editor.revision'), dataIndex: 'revision', responsive: ['md'] },
          { title: t('work.catalog.editor.createdAt'), dataIndex: 'createdAt', render: (v: string) => formatDateTime(v), responsive: ['lg'] },
          { title: t('work.catalog.editor.updatedAt'), dataIndex: 'updatedAt', render: (v: string) => formatDateTime(v), responsive: ['lg'] },
          { title: t('work.catalog.editor.publishedAt'), dataIndex: 'publishedAt', render: (v: string | null) => formatDateTime(v) || '—' },
          { title: t('work.catalog.editor.supersededAt'), dataIndex: 'supersededAt', render: (v: string | null) => formatDateTime(v) || '—', responsive: ['md'] },
        ]}
      />
    </Card>
  )
}
