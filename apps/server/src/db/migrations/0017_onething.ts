import { sql, type Kysely } from 'kysely'

/**
 * Schema `onething` (一件事一次办): bundles of items across departments with situation questions
 * and one merged form, and the shared drafts people fill together before one submission creates
 * a case group. Item codes, account ids, license ids and case group ids are plain text owned by
 * catalog, identity, licenses and cases.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create schema onething`.execute(db)
  await sql`
    create table onething.bundle (
      id text primary key,
      code text not null unique,
      name text not null,
      applicable_to text not null check (applicable_to in ('person', 'legal')),
      -- {summary, questions, items, fields, parties}: see modules/onething/model.ts.
      definition jsonb not null,
      status text not null check (status in ('published', 'retired')),
      version int not null default 1,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`.execute(db)

  await sql`
    create table onething.draft (
      id text primary key,
      bundle_id text not null references onething.bundle (id),
      bundle_version int not null,
      owner_id text not null,
      owner_kind text not null check (owner_kind in ('person', 'legal')),
      owner_name text not null,
      answers jsonb not null default '{}',
      status text not null check (status in ('open', 'submitted', 'cancelled')),
      group_id text,
      group_number text,
      version int not null default 1,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      submitted_at timestamptz
    )`.execute(db)
  await sql`create index draft_owner on onething.draft (owner_id, created_at desc)`.execute(db)

  await sql`
    create table onething.party (
      id text primary key,
      draft_id text not null references onething.draft (id),
      role text not null,
      invited_phone_hash text,
      invited_phone_masked text,
      -- SM3 of the invitation link's secret; the secret itself is shown once, to the inviter.
      token_hash text unique,
      account_id text,
      account_name text,
      status text not null check (status in ('owner', 'invited', 'joined', 'confirmed', 'declined')),
      updated_at timestamptz not null,
      unique (draft_id, role)
    )`.execute(db)
  await sql`create index party_account on onething.party (account_id) where account_id is not null`.execute(db)

  await sql`
    create table onething.field (
      draft_id text not null references onething.draft (id),
      field text not null,
      value jsonb,
      source text not null check (source in ('prefill', 'typed')),
      source_label text,
      party text not null,
      -- Field-level optimistic version: a write names the version it saw, so no one's edit is lost silently.
      version int not null default 1,
      updated_by text not null,
      updated_at timestamptz not null,
      primary key (draft_id, field)
    )`.execute(db)

  await sql`
    create table onething.material (
      draft_id text not null references onething.draft (id),
      item_code text not null,
      material_code text not null,
      kind text not null check (kind in ('license', 'registry', 'bundle')),
      label text not null,
      party text not null,
      license_id text,
      license_number text,
      license_type text,
      license_name text,
      grant_id text,
      created_at timestamptz not null,
      primary key (draft_id, item_code, material_code)
    )`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop schema onething cascade`.execute(db)
}
