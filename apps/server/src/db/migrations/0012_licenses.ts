import { sql, type Kysely } from 'kysely'

/**
 * Schema `licenses`: electronic licenses (电子证照) with their electronic seals (电子印章), status
 * history, short-lived wallet tokens, bitstring status lists for Verifiable Credentials, consent
 * (grants and access requests) and the holder-visible use log. Department and account ids are
 * plain text checked through the org and identity services; foreign keys stay inside this schema.
 *
 * Personal data at rest: a holder is found by a keyed hash of the ID number (or credit code) and
 * shown masked; the signed license content (with the full ID number and fields) is sealed with
 * AES-256-GCM, keeping its SM3 digest and SM2 signature in the clear for verification.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create schema licenses`.execute(db)

  await sql`
    create table licenses.seal (
      id text primary key,
      department_id text not null,
      department_name text not null,
      division_code text not null,
      name text not null,
      status text not null check (status in ('active', 'disabled')),
      public_key_hex text not null check (public_key_hex ~ '^04[0-9a-f]{128}$'),
      -- The SM2 private key, sealed (gm.ts seal) with the public key as associated data.
      private_key_sealed text not null,
      image_source text not null check (image_source in ('generated', 'uploaded')),
      image_svg text,
      image_png bytea,
      version int not null default 1,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`.execute(db)
  await sql`create index seal_department on licenses.seal (department_id)`.execute(db)

  await sql`
    create table licenses.status_list (
      id text primary key,
      size int not null check (size >= 131072),
      next_index int not null default 0,
      created_at timestamptz not null
    )`.execute(db)

  await sql`create sequence licenses.license_number_seq`.execute(db)

  await sql`
    create table licenses.license (
      id text primary key,
      number text not null unique,
      type text not null,
      holder_kind text not null check (holder_kind in ('person', 'entity')),
      -- HMAC-SM3 of the ID number or credit code under a key derived from SECRET_KEY.
      holder_key text not null,
      holder_name text not null,
      holder_masked_id text not null,
      issuer_department_id text not null,
      issuer_name text not null,
      issuer_division_code text not null,
      seal_id text not null references licenses.seal (id),
      content_sealed text not null,
      content_digest text not null check (content_digest ~ '^[0-9a-f]{64}$'),
      signature text not null,
      verification_code text not null unique,
      status text not null check (status in ('valid', 'suspended', 'revoked')),
      status_changed_at timestamptz,
      valid_from text not null check (valid_from ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
      valid_until text check (valid_until ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
      issued_at timestamptz not null,
      source text not null check (source in ('case', 'import')),
      application_id text unique,
      import_id text,
      status_list_id text not null references licenses.status_list (id),
      status_list_index int not null,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      unique (status_list_id, status_list_index)
    )`.execute(db)
  await sql`create index license_holder on licenses.license (holder_key, type)`.execute(db)
  await sql`create index license_issuer on licenses.license (issuer_department_id, issued_at desc)`.execute(db)

  await sql`
    create table licenses.status_change (
      id text primary key,
      license_id text not null references licenses.license (id),
      status text not null,
      reason text,
      actor_id text,
      actor_name text,
      at timestamptz not null
    )`.execute(db)
  await sql`create index status_change_license on licenses.status_change (license_id, at)`.execute(db)

  // Wallet tokens: only the SM3 of the token is stored; the holder's chosen fields travel with it.
  await sql`
    create table licenses.token (
      token_hash text primary key,
      license_id text not null references licenses.license (id),
      disclose jsonb not null,
      expires_at timestamptz not null,
      created_at timestamptz not null
    )`.execute(db)
  await sql`create index token_expiry on licenses.token (expires_at)`.execute(db)

  await sql`
    create table licenses.grant (
      id text primary key,
      license_id text not null references licenses.license (id),
      holder_key text not null,
      department_id text not null,
      department_name text not null,
      purpose text not null,
      mode text not null check (mode in ('standing', 'single_use')),
      application_id text,
      status text not null check (status in ('active', 'used', 'withdrawn')),
      created_by text not null,
      created_at timestamptz not null,
      expires_at timestamptz,
      used_at timestamptz,
      withdrawn_at timestamptz
    )`.execute(db)
  await sql`create index grant_license on licenses.grant (license_id, department_id)`.execute(db)
  await sql`create index grant_holder on licenses.grant (holder_key, created_at desc)`.execute(db)

  await sql`
    create table licenses.access_request (
      id text primary key,
      holder_key text not null,
      license_type text not null,
      license_id text references licenses.license (id),
      department_id text not null,
      department_name text not null,
      purpose text not null,
      application_id text,
      status text not null check (status in ('pending', 'approved', 'denied', 'cancelled')),
      requested_by text not null,
      grant_id text references licenses.grant (id),
      created_at timestamptz not null,
      decided_at timestamptz
    )`.execute(db)
  await sql`create index request_holder on licenses.access_request (holder_key, created_at desc)`.execute(db)
  await sql`create index request_department on licenses.access_request (department_id, created_at desc)`.execute(db)

  await sql`
    create table licenses.use_log (
      id text primary key,
      license_id text not null references licenses.license (id),
      holder_key text not null,
      department_id text,
      department_name text,
      actor_id text,
      purpose text not null,
      application_id text,
      grant_id text,
      kind text not null check (kind in ('read', 'case_attach', 'verify_token', 'denied')),
      outcome text not null check (outcome in ('success', 'denied')),
      at timestamptz not null
    )`.execute(db)
  await sql`create index use_holder on licenses.use_log (holder_key, at desc)`.execute(db)

  await sql`
    create table licenses.import_batch (
      id text primary key,
      department_id text not null,
      type text not null,
      file_name text not null,
      row_count int not null,
      actor_id text not null,
      created_at timestamptz not null
    )`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop schema licenses cascade`.execute(db)
}
