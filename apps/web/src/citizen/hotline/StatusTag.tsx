import { Tag } from 'antd-mobile'
import { useTranslation } from 'react-i18next'
import type { TicketStatus, TicketSummary } from '../../lib/hotline'

const colors: Record<TicketStatus, string> = {
  registered: 'primary',
  dispatched: 'primary',
  returned: 'primary',
  processing: 'primary',
  replied: 'primary',
  callback: 'warning',
  closed: 'success',
  merged: 'default',
}

/** A ticket's status in the citizen's words (a returned ticket is simply being re-dispatched for them). */
export function TicketStatusTag({ ticket }: { ticket: Pick<TicketSummary, 'status'> }) {
  const { t } = useTranslation()
  return <Tag color={colors[ticket.status]}>{t(`hotline.m.status.${ticket.status}`)}</Tag>
}
