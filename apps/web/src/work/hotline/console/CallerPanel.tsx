import { Alert, Card, Empty, Input, List, Space, Typography } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api, errorMessage } from '../../../lib/api'
import { formatDateTime } from '../../../lib/format'
import { phonePattern, type Caller } from '../../../lib/hotline'
import { StatusTag, TypeTag } from '../common'

/**
 * The first thing on a call: who is calling. Looks the number up (GET /callers/{phone}) and lists
 * the caller's earlier tickets, so the operator sees at once whether this is a follow-up.
 */
export function CallerPanel({ onCaller }: { onCaller: (phone: string, caller: Caller | null) => void }) {
  const { t } = useTranslation()
  const [caller, setCaller] = useState<Caller | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [invalid, setInvalid] = useState(false)
  const [loading, setLoading] = useState(false)

  const lookup = async (raw: string) => {
    const phone = raw.replace(/\s+/g, '')
    setError(null)
    if (!phonePattern.test(phone)) {
      setInvalid(true)
      return
    }
    setInvalid(false)
    setLoading(true)
    try {
      const found = await api.get<Caller>(`/api/hotline/callers/${encodeURIComponent(phone)}`)
      setCaller(found)
      onCaller(phone, found)
    } catch (e) {
      setCaller(null)
      setError(errorMessage(e))
      onCaller(phone, null)
    } finally {
      setLoading(false)
    }
  }

  return (
    <Card size="small" title={<h2 className="desk-card-title">{t('hotline.console.caller')}</h2>} style={{ marginBottom: 12 }}>
      <label htmlFor="hotline-caller-phone" className="hotline-label">
        {t('hotline.console.callerPhone')}
      </label>
      <Input.Search
        id="hotline-caller-phone"
        inputMode="tel"
        autoFocus
        allowClear
        enterButton={t('hotline.console.lookup')}
        loading={loading}
        status={invalid ? 'error' : undefined}
        aria-invalid={invalid}
        aria-describedby={invalid ? 'hotline-caller-phone-error' : undefined}
        onSearch={(v) => void lookup(v)}
        style={{ maxWidth: 360 }}
      />
      {invalid && (
        <Typography.Text type="danger" id="hotline-caller-phone-error" role="alert" style={{ display: 'block' }}>
          {t('hotline.console.phoneInvalid')}
        </Typography.Text>
      )}
      {error && <Alert type="error" showIcon title={error} style={{ marginTop: 8 }} />}
      <div aria-live="polite">
        {caller && (
          <div style={{ marginTop: 8 }}>
            <Typography.Text strong>{caller.name ?? t('hotline.console.unknownCaller')}</Typography.Text>{' '}
            <Typography.Text type="secondary">{t('hotline.console.earlierTickets', { n: caller.total })}</Typography.Text>
            {caller.tickets.length === 0 ? (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('hotline.console.noEarlier')} />
            ) : (
              <List
                size="small"
                aria-label={t('hotline.console.earlierList')}
                dataSource={caller.tickets}
                renderItem={(tk) => (
                  <List.Item key={tk.id}>
                    <Space wrap size={4}>
                      <Typography.Text code>{tk.number}</Typography.Text>
                      <TypeTag type={tk.type} />
                      <StatusTag status={tk.status} />
                      <span>{tk.title}</span>
                      <Typography.Text type="secondary">{formatDateTime(tk.createdAt)}</Typography.Text>
                    </Space>
                  </List.Item>
                )}
              />
            )}
          </div>
        )}
      </div>
    </Card>
  )
}
