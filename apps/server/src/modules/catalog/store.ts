import { sql, type Generated, type RawBuilder, type Selectable } from 'kysely'
import { scoped, type Db } from '../../db/database.js'
import type { ServiceItemGuide } from './model.js'

interface ItemTable {
  id: string
  code: string
  created_at: Date
  published_version_id: string | null
  name: string | null
  type: string | null
  department_id: string | null
  department_name: string | null
  division_code: string | null
  applicable_to: string | null
  handling_class: string | null
  mode: string | null
  visits: number | null
  legal_days: number | null
  promised_days: number | null
  is_free: boolean | null
  summary: string | null
  themes: Generated<string[]>
  keywords: Generated<string[]>
  search_tsv: string | null
  pinyin: string | null
  initials: string | null
  /** Generated (0021): lower(name), the keywords lower-cased, the name's trigram count. */
  name_lower: Generated<string | null>
  keywords_lower: Generated<string[] | null>
  name_trgm_count: Generated<number | null>
  view_count: Generated<number>
  apply_count: Generated<number>
  published_at: Date | null
}

export type ItemRow = Selectable<ItemTable>

export type VersionStatus = 'draft' | 'published' | 'superseded'

export interface VersionRow {
  id: string
  item_id: string
  version: number
  status: VersionStatus
  revision: number
  guide: ServiceItemGuide
  created_at: Date
  updated_at: Date
  created_by: string | null
  published_at: Date | null
  published_by: string | null
  superseded_at: Date | null
}

interface SynonymRow {
  term: string
  expansions: string[]
  updated_at: Date
}

/** The catalog schema's tables; the store sees nothing else. */
export interface CatalogTables {
  'catalog.item': ItemTable
  'catalog.item_version': VersionRow
  'catalog.synonym': SynonymRow
}

/** What the item row repeats of its published version, for search and browse. */
export interface Projection {
  published_version_id: string
  name: string
  type: string
  department_id: string
  department_name: string
  division_code: string
  applicable_to: string
  handling_class: string
  mode: string
  visits: number
  legal_days: number | null
  promised_days: number
  is_free: boolean
  summary: string | null
  themes: string[]
  keywords: string[]
  /** A tsvector literal (see text.ts). */
  search_tsv: string
  pinyin: string
  initials: string
  published_at: Date
}

/** A version with its item's code. */
export type VersionWithCode = VersionRow & { code: string }

export interface ItemFilter {
  theme?: string
  departmentId?: string
  type?: string
  /** 'person' also lists items for both; 'legal' likewise. */
  applicableTo?: string
  /** Items implemented in this division, beneath it, or above it (they apply there too). */
  divisionCode?: string
}

export interface SearchParams {
  q: string
  /** tsquery literal, or null when the query has no indexable words. */
  tsquery: string | null
  /** Expansion phrases from synonyms: a name containing one ranks higher, by the phrase's weight. */
  phrases: { phrase: string; weight: number }[]
  /** The query as pinyin letters, when it looks like pinyin. */
  pinyin: string | null
  /** An item code prefix, when the query looks like one. */
  codePrefix: string | null
}

export type SearchRow = ItemRow & { score: number }

/** A page of search hits, the count of all hits, and the synonym table's signature when it was read. */
export interface SearchPage {
  rows: SearchRow[]
  total: number
  synonyms: string
}

/** Every synonym entry, with the table's signature (see `synonymSignature`). */
export interface SynonymSnapshot {
  signature: string
  entries: { term: string; expansions: string[] }[]
}

/**
 * What the synonym table holds, as one string: a search reports it, so the service's copy of the
 * table is known to be current (or is read again) without a query of its own per search.
 */
const synonymSignature = sql<string>`(select coalesce(md5(string_agg(s.term || chr(31) || array_to_string(s.expansions, chr(30)), chr(29) order by s.term)), '') from catalog.synonym s)`

const summaryColumns = sql.raw(`i.id, i.code, i.created_at, i.published_version_id, i.name, i.type, i.department_id, i.department_name,
  i.division_code, i.applicable_to, i.handling_class, i.mode, i.visits, i.legal_days, i.promised_days, i.is_free, i.summary,
  i.themes, i.keywords, null as search_tsv, i.pinyin, i.initials, i.view_count, i.apply_count, i.published_at`)

/** Escapes LIKE wildcards so user text matches literally. */
function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, '\\$&')
}

