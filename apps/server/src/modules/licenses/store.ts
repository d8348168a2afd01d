import { sql } from 'kysely'
import { scoped, type Db } from '../../db/database.js'

/** Rows of schema `licenses` (see migration 0012). */

export interface SealRow {
  id: string
  department_id: string
  department_name: string
  division_code: string
  name: string
  status: 'active' | 'disabled'
  public_key_hex: string
  private_key_sealed: string
  image_source: 'generated' | 'uploaded'
  image_svg: string | null
  image_png: Buffer | null
  version: number
  created_at: Date
  updated_at: Date
}

export type StoredStatus = 'valid' | 'suspended' | 'revoked'

export interface LicenseRow {
  id: string
  number: string
  type: string
  holder_kind: 'person' | 'entity'
  holder_key: string
  holder_name: string
  holder_masked_id: string
  issuer_department_id: string
  issuer_name: string
  issuer_division_code: string
  seal_id: string
  content_sealed: string
  content_digest: string
  signature: string
  verification_code: string
  status: StoredStatus
  status_changed_at: Date | null
  valid_from: string
  valid_until: string | null
  issued_at: Date
  source: 'case' | 'import'
  application_id: string | null
  import_id: string | null
  status_list_id: string
  status_list_index: number
  created_at: Date
  updated_at: Date
}

export interface StatusChangeRow {
  id: string
  license_id: string
  status: string
  reason: string | null
  actor_id: string | null
  actor_name: string | null
  at: Date
}

export interface TokenRow {
  token_hash: string
  license_id: string
  disclose: string[]
  expires_at: Date
  created_at: Date
}

export interface GrantRow {
  id: string
  license_id: string
  holder_key: string
  department_id: string
  department_name: string
  purpose: string
  mode: 'standing' | 'single_use'
  application_id: string | null
  status: 'active' | 'used' | 'withdrawn'
  created_by: string
  created_at: Date
  expires_at: Date | null
  used_at: Date | null
  withdrawn_at: Date | null
}

export interface RequestRow {
  id: string
  holder_key: string
  license_type: string
  license_id: string | null
  department_id: string
  department_name: string
  purpose: string
  application_id: string | null
  status: 'pending' | 'approved' | 'denied' | 'cancelled'
  requested_by: string
  grant_id: string | null
  created_at: Date
  decided_at: Date | null
}

export interface UseRow {
  id: string
  license_id: string
  holder_key: string
  department_id: string | null
  department_name: string | null
  actor_id: string | null
  purpose: string
  application_id: string | null
  grant_id: string | null
  kind: 'read' | 'case_attach' | 'verify_token' | 'denied'
  outcome: 'success' | 'denied'
  at: Date
}

export interface StatusListRow {
  id: string
  size: number
  next_index: number
  created_at: Date
}

export interface Tables {
  'licenses.seal': SealRow
  'licenses.license': LicenseRow
  'licenses.status_change': StatusChangeRow
  'licenses.token': TokenRow
  'licenses.grant': GrantRow
  'licenses.access_request': RequestRow
  'licenses.use_log': UseRow
  'licenses.status_list': StatusListRow
  'licenses.import_batch': { id: string; department_id: string; type: string; file_name: string; row_count: number; actor_id: string; created_at: Date }
}

/** Entries per status list: the spec's minimum (131,072 bits = 16 KiB) keeps holders in a large crowd. */
export const STATUS_LIST_SIZE = 131_072

export function createLicensesStore(root: Db) {
  const q = (h: Db = root) => scoped<Tables>(h)
  return {
    q,

    async sealById(id: string, h?: Db): Promise<SealRow | undefined> {
      return q(h).selectFrom('licenses.seal').selectAll().where('id', '=', id).executeTakeFirst()
    },

    async activeSealOf(departmentId: string, h?: Db): Promise<SealRow | undefined> {
      return q(h).selectFrom('licenses.seal').selectAll().where('department_id', '=', departmentId).where('status', '=', 'active').orderBy('created_at').limit(1).executeTakeFirst()
    },

    async licenseById(id: string, h?: Db): Promise<LicenseRow | undefined> {
      return q(h).selectFrom('licenses.license').selectAll().where('id', '=', id).executeTakeFirst()
    },

    /** One query for the public page: the license by its printed code and its seal's public data. */
    async licenseWithSealByCode(code: string): Promise<(LicenseRow & { seal_name: string; public_key_hex: string }) | undefined> {
      return q()
        .selectFrom('licenses.license as l')
        .innerJoin('licenses.seal as s', 's.id', 'l.seal_id')
        .selectAll('l')
        .select(['s.name as seal_name', 's.public_key_hex'])
        .where('l.verification_code', '=', code)
        .executeTakeFirst()
    },

    async licenseWithSealById(id: string): Promise<(LicenseRow & { seal_name: string; public_key_hex: string }) | undefined> {
      return q()
        .selectFrom('licenses.license as l')
        .innerJoin('licenses.seal as s', 's.id', 'l.seal_id')
        .selectAll('l')
        .select(['s.name as seal_name', 's.public_key_hex'])
        .where('l.id', '=', id)
        .executeTakeFirst()
    },

    async historyOf(licenseId: string): Promise<StatusChangeRow[]> {
      return q().selectFrom('licenses.status_change').selectAll().where('license_id', '=', licenseId).orderBy('at').orderBy('id').execute()
    },

    /** A free slot in the current status list, opening a new list when the last one is full. */
    async allocateStatusEntry(trx: Db, newListId: () => string, now: Date): Promise<{ listId: string; index: number }> {
      const list = await q(trx).selectFrom('licenses.status_list').selectAll().where(sql<boolean>`next_index < size`).orderBy('created_at').limit(1).forUpdate().executeTakeFirst()
      if (list) {
        await q(trx).updateTable('licenses.status_list').set({ next_index: list.next_index + 1 }).where('id', '=', list.id).execute()
        return { listId: list.id, index: list.next_index }
      }
      const id = newListId()
      await q(trx).insertInto('licenses.status_list').values({ id, size: STATUS_LIST_SIZE, next_index: 1, created_at: now }).execute()
      return { listId: id, index: 0 }
    },

    async revokedIndexes(listId: string): Promise<{ indexes: number[]; stamp: string }> {
      const rows = await q()
        .selectFrom('licenses.license')
        .select(['status_list_index', 'status_changed_at'])
        .where('status_list_id', '=', listId)
        .where('status', '=', 'revoked')
        .execute()
      const latest = rows.reduce((m, r) => Math.max(m, r.status_changed_at?.getTime() ?? 0), 0)
      return { indexes: rows.map((r) => r.status_list_index), stamp: `${rows.length}:${latest}` }
    },

    async statusListExists(id: string): Promise<boolean> {
      return !!(await q().selectFrom('licenses.status_list').select('id').where('id', '=', id).executeTakeFirst())
    },
  }
}

export type LicensesStore = ReturnType<typeof createLicensesStore>
