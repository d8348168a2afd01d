import { Tag } from 'antd-mobile'
import { useTranslation } from 'react-i18next'
import type { CaseStatus, Progress } from '../../lib/cases'

const colors: Partial<Record<CaseStatus, string>> = {
  submitted: 'primary',
  accepted: 'primary',
  under_review: 'primary',
  supplement_requested: 'warning',
  approved: 'success',
  result_issued: 'success',
  delivered: 'success',
  closed: 'default',
  denied: 'danger',
  not_accepted: 'danger',
}

/** An application's status as a coloured tag. */
export function StatusTag({ status }: { status: CaseStatus }) {
  const { t } = useTranslation()
  return <Tag color={colors[status] ?? 'default'}>{t(`cases.status.${status}`)}</Tag>
}

/** Days used of days allowed, with the yellow/red light and the 补正 pause. */
export function ProgressLine({ progress }: { progress: Progress | null }) {
  const { t } = useTranslation()
  if (!progress) return null
  return (
    <span className={`m-progress m-light-${progress.light}`}>
      {progress.allowedDays === 0
        ? t('cases.progress.sameDay', { due: progress.dueDate })
        : t('cases.progress.days', { used: progress.usedDays, allowed: progress.allowedDays, due: progress.dueDate })}
      {progress.paused ? ` · ${t('cases.progress.paused')}` : ''}
      {progress.light === 'red' ? ` · ${t('cases.progress.overdue')}` : ''}
    </span>
  )
}
