import { App, Button, Select, Tag } from 'antd'
import type { ColumnsType } from 'antd/es/table'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api, errorMessage } from '../../lib/api'
import { formatDateTime } from '../../lib/format'
import { accountKinds, type AccountKind, type AccountSummary, type Page, type RoleGrant } from '../../lib/types'
import { useFetch } from '../../lib/use-fetch'
import { LoadError } from '../components/LoadError'
import { PageHead } from '../components/PageHead'
import { PagedTable } from '../../lib/desk/PagedTable'
import { SearchBox } from '../../lib/desk/SearchBox'
import { usePaging } from '../../lib/desk/paging'
import { RoleTag } from '../components/RoleTag'
import { CreateStaffForm } from './CreateStaffForm'
import { GrantRoleForm } from './GrantRoleForm'

const statusColor = { active: 'green', locked: 'orange', disabled: 'default' } as const

/** Accounts: filter by kind, search, create staff, grant and revoke roles. */
export default function AccountsPage() {
  const { t } = useTranslation()
  const { modal, message } = App.useApp()
  const [kind, setKind] = useState<AccountKind | undefined>(undefined)
  const [q, setQ] = useState('')
  const { page, pageSize, setPage, paging } = usePaging()
  const [creating, setCreating] = useState(false)
  const [granting, setGranting] = useState<AccountSummary | null>(null)

  const list = useFetch((signal) => api.get<Page<AccountSummary>>('/api/admin/accounts', { kind, q, page, pageSize }, signal), [kind, q, page, pageSize])

  const revoke = (account: AccountSummary, grant: RoleGrant) =>
    modal.confirm({
      title: t('admin.accounts.revokeTitle'),
      content: t('admin.accounts.revokeConfirm', { role: t(`roles.${grant.role}`), name: account.name }),
      okText: t('admin.accounts.revoke'),
      okButtonProps: { danger: true },
      cancelText: t('common.cancel'),
      onOk: async () => {
        try {
          await api.delete(`/api/admin/accounts/${encodeURIComponent(account.id)}/roles/${encodeURIComponent(grant.id)}`)
          message.success(t('admin.accounts.revoked'))
          list.reload()
        } catch (e) {
          message.error(errorMessage(e))
        }
      },
    })

  const columns: ColumnsType<AccountSummary> = [
    { title: t('admin.accounts.name'), dataIndex: 'name', key: 'name' },
    { title: t('admin.accounts.kind'), dataIndex: 'kind', key: 'kind', render: (k: AccountKind) => t(`accountKind.${k}`) },
    {
      title: t('admin.accounts.identifier'),
      key: 'identifier',
      render: (_: unknown, a) => <span className="desk-mono">{a.username ?? a.creditCode ?? a.maskedIdNumber ?? '—'}</span>,
    },
    { title: t('admin.accounts.phone'), dataIndex: 'maskedPhone', key: 'phone', render: (v: string | null) => v ?? '—' },
    {
      title: t('admin.accounts.status'),
      dataIndex: 'status',
      key: 'status',
      render: (s: AccountSummary['status']) => <Tag color={statusColor[s]}>{t(`accountStatus.${s}`)}</Tag>,
    },
    {
      title: t('admin.accounts.roles'),
      key: 'roles',
      render: (_: unknown, a) =>
        a.roles.length ? (
          <ul className="desk-inline-list">
            {a.roles.map((g) => (
              <li key={g.id}>
                <RoleTag grant={g} onClose={() => revoke(a, g)} />
              </li>
            ))}
          </ul>
        ) : (
          '—'
        ),
    },
    { title: t('admin.accounts.createdAt'), dataIndex: 'createdAt', key: 'createdAt', render: (v: string) => formatDateTime(v) },
    {
      title: t('common.actions'),
      key: 'actions',
      render: (_: unknown, a) => (
        <Button type="link" size="small" onClick={() => setGranting(a)} aria-label={t('admin.accounts.grantFor', { name: a.name })}>
          {t('admin.accounts.grant')}
        </Button>
      ),
    },
  ]

  return (
    <>
      <PageHead
        title={t('admin.accounts.title')}
        extra={
          <Button type="primary" onClick={() => setCreating(true)}>
            {t('admin.accounts.createStaff')}
          </Button>
        }
      />
      <div className="desk-toolbar" role="search">
        <Select<AccountKind>
          aria-label={t('admin.accounts.filterKind')}
          placeholder={t('admin.accounts.allKinds')}
          allowClear
          value={kind}
          onChange={(v) => {
            setKind(v)
            setPage(1)
          }}
          options={accountKinds.map((k) => ({ value: k, label: t(`accountKind.${k}`) }))}
          style={{ width: 160 }}
        />
        <SearchBox
          label={t('admin.accounts.searchLabel')}
          placeholder={t('admin.accounts.searchPlaceholder')}
          onSearch={(q) => {
            setQ(q)
            setPage(1)
          }}
        />
      </div>
      <LoadError error={list.error} onRetry={list.reload} />
      <PagedTable<AccountSummary>
        list={list}
        paging={paging}
        columns={columns}
        empty={q || kind ? t('admin.accounts.noMatch') : t('admin.accounts.empty')}
      />
      {creating && (
        <CreateStaffForm
          onClose={() => setCreating(false)}
          onSaved={() => {
            setCreating(false)
            list.reload()
          }}
        />
      )}
      {granting && (
        <GrantRoleForm
          account={granting}
          onClose={() => setGranting(null)}
          onSaved={() => {
            setGranting(null)
            list.reload()
          }}
        />
      )}
    </>
  )
}
