import { sql, type Kysely } from 'kysely'

/**
 * Schema `ledger`: the hash-chained entries, the single head row that serialises appends and keeps
 * the Merkle frontier, cached perfect-subtree hashes for proofs, SM2-signed checkpoints and the
 * platform signing key (private half sealed with the server secret).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create schema ledger`.execute(db)
  await sql`
    create table ledger.head (
      id smallint primary key check (id = 1),
      seq bigint not null,
      hash text not null,
      frontier jsonb not null
    )`.execute(db)
  await sql`insert into ledger.head (id, seq, hash, frontier) values (1, 0, repeat('0', 64), '[]'::jsonb)`.execute(db)
  await sql`
    create table ledger.entry (
      seq bigint primary key check (seq > 0),
      kind text not null,
      payload jsonb not null,
      at timestamptz not null,
      prev_hash text not null,
      hash text not null
    )`.execute(db)
  // Perfect subtrees of 16+ leaves, so a proof reads O(log n) rows, not the whole log.
  await sql`
    create table ledger.node (
      level smallint not null,
      idx bigint not null,
      hash text not null,
      primary key (level, idx)
    )`.execute(db)
  await sql`
    create table ledger.signing_key (
      id text primary key,
      algorithm text not null default 'SM2',
      public_key text not null,
      private_key_sealed text not null,
      created_at timestamptz not null,
      retired_at timestamptz
    )`.execute(db)
  await sql`create unique index signing_key_one_active on ledger.signing_key ((true)) where retired_at is null`.execute(db)
  await sql`
    create table ledger.checkpoint (
      id text primary key,
      tree_size bigint not null unique check (tree_size > 0),
      from_seq bigint not null,
      root text not null,
      signature text not null,
      key_id text not null references ledger.signing_key (id),
      at timestamptz not null
    )`.execute(db)
  // Append-only by construction; tampering needs deliberate DDL, and verification still catches it.
  await sql`
    create function ledger.refuse_change() returns trigger language plpgsql as $$
    begin
      raise exception 'ledger.% is append-only', tg_table_name using errcode = 'insufficient_privilege';
    end
    $$`.execute(db)
  for (const table of ['entry', 'checkpoint']) {
    await sql`create trigger ${sql.raw(`${table}_append_only`)} before update or delete on ${sql.raw(`ledger.${table}`)}
      for each row execute function ledger.refuse_change()`.execute(db)
    await sql`create trigger ${sql.raw(`${table}_no_truncate`)} before truncate on ${sql.raw(`ledger.${table}`)}
      for each statement execute function ledger.refuse_change()`.execute(db)
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop schema ledger cascade`.execute(db)
}
