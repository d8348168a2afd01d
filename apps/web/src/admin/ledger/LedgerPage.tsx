import { Alert, Button, Card, Col, Descriptions, Empty, Form, InputNumber, Modal, Row, Skeleton, Space, Typography } from 'antd'
import type { ColumnsType } from 'antd/es/table'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api, ApiError, errorMessage } from '../../lib/api'
import { formatDateTime, shortHex } from '../../lib/format'
import type { Checkpoint, InclusionProof, LedgerEntry, Page, PublicKey, VerifyResult } from '../../lib/types'
import { useFetch } from '../../lib/use-fetch'
import { LoadError } from '../components/LoadError'
import { PageHead } from '../components/PageHead'
import { PagedTable } from '../../lib/desk/PagedTable'
import { usePaging } from '../../lib/desk/paging'

/** null when the ledger has no checkpoint yet (404), instead of an error. */
async function latestCheckpoint(signal: AbortSignal): Promise<Checkpoint | null> {
  try {
    return await api.get<Checkpoint>('/api/ledger/checkpoints/latest', undefined, signal)
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null
    throw e
  }
}

/** The tamper-evident ledger: latest signed checkpoint, platform key, verification, entries. */
export default function LedgerPage() {
  const { t } = useTranslation()
  const checkpoint = useFetch(latestCheckpoint, [])
  const key = useFetch((signal) => api.get<PublicKey>('/api/ledger/public-key', undefined, signal), [])
  const { page, pageSize, paging } = usePaging()
  const entries = useFetch((signal) => api.get<Page<LedgerEntry>>('/api/ledger/entries', { page, pageSize }, signal), [page, pageSize])
  const [proofOf, setProofOf] = useState<number | null>(null)

  const columns: ColumnsType<LedgerEntry> = [
    { title: t('admin.ledger.seq'), dataIndex: 'seq', key: 'seq', width: 90 },
    { title: t('admin.ledger.kind'), dataIndex: 'kind', key: 'kind', render: (v: string) => <span className="desk-mono">{v}</span> },
    { title: t('admin.ledger.at'), dataIndex: 'at', key: 'at', render: (v: string) => formatDateTime(v) },
    {
      title: t('admin.ledger.hash'),
      dataIndex: 'hash',
      key: 'hash',
      render: (v: string) => (
        <span className="desk-mono" title={v}>
          {shortHex(v)}
        </span>
      ),
    },
    {
      title: t('common.actions'),
      key: 'actions',
      render: (_: unknown, e) => (
        <Button type="link" size="small" onClick={() => setProofOf(e.seq)} aria-label={t('admin.ledger.proofFor', { seq: e.seq })}>
          {t('admin.ledger.proof')}
        </Button>
      ),
    },
  ]

  return (
    <>
      <PageHead title={t('admin.ledger.title')} />
      <Typography.Paragraph type="secondary">{t('admin.ledger.intro')}</Typography.Paragraph>
      <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
        <Col xs={24} xl={12}>
          <Card title={<h2 className="desk-card-title">{t('admin.ledger.checkpoint')}</h2>}>
            <LoadError error={checkpoint.error} onRetry={checkpoint.reload} />
            {checkpoint.loading ? (
              <Skeleton active />
            ) : checkpoint.data ? (
              <Descriptions
                column={1}
                size="small"
                items={[
                  { key: 'id', label: t('admin.ledger.checkpointId'), children: <span className="desk-mono">{checkpoint.data.id}</span> },
                  { key: 'range', label: t('admin.ledger.range'), children: t('admin.ledger.rangeValue', { from: checkpoint.data.fromSeq, to: checkpoint.data.toSeq, size: checkpoint.data.treeSize }) },
                  { key: 'root', label: t('admin.ledger.root'), children: <Typography.Text className="desk-mono" copyable>{checkpoint.data.root}</Typography.Text> },
                  { key: 'signature', label: t('admin.ledger.signature'), children: <Typography.Text className="desk-mono" copyable={{ text: checkpoint.data.signature }}>{shortHex(checkpoint.data.signature, 16)}</Typography.Text> },
                  { key: 'at', label: t('admin.ledger.at'), children: formatDateTime(checkpoint.data.at) },
                ]}
              />
            ) : (
              !checkpoint.error && <Empty description={t('admin.ledger.noCheckpoint')} />
            )}
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card title={<h2 className="desk-card-title">{t('admin.ledger.publicKey')}</h2>}>
            <LoadError error={key.error} onRetry={key.reload} />
            {key.loading ? (
              <Skeleton active />
            ) : key.data ? (
              <Descriptions
                column={1}
                size="small"
                items={[
                  { key: 'alg', label: t('admin.ledger.algorithm'), children: key.data.algorithm },
                  { key: 'hex', label: t('admin.ledger.publicKeyHex'), children: <Typography.Text className="desk-mono" copyable>{key.data.publicKeyHex}</Typography.Text> },
                  { key: 'pem', label: t('admin.ledger.pem'), children: <Typography.Paragraph copyable={{ text: key.data.pem }} style={{ margin: 0 }}><pre className="desk-pre">{key.data.pem}</pre></Typography.Paragraph> },
                ]}
              />
            ) : null}
          </Card>
        </Col>
        <Col xs={24}>
          <VerifyCard />
        </Col>
      </Row>
      <Card title={<h2 className="desk-card-title">{t('admin.ledger.entries')}</h2>}>
        <LoadError error={entries.error} onRetry={entries.reload} />
        <PagedTable<LedgerEntry>
          list={entries}
          paging={paging}
          rowKey="seq"
          columns={columns}
          expandable={{ expandedRowRender: (e) => <pre className="desk-pre">{JSON.stringify({ payload: e.payload, prevHash: e.prevHash, hash: e.hash }, null, 2)}</pre> }}
          empty={t('admin.ledger.noEntries')}
        />
      </Card>
      {proofOf !== null && <ProofModal seq={proofOf} onClose={() => setProofOf(null)} />}
    </>
  )
}

