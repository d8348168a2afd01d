import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely'
import { scoped, type Db } from '../../db/database.js'
import { divisionPrefix } from '../../platform/roles.js'
import type { SourceDivision } from './division-source.js'
import type { DepartmentFilter, DepartmentKind, DivisionLevel } from './types.js'

interface DivisionTable {
  code: string
  name: string
  level: DivisionLevel
  parent_code: string | null
  full_name: string
}

export interface DepartmentRow {
  id: string
  name: string
  short_name: string | null
  division_code: string
  kind: DepartmentKind
  credit_code: string | null
  phone: string | null
  address: string | null
  version: number
  created_at: Date
  updated_at: Date
}

export interface PositionRow {
  id: string
  department_id: string
  name: string
  created_at: Date
}

export interface GridCellRow {
  code: string
  name: string
  community_code: string
  created_at: Date
}

/** The org schema's tables; the store sees nothing else. */
export interface OrgTables {
  'org.division': DivisionTable
  'org.department': DepartmentRow
  'org.position': PositionRow
  'org.grid_cell': GridCellRow
}

export interface DivisionRow extends DivisionTable {
  has_children: boolean
}

export type DepartmentWithDivision = DepartmentRow & { division_name: string }

/** Rows per multi-row INSERT: one round trip each, well under PostgreSQL's 65535-parameter limit. */
const CHUNK = 1000

/** Escapes LIKE wildcards so user text matches literally. */
function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, '\\$&')
}

/** Whether a division has children; uses the (parent_code, code) index. */
const hasChildren = sql<boolean>`exists (select 1 from org.division c where c.parent_code = d.code)`

const levelOrder = sql<number>`array_position(array['province','city','county','street','community']::text[], d.level)`

