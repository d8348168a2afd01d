import { Tag, Tooltip } from 'antd'
import { useTranslation } from 'react-i18next'
import { api } from '../../lib/api'
import type { Category, TicketStatus, TicketSummary, TicketType } from '../../lib/hotline'
import type { Department, Page } from '../../lib/types'
import { useFetch } from '../../lib/use-fetch'

export { canSeeMetrics, isCentre, isDepartmentStaff, isHotlineAdmin } from './access'

const statusColors: Record<TicketStatus, string> = {
  registered: 'blue',
  dispatched: 'gold',
  returned: 'volcano',
  processing: 'processing',
  replied: 'cyan',
  callback: 'purple',
  closed: 'green',
  merged: 'default',
}

export function StatusTag({ status }: { status: TicketStatus }) {
  const { t } = useTranslation()
  return <Tag color={statusColors[status]}>{t(`hotline.status.${status}`)}</Tag>
}

export function TypeTag({ type }: { type: TicketType }) {
  const { t } = useTranslation()
  return <Tag color={type === 'report' ? 'red' : type === 'complaint' ? 'orange' : 'default'}>{t(`hotline.type.${type}`)}</Tag>
}

/**
 * The deadline light in words as well as colour (colour alone fails screen readers and colour-blind
 * users): 待签收 while waiting to be signed, then 办理中 / 即将超期 / 已超期.
 */
export function LightTag({ ticket }: { ticket: TicketSummary }) {
  const { t } = useTranslation()
  const p = ticket.progress
  if (!p || ticket.status === 'closed' || ticket.status === 'merged') return <>—</>
  const color = p.light === 'red' ? 'red' : p.light === 'yellow' ? 'gold' : 'green'
  const word = p.light === 'red' ? t('hotline.light.red') : p.light === 'yellow' ? t('hotline.light.yellow') : ticket.status === 'dispatched' ? t('hotline.light.toSign') : t('hotline.light.green')
  return (
    <Tooltip title={t('hotline.light.due', { date: p.dueDate })}>
      <Tag color={color}>
        {word} · {p.remainingDays >= 0 ? t('hotline.light.remaining', { n: p.remainingDays }) : t('hotline.light.overdueBy', { n: -p.remainingDays })}
      </Tag>
    </Tooltip>
  )
}

/** The hotline's categories (public list), loaded once per page. */
export function useCategories() {
  return useFetch((signal) => api.get<Category[]>('/api/hotline/categories', undefined, signal), [])
}

/** Departments of the demo city the centre dispatches to (org's public list; the city has fewer than 100). */
export function useDepartments(divisionCode = '140900') {
  return useFetch((signal) => api.get<Page<Department>>('/api/org/departments', { divisionCode, page: 1, pageSize: 100 }, signal).then((p) => p.items), [divisionCode])
}

/** A category's name in the user's language. */
export function categoryName(c: Category, language: string): string {
  return language === 'en' ? c.nameEn || c.name : c.name
}
