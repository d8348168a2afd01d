import { sql, type Kysely } from 'kysely'

/**
 * Schema `org`: the GB/T 2260 division tree (down to communities), departments, their positions
 * and the grid cells under communities. Other modules keep division codes and department ids as
 * plain text and ask the org service; foreign keys stay inside this schema.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create schema org`.execute(db)
  await sql`
    create table org.division (
      code text primary key check (code ~ '^([0-9]{6}|[0-9]{9}|[0-9]{12})$'),
      name text not null,
      level text not null check (level in ('province', 'city', 'county', 'street', 'community')),
      parent_code text references org.division (code),
      -- Denormalised at import ("山西省忻州市忻府区") so search can answer with it in one read.
      full_name text not null
    )`.execute(db)
  await sql`create index division_parent on org.division (parent_code, code)`.execute(db)
  await sql`create index division_name_trgm on org.division using gin (name gin_trgm_ops)`.execute(db)
  await sql`create index division_full_name_trgm on org.division using gin (full_name gin_trgm_ops)`.execute(db)
  // text_pattern_ops lets `code like '1409%'` use the index under any collation.
  await sql`create index division_code_prefix on org.division (code text_pattern_ops)`.execute(db)

  await sql`
    create table org.department (
      id text primary key,
      name text not null,
      short_name text,
      division_code text not null references org.division (code),
      kind text not null check (kind in ('government', 'bureau', 'service_center', 'street_office', 'community', 'other')),
      credit_code text,
      phone text,
      address text,
      version int not null default 1,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      unique (division_code, name)
    )`.execute(db)
  await sql`create index department_division on org.department (division_code text_pattern_ops)`.execute(db)

  await sql`
    create table org.position (
      id text primary key,
      department_id text not null references org.department (id),
      name text not null,
      created_at timestamptz not null,
      unique (department_id, name)
    )`.execute(db)

  await sql`
    create table org.grid_cell (
      code text primary key check (code ~ '^[0-9]{15}$'),
      name text not null,
      community_code text not null references org.division (code),
      created_at timestamptz not null,
      unique (community_code, name)
    )`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop schema org cascade`.execute(db)
}