/** SQL of the org module, on the handle it is given (the database or a transaction). */
export function createOrgStore(handle: Db) {
  const db = scoped<OrgTables>(handle)

  const selectDivisions = () =>
    db.selectFrom('org.division as d').select(['d.code', 'd.name', 'd.level', 'd.parent_code', 'd.full_name', hasChildren.as('has_children')])

  const selectDepartments = () =>
    db
      .selectFrom('org.department as p')
      .innerJoin('org.division as d', 'd.code', 'p.division_code')
      .selectAll('p')
      .select('d.name as division_name')

  return {
    /** How many stored divisions lie under a code prefix, communities counted apart from the rest. */
    async countDivisionsUnder(prefix: string, communities: boolean): Promise<number> {
      const r = await db
        .selectFrom('org.division')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('code', 'like', `${prefix}%`)
        .where('level', communities ? '=' : '<>', 'community')
        .executeTakeFirstOrThrow()
      return Number(r.n)
    },

    /** Bulk insert in chunks; existing codes are left alone. Returns how many rows were new. */
    async insertDivisions(rows: SourceDivision[]): Promise<number> {
      let inserted = 0
      for (let i = 0; i < rows.length; i += CHUNK) {
        const chunk = rows.slice(i, i + CHUNK).map((r) => ({
          code: r.code,
          name: r.name,
          level: r.level,
          parent_code: r.parentCode,
          full_name: r.fullName,
        }))
        const res = await db
          .insertInto('org.division')
          .values(chunk)
          .onConflict((oc) => oc.column('code').doNothing())
          .executeTakeFirst()
        inserted += Number(res.numInsertedOrUpdatedRows ?? 0)
      }
      return inserted
    },

    /**
     * Inserts communities under streets already stored (rows whose street is missing are skipped);
     * the full name is the street's plus the community's own.
     */
    async insertCommunities(rows: { code: string; name: string; parentCode: string }[]): Promise<number> {
      let inserted = 0
      for (let i = 0; i < rows.length; i += CHUNK) {
        const chunk = JSON.stringify(rows.slice(i, i + CHUNK).map((r) => ({ code: r.code, name: r.name, parent_code: r.parentCode })))
        const res = await sql`
          insert into org.division (code, name, level, parent_code, full_name)
          select r.code, r.name, 'community', r.parent_code, s.full_name || r.name
          from jsonb_to_recordset(${chunk}::jsonb) as r(code text, name text, parent_code text)
          join org.division s on s.code = r.parent_code and s.level = 'street'
          on conflict (code) do nothing`.execute(db)
        inserted += Number(res.numAffectedRows ?? 0)
      }
      return inserted
    },

    async getDivision(code: string): Promise<DivisionRow | undefined> {
      return selectDivisions().where('d.code', '=', code).executeTakeFirst()
    },

    /** The division row locked for the rest of the transaction (serialises grid numbering). */
    async lockDivision(code: string): Promise<DivisionTable | undefined> {
      return db.selectFrom('org.division').selectAll().where('code', '=', code).forUpdate().executeTakeFirst()
    },

    async divisionExists(code: string): Promise<boolean> {
      const r = await db.selectFrom('org.division').select('code').where('code', '=', code).executeTakeFirst()
      return r !== undefined
    },

    async children(parent: string | null): Promise<DivisionRow[]> {
      const q = selectDivisions()
      return (parent === null ? q.where('d.parent_code', 'is', null) : q.where('d.parent_code', '=', parent)).orderBy('d.code').execute()
    },

    /** Ancestors and the division itself, root first (follows parent_code, so pseudo-levels stay). */
    async chain(code: string): Promise<DivisionRow[]> {
      const r = await sql<DivisionRow>`
        with recursive up (code, depth) as (
          select code, 0 from org.division where code = ${code}
          union all
          select d.parent_code, up.depth + 1 from org.division d join up on d.code = up.code where d.parent_code is not null
        )
        select d.code, d.name, d.level, d.parent_code, d.full_name, ${hasChildren} as has_children
        from up join org.division d on d.code = up.code
        order by up.depth desc`.execute(db)
      return r.rows
    },

    /**
     * Search by code prefix (digits) or by name. Rank: exact code, exact name or full name, name
     * prefix, code prefix, name contains, full name contains, trigram similarity; within the
     * textual ranks larger units come first, then closer similarity, then code.
     */
    async search(q: string, limit: number): Promise<DivisionRow[]> {
      const digits = /^\d+$/.test(q)
      const exactCode = digits && (q.length === 2 || q.length === 4) ? q.padEnd(6, '0') : q
      const prefix = `${likeEscape(q)}%`
      const contains = `%${likeEscape(q)}%`
      // Chinese has no case; plain LIKE is several times cheaper than ILIKE on PGlite.
      const like = /[a-z]/i.test(q) ? sql.raw('ilike') : sql.raw('like')
      // Each branch can use its own index (prefix btree, trigram GIN); an OR of them could not.
      const candidates = digits
        ? sql`select code from org.division where code like ${`${q}%`} or code = ${exactCode}`
        : sql`select code from org.division where name ${like} ${contains}
              union select code from org.division where full_name ${like} ${contains}
              union select code from org.division where name % ${q}`
      const r = await sql<DivisionRow>`
        with hits as (${candidates}),
        ranked as (
          select d.*, similarity(d.name, ${q}) as sim,
            case
              when d.code = ${exactCode} then 0
              when d.name = ${q} or d.full_name = ${q} then 1
              when d.name ${like} ${prefix} then 2
              when d.code like ${prefix} then 3
              when d.name ${like} ${contains} then 4
              when d.full_name ${like} ${contains} then 5
              else 6
            end as rank
          from org.division d join hits on hits.code = d.code
        )
        select d.code, d.name, d.level, d.parent_code, d.full_name, ${hasChildren} as has_children
        from ranked d
        order by d.rank, case when d.rank < 6 then ${levelOrder} else 0 end, d.sim desc, d.code
        limit ${limit}`.execute(db)
      return r.rows
    },

    async insertDepartment(row: DepartmentRow): Promise<void> {
      await db.insertInto('org.department').values(row).execute()
    },

    async getDepartment(id: string): Promise<DepartmentWithDivision | undefined> {
      return selectDepartments().where('p.id', '=', id).executeTakeFirst()
    },

    async lockDepartment(id: string): Promise<DepartmentRow | undefined> {
      return db.selectFrom('org.department').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
    },

    async departmentNameTaken(divisionCode: string, name: string, exceptId?: string): Promise<boolean> {
      let q = db.selectFrom('org.department').select('id').where('division_code', '=', divisionCode).where('name', '=', name)
      if (exceptId) q = q.where('id', '<>', exceptId)
      return (await q.executeTakeFirst()) !== undefined
    },

    async updateDepartment(id: string, patch: Partial<DepartmentRow>): Promise<void> {
      await db.updateTable('org.department').set(patch).where('id', '=', id).execute()
    },

    async listDepartments(filter: DepartmentFilter, page: { limit: number; offset: number }): Promise<{ rows: DepartmentWithDivision[]; total: number }> {
      const conditions = (eb: ExpressionBuilder<OrgTables & { p: DepartmentRow }, 'p'>) => {
        const all: Expression<SqlBool>[] = []
        if (filter.divisionCode) all.push(eb('p.division_code', 'like', `${divisionPrefix(filter.divisionCode)}%`))
        if (filter.kind) all.push(eb('p.kind', '=', filter.kind))
        if (filter.q) {
          const contains = `%${likeEscape(filter.q)}%`
          all.push(eb.or([eb('p.name', 'ilike', contains), eb('p.short_name', 'ilike', contains)]))
        }
        return eb.and(all)
      }
      const [rows, count] = await Promise.all([
        selectDepartments().where(conditions).orderBy('p.division_code').orderBy('p.name').orderBy('p.id').limit(page.limit).offset(page.offset).execute(),
        db.selectFrom('org.department as p').select((eb) => eb.fn.countAll<number>().as('n')).where(conditions).executeTakeFirstOrThrow(),
      ])
      return { rows, total: Number(count.n) }
    },

    async departmentPositions(departmentId: string): Promise<PositionRow[]> {
      return db.selectFrom('org.position').selectAll().where('department_id', '=', departmentId).orderBy('created_at').orderBy('id').execute()
    },

    async positionNameTaken(departmentId: string, name: string): Promise<boolean> {
      const r = await db.selectFrom('org.position').select('id').where('department_id', '=', departmentId).where('name', '=', name).executeTakeFirst()
      return r !== undefined
    },

    async insertPosition(row: PositionRow): Promise<void> {
      await db.insertInto('org.position').values(row).execute()
    },

    async gridCells(communityCode: string): Promise<GridCellRow[]> {
      return db.selectFrom('org.grid_cell').selectAll().where('community_code', '=', communityCode).orderBy('code').execute()
    },

    async gridCellNameTaken(communityCode: string, name: string): Promise<boolean> {
      const r = await db.selectFrom('org.grid_cell').select('code').where('community_code', '=', communityCode).where('name', '=', name).executeTakeFirst()
      return r !== undefined
    },

    /** The highest grid sequence used in a community (0 when none). */
    async lastGridSequence(communityCode: string): Promise<number> {
      const r = await db
        .selectFrom('org.grid_cell')
        .select((eb) => eb.fn.max('code').as('last'))
        .where('community_code', '=', communityCode)
        .executeTakeFirst()
      return r?.last ? Number(r.last.slice(12)) : 0
    },

    async insertGridCell(row: GridCellRow): Promise<void> {
      await db.insertInto('org.grid_cell').values(row).execute()
    },
  }
}

export type OrgStore = ReturnType<typeof createOrgStore>
