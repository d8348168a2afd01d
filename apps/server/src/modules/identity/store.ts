import { sql, type Generated, type Insertable, type Kysely, type Selectable, type Updateable } from 'kysely'
import { scoped, type Db } from '../../db/database.js'
import { divisionPrefix, type AccountKind, type Role } from '../../platform/roles.js'

interface AccountTable {
  id: string
  kind: AccountKind
  name: string
  status: Generated<'active' | 'disabled'>
  username: string | null
  password_hash: string | null
  id_number_hash: string | null
  id_number_sealed: string | null
  id_number_masked: string | null
  phone: string | null
  credit_code: string | null
  division_code: string | null
  department_id: string | null
  agent_account_id: string | null
  created_at: Date
  updated_at: Date
  last_login_at: Date | null
}

interface RoleGrantTable {
  id: string
  account_id: string
  role: Role
  division_code: string | null
  department_id: string | null
  granted_by: string | null
  created_at: Date
}

interface SessionTable {
  id: string
  token_hash: string
  account_id: string
  method: string
  created_at: Date
  last_seen_at: Date
  expires_at: Date
  absolute_expires_at: Date
  ip: string | null
  user_agent: string | null
}

interface LoginThrottleTable {
  key: string
  failures: number
  lock_level: number
  locked_until: Date | null
  last_failure_at: Date | null
}

interface SmsCodeTable {
  id: string
  phone: string
  purpose: string
  code_hash: string
  attempts: Generated<number>
  created_at: Date
  expires_at: Date
  consumed_at: Date | null
}

interface SmsOutboxTable {
  id: string
  phone: string
  text: string
  created_at: Date
}

/** The identity schema's tables; the store's Kysely knows no others. */
export interface IdentityTables {
  'identity.account': AccountTable
  'identity.role_grant': RoleGrantTable
  'identity.session': SessionTable
  'identity.login_throttle': LoginThrottleTable
  'identity.sms_code': SmsCodeTable
  'identity.sms_outbox': SmsOutboxTable
}

export type AccountRow = Selectable<AccountTable>
export type NewAccountRow = Insertable<AccountTable>
export type GrantRow = Selectable<RoleGrantTable>
export type SessionRow = Selectable<SessionTable>
export type ThrottleRow = Selectable<LoginThrottleTable>
export type SmsCodeRow = Selectable<SmsCodeTable>
export type SmsOutboxRow = Selectable<SmsOutboxTable>

/** Filters for the admin account list; `q` matches are computed by the service. */
export interface AccountQuery {
  kind?: AccountKind
  /** Name substring. */
  nameLike?: string
  /** Username or credit-code prefix (already normalized). */
  codePrefix?: string
  phone?: string
  idNumberHash?: string
  /** Only accounts in (or under) these divisions; null = no limit. */
  divisions: string[] | null
  limit: number
  offset: number
}

/** Lookup keys for a sign-in name; any of them may match. */
export interface LoginKeys {
  username: string
  idNumberHash: string | null
  creditCode: string | null
  phone: string | null
}

