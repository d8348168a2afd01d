import { Breadcrumb, Button, Card, Col, Descriptions, Empty, Input, Row, Skeleton, Tag, Tree, Typography } from 'antd'
import type { TreeDataNode } from 'antd'
import { useCallback, useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { api } from '../../lib/api'
import type { Division, DivisionDetail, DivisionWithName } from '../../lib/types'
import { useFetch } from '../../lib/use-fetch'
import { LoadError } from '../components/LoadError'
import { PageHead } from '../components/PageHead'

interface Node extends TreeDataNode {
  key: string
  children?: Node[]
}

const toNode = (d: Division): Node => ({ key: d.code, title: `${d.name} ${d.code}`, isLeaf: !d.hasChildren })

function withChildren(nodes: Node[], key: string, children: Node[]): Node[] {
  return nodes.map((n) => (n.key === key ? { ...n, children } : n.children ? { ...n, children: withChildren(n.children, key, children) } : n))
}

/** Browse the GB/T 2260 tree (children load on demand) and search it by name or code. */
export default function DivisionsPage() {
  const { t } = useTranslation()
  const [tree, setTree] = useState<Node[]>([])
  const [treeError, setTreeError] = useState<unknown>(null)
  const [treeLoading, setTreeLoading] = useState(true)
  const [selected, setSelected] = useState<string | null>(null)
  const [query, setQuery] = useState('')

  const loadRoots = useCallback(async () => {
    setTreeLoading(true)
    setTreeError(null)
    try {
      const { items } = await api.get<{ items: Division[] }>('/api/org/divisions')
      setTree(items.map(toNode))
    } catch (e) {
      setTreeError(e)
    } finally {
      setTreeLoading(false)
    }
  }, [])

  useEffect(() => {
    void loadRoots()
  }, [loadRoots])

  const loadData = async (node: { key: React.Key; children?: unknown[] }) => {
    if (node.children) return
    try {
      const { items } = await api.get<{ items: Division[] }>('/api/org/divisions', { parent: String(node.key) })
      setTree((prev) => withChildren(prev, String(node.key), items.map(toNode)))
    } catch (e) {
      setTreeError(e)
    }
  }

  const results = useFetch(
    (signal) =>
      query.trim() ? api.get<{ items: DivisionWithName[] }>('/api/org/divisions/search', { q: query.trim(), limit: 20 }, signal) : Promise.resolve(null),
    [query],
  )
  const detail = useFetch(
    (signal) => (selected ? api.get<DivisionDetail>(`/api/org/divisions/${encodeURIComponent(selected)}`, undefined, signal) : Promise.resolve(null)),
    [selected],
  )

  return (
    <>
      <PageHead title={t('admin.divisions.title')} />
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card title={<h2 className="desk-card-title">{t('admin.divisions.tree')}</h2>}>
            <LoadError error={treeError} onRetry={() => void loadRoots()} />
            {treeLoading ? (
              <Skeleton active />
            ) : tree.length === 0 ? (
              <Empty description={t('admin.divisions.empty')} />
            ) : (
              <Tree<Node>
                treeData={tree}
                loadData={loadData}
                showLine
                height={560}
                selectedKeys={selected ? [selected] : []}
                onSelect={(keys) => keys[0] && setSelected(String(keys[0]))}
                aria-label={t('admin.divisions.tree')}
              />
            )}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={<h2 className="desk-card-title">{t('admin.divisions.search')}</h2>} style={{ marginBottom: 16 }}>
            <Input.Search
              aria-label={t('admin.divisions.searchLabel')}
              placeholder={t('admin.divisions.searchPlaceholder')}
              allowClear
              enterButton={t('common.search')}
              onSearch={setQuery}
              loading={results.loading && !!query}
            />
            {query && (
              <div style={{ marginTop: 12 }}>
                <LoadError error={results.error} onRetry={results.reload} />
                {results.loading ? (
                  <Skeleton active paragraph={{ rows: 2 }} />
                ) : results.data?.items.length ? (
                  <ul className="desk-rows">
                    {results.data.items.map((d) => (
                      <li key={d.code}>
                        <span>
                          {d.fullName} <Typography.Text type="secondary">{d.code}</Typography.Text>
                        </span>
                        <Button type="link" size="small" onClick={() => setSelected(d.code)} aria-label={t('admin.divisions.showNamed', { name: d.fullName })}>
                          {t('common.view')}
                        </Button>
                      </li>
                    ))}
                  </ul>
                ) : (
                  !results.error && <Empty description={t('admin.divisions.noMatch')} />
                )}
              </div>
            )}
          </Card>
          <Card title={<h2 className="desk-card-title">{t('admin.divisions.detail')}</h2>} aria-live="polite">
            <LoadError error={detail.error} onRetry={detail.reload} />
            {!selected ? (
              <Empty description={t('admin.divisions.pickOne')} />
            ) : detail.loading ? (
              <Skeleton active />
            ) : detail.data ? (
              <>
                <Breadcrumb items={detail.data.chain.map((d) => ({ key: d.code, title: d.name }))} style={{ marginBottom: 12 }} />
                <Descriptions
                  column={1}
                  size="small"
                  bordered
                  items={[
                    { key: 'fullName', label: t('admin.divisions.fullName'), children: detail.data.fullName },
                    { key: 'code', label: t('admin.divisions.code'), children: <span className="desk-mono">{detail.data.code}</span> },
                    { key: 'level', label: t('admin.divisions.level'), children: <Tag>{t(`divisionLevel.${detail.data.level}`)}</Tag> },
                  ]}
                />
                <Link to={`/admin/departments?divisionCode=${detail.data.code}`} style={{ display: 'inline-block', marginTop: 12 }}>
                  {t('admin.divisions.departmentsHere')}
                </Link>
              </>
            ) : null}
          </Card>
        </Col>
      </Row>
    </>
  )
}