/** A tsquery for a name containing one or two characters: the bigram itself, or any gram starting with the character. */
function gramQuery(chars: string[]): string {
  const quoted = `'${chars.join('').replace(/\\/g, '\\\\').replace(/'/g, "''")}'`
  return chars.length === 1 ? `${quoted}:*` : quoted
}

/** Every substring of a (short) query, the empty one included. */
function substrings(text: string): string[] {
  const chars = [...text]
  const out = new Set<string>([''])
  for (let i = 0; i < chars.length; i++) for (let j = i + 1; j <= chars.length; j++) out.add(chars.slice(i, j).join(''))
  return [...out]
}

/** The division itself and its ancestors (GB/T 2260 prefixes), e.g. 140902 → 140000, 140900, 140902. */
function ancestorsOf(code: string): string[] {
  const out = [`${code.slice(0, 2)}0000`, `${code.slice(0, 4)}00`, code.slice(0, 6)]
  if (code.length >= 9) out.push(code.slice(0, 9))
  if (code.length >= 12) out.push(code.slice(0, 12))
  return [...new Set(out)]
}

/** The prefix a division's descendants share (140900 → 1409). */
function subtreePrefix(code: string): string {
  if (code.length !== 6) return code
  if (code.endsWith('0000')) return code.slice(0, 2)
  if (code.endsWith('00')) return code.slice(0, 4)
  return code
}

function filterSql(f: ItemFilter): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [sql`i.published_version_id is not null`]
  if (f.theme) parts.push(sql`i.themes @> array[${f.theme}]::text[]`)
  if (f.departmentId) parts.push(sql`i.department_id = ${f.departmentId}`)
  if (f.type) parts.push(sql`i.type = ${f.type}`)
  if (f.applicableTo === 'person' || f.applicableTo === 'legal') parts.push(sql`i.applicable_to in (${f.applicableTo}, 'both')`)
  else if (f.applicableTo) parts.push(sql`i.applicable_to = ${f.applicableTo}`)
  if (f.divisionCode) {
    parts.push(sql`(i.division_code = any(${ancestorsOf(f.divisionCode)}::text[]) or i.division_code like ${`${likeEscape(subtreePrefix(f.divisionCode))}%`})`)
  }
  return sql.join(parts, sql` and `)
}

