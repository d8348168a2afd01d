import { Button, Empty, Tag } from 'antd-mobile'
import { useEffect, useState, type FormEvent, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useSearchParams } from 'react-router'
import { api } from '../../lib/api'
import { themeCodes, type ItemHit, type Theme, type ThemeCode } from '../../lib/cases'
import type { Page as Paged } from '../../lib/types'
import { useFetch } from '../../lib/use-fetch'
import { LoadError, Loading, Page } from '../Page'

const isTheme = (v: string | null): v is ThemeCode => !!v && (themeCodes as readonly string[]).includes(v)

/** The name with the search matches marked. */
function Highlighted({ name, highlights }: { name: string; highlights: ItemHit['highlights'] }) {
  if (!highlights.length) return <>{name}</>
  const parts: ReactNode[] = []
  let at = 0
  for (const [i, h] of [...highlights].sort((a, b) => a.start - b.start).entries()) {
    if (h.start < at) continue
    if (h.start > at) parts.push(<span key={`t${i}`}>{name.slice(at, h.start)}</span>)
    parts.push(<mark key={`m${i}`}>{name.slice(h.start, h.end)}</mark>)
    at = h.end
  }
  if (at < name.length) parts.push(<span key="end">{name.slice(at)}</span>)
  return <>{parts}</>
}

/** One item in a result list: name, department, handling class and time limit. */
export function ItemCard({ hit }: { hit: ItemHit }) {
  const { t } = useTranslation()
  return (
    <li>
      <Link to={`/m/items/${encodeURIComponent(hit.code)}`} className="m-item-card">
        <span className="m-item-name">
          <Highlighted name={hit.name} highlights={hit.highlights} />
        </span>
        <span className="m-item-meta">{hit.departmentName}</span>
        <span className="m-tags">
          <Tag color="primary" fill="outline">
            {t(`catalog.handlingClass.${hit.handlingClass}`)}
          </Tag>
          <Tag fill="outline">{t(`catalog.mode.${hit.mode}`)}</Tag>
          <Tag fill="outline">{hit.promisedDays === 0 ? t('catalog.sameDay') : t('catalog.promisedDays', { count: hit.promisedDays })}</Tag>
        </span>
      </Link>
    </li>
  )
}

/** 办事: search the catalog the way people type, or browse by life event. Public, no sign-in needed. */
export function ServicesPage() {
  const { t } = useTranslation()
  const [params, setParams] = useSearchParams()
  const q = params.get('q') ?? ''
  const theme = isTheme(params.get('theme')) ? (params.get('theme') as ThemeCode) : null
  const [text, setText] = useState(q)
  useEffect(() => setText(q), [q])

  const themes = useFetch((signal) => api.get<{ items: Theme[] }>('/api/catalog/themes', undefined, signal), [])
  const hits = useFetch(
    (signal) => api.get<Paged<ItemHit>>('/api/catalog/items', { q: q || undefined, theme: theme ?? undefined, pageSize: 30 }, signal),
    [q, theme],
  )
  const themeName = theme ? (themes.data?.items.find((x) => x.code === theme)?.name ?? theme) : null

  const search = (e: FormEvent) => {
    e.preventDefault()
    const v = text.trim()
    setParams(v ? { q: v } : {})
  }

  return (
    <Page title={t('citizen.services.title')}>
      <form role="search" className="m-search" onSubmit={search}>
        <label htmlFor="m-search-input" className="m-sr-only">
          {t('citizen.services.searchLabel')}
        </label>
        <input
          id="m-search-input"
          type="search"
          enterKeyHint="search"
          value={text}
          maxLength={50}
          placeholder={t('citizen.services.searchPlaceholder')}
          onChange={(e) => setText(e.target.value)}
        />
        <Button type="submit" color="primary">
          {t('common.search')}
        </Button>
      </form>

      {!q && (
        <section aria-labelledby="m-themes-title">
          <h2 id="m-themes-title" className="m-section-title">
            {t('citizen.services.themes')}
          </h2>
          {themes.error ? (
            <LoadError error={themes.error} retry={themes.reload} />
          ) : (
            <ul className="m-chips">
              {(themes.data?.items ?? []).map((x) => (
                <li key={x.code}>
                  <Link to={theme === x.code ? '/m/services' : `/m/services?theme=${x.code}`} className={theme === x.code ? 'm-chip m-chip-on' : 'm-chip'} aria-current={theme === x.code ? 'true' : undefined}>
                    {x.name}
                    <span className="m-chip-count">{x.count}</span>
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}

      <section aria-labelledby="m-results-title">
        <h2 id="m-results-title" className="m-section-title">
          {q ? t('citizen.services.resultsFor', { q }) : themeName ? t('citizen.services.themeItems', { name: themeName }) : t('citizen.services.popular')}
        </h2>
        {hits.loading && !hits.data ? (
          <Loading />
        ) : hits.error ? (
          <LoadError error={hits.error} retry={hits.reload} />
        ) : hits.data && hits.data.items.length > 0 ? (
          <>
            {q && <p className="m-hint">{t('citizen.services.total', { count: hits.data.total })}</p>}
            <ul className="m-list">
              {hits.data.items.map((h) => (
                <ItemCard key={h.id} hit={h} />
              ))}
            </ul>
          </>
        ) : (
          <Empty description={t('citizen.services.none')} />
        )}
      </section>
    </Page>
  )
}
