import { sql, type Kysely } from 'kysely'

/**
 * Schema `registries`: the base registries (六大基础库) — population (persons, households),
 * legal entities, public credit (red and black lists), spatial (address points, district
 * boundaries) and macro-economy (indicator values) — with a change history, an access log of
 * every read (who, why) and import batches. Division codes, department ids and grid codes are
 * plain text checked through the org service; foreign keys stay inside this schema.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create schema registries`.execute(db)

  // One row per registry: which department owns (maintains and answers for) it.
  await sql`
    create table registries.registry (
      code text primary key check (code in ('population', 'entity', 'credit', 'spatial', 'economy')),
      owner_department_id text,
      updated_at timestamptz not null
    )`.execute(db)
  await sql`
    insert into registries.registry (code, owner_department_id, updated_at)
    values ('population', null, now()), ('entity', null, now()), ('credit', null, now()), ('spatial', null, now()), ('economy', null, now())`.execute(db)

  await sql`
    create table registries.household (
      id text primary key,
      -- 户号 as the public security bureau issues it.
      number text not null unique,
      division_code text not null,
      address text,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`.execute(db)
  await sql`create index household_division on registries.household (division_code text_pattern_ops)`.execute(db)

  // Dates are ISO text (YYYY-MM-DD): calendar days with no time zone to drift through drivers.
  await sql`
    create table registries.person (
      id text primary key,
      id_number text not null unique check (id_number ~ '^[0-9]{17}[0-9X]$'),
      name text not null,
      sex text not null check (sex in ('male', 'female')),
      birth_date text not null check (birth_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
      ethnicity text not null check (ethnicity ~ '^[0-9]{2}$'),
      household_division_code text not null,
      address text,
      address_division_code text,
      grid_code text,
      phone text,
      household_id text references registries.household (id),
      relation text,
      marital_status text not null,
      status text not null check (status in ('active', 'deceased', 'moved_out')),
      version int not null default 1,
      source text not null,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      check ((household_id is null) = (relation is null))
    )`.execute(db)
  await sql`create index person_division on registries.person (household_division_code text_pattern_ops)`.execute(db)
  await sql`create index person_id_prefix on registries.person (id_number text_pattern_ops)`.execute(db)
  await sql`create index person_name_trgm on registries.person using gin (name gin_trgm_ops)`.execute(db)
  await sql`create index person_household on registries.person (household_id)`.execute(db)
  // A household has one head (户主).
  await sql`create unique index person_one_head on registries.person (household_id) where relation = 'head'`.execute(db)

  await sql`
    create table registries.entity (
      id text primary key,
      credit_code text not null unique check (credit_code ~ '^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$'),
      name text not null,
      type text not null,
      legal_rep_name text,
      legal_rep_id_number text check (legal_rep_id_number ~ '^[0-9]{17}[0-9X]$'),
      legal_rep_person_id text references registries.person (id),
      -- 注册资本 in 万元 (10,000 CNY), as licences print it.
      registered_capital numeric(18, 4) check (registered_capital >= 0),
      registration_authority text,
      division_code text not null,
      address text,
      address_division_code text,
      grid_code text,
      business_scope text,
      established_on text check (established_on ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
      status text not null check (status in ('active', 'deregistered', 'revoked')),
      status_changed_on text check (status_changed_on ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
      version int not null default 1,
      source text not null,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`.execute(db)
  await sql`create index entity_division on registries.entity (division_code text_pattern_ops)`.execute(db)
  await sql`create index entity_name_trgm on registries.entity using gin (name gin_trgm_ops)`.execute(db)
  await sql`create index entity_legal_rep on registries.entity (legal_rep_id_number)`.execute(db)

  // Every change to a person, household membership or entity: one row per field.
  await sql`
    create table registries.change (
      id text primary key,
      record_type text not null check (record_type in ('person', 'entity', 'credit')),
      record_id text not null,
      field text not null,
      old_value text,
      new_value text,
      at timestamptz not null,
      actor_id text,
      actor_name text,
      source text not null
    )`.execute(db)
  await sql`create index change_record on registries.change (record_type, record_id, at)`.execute(db)

  await sql`
    create table registries.credit_entry (
      id text primary key,
      subject_type text not null check (subject_type in ('person', 'entity')),
      subject_id text not null,
      subject_name text not null,
      subject_code text not null,
      division_code text not null,
      list text not null check (list in ('red', 'black')),
      reason text not null,
      basis text,
      source_department_id text not null,
      source_department_name text not null,
      valid_from text not null check (valid_from ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
      valid_to text check (valid_to ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' and valid_to >= valid_from),
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`.execute(db)
  await sql`create index credit_subject on registries.credit_entry (subject_type, subject_id)`.execute(db)
  await sql`create index credit_division on registries.credit_entry (division_code text_pattern_ops)`.execute(db)

  // 标准地址: a community (or street) plus the local part of the address (街路巷 + 门牌), and where it lies.
  await sql`
    create table registries.address_point (
      id text primary key,
      division_code text not null,
      local_address text not null,
      grid_code text,
      lng double precision,
      lat double precision,
      created_at timestamptz not null,
      unique (division_code, local_address)
    )`.execute(db)

  await sql`
    create table registries.boundary (
      division_code text primary key,
      name text not null,
      geometry jsonb not null,
      center_lng double precision not null,
      center_lat double precision not null,
      -- True for the demo's generated outlines: they are not survey data.
      approximate boolean not null,
      source text not null,
      updated_at timestamptz not null
    )`.execute(db)

  await sql`
    create table registries.indicator_value (
      division_code text not null,
      code text not null,
      period text not null check (period ~ '^[0-9]{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$'),
      value numeric not null,
      source text not null,
      updated_at timestamptz not null,
      primary key (division_code, code, period)
    )`.execute(db)

  // Every read of registry data: who, through what, why, and which records.
  await sql`
    create table registries.access_log (
      id text primary key,
      at timestamptz not null,
      actor_id text,
      actor_kind text,
      actor_name text,
      via text not null,
      registry text not null,
      action text not null,
      record_ids jsonb not null,
      result_count int not null,
      purpose text not null,
      revealed boolean not null,
      division_code text,
      query jsonb not null
    )`.execute(db)
  await sql`create index access_log_at on registries.access_log (at desc, id desc)`.execute(db)
  await sql`create index access_log_division on registries.access_log (division_code text_pattern_ops)`.execute(db)

  await sql`
    create table registries.import_batch (
      id text primary key,
      kind text not null,
      format text not null,
      rows int not null,
      created int not null,
      updated int not null,
      at timestamptz not null,
      actor_id text,
      actor_name text
    )`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop schema registries cascade`.execute(db)
}
