import { Tag } from 'antd-mobile'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { formatDateTime } from '../../lib/format'
import type { OnethingApplicationSummary } from '../../lib/onething'

/** The caller's one-thing applications in 我的办件: one card each, naming its departments' cases. */
export function MyApplications({ items }: { items: OnethingApplicationSummary[] }) {
  const { t } = useTranslation()
  if (items.length === 0) return null
  return (
    <section aria-labelledby="ot-mine-title">
      <h2 id="ot-mine-title" className="m-section-title">
        {t('onething.list.mine')}
      </h2>
      <ul className="m-list">
        {items.map((a) => (
          <li key={a.id}>
            <Link to={`/m/onething/applications/${a.id}`} className="m-item-card">
              <span className="m-item-name">{a.title}</span>
              <span className="m-item-meta">{a.number}</span>
              <span className="m-tags">
                <Tag color={a.status === 'supplement_requested' ? 'warning' : a.status === 'completed' ? 'success' : 'primary'}>{t(`onething.application.status.${a.status}`)}</Tag>
              </span>
              <span className="m-item-meta">{a.children.map((c) => c.departmentName).join('、')}</span>
              <span className="m-item-meta">{formatDateTime(a.createdAt)}</span>
            </Link>
          </li>
        ))}
      </ul>
    </section>
  )
}
