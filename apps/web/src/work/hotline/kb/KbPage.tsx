import { Alert, App, Button, Form, Input, Modal, Select, Space, Table, Tag, Typography } from 'antd'
import type { ColumnsType } from 'antd/es/table'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useSearchParams } from 'react-router'
import { api, ApiError, errorMessage } from '../../../lib/api'
import { applyProblem } from '../../../lib/desk/forms'
import { formatDateTime } from '../../../lib/format'
import type { KbArticle, KbHit } from '../../../lib/hotline'
import { useSession } from '../../../lib/session'
import type { Page } from '../../../lib/types'
import { useFetch } from '../../../lib/use-fetch'
import { categoryName, isHotlineAdmin, useCategories, useDepartments } from '../common'

interface Values {
  title?: string
  body?: string
  keywords?: string
  departmentId?: string
  categoryCode?: string
}

/** Knowledge-base articles: departments keep their own, the centre oversees all; search is the same Chinese search operators use. */
export default function KbPage() {
  const { t } = useTranslation()
  const { me } = useSession()
  const [params, setParams] = useSearchParams()
  const q = params.get('q') ?? ''
  const page = Math.max(1, Number(params.get('page')) || 1)
  const list = useFetch((signal) => api.get<Page<KbHit>>('/api/hotline/kb', { q: q || undefined, page, pageSize: 20 }, signal), [q, page])
  const [editing, setEditing] = useState<KbArticle | 'new' | null>(null)
  const { message } = App.useApp()

  const open = async (id: string) => {
    try {
      setEditing(await api.get<KbArticle>(`/api/hotline/kb/${encodeURIComponent(id)}`))
    } catch (e) {
      message.error(errorMessage(e))
    }
  }

  const columns: ColumnsType<KbHit> = [
    { title: t('hotline.kb.articleTitle'), dataIndex: 'title', render: (v: string, a) => <><strong>{v}</strong><br /><Typography.Text type="secondary">{a.snippet}</Typography.Text></> },
    { title: t('hotline.kb.department'), dataIndex: 'departmentName', responsive: ['md'] },
    { title: t('hotline.kb.updatedAt'), dataIndex: 'updatedAt', render: (v: string) => formatDateTime(v), responsive: ['lg'] },
    {
      title: t('common.actions'),
      key: 'edit',
      render: (_: unknown, a) => (
        <Button size="small" onClick={() => void open(a.id)} aria-label={t('hotline.kb.editLabel', { title: a.title })}>
          {t('common.edit')}
        </Button>
      ),
    },
  ]

  return (
    <>
      <Typography.Title level={1} className="desk-page-title">
        {t('hotline.kb.title')}
      </Typography.Title>
      <Space style={{ marginBottom: 12 }} wrap>
        <Input.Search allowClear defaultValue={q} placeholder={t('hotline.kb.search')} aria-label={t('hotline.kb.search')} onSearch={(v) => setParams(v.trim() ? { q: v.trim() } : {})} style={{ width: 320 }} />
        <Button type="primary" onClick={() => setEditing('new')}>
          {t('hotline.kb.add')}
        </Button>
      </Space>
      {list.error ? <Alert type="error" showIcon title={errorMessage(list.error)} style={{ marginBottom: 16 }} /> : null}
      <Table<KbHit>
        rowKey="id"
        size="middle"
        loading={list.loading}
        columns={columns}
        dataSource={list.data?.items ?? []}
        pagination={{ current: page, pageSize: 20, total: list.data?.total ?? 0, showSizeChanger: false, onChange: (p) => setParams({ ...(q ? { q } : {}), page: String(p) }) }}
      />
      {editing && <ArticleModal article={editing === 'new' ? null : editing} admin={isHotlineAdmin(me)} defaultDepartmentId={me?.departmentId ?? undefined} onClose={() => setEditing(null)} onDone={() => (setEditing(null), list.reload())} />}
    </>
  )
}

