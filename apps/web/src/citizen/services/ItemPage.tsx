import { Button, Collapse, Tag } from 'antd-mobile'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { useNavigate, useParams } from 'react-router'
import { api } from '../../lib/api'
import type { ItemVersion } from '../../lib/cases'
import { useFetch } from '../../lib/use-fetch'
import { LoadError, Loading, Page } from '../Page'

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="m-guide-section">
      <h2 className="m-section-title">{title}</h2>
      {children}
    </section>
  )
}

/** 办事指南: everything a citizen reads before deciding to apply; public, no sign-in needed. */
export function ItemPage() {
  const { t } = useTranslation()
  const { id = '' } = useParams()
  const navigate = useNavigate()
  const item = useFetch((signal) => api.get<ItemVersion>(`/api/catalog/items/${encodeURIComponent(id)}`, undefined, signal), [id])
  const back = { to: '/m/services', label: t('citizen.services.title') }

  if (item.loading && !item.data) return <Page title={t('common.loading')} back={back}><Loading /></Page>
  if (item.error || !item.data) return <Page title={t('citizen.item.notFound')} back={back}><LoadError error={item.error} retry={item.reload} /></Page>
  const v = item.data
  const g = v.guide

  return (
    <Page
      title={g.name}
      back={back}
      footer={
        <Button block color="primary" size="large" onClick={() => navigate(`/m/items/${encodeURIComponent(v.code)}/apply`)}>
          {t('citizen.item.apply')}
        </Button>
      }
    >
      <p className="m-subtitle">
        {v.departmentName} · {t('citizen.item.code', { code: v.code })}
      </p>
      <p className="m-tags">
        <Tag color="primary">{t(`catalog.handlingClass.${g.handlingClass}`)}</Tag>
        <Tag fill="outline">{t(`catalog.type.${g.type}`)}</Tag>
        <Tag fill="outline">{t(`catalog.mode.${g.mode}`)}</Tag>
        <Tag fill="outline">{t('catalog.visits', { count: g.visits })}</Tag>
        <Tag fill="outline">{t(`catalog.audience.${g.applicableTo}`)}</Tag>
      </p>
      {g.summary && <p>{g.summary}</p>}

      <dl className="m-facts">
        <div>
          <dt>{t('citizen.item.promised')}</dt>
          <dd>{g.promisedDays === 0 ? t('catalog.sameDay') : t('catalog.promisedDays', { count: g.promisedDays })}</dd>
        </div>
        <div>
          <dt>{t('citizen.item.legal')}</dt>
          <dd>{g.legalDays === null ? t('citizen.item.noLegalLimit') : t('catalog.promisedDays', { count: g.legalDays })}</dd>
        </div>
        <div>
          <dt>{t('citizen.item.fees')}</dt>
          <dd>{g.fees.length === 0 ? t('citizen.item.free') : g.fees.map((f) => t('citizen.item.fee', { name: f.name, amount: f.amount.toFixed(2) })).join('；')}</dd>
        </div>
      </dl>

      <Section title={t('citizen.item.conditions')}>
        <p className="m-pre">{g.conditions}</p>
      </Section>

      <Section title={t('citizen.item.materials')}>
        <ol className="m-materials">
          {g.materials.map((m) => (
            <li key={m.code}>
              <strong>{m.name}</strong>{' '}
              <Tag color={m.requirement === 'required' ? 'danger' : 'default'} fill="outline">
                {t(`catalog.requirement.${m.requirement}`)}
              </Tag>
              <div className="m-item-meta">
                {[t(`catalog.materialForm.${m.form}`), t('citizen.item.copies', { count: m.copies }), m.source].filter(Boolean).join(' · ')}
              </div>
              {m.condition && <div className="m-item-meta">{t('citizen.item.condition', { condition: m.condition })}</div>}
              {m.licenseType && <div className="m-item-meta">{t('citizen.item.eLicense')}</div>}
              {m.note && <div className="m-item-meta">{m.note}</div>}
            </li>
          ))}
        </ol>
      </Section>

      {g.fees.length > 0 && (
        <Section title={t('citizen.item.fees')}>
          <ul className="m-plain">
            {g.fees.map((f) => (
              <li key={f.name}>
                {t('citizen.item.fee', { name: f.name, amount: f.amount.toFixed(2) })}
                <div className="m-item-meta">{f.basis}</div>
              </li>
            ))}
          </ul>
        </Section>
      )}

      <Section title={t('citizen.item.where')}>
        <dl className="m-facts">
          {g.address && (
            <div>
              <dt>{t('citizen.item.address')}</dt>
              <dd>{g.address}</dd>
            </div>
          )}
          {g.hours && (
            <div>
              <dt>{t('citizen.item.hours')}</dt>
              <dd>{g.hours}</dd>
            </div>
          )}
          {g.phone && (
            <div>
              <dt>{t('citizen.item.phone')}</dt>
              <dd>
                <a href={`tel:${g.phone.replace(/[^0-9+]/g, '')}`}>{g.phone}</a>
              </dd>
            </div>
          )}
        </dl>
      </Section>

      <Section title={t('citizen.item.legalBasis')}>
        <p className="m-pre">{g.legalBasis}</p>
      </Section>

      {g.faq.length > 0 && (
        <Section title={t('citizen.item.faq')}>
          <Collapse>
            {g.faq.map((f, i) => (
              <Collapse.Panel key={String(i)} title={f.question}>
                {f.answer}
              </Collapse.Panel>
            ))}
          </Collapse>
        </Section>
      )}
    </Page>
  )
}