/** SQL of the catalog module, on the handle it is given (the database or a transaction). */
export function createCatalogStore(handle: Db) {
  const db = scoped<CatalogTables>(handle)

  const versions = () =>
    db.selectFrom('catalog.item_version as v').innerJoin('catalog.item as i', 'i.id', 'v.item_id').selectAll('v').select('i.code')

  return {
    async insertItem(row: { id: string; code: string; created_at: Date }): Promise<void> {
      await db.insertInto('catalog.item').values(row).execute()
    },

    async getItem(id: string): Promise<ItemRow | undefined> {
      return db.selectFrom('catalog.item').selectAll().where('id', '=', id).executeTakeFirst()
    },

    async itemByCode(code: string): Promise<ItemRow | undefined> {
      return db.selectFrom('catalog.item').selectAll().where('code', '=', code).executeTakeFirst()
    },

    /** Locks the item row: every version change of one item goes through this lock. */
    async lockItem(id: string): Promise<ItemRow | undefined> {
      return db.selectFrom('catalog.item').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
    },

    async itemsByCodes(codes: string[]): Promise<ItemRow[]> {
      if (codes.length === 0) return []
      return db.selectFrom('catalog.item').selectAll().where('code', 'in', codes).execute()
    },

    /** The highest 5-digit main number used under a type prefix (0 when none). */
    async lastMainNumber(prefix: string): Promise<number> {
      const r = await db
        .selectFrom('catalog.item')
        .select((eb) => eb.fn.max('code').as('last'))
        .where('code', 'like', `${prefix}%`)
        .executeTakeFirst()
      return r?.last ? Number(String(r.last).slice(2, 7)) : 0
    },

    async insertVersion(row: VersionRow): Promise<void> {
      await db
        .insertInto('catalog.item_version')
        .values({ ...row, guide: JSON.stringify(row.guide) as unknown as ServiceItemGuide })
        .execute()
    },

    async getVersion(id: string): Promise<VersionWithCode | undefined> {
      return versions().where('v.id', '=', id).executeTakeFirst()
    },

    async versionWithStatus(itemId: string, status: VersionStatus): Promise<VersionWithCode | undefined> {
      return versions().where('v.item_id', '=', itemId).where('v.status', '=', status).executeTakeFirst()
    },

    /** Published versions of many items at once (import compares against them). */
    async publishedOf(itemIds: string[]): Promise<VersionRow[]> {
      if (itemIds.length === 0) return []
      return db.selectFrom('catalog.item_version').selectAll().where('item_id', 'in', itemIds).where('status', '=', 'published').execute()
    },

    async listVersions(itemId: string): Promise<VersionRow[]> {
      return db.selectFrom('catalog.item_version').selectAll().where('item_id', '=', itemId).orderBy('version', 'desc').execute()
    },

    async nextVersionNumber(itemId: string): Promise<number> {
      const r = await db
        .selectFrom('catalog.item_version')
        .select((eb) => eb.fn.max('version').as('last'))
        .where('item_id', '=', itemId)
        .executeTakeFirst()
      return Number(r?.last ?? 0) + 1
    },

    async updateDraft(id: string, patch: { guide: ServiceItemGuide; revision: number; updated_at: Date }): Promise<void> {
      await db
        .updateTable('catalog.item_version')
        .set({ ...patch, guide: JSON.stringify(patch.guide) as unknown as ServiceItemGuide })
        .where('id', '=', id)
        .where('status', '=', 'draft')
        .execute()
    },

    async deleteDraft(id: string): Promise<void> {
      await db.deleteFrom('catalog.item_version').where('id', '=', id).where('status', '=', 'draft').execute()
    },

    async markPublished(id: string, at: Date, by: string | null): Promise<void> {
      await db
        .updateTable('catalog.item_version')
        .set({ status: 'published', published_at: at, published_by: by, updated_at: at })
        .where('id', '=', id)
        .where('status', '=', 'draft')
        .execute()
    },

    async markSuperseded(id: string, at: Date): Promise<void> {
      await db.updateTable('catalog.item_version').set({ status: 'superseded', superseded_at: at, updated_at: at }).where('id', '=', id).execute()
    },

    async setProjection(itemId: string, p: Projection): Promise<void> {
      await sql`
        update catalog.item set
          published_version_id = ${p.published_version_id}, name = ${p.name}, type = ${p.type},
          department_id = ${p.department_id}, department_name = ${p.department_name}, division_code = ${p.division_code},
          applicable_to = ${p.applicable_to}, handling_class = ${p.handling_class}, mode = ${p.mode}, visits = ${p.visits},
          legal_days = ${p.legal_days}, promised_days = ${p.promised_days}, is_free = ${p.is_free}, summary = ${p.summary},
          themes = ${p.themes}::text[], keywords = ${p.keywords}::text[], search_tsv = ${p.search_tsv}::tsvector,
          pinyin = ${p.pinyin}, initials = ${p.initials}, published_at = ${p.published_at}
        where id = ${itemId}`.execute(db)
    },

    /**
     * Published items matching the query, best first: one page, the count of all hits and the
     * synonym table's signature, in one statement (one round trip). Every way of matching is an
     * index lookup; the union of the hits' row addresses (ctid) is then read directly rather than
     * looked up again by id (a statement sees one snapshot, so a row it sees stays where it was
     * found). The hits are scored from columns kept on write (name_lower, keywords_lower,
     * name_trgm_count: 0021) rather than per-row lower() and array casts. The dearest term, trigram similarity (0..1), is computed only where it can
     * still decide the page: `floor` is a score at least `wanted` hits reach (the best `wanted` by
     * base, scored exactly), and a hit whose base plus the most similarity it could have
     * (`sim_max`) stays below it cannot reach the page; where `sim_max` is 0 (no character in
     * common, so no trigram) the similarity is 0 without computing it. The result is the same as
     * scoring every hit; only the page's rows are read in full. A page past the last hit is empty
     * and still has the total.
     */
    async search(params: SearchParams, filter: ItemFilter, page: { limit: number; offset: number }): Promise<SearchPage> {
      const q = params.q
      const lower = q.toLowerCase()
      const contains = `%${likeEscape(lower)}%`
      const chars = [...lower]
      // Each branch compares with a value the planner does not see (`(select …)`, computed once when
      // the statement runs), so it estimates few rows and takes the index. With the value in sight
      // it estimated a common word or an OR of several (许可 | 许可证 | 核发) at a quarter of the table
      // and matched every row's tsvector in a sequential scan, 5–10 times slower; estimating the
      // long tsquery also took up to a millisecond of planning. Only where the index surely serves:
      // a LIKE pattern without three word characters in a row has no trigram to look up, so its
      // value stays in sight (the planner then may scan the table).
      const opaque = (value: RawBuilder<unknown>) => sql`(select ${value})`
      const trigrams = (text: string) => /[\p{L}\p{N}]{3}/u.test(text)
      // A substring of the name: from three characters the trigram index (ILIKE is case-blind and
      // indexable), below that the character-bigram index (0011).
      const nameHit =
        chars.length >= 3
          ? sql`select ctid as t from catalog.item where name ilike ${trigrams(lower) ? opaque(sql`${contains}::text`) : sql`${contains}`}`
          : sql`select ctid as t from catalog.item where catalog.name_grams(name) @@ ${opaque(sql`${gramQuery(chars)}::tsquery`)} and name_lower like ${contains}`
      const branches: RawBuilder<unknown>[] = [nameHit]
      if (params.tsquery) branches.push(sql`select ctid as t from catalog.item where search_tsv @@ ${opaque(sql`${params.tsquery}::tsquery`)}`)
      if (params.pinyin) {
        const pattern = `%${params.pinyin}%`
        branches.push(sql`select ctid as t from catalog.item where pinyin like ${trigrams(params.pinyin) ? opaque(sql`${pattern}::text`) : sql`${pattern}`}`)
      }
      if (params.codePrefix) {
        // A prefix as a byte-wise range (the text_pattern_ops index; codes are ASCII), checked by LIKE.
        const p = params.codePrefix
        const upper = p.slice(0, -1) + String.fromCharCode(p.charCodeAt(p.length - 1) + 1)
        branches.push(sql`select ctid as t from catalog.item
          where code ~>=~ ${opaque(sql`${p}::text`)} and code ~<~ ${opaque(sql`${upper}::text`)} and code like ${`${likeEscape(p)}%`}`)
      }
      // (Estimating similarity with the value in sight computes it over the column's statistics: 0.4 ms of planning.)
      if (chars.length >= 3) branches.push(sql`select ctid as t from catalog.item where name % ${opaque(sql`${q}::text`)}`)

      const textRank = params.tsquery ? sql`ts_rank(i.search_tsv, ${params.tsquery}::tsquery, 0) * 3` : sql`0`
      // The weight of the heaviest expansion phrase the name contains (weights are positive).
      const phraseRank = params.phrases.length
        ? sql`greatest(${sql.join(params.phrases.map((p) => sql`case when strpos(i.name, ${p.phrase}) > 0 then ${p.weight}::float8 else 0 end`))})`
        : sql`0`
      const pinyinRank = params.pinyin
        ? sql`case when i.initials = ${params.pinyin} then 4 when i.initials like ${`${params.pinyin}%`} then 2.5
                   when i.pinyin like ${`%${params.pinyin}%`} then 1.5 else 0 end`
        : sql`0`
      const wanted = page.offset + page.limit
      const r = await sql<SearchRow & { total: number; synonyms: string }>`
        -- (union, not union all: a plan that appends the branches may start parallel workers, dearer than the query.)
        with hits as (${sql.join(branches, sql` union `)}),
        -- The query's trigram count and a character class of its characters (lower-cased as pg_trgm does).
        qt as materialized (
          select cardinality(show_trgm(${q})) as n,
                 '[' || regexp_replace(lower(${q}), '([][\\\\^-])', '\\\\\\1', 'g') || ']' as chars
        ),
        scored as materialized (
          select i.ctid as t, i.code, i.name, (
            ${textRank}
            + case when i.name_lower = ${lower} then 4 when i.name_lower like ${`${likeEscape(lower)}%`} then 2
                   when i.name_lower like ${contains} then 1.5 else 0 end
            + ${phraseRank}
            -- A colloquial name of this very item, typed as such or within the query (a keyword
            -- within the query is one of the query's substrings).
            + case when ${lower} = any(i.keywords) then 2
                   when i.keywords_lower && ${substrings(lower)}::text[] then 1 else 0 end
            + ${pinyinRank}
            + case when i.code = ${q.toUpperCase()} then 5 when i.code like ${`${likeEscape(q.toUpperCase())}%`} then 3 else 0 end
            -- Popularity breaks near-ties; it never outweighs a better textual match.
            + ln(1 + i.view_count + 5 * i.apply_count) / 10
          )::float8 as base,
          -- similarity = shared / (a + b - shared) ≤ min(a, b) / max(a, b) for trigram counts a, b;
          -- no character in common, no trigram in common. (Slack covers float4 rounding.)
          case when qt.n = 0 or i.name_trgm_count = 0 or i.name_lower !~ qt.chars then 0::float8
               else least(i.name_trgm_count, qt.n)::float8 / greatest(i.name_trgm_count, qt.n) + 1e-6 end as sim_max
          from catalog.item i cross join qt
          where i.ctid = any(array(select t from hits)) and ${filterSql(filter)}
        ),
        -- (Similarity outside the sort: inside, it would be computed for every row sorted.)
        probe as (
          select p.base + case when p.sim_max > 0 then similarity(p.name, ${q}) else 0 end as score
          from (select s.base, s.name, s.sim_max from scored s order by s.base desc, s.code limit ${wanted}) p
        ),
        floor as (select min(score) - 1e-9 as score from probe having count(*) >= ${wanted}),
        candidates as (select s.* from scored s where s.base + s.sim_max >= coalesce((select f.score from floor f), '-Infinity'::float8)),
        -- Once per name: a catalog repeats an item's name in every county.
        sims as (select w.name, similarity(w.name, ${q}) as sim from candidates w where w.sim_max > 0 group by w.name),
        ranked as (
          select w.t, w.code, w.base + coalesce(x.sim, 0) as score
          from candidates w left join sims x on x.name = w.name
          order by score desc, w.code
          limit ${page.limit} offset ${page.offset}
        )
        -- At least one row, so an empty page still says how many hits there are.
        select ${summaryColumns}, r.score, m.total, m.synonyms
        from (select (select count(*) from scored) as total, ${synonymSignature} as synonyms) m
        left join (ranked r join catalog.item i on i.ctid = r.t) on true
        order by r.score desc, r.code`.execute(db)
      const first = r.rows[0]
      return {
        rows: r.rows.filter((x) => x.id !== null),
        total: Number(first?.total ?? 0),
        synonyms: first?.synonyms ?? '',
      }
    },

    /**
     * Items within the editors' scopes (null: every item), as they are now: the draft's guide when
     * there is one, else the published one. Most recently changed first, with the total in every row.
     */
    async listEditable(scopes: { divisionPrefix: string; departmentId: string | null }[] | null, filter: { q?: string; status?: 'draft' | 'published' | 'unpublished'; departmentId?: string }, page: { limit: number; offset: number }) {
      const conditions: RawBuilder<unknown>[] = [sql`true`]
      if (scopes) {
        const clauses = scopes.map((c) =>
          c.departmentId
            ? sql`(c.division_code like ${`${likeEscape(c.divisionPrefix)}%`} and c.department_id = ${c.departmentId})`
            : sql`c.division_code like ${`${likeEscape(c.divisionPrefix)}%`}`,
        )
        conditions.push(clauses.length ? sql`(${sql.join(clauses, sql` or `)})` : sql`false`)
      }
      if (filter.q) {
        const like = `%${likeEscape(filter.q.toLowerCase())}%`
        conditions.push(sql`(lower(c.name) like ${like} or lower(c.code) like ${like})`)
      }
      if (filter.departmentId) conditions.push(sql`c.department_id = ${filter.departmentId}`)
      if (filter.status === 'draft') conditions.push(sql`c.draft_id is not null`)
      if (filter.status === 'published') conditions.push(sql`c.published_version is not null`)
      if (filter.status === 'unpublished') conditions.push(sql`c.published_version is null`)
      const r = await sql<{
        id: string
        code: string
        name: string
        type: string
        department_id: string
        department_name: string | null
        division_code: string
        published_version: number | null
        draft_id: string | null
        draft_version: number | null
        draft_revision: number | null
        draft_updated_at: Date | null
        updated_at: Date
        total: number
      }>`
        with c as (
          select i.id, i.code, cur.guide->>'name' as name, cur.guide->>'type' as type, cur.guide->>'departmentId' as department_id,
            i.department_name, cur.guide->>'divisionCode' as division_code, p.version as published_version,
            d.id as draft_id, d.version as draft_version, d.revision as draft_revision, d.updated_at as draft_updated_at,
            greatest(d.updated_at, p.updated_at) as updated_at
          from catalog.item i
          left join catalog.item_version p on p.item_id = i.id and p.status = 'published'
          left join catalog.item_version d on d.item_id = i.id and d.status = 'draft'
          cross join lateral (select coalesce(d.guide, p.guide) as guide) cur
          where cur.guide is not null
        )
        select c.*, count(*) over () as total from c
        where ${sql.join(conditions, sql` and `)}
        order by c.updated_at desc, c.code
        limit ${page.limit} offset ${page.offset}`.execute(db)
      return r.rows
    },

    /** Published items without a query: the most used first, then by code. */
    async browse(filter: ItemFilter, page: { limit: number; offset: number }): Promise<(SearchRow & { total: number })[]> {
      const r = await sql<SearchRow & { total: number }>`
        select ${summaryColumns}, 0 as score, count(*) over () as total
        from catalog.item i
        where ${filterSql(filter)}
        order by (i.view_count + 5 * i.apply_count) desc, i.code
        limit ${page.limit} offset ${page.offset}`.execute(db)
      return r.rows
    },

    async countPublished(filter: ItemFilter): Promise<number> {
      const r = await sql<{ n: number }>`select count(*) as n from catalog.item i where ${filterSql(filter)}`.execute(db)
      return Number(r.rows[0]?.n ?? 0)
    },

    async themeCounts(filter: ItemFilter): Promise<{ theme: string; n: number }[]> {
      const r = await sql<{ theme: string; n: number }>`
        select t as theme, count(*) as n from catalog.item i, unnest(i.themes) as t
        where ${filterSql(filter)} group by t`.execute(db)
      return r.rows.map((x) => ({ theme: x.theme, n: Number(x.n) }))
    },

    async departmentCounts(filter: ItemFilter): Promise<{ department_id: string; department_name: string; division_code: string; n: number }[]> {
      const r = await sql<{ department_id: string; department_name: string; division_code: string; n: number }>`
        select i.department_id, min(i.department_name) as department_name, min(i.division_code) as division_code, count(*) as n
        from catalog.item i where ${filterSql(filter)}
        group by i.department_id
        order by min(i.division_code), count(*) desc, min(i.department_name)`.execute(db)
      return r.rows.map((x) => ({ ...x, n: Number(x.n) }))
    },

    /** Every published guide with its item's code and department name, by code (the export). */
    async allPublished(): Promise<{ code: string; department_name: string | null; guide: ServiceItemGuide }[]> {
      return db
        .selectFrom('catalog.item_version as v')
        .innerJoin('catalog.item as i', 'i.id', 'v.item_id')
        .select(['i.code', 'i.department_name', 'v.guide'])
        .where('v.status', '=', 'published')
        .orderBy('i.code')
        .execute()
    },

    /** Adds views and applications to several items in one statement. */
    async addCounts(counts: { id: string; views: number; applications: number }[]): Promise<void> {
      if (counts.length === 0) return
      await sql`
        update catalog.item i set view_count = i.view_count + c.views, apply_count = i.apply_count + c.applications
        from (select unnest(${counts.map((c) => c.id)}::text[]) as id, unnest(${counts.map((c) => c.views)}::int[]) as views,
                     unnest(${counts.map((c) => c.applications)}::int[]) as applications) c
        where i.id = c.id`.execute(db)
    },

    /** Every synonym entry and the table's signature, read together (one snapshot). */
    async synonymSnapshot(): Promise<SynonymSnapshot> {
      const r = await sql<{ signature: string; entries: { term: string; expansions: string[] }[] | string }>`
        select ${synonymSignature} as signature,
               coalesce((select json_agg(json_build_object('term', s.term, 'expansions', s.expansions)) from catalog.synonym s), '[]'::json) as entries`.execute(db)
      const row = r.rows[0]!
      const entries = typeof row.entries === 'string' ? (JSON.parse(row.entries) as SynonymSnapshot['entries']) : row.entries
      return { signature: row.signature, entries }
    },

    async listSynonyms(): Promise<SynonymRow[]> {
      return db.selectFrom('catalog.synonym').selectAll().orderBy('term').execute()
    },

    async upsertSynonym(term: string, expansions: string[], at: Date): Promise<void> {
      await sql`
        insert into catalog.synonym (term, expansions, updated_at) values (${term}, ${expansions}::text[], ${at})
        on conflict (term) do update set expansions = excluded.expansions, updated_at = excluded.updated_at`.execute(db)
    },

    async deleteSynonym(term: string): Promise<boolean> {
      const r = await db.deleteFrom('catalog.synonym').where('term', '=', term).executeTakeFirst()
      return Number(r.numDeletedRows) > 0
    },
  }
}

export type CatalogStore = ReturnType<typeof createCatalogStore>
