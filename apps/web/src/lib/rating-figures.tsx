import { useTranslation } from 'react-i18next'
import { levels, percent, type Statistics } from './rating'
import './rating-figures.css'

/** Colours of the five levels, from 非常满意 to 非常不满意 (distinct in greyscale too). */
const colours: Record<number, string> = { 5: '#1a7f37', 4: '#4caf50', 3: '#9e9e9e', 2: '#e67e22', 1: '#c0392b' }

/**
 * Stacked bars of the level counts per group, as plain SVG: one image with a label for screen
 * readers (the same figures stand in the table beside it), a tooltip per bar for pointers.
 */
export function LevelChart({ stats, group }: { stats: Statistics; group: 'department' | 'item' }) {
  const { t } = useTranslation()
  const rows = stats.groups.slice(0, 12)
  if (rows.length === 0) return null
  const barHeight = 22
  const gap = 10
  const labelWidth = 150
  const width = 560
  const max = Math.max(...rows.map((r) => r.total), 1)
  const height = rows.length * (barHeight + gap) + 30
  const title = t('rating.stats.chartTitle', { group: t(`rating.stats.${group}`) })
  return (
    <figure className="rating-chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title} width="100%">
        {rows.map((r, i) => {
          let x = labelWidth
          const y = i * (barHeight + gap)
          const counts = levels.map((l) => `${t(`rating.level.${l}`)} ${r.byLevel[String(l) as '5']}`).join(',')
          return (
            <g key={r.key || i}>
              <title>{t('rating.stats.chartLabel', { name: r.name, counts })}</title>
              <text x={0} y={y + barHeight * 0.7} fontSize="12" fill="#333">
                {r.name.length > 11 ? `${r.name.slice(0, 11)}…` : r.name}
              </text>
              {levels.map((l) => {
                const n = r.byLevel[String(l) as '5']
                const w = (n / max) * (width - labelWidth - 40)
                const rect = <rect key={l} x={x} y={y} width={w} height={barHeight} fill={colours[l]} />
                x += w
                return rect
              })}
              <text x={x + 4} y={y + barHeight * 0.7} fontSize="12" fill="#333">
                {r.total}
              </text>
            </g>
          )
        })}
        <g transform={`translate(0 ${rows.length * (barHeight + gap) + 8})`} aria-hidden="true">
          {levels.map((l, i) => (
            <g key={l} transform={`translate(${i * 110} 0)`}>
              <rect width="12" height="12" fill={colours[l]} />
              <text x="16" y="11" fontSize="11" fill="#333">
                {t(`rating.level.${l}`)}
              </text>
            </g>
          ))}
        </g>
      </svg>
    </figure>
  )
}

/** The figures as a table: counts per level and the three rates, one row per group and a total. */
export function FiguresTable({ stats, group }: { stats: Statistics; group: 'department' | 'item' }) {
  const { t } = useTranslation()
  const row = (key: string, name: string, f: Statistics['overall'], total = false) => (
    <tr key={key} className={total ? 'rating-total' : undefined}>
      <th scope="row">{name}</th>
      <td>{f.total}</td>
      {levels.map((l) => (
        <td key={l}>{f.byLevel[String(l) as '5']}</td>
      ))}
      <td>{percent(f.satisfactionRate)}</td>
      <td>{f.bad}</td>
      <td>{percent(f.rectifiedRate)}</td>
      <td>{percent(f.onTimeRate)}</td>
    </tr>
  )
  return (
    <div className="rating-table-wrap">
      <table className="rating-table">
        <thead>
          <tr>
            <th scope="col">{t(`rating.stats.${group}`)}</th>
            <th scope="col">{t('rating.stats.total')}</th>
            {levels.map((l) => (
              <th scope="col" key={l}>
                {t(`rating.level.${l}`)}
              </th>
            ))}
            <th scope="col">{t('rating.stats.satisfaction')}</th>
            <th scope="col">{t('rating.stats.bad')}</th>
            <th scope="col">{t('rating.stats.rectified')}</th>
            <th scope="col">{t('rating.stats.onTime')}</th>
          </tr>
        </thead>
        <tbody>
          {stats.groups.map((g) => row(g.key, g.name, g))}
          {row('overall', t('rating.stats.overall'), stats.overall, true)}
        </tbody>
      </table>
    </div>
  )
}
