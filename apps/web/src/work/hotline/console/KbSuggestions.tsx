import { Button, Card, Empty, List, Spin, Typography } from 'antd'
import { useTranslation } from 'react-i18next'
import type { KbHit } from '../../../lib/hotline'

/**
 * Articles matching what the operator types, best first. Picking one puts its text into the answer
 * box of the same screen; the list is a live region so a screen reader hears new suggestions.
 */
export function KbSuggestions({ hits, loading, query, selectedId, onPick }: { hits: KbHit[]; loading: boolean; query: string; selectedId: string | null; onPick: (hit: KbHit) => void }) {
  const { t } = useTranslation()
  return (
    <Card size="small" title={<h2 className="desk-card-title">{t('hotline.console.kb')}</h2>} extra={loading ? <Spin size="small" /> : null} style={{ marginBottom: 12 }}>
      <div aria-live="polite" aria-busy={loading}>
        {query.length < 2 ? (
          <Typography.Text type="secondary">{t('hotline.console.kbHint')}</Typography.Text>
        ) : hits.length === 0 && !loading ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('hotline.console.kbNone')} />
        ) : (
          <List
            size="small"
            aria-label={t('hotline.console.kbList')}
            dataSource={hits}
            renderItem={(hit) => (
              <List.Item
                key={hit.id}
                className={hit.id === selectedId ? 'hotline-kb-selected' : undefined}
                actions={[
                  <Button key="use" size="small" type={hit.id === selectedId ? 'primary' : 'default'} aria-pressed={hit.id === selectedId} onClick={() => onPick(hit)} aria-label={t('hotline.console.kbUseLabel', { title: hit.title })}>
                    {t('hotline.console.kbUse')}
                  </Button>,
                ]}
              >
                <List.Item.Meta title={hit.title} description={<><span>{hit.snippet}</span><br /><Typography.Text type="secondary">{hit.departmentName}</Typography.Text></>} />
              </List.Item>
            )}
          />
        )}
      </div>
    </Card>
  )
}
