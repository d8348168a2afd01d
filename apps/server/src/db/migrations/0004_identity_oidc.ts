import { sql, type Kysely } from 'kysely'

/**
 * The OpenID Connect provider's tables in schema `identity`: oidc-provider's artefacts
 * (sessions, interactions, grants, codes, tokens) as JSON payloads, the signing keys sealed with
 * the platform secret, and the relying parties registered by the platform admin.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // 0003_identity creates the schema; this keeps 0004 runnable on its own.
  await sql`create schema if not exists identity`.execute(db)
  await sql`
    create table identity.oidc_payload (
      id text not null,
      model text not null,
      payload jsonb not null,
      grant_id text,
      user_code text,
      uid text,
      expires_at timestamptz,
      consumed_at timestamptz,
      primary key (model, id)
    )`.execute(db)
  await sql`create index oidc_payload_grant on identity.oidc_payload (grant_id) where grant_id is not null`.execute(db)
  await sql`create index oidc_payload_uid on identity.oidc_payload (model, uid) where uid is not null`.execute(db)
  await sql`create index oidc_payload_user_code on identity.oidc_payload (model, user_code) where user_code is not null`.execute(db)
  await sql`create index oidc_payload_expires on identity.oidc_payload (expires_at) where expires_at is not null`.execute(db)
  await sql`
    create table identity.oidc_key (
      kid text primary key,
      alg text not null,
      sealed text not null,
      created_at timestamptz not null,
      retired_at timestamptz
    )`.execute(db)
  await sql`
    create table identity.oidc_client (
      client_id text primary key,
      name text not null,
      redirect_uris jsonb not null,
      post_logout_redirect_uris jsonb not null default '[]'::jsonb,
      secret_sealed text not null,
      created_at timestamptz not null,
      created_by text
    )`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table identity.oidc_client`.execute(db)
  await sql`drop table identity.oidc_key`.execute(db)
  await sql`drop table identity.oidc_payload`.execute(db)
}