function VerifyCard() {
  const { t } = useTranslation()
  const [result, setResult] = useState<VerifyResult | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const verify = async (v: { fromSeq?: number | null; toSeq?: number | null }) => {
    setBusy(true)
    setError(null)
    setResult(null)
    try {
      const body: Record<string, number> = {}
      if (typeof v.fromSeq === 'number') body.fromSeq = v.fromSeq
      if (typeof v.toSeq === 'number') body.toSeq = v.toSeq
      setResult(await api.post<VerifyResult>('/api/ledger/verify', body))
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Card title={<h2 className="desk-card-title">{t('admin.ledger.verify')}</h2>}>
      <Form layout="inline" name="ledger-verify" onFinish={verify} style={{ rowGap: 12 }}>
        <Form.Item name="fromSeq" label={t('admin.ledger.fromSeq')}>
          <InputNumber min={1} precision={0} placeholder={t('admin.ledger.first')} />
        </Form.Item>
        <Form.Item name="toSeq" label={t('admin.ledger.toSeq')}>
          <InputNumber min={1} precision={0} placeholder={t('admin.ledger.last')} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy}>
          {t('admin.ledger.verifyButton')}
        </Button>
      </Form>
      <div aria-live="polite" style={{ marginTop: 16 }}>
        {error && <Alert type="error" showIcon role="alert" title={error} />}
        {result &&
          (result.ok ? (
            <Alert type="success" showIcon title={t('admin.ledger.verifyOk', { count: result.checked })} />
          ) : (
            <Alert
              type="error"
              showIcon
              title={t('admin.ledger.verifyBroken', { count: result.checked })}
              description={result.firstBroken ? t('admin.ledger.firstBroken', { seq: result.firstBroken.seq, reason: result.firstBroken.reason }) : undefined}
            />
          ))}
      </div>
    </Card>
  )
}

function ProofModal({ seq, onClose }: { seq: number; onClose: () => void }) {
  const { t } = useTranslation()
  const proof = useFetch((signal) => api.get<{ entry: LedgerEntry; proof: InclusionProof | null }>(`/api/ledger/entries/${seq}`, undefined, signal), [seq])
  return (
    <Modal open title={t('admin.ledger.proofTitle', { seq })} onCancel={onClose} footer={<Button onClick={onClose}>{t('common.close')}</Button>} width={680}>
      <LoadError error={proof.error} onRetry={proof.reload} />
      {proof.loading ? (
        <Skeleton active />
      ) : proof.data ? (
        proof.data.proof ? (
          <Space orientation="vertical" style={{ width: '100%' }}>
            <Descriptions
              column={1}
              size="small"
              bordered
              items={[
                { key: 'cp', label: t('admin.ledger.checkpointId'), children: <span className="desk-mono">{proof.data.proof.checkpointId}</span> },
                { key: 'leaf', label: t('admin.ledger.leafIndex'), children: `${proof.data.proof.leafIndex} / ${proof.data.proof.treeSize}` },
                { key: 'root', label: t('admin.ledger.root'), children: <span className="desk-mono">{proof.data.proof.root}</span> },
              ]}
            />
            <pre className="desk-pre">{proof.data.proof.path.join('\n')}</pre>
          </Space>
        ) : (
          <Empty description={t('admin.ledger.noProofYet')} />
        )
      ) : null}
    </Modal>
  )
}