/** The module's SQL, on the shared handle or inside a transaction. */
export function createIdentityStore(handle: Db) {
  const db: Kysely<IdentityTables> = scoped<IdentityTables>(handle)

  return {
    // --- accounts ---------------------------------------------------------------------------
    async insertAccount(row: NewAccountRow): Promise<AccountRow> {
      return db.insertInto('identity.account').values(row).returningAll().executeTakeFirstOrThrow()
    },

    async accountById(id: string): Promise<AccountRow | undefined> {
      return db.selectFrom('identity.account').selectAll().where('id', '=', id).executeTakeFirst()
    },

    async accountsByIds(ids: string[]): Promise<AccountRow[]> {
      if (ids.length === 0) return []
      return db.selectFrom('identity.account').selectAll().where('id', 'in', ids).execute()
    },

    async updateAccount(id: string, patch: Updateable<AccountTable>): Promise<void> {
      await db.updateTable('identity.account').set(patch).where('id', '=', id).execute()
    },

    /** Accounts a sign-in name could mean: staff username, ID number, credit code or a person's phone. */
    async accountsForLogin(keys: LoginKeys): Promise<AccountRow[]> {
      return db
        .selectFrom('identity.account')
        .selectAll()
        .where((eb) => {
          const ors = [eb('username', '=', keys.username)]
          if (keys.idNumberHash) ors.push(eb('id_number_hash', '=', keys.idNumberHash))
          if (keys.creditCode) ors.push(eb('credit_code', '=', keys.creditCode))
          if (keys.phone) ors.push(eb.and([eb('phone', '=', keys.phone), eb('kind', '=', 'person')]))
          return eb.or(ors)
        })
        .limit(5)
        .execute()
    },

    async personIdByIdNumberHash(hash: string): Promise<string | undefined> {
      const row = await db.selectFrom('identity.account').select('id').where('id_number_hash', '=', hash).where('kind', '=', 'person').executeTakeFirst()
      return row?.id
    },

    async personByPhone(phone: string): Promise<AccountRow | undefined> {
      return db.selectFrom('identity.account').selectAll().where('phone', '=', phone).where('kind', '=', 'person').executeTakeFirst()
    },

    async findTaken(keys: { username?: string; idNumberHash?: string; personPhone?: string; creditCode?: string }) {
      const rows = await db
        .selectFrom('identity.account')
        .select(['username', 'id_number_hash', 'phone', 'kind', 'credit_code'])
        .where((eb) => {
          const ors = [eb('id', '=', '')]
          if (keys.username) ors.push(eb('username', '=', keys.username))
          if (keys.idNumberHash) ors.push(eb('id_number_hash', '=', keys.idNumberHash))
          if (keys.creditCode) ors.push(eb('credit_code', '=', keys.creditCode))
          if (keys.personPhone) ors.push(eb.and([eb('phone', '=', keys.personPhone), eb('kind', '=', 'person')]))
          return eb.or(ors)
        })
        .execute()
      return {
        username: rows.some((r) => keys.username !== undefined && r.username === keys.username),
        idNumber: rows.some((r) => keys.idNumberHash !== undefined && r.id_number_hash === keys.idNumberHash),
        creditCode: rows.some((r) => keys.creditCode !== undefined && r.credit_code === keys.creditCode),
        phone: rows.some((r) => keys.personPhone !== undefined && r.kind === 'person' && r.phone === keys.personPhone),
      }
    },

    /** A page of accounts with their lock state (`locked_until` from the throttle table). */
    async listAccounts(q: AccountQuery): Promise<{ rows: (AccountRow & { locked_until: Date | null })[]; total: number }> {
      let query = db.selectFrom('identity.account as a').leftJoin('identity.login_throttle as t', 't.key', 'a.id')
      if (q.kind) query = query.where('a.kind', '=', q.kind)
      if (q.divisions) {
        const prefixes = q.divisions.map(divisionPrefix)
        query = query.where((eb) => eb.or(prefixes.map((p) => eb('a.division_code', 'like', `${p}%`))))
      }
      if (q.nameLike || q.codePrefix || q.phone || q.idNumberHash) {
        query = query.where((eb) => {
          const ors = []
          if (q.nameLike) ors.push(eb('a.name', 'like', `%${escapeLike(q.nameLike)}%`))
          if (q.codePrefix) {
            ors.push(eb('a.username', 'like', `${escapeLike(q.codePrefix.toLowerCase())}%`))
            ors.push(eb('a.credit_code', 'like', `${escapeLike(q.codePrefix.toUpperCase())}%`))
          }
          if (q.phone) ors.push(eb('a.phone', '=', q.phone))
          if (q.idNumberHash) ors.push(eb('a.id_number_hash', '=', q.idNumberHash))
          return eb.or(ors)
        })
      }
      const [rows, count] = await Promise.all([
        query.selectAll('a').select('t.locked_until').orderBy('a.created_at', 'desc').orderBy('a.id', 'desc').limit(q.limit).offset(q.offset).execute(),
        query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ])
      return { rows, total: Number(count.n) }
    },

    // --- role grants ------------------------------------------------------------------------
    async grantsOf(accountIds: string[]): Promise<GrantRow[]> {
      if (accountIds.length === 0) return []
      return db.selectFrom('identity.role_grant').selectAll().where('account_id', 'in', accountIds).orderBy('created_at').orderBy('id').execute()
    },

    async insertGrant(row: GrantRow): Promise<GrantRow> {
      return db.insertInto('identity.role_grant').values(row).returningAll().executeTakeFirstOrThrow()
    },

    async findGrant(accountId: string, g: { role: Role; divisionCode: string | null; departmentId: string | null }): Promise<GrantRow | undefined> {
      return db
        .selectFrom('identity.role_grant')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('role', '=', g.role)
        .where(sql<boolean>`coalesce(division_code, '') = ${g.divisionCode ?? ''}`)
        .where(sql<boolean>`coalesce(department_id, '') = ${g.departmentId ?? ''}`)
        .executeTakeFirst()
    },

    async grantById(accountId: string, grantId: string): Promise<GrantRow | undefined> {
      return db.selectFrom('identity.role_grant').selectAll().where('id', '=', grantId).where('account_id', '=', accountId).executeTakeFirst()
    },

    async deleteGrant(grantId: string): Promise<void> {
      await db.deleteFrom('identity.role_grant').where('id', '=', grantId).execute()
    },

    /** Platform-wide platform_admin grants on active accounts (locked for update by the caller's transaction). */
    async platformWideAdminGrants(): Promise<GrantRow[]> {
      return db
        .selectFrom('identity.role_grant as g')
        .innerJoin('identity.account as a', 'a.id', 'g.account_id')
        .selectAll('g')
        .where('g.role', '=', 'platform_admin')
        .where('g.division_code', 'is', null)
        .where('a.status', '=', 'active')
        .forUpdate()
        .execute()
    },

    // --- sessions ---------------------------------------------------------------------------
    async insertSession(row: SessionRow): Promise<void> {
      await db.insertInto('identity.session').values(row).execute()
    },

    /**
     * A session with its account and the account's grants in one round trip (every signed-in
     * request asks this). Timestamps arrive as ISO strings; callers wrap them in Date.
     */
    async sessionWithAccount(hash: string): Promise<{ session: SessionRow; account: AccountRow | null; grants: GrantRow[] } | undefined> {
      const r = await sql<{ session: SessionRow; account: AccountRow | null; grants: GrantRow[] }>`
        select to_jsonb(s) as session, to_jsonb(a) as account,
          coalesce((select jsonb_agg(to_jsonb(g) order by g.created_at, g.id) from identity.role_grant g where g.account_id = s.account_id), '[]'::jsonb) as grants
        from identity.session s left join identity.account a on a.id = s.account_id
        where s.token_hash = ${hash}`.execute(db)
      return r.rows[0]
    },

    async sessionByTokenHash(hash: string): Promise<SessionRow | undefined> {
      return db.selectFrom('identity.session').selectAll().where('token_hash', '=', hash).executeTakeFirst()
    },

    async touchSession(id: string, lastSeenAt: Date, expiresAt: Date): Promise<void> {
      await db.updateTable('identity.session').set({ last_seen_at: lastSeenAt, expires_at: expiresAt }).where('id', '=', id).execute()
    },

    async deleteSession(id: string): Promise<number> {
      const r = await db.deleteFrom('identity.session').where('id', '=', id).executeTakeFirst()
      return Number(r.numDeletedRows)
    },

    async deleteExpiredSessions(accountId: string, now: Date): Promise<void> {
      await db.deleteFrom('identity.session').where('account_id', '=', accountId).where('expires_at', '<=', now).execute()
    },

    // --- sign-in throttling -----------------------------------------------------------------
    async throttleForUpdate(key: string): Promise<ThrottleRow | undefined> {
      return db.selectFrom('identity.login_throttle').selectAll().where('key', '=', key).forUpdate().executeTakeFirst()
    },

    async throttle(key: string): Promise<ThrottleRow | undefined> {
      return db.selectFrom('identity.login_throttle').selectAll().where('key', '=', key).executeTakeFirst()
    },

    async saveThrottle(row: ThrottleRow): Promise<void> {
      await db
        .insertInto('identity.login_throttle')
        .values(row)
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({ failures: row.failures, lock_level: row.lock_level, locked_until: row.locked_until, last_failure_at: row.last_failure_at }),
        )
        .execute()
    },

    /** Serializes work on one phone number until the transaction ends (rate limits under concurrency). */
    async lockPhone(phone: string): Promise<void> {
      await sql`select pg_advisory_xact_lock(hashtext(${'identity.sms:' + phone}))`.execute(db)
    },

    async clearThrottle(key: string): Promise<void> {
      await db.deleteFrom('identity.login_throttle').where('key', '=', key).execute()
    },

    // --- SMS codes and the dev outbox -------------------------------------------------------
    async insertSmsCode(row: Insertable<SmsCodeTable>): Promise<void> {
      await db.insertInto('identity.sms_code').values(row).execute()
    },

    /** The newest code for a number and purpose, locked so concurrent guesses count one by one. */
    async latestSmsCodeForUpdate(phone: string, purpose: string): Promise<SmsCodeRow | undefined> {
      return db
        .selectFrom('identity.sms_code')
        .selectAll()
        .where('phone', '=', phone)
        .where('purpose', '=', purpose)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .forUpdate()
        .executeTakeFirst()
    },

    async smsCodesSince(phone: string, since: Date): Promise<{ count: number; latest: Date | null }> {
      const r = await db
        .selectFrom('identity.sms_code')
        .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('created_at').as('latest')])
        .where('phone', '=', phone)
        .where('created_at', '>', since)
        .executeTakeFirstOrThrow()
      return { count: Number(r.n), latest: r.latest ? new Date(r.latest) : null }
    },

    async updateSmsCode(id: string, patch: { attempts?: number; consumed_at?: Date }): Promise<void> {
      await db.updateTable('identity.sms_code').set(patch).where('id', '=', id).execute()
    },

    async insertSmsOutbox(rows: SmsOutboxRow | SmsOutboxRow[]): Promise<void> {
      if (Array.isArray(rows) && rows.length === 0) return
      await db.insertInto('identity.sms_outbox').values(rows).execute()
    },

    async listSmsOutbox(page: { limit: number; offset: number }): Promise<{ rows: SmsOutboxRow[]; total: number }> {
      const [rows, count] = await Promise.all([
        db.selectFrom('identity.sms_outbox').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit).offset(page.offset).execute(),
        db.selectFrom('identity.sms_outbox').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ])
      return { rows, total: Number(count.n) }
    },
  }
}

export type IdentityStore = ReturnType<typeof createIdentityStore>

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`)
}
