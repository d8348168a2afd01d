import { sql, type Kysely } from 'kysely'

/**
 * Catalog search on a city-sized catalog (bench/benchmarks/search.ts):
 * - `catalog.name_grams(name)`: the lower-cased name's character bigrams (and its last character)
 *   as a tsvector, GIN-indexed, so a one- or two-character query ("社保", "证") finds names
 *   containing it through an index; trigram indexes need three characters, so `name like '%社保%'`
 *   read the whole table.
 * - GIN indexes without the pending list (fastupdate off): after a bulk import the list held
 *   thousands of entries every search scanned one by one (16 ms instead of 0.3 ms per branch)
 *   until a vacuum. Inserts now update the index directly; imports are rare, searches are not.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function catalog.name_grams(name text) returns tsvector
    language sql immutable parallel safe as $$
      select case when name is null or name = '' then null::tsvector else array_to_tsvector(array(
        select substr(lower(name), i, 2) from generate_series(1, greatest(char_length(name) - 1, 1)) as i
        union select right(lower(name), 1)
      )) end
    $$`.execute(db)
  await sql`create index item_name_grams on catalog.item using gin (catalog.name_grams(name)) with (fastupdate = off)`.execute(db)
  for (const index of ['item_search', 'item_name_trgm', 'item_pinyin_trgm', 'item_themes']) {
    await sql`alter index ${sql.raw(`catalog.${index}`)} set (fastupdate = off)`.execute(db)
    await sql`select gin_clean_pending_list(${`catalog.${index}`}::regclass)`.execute(db)
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const index of ['item_search', 'item_name_trgm', 'item_pinyin_trgm', 'item_themes']) {
    await sql`alter index ${sql.raw(`catalog.${index}`)} reset (fastupdate)`.execute(db)
  }
  await sql`drop index catalog.item_name_grams`.execute(db)
  await sql`drop function catalog.name_grams(text)`.execute(db)
}
