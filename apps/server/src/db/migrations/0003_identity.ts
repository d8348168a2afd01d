import { sql, type Kysely } from 'kysely'

/**
 * The identity module: accounts (natural person, legal person, staff), role grants, sessions,
 * sign-in throttling, SMS one-time codes and the dev SMS outbox. Department and division ids are
 * plain text (owned by org; no cross-schema foreign keys).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create schema if not exists identity`.execute(db)
  await sql`
    create table identity.account (
      id text primary key,
      kind text not null check (kind in ('person', 'legal', 'staff')),
      name text not null,
      status text not null default 'active' check (status in ('active', 'disabled')),
      username text unique,
      password_hash text,
      -- ID numbers: keyed HMAC-SM3 for lookup and uniqueness, AES-GCM sealed value, mask for display.
      id_number_hash text unique,
      id_number_sealed text,
      id_number_masked text,
      phone text,
      credit_code text unique,
      division_code text,
      department_id text,
      agent_account_id text references identity.account (id),
      created_at timestamptz not null,
      updated_at timestamptz not null,
      last_login_at timestamptz
    )`.execute(db)
  // One natural person per mobile number (SMS sign-in finds the account by it).
  await sql`create unique index account_person_phone on identity.account (phone) where kind = 'person'`.execute(db)
  await sql`create index account_division on identity.account (division_code text_pattern_ops)`.execute(db)
  await sql`create index account_kind_created on identity.account (kind, created_at desc)`.execute(db)

  await sql`
    create table identity.role_grant (
      id text primary key,
      account_id text not null references identity.account (id) on delete cascade,
      role text not null,
      division_code text,
      department_id text,
      granted_by text,
      created_at timestamptz not null
    )`.execute(db)
  await sql`create unique index role_grant_unique on identity.role_grant
    (account_id, role, coalesce(division_code, ''), coalesce(department_id, ''))`.execute(db)

  await sql`
    create table identity.session (
      id text primary key,
      token_hash text not null unique,
      account_id text not null references identity.account (id) on delete cascade,
      method text not null,
      created_at timestamptz not null,
      last_seen_at timestamptz not null,
      expires_at timestamptz not null,
      absolute_expires_at timestamptz not null,
      ip text,
      user_agent text
    )`.execute(db)
  await sql`create index session_account on identity.session (account_id)`.execute(db)
  await sql`create index session_expires on identity.session (expires_at)`.execute(db)

  // Keyed by account id, or by a hash of the typed name when no account matches, so unknown
  // names lock exactly like real ones and a lockout says nothing about existence.
  await sql`
    create table identity.login_throttle (
      key text primary key,
      failures int not null default 0,
      lock_level int not null default 0,
      locked_until timestamptz,
      last_failure_at timestamptz
    )`.execute(db)

  await sql`
    create table identity.sms_code (
      id text primary key,
      phone text not null,
      purpose text not null,
      code_hash text not null,
      attempts int not null default 0,
      created_at timestamptz not null,
      expires_at timestamptz not null,
      consumed_at timestamptz
    )`.execute(db)
  await sql`create index sms_code_phone on identity.sms_code (phone, created_at desc)`.execute(db)

  await sql`
    create table identity.sms_outbox (
      id text primary key,
      phone text not null,
      text text not null,
      created_at timestamptz not null
    )`.execute(db)
  await sql`create index sms_outbox_created on identity.sms_outbox (created_at desc)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table identity.sms_outbox`.execute(db)
  await sql`drop table identity.sms_code`.execute(db)
  await sql`drop table identity.login_throttle`.execute(db)
  await sql`drop table identity.session`.execute(db)
  await sql`drop table identity.role_grant`.execute(db)
  await sql`drop table identity.account`.execute(db)
  await sql`drop schema identity`.execute(db)
}
