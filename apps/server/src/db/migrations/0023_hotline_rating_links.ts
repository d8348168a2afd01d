import { sql, type Kysely } from 'kysely'

/**
 * Issue 8 leftovers. `hotline.ticket`: the Open311 `media_url` a client posted (a link, never
 * fetched), and each assisting (协办) department's part: when it signed and its latest opinion.
 * `rating.link_token`: one-time SMS rating links for reporters without an account (phone calls);
 * only the SM3 hash of the token is stored. Nullable / defaulted columns: no table rewrite.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table hotline.ticket add column media_url text`.execute(db)
  // {departmentId: {signedAt, signedBy, opinion, opinionAt, opinionBy}}; reset on (re)dispatch.
  await sql`alter table hotline.ticket add column assist_progress jsonb not null default '{}'`.execute(db)
  await sql`
    create table rating.link_token (
      token_hash text primary key,
      subject_id text not null references rating.subject (id),
      expires_at timestamptz not null,
      used_at timestamptz,
      created_at timestamptz not null
    )`.execute(db)
  await sql`create index link_token_subject on rating.link_token (subject_id)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table rating.link_token`.execute(db)
  await sql`alter table hotline.ticket drop column assist_progress`.execute(db)
  await sql`alter table hotline.ticket drop column media_url`.execute(db)
}
