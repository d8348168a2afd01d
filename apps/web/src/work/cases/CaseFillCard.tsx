import { Card, Descriptions } from 'antd'
import { useTranslation } from 'react-i18next'
import { onethingApi } from '../../lib/onething'
import { useFetch } from '../../lib/use-fetch'

/**
 * How a case of a 一件事 was filled: fields prefilled from the registries and licenses, fields
 * typed, materials that came from e-licenses or shared data. Nothing for an ordinary case.
 */
export function CaseFillCard({ caseId }: { caseId: string }) {
  const { t } = useTranslation()
  const fill = useFetch((signal) => onethingApi.caseFill(caseId, signal), [caseId])
  const f = fill.data?.fill
  if (!f) return null
  const shared = fill.data!.materials.filter((m) => m.kind !== 'license')
  return (
    <Card style={{ marginTop: 16 }} title={<h2 className="desk-card-title">{t('onething.work.title')}</h2>} extra={fill.data!.groupNumber ? t('onething.work.group', { number: fill.data!.groupNumber }) : null}>
      <Descriptions
        column={1}
        size="small"
        items={[
          { key: 'prefilled', label: t('onething.work.prefilled'), children: f.prefilled },
          { key: 'typed', label: t('onething.work.typed'), children: f.typed },
          { key: 'licenses', label: t('onething.work.licenses'), children: f.materialsFromLicenses },
          { key: 'shared', label: t('onething.work.shared'), children: shared.length ? `${f.materialsShared}（${shared.map((m) => m.label).join('；')}）` : f.materialsShared },
        ]}
      />
    </Card>
  )
}
