import { Tag } from 'antd-mobile'
import { useTranslation } from 'react-i18next'
import { Link, useParams } from 'react-router'
import { formatDateTime } from '../../lib/format'
import { onethingApi } from '../../lib/onething'
import { useFetch } from '../../lib/use-fetch'
import { StatusTag } from '../cases/StatusTag'
import { LoadError, Loading, Page } from '../Page'

/** The one application of a bundle: status, deadline and history from its cases; 补正 by department; results together. */
export default function ApplicationPage() {
  const { t } = useTranslation()
  const { id = '' } = useParams()
  const loaded = useFetch((signal) => onethingApi.application(id, signal), [id])
  const back = { to: '/m/cases', label: t('citizen.nav.cases') }
  const title = t('onething.application.title')
  if (loaded.loading && !loaded.data) return <Page title={title} back={back}><Loading /></Page>
  if (loaded.error || !loaded.data) return <Page title={title} back={back}><LoadError error={loaded.error} retry={loaded.reload} /></Page>
  const a = loaded.data
  return (
    <Page title={a.title} back={back}>
      <div className="ot-screen" data-screen="application">
        <p className="m-subtitle">
          {a.number} <Tag color={a.status === 'supplement_requested' ? 'warning' : a.status === 'completed' ? 'success' : 'primary'}>{t(`onething.application.status.${a.status}`)}</Tag>
          {a.dueAt && (
            <>
              <br />
              {t('onething.application.due', { date: formatDateTime(a.dueAt) })}
            </>
          )}
        </p>
        {a.supplements.map((s) => (
          <section key={s.applicationId} className="ot-card" role="alert">
            <p>{t('onething.application.supplement', { department: s.departmentName, item: s.itemName })}</p>
            <ul>
              {s.items.map((i, n) => (
                <li key={n}>{i.description}</li>
              ))}
            </ul>
            <Link to={`/m/cases/${s.applicationId}`}>{t('citizen.cases.detail')}</Link>
          </section>
        ))}
        <section className="ot-card" aria-labelledby="ot-children">
          <h2 id="ot-children">{t('onething.application.children')}</h2>
          <ul className="ot-items">
            {a.children.map((c) => (
              <li key={c.id}>
                <span>
                  {c.itemName}
                  <br />
                  <span className="ot-meta">{c.departmentName}</span>
                </span>
                <StatusTag status={c.status} />
              </li>
            ))}
          </ul>
          <p className="ot-counts">{t('onething.application.counts', { prefilled: a.fill.prefilled, typed: a.fill.typed })}</p>
        </section>
        <section className="ot-card" aria-labelledby="ot-results">
          <h2 id="ot-results">{t('onething.application.results')}</h2>
          {a.results ? (
            <ul className="ot-items">
              {a.results.map((r) => (
                <li key={r.applicationId}>
                  <span>
                    {r.itemName}
                    {r.documentNumber ? ` · ${r.documentNumber}` : ''}
                  </span>
                  <StatusTag status={r.status} />
                </li>
              ))}
            </ul>
          ) : (
            <p className="ot-meta">{t('onething.application.resultsPending')}</p>
          )}
        </section>
        <section className="ot-card" aria-labelledby="ot-timeline">
          <h2 id="ot-timeline">{t('onething.application.timeline')}</h2>
          <ol className="ot-items">
            {a.timeline.map((e, n) => (
              <li key={n}>
                <span>
                  {e.departmentName} · {t(`cases.status.${e.toStatus}`)}
                </span>
                <span className="ot-meta">{formatDateTime(e.at)}</span>
              </li>
            ))}
          </ol>
        </section>
      </div>
    </Page>
  )
}
