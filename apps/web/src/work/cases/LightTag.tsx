import { Tag } from 'antd'
import { useTranslation } from 'react-i18next'
import type { Progress } from '../../lib/cases'

/** Days used / allowed with the deadline light (yellow at 80 %, red when overdue). */
export function LightTag({ progress }: { progress: Progress | null }) {
  const { t } = useTranslation()
  if (!progress) return <>—</>
  const color = progress.light === 'red' ? 'red' : progress.light === 'yellow' ? 'gold' : 'green'
  return (
    <Tag color={color}>
      {progress.allowedDays === 0 ? t('cases.progress.sameDay', { due: progress.dueDate }) : t('work.cases.days', { used: progress.usedDays, allowed: progress.allowedDays })}
      {progress.paused ? ` · ${t('work.cases.paused')}` : ''}
    </Tag>
  )
}