function ArticleModal({ article, admin, defaultDepartmentId, onClose, onDone }: { article: KbArticle | null; admin: boolean; defaultDepartmentId?: string; onClose: () => void; onDone: () => void }) {
  const { t, i18n } = useTranslation()
  const { message } = App.useApp()
  const [form] = Form.useForm<Values>()
  const categories = useCategories()
  const departments = useDepartments()
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const save = async (v: Values, status?: 'published' | 'archived') => {
    setBusy(true)
    setError(null)
    const keywords = (v.keywords ?? '').split(/[,，、\s]+/).map((k) => k.trim()).filter(Boolean)
    try {
      if (article) {
        await api.patch(`/api/hotline/kb/${encodeURIComponent(article.id)}`, { version: article.version, title: v.title?.trim(), body: v.body?.trim(), keywords, categoryCode: v.categoryCode || null, ...(status ? { status } : {}) })
      } else {
        await api.post('/api/hotline/kb', { title: v.title?.trim(), body: v.body?.trim(), keywords, departmentId: v.departmentId, categoryCode: v.categoryCode || undefined })
      }
      message.success(t('hotline.kb.saved'))
      onDone()
    } catch (e) {
      applyProblem(form, e, ['title', 'body', 'keywords', 'departmentId', 'categoryCode'])
      setError(e instanceof ApiError ? e.problem.title : errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Modal
      open
      width={720}
      title={article ? t('hotline.kb.edit') : t('hotline.kb.add')}
      onCancel={onClose}
      destroyOnHidden
      footer={[
        <Button key="cancel" onClick={onClose}>
          {t('common.cancel')}
        </Button>,
        article && (
          <Button key="status" danger={article.status === 'published'} disabled={busy} onClick={() => void form.validateFields().then((v) => save(v, article.status === 'published' ? 'archived' : 'published'))}>
            {article.status === 'published' ? t('hotline.kb.archive') : t('hotline.kb.publish')}
          </Button>
        ),
        <Button key="save" type="primary" loading={busy} onClick={() => form.submit()}>
          {t('common.save')}
        </Button>,
      ]}
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      {article && <Tag color={article.status === 'published' ? 'green' : 'default'}>{t(`hotline.kb.status.${article.status}`)}</Tag>}
      <Form<Values>
        form={form}
        layout="vertical"
        onFinish={(v) => void save(v)}
        initialValues={{ title: article?.title, body: article?.body, keywords: article?.keywords.join('，'), departmentId: article?.departmentId ?? defaultDepartmentId, categoryCode: article?.categoryCode ?? undefined }}
      >
        <Form.Item name="title" label={t('hotline.kb.articleTitle')} rules={[{ required: true, min: 2, whitespace: true, message: t('hotline.ticket.textRequired') }]}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="body" label={t('hotline.kb.body')} rules={[{ required: true, min: 2, whitespace: true, message: t('hotline.ticket.textRequired') }]}>
          <Input.TextArea rows={8} maxLength={20000} />
        </Form.Item>
        <Form.Item name="keywords" label={t('hotline.kb.keywords')} extra={t('hotline.kb.keywordsHelp')}>
          <Input maxLength={500} />
        </Form.Item>
        <Form.Item name="departmentId" label={t('hotline.kb.department')} rules={[{ required: true, message: t('hotline.field.departmentRequired') }]}>
          <Select disabled={!!article || !admin} showSearch={{ optionFilterProp: 'label' }} options={(departments.data ?? []).map((d) => ({ value: d.id, label: d.name }))} />
        </Form.Item>
        <Form.Item name="categoryCode" label={t('hotline.field.category')}>
          <Select allowClear showSearch={{ optionFilterProp: 'label' }} options={(categories.data ?? []).map((c) => ({ value: c.code, label: categoryName(c, i18n.language) }))} />
        </Form.Item>
      </Form>
    </Modal>
  )
}
