import { Alert, Badge, Card, Col, Descriptions, Empty, Row, Skeleton, Tag, Typography } from 'antd'
import { Link } from 'react-router'
import { queues, type Queue } from '../../lib/cases'
import { hasRole } from '../../lib/session'
import { useTranslation } from 'react-i18next'
import { api, ApiError, errorMessage } from '../../lib/api'
import { useSession } from '../../lib/session'
import type { Department, DivisionDetail, Me } from '../../lib/types'
import { useFetch } from '../../lib/use-fetch'

interface Places {
  departments: Record<string, Department>
  divisions: Record<string, DivisionDetail>
}

/** Names for the department and divisions the account's grants point at (public org reads). */
async function loadPlaces(me: Me, signal: AbortSignal): Promise<Places> {
  const departmentIds = [...new Set([me.departmentId, ...me.roles.map((g) => g.departmentId)].filter((v): v is string => !!v))]
  const divisionCodes = [...new Set([me.divisionCode, ...me.roles.map((g) => g.divisionCode)].filter((v): v is string => !!v))]
  const skipMissing = <T,>(p: Promise<T>) => p.catch((e: unknown) => (e instanceof ApiError && e.status === 404 ? null : Promise.reject(e)))
  const [departments, divisions] = await Promise.all([
    Promise.all(departmentIds.map((id) => skipMissing(api.get<Department>(`/api/org/departments/${encodeURIComponent(id)}`, undefined, signal)))),
    Promise.all(divisionCodes.map((code) => skipMissing(api.get<DivisionDetail>(`/api/org/divisions/${encodeURIComponent(code)}`, undefined, signal)))),
  ])
  return {
    departments: Object.fromEntries(departments.filter((d): d is Department => !!d).map((d) => [d.id, d])),
    divisions: Object.fromEntries(divisions.filter((d): d is DivisionDetail => !!d).map((d) => [d.code, d])),
  }
}

/** The staff home: who I am, where I work, what I may do and where. */
export function WorkHome() {
  const { t } = useTranslation()
  const { me } = useSession()
  const places = useFetch((signal) => (me ? loadPlaces(me, signal) : Promise.resolve(null)), [me])
  if (!me) return null
  const p = places.data ?? null
  const department = me.departmentId ? p?.departments[me.departmentId] : undefined
  const divisionName = (code: string | null) => (code ? (p?.divisions[code]?.fullName ?? code) : t('work.home.wholePlatform'))
  const grantedDivisions = [...new Set(me.roles.map((g) => g.divisionCode))]

  return (
    <>
      <Typography.Title level={1} className="desk-page-title">
        {t('work.home.greeting', { name: me.name })}
      </Typography.Title>
      {places.error ? <Alert type="warning" showIcon title={errorMessage(places.error)} style={{ marginBottom: 16 }} /> : null}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card title={<h2 className="desk-card-title">{t('work.home.profile')}</h2>}>
            <Descriptions
              column={1}
              size="small"
              items={[
                { key: 'name', label: t('work.home.name'), children: me.name },
                { key: 'username', label: t('work.home.username'), children: me.username ?? '—' },
                {
                  key: 'department',
                  label: t('work.home.department'),
                  children: places.loading ? <Skeleton.Input active size="small" /> : (department?.name ?? me.departmentId ?? '—'),
                },
                {
                  key: 'division',
                  label: t('work.home.division'),
                  children: places.loading ? <Skeleton.Input active size="small" /> : (department?.divisionName ?? (me.divisionCode ? divisionName(me.divisionCode) : '—')),
                },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={<h2 className="desk-card-title">{t('work.home.roles')}</h2>}>
            {me.roles.length === 0 ? (
              <Empty description={t('work.home.noRoles')} />
            ) : (
              <ul className="desk-rows desk-rows-start">
                {me.roles.map((g) => (
                  <li key={g.id}>
                    <Tag color="red">{t(`roles.${g.role}`)}</Tag>
                    <span>{places.loading ? '…' : divisionName(g.divisionCode)}</span>
                    {g.departmentId && p?.departments[g.departmentId] ? <span> · {p.departments[g.departmentId].name}</span> : null}
                  </li>
                ))}
              </ul>
            )}
          </Card>
        </Col>
        <Col xs={24}>
          <Card title={<h2 className="desk-card-title">{t('work.home.divisions')}</h2>}>
            {places.loading ? (
              <Skeleton active paragraph={{ rows: 1 }} />
            ) : (
              <ul className="desk-inline-list">
                {grantedDivisions.map((code) => (
                  <li key={code ?? 'all'}>
                    <Tag>{divisionName(code)}</Tag>
                  </li>
                ))}
              </ul>
            )}
          </Card>
        </Col>
        <Col xs={24}>
          <Card title={<h2 className="desk-card-title">{t('work.home.tasks')}</h2>}>
            <QueueLinks show={hasRole(me, 'window_clerk', 'reviewer', 'department_head', 'leader')} />
          </Card>
        </Col>
      </Row>
    </>
  )
}

/** How many cases wait in each queue, each a link to the queue. */
function QueueLinks({ show }: { show: boolean }) {
  const { t } = useTranslation()
  const counts = useFetch((signal) => (show ? api.get<Record<Queue, number>>('/api/cases/queues', undefined, signal) : Promise.resolve(null)), [show])
  if (!show) return <Empty description={t('work.home.noCaseRole')} />
  if (counts.error) return <Alert type="warning" showIcon title={errorMessage(counts.error)} />
  if (!counts.data) return <Skeleton active paragraph={{ rows: 1 }} />
  return (
    <ul className="desk-inline-list">
      {queues.map((q) => (
        <li key={q}>
          <Link to={`/work/cases?queue=${q}`}>
            {t(`work.queue.${q}`)} <Badge count={counts.data![q]} showZero overflowCount={999} color={q === 'overdue' ? 'red' : q === 'due_soon' ? 'gold' : 'blue'} />
          </Link>
        </li>
      ))}
    </ul>
  )
}
