import { sql, type Kysely } from 'kysely'

/**
 * Materials satisfied by an e-license instead of an upload (免提交): one row per material of an
 * application, naming the applicant's license and the consent (grant) the licenses module recorded.
 * License and grant ids are plain text owned by the licenses module.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table cases.license_material (
      application_id text not null references cases.application (id),
      material_code text not null,
      license_id text not null,
      license_number text not null,
      license_type text not null,
      license_name text not null,
      grant_id text,
      attached_by text not null,
      attached_at timestamptz not null,
      primary key (application_id, material_code)
    )`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table cases.license_material`.execute(db)
}
