import { sql, type Kysely } from 'kysely'

/**
 * Catalog search scores thousands of hits for a broad query ("许可证", "XK5"); per hit it lower-cased
 * the name up to three times, cast the keywords array to text and back, and computed trigram
 * similarity. These columns hold what does not depend on the query, computed by PostgreSQL itself
 * (so PGlite and PostgreSQL agree), and kept current on every write as generated columns:
 * - name_lower: lower(name);
 * - keywords_lower: the keywords lower-cased (`lower(keywords::text)::text[]`, as search compared);
 * - name_trgm_count: how many distinct trigrams pg_trgm makes of the name, which bounds its
 *   similarity to a query (shared / (a + b − shared) ≤ min(a, b) / max(a, b)), so search computes
 *   similarity only where it can still change the page.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // The array's text form is stable in principle (element output functions); for text[] it is fixed.
  await sql`
    create function catalog.lower_all(a text[]) returns text[]
    language sql immutable parallel safe as $$ select lower(a::text)::text[] $$`.execute(db)
  await sql`
    alter table catalog.item
      add column name_lower text generated always as (lower(name)) stored,
      add column keywords_lower text[] generated always as (catalog.lower_all(keywords)) stored,
      add column name_trgm_count int generated always as (cardinality(show_trgm(name))) stored`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table catalog.item drop column name_lower, drop column keywords_lower, drop column name_trgm_count`.execute(db)
  await sql`drop function catalog.lower_all(text[])`.execute(db)
}
