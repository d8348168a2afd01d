import { sql, type Kysely } from 'kysely'

/**
 * Files uploaded to a bundle draft (一件事) for a material no license or shared data provides
 * (e.g. 生育津贴支付's 诊断证明或出院记录). The bytes are checked and stored by the cases module
 * (type sniffing, SM3, DATA_DIR/files); at submission each row becomes a cases.file row of its
 * item's sub-case, in the same transaction that creates the case group.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table onething.upload (
      id text primary key,
      draft_id text not null references onething.draft (id),
      item_code text not null,
      material_code text not null,
      -- The role that holds the material ('applicant' or a party role): only they may change it.
      party text not null,
      file_name text not null,
      content_type text not null,
      size_bytes int not null check (size_bytes > 0),
      sm3 text not null,
      storage_key text not null,
      uploaded_by text not null,
      created_at timestamptz not null
    )`.execute(db)
  await sql`create index upload_draft on onething.upload (draft_id, item_code, material_code)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table onething.upload`.execute(db)
}
