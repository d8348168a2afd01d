import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely'
import { scoped, type Db } from '../../db/database.js'
import type {
  CreditList,
  EntityStatus,
  EntityType,
  MaritalStatus,
  PersonStatus,
  RegistryCode,
  Relation,
  Sex,
  SubjectType,
} from './types.js'

export interface RegistryRow {
  code: RegistryCode
  owner_department_id: string | null
  updated_at: Date
}

export interface HouseholdRow {
  id: string
  number: string
  division_code: string
  address: string | null
  created_at: Date
  updated_at: Date
}

export interface PersonRow {
  id: string
  id_number: string
  name: string
  sex: Sex
  birth_date: string
  ethnicity: string
  household_division_code: string
  address: string | null
  address_division_code: string | null
  grid_code: string | null
  phone: string | null
  household_id: string | null
  relation: Relation | null
  marital_status: MaritalStatus
  status: PersonStatus
  version: number
  source: string
  created_at: Date
  updated_at: Date
}

export interface EntityRow {
  id: string
  credit_code: string
  name: string
  type: EntityType
  legal_rep_name: string | null
  legal_rep_id_number: string | null
  legal_rep_person_id: string | null
  registered_capital: number | null
  registration_authority: string | null
  division_code: string
  address: string | null
  address_division_code: string | null
  grid_code: string | null
  business_scope: string | null
  established_on: string | null
  status: EntityStatus
  status_changed_on: string | null
  version: number
  source: string
  created_at: Date
  updated_at: Date
}

export interface ChangeRow {
  id: string
  record_type: 'person' | 'entity' | 'credit'
  record_id: string
  field: string
  old_value: string | null
  new_value: string | null
  at: Date
  actor_id: string | null
  actor_name: string | null
  source: string
}

export interface CreditRow {
  id: string
  subject_type: SubjectType
  subject_id: string
  subject_name: string
  subject_code: string
  division_code: string
  list: CreditList
  reason: string
  basis: string | null
  source_department_id: string
  source_department_name: string
  valid_from: string
  valid_to: string | null
  created_at: Date
  updated_at: Date
}

export interface AddressPointRow {
  id: string
  division_code: string
  local_address: string
  grid_code: string | null
  lng: number | null
  lat: number | null
  created_at: Date
}

export interface BoundaryRow {
  division_code: string
  name: string
  geometry: unknown
  center_lng: number
  center_lat: number
  approximate: boolean
  source: string
  updated_at: Date
}

export interface IndicatorRow {
  division_code: string
  code: string
  period: string
  value: number
  source: string
  updated_at: Date
}

export interface AccessLogRow {
  id: string
  at: Date
  actor_id: string | null
  actor_kind: string | null
  actor_name: string | null
  via: string
  registry: RegistryCode
  action: string
  record_ids: string[]
  result_count: number
  purpose: string
  revealed: boolean
  division_code: string | null
  query: Record<string, unknown>
}

export interface ImportBatchRow {
  id: string
  kind: string
  format: string
  rows: number
  created: number
  updated: number
  at: Date
  actor_id: string | null
  actor_name: string | null
}

/** The registries schema's tables; the store sees nothing else. */
export interface RegistriesTables {
  'registries.registry': RegistryRow
  'registries.household': HouseholdRow
  'registries.person': PersonRow
  'registries.entity': EntityRow
  'registries.change': ChangeRow
  'registries.credit_entry': CreditRow
  'registries.address_point': AddressPointRow
  'registries.boundary': BoundaryRow
  'registries.indicator_value': IndicatorRow
  'registries.access_log': AccessLogRow
  'registries.import_batch': ImportBatchRow
}

export type PersonWithHousehold = PersonRow & { household_number: string | null }

export interface PersonFilter {
  /** Code prefixes the caller may see (null: all). */
  prefixes: string[] | null
  /** Within this division (prefix). */
  divisionPrefix?: string
  /** Name part. */
  name?: string
  /** ID number prefix. */
  idPrefix?: string
  householdId?: string
}

export interface EntityFilter {
  prefixes: string[] | null
  divisionPrefix?: string
  name?: string
  codePrefix?: string
  status?: EntityStatus
  type?: EntityType
  legalRepIdNumber?: string
}

export interface CreditFilter {
  prefixes: string[] | null
  subjectType?: SubjectType
  subjectId?: string
  list?: CreditList
}

/** Rows per multi-row INSERT: one round trip each, well under PostgreSQL's parameter limit. */
const CHUNK = 500

/** Escapes LIKE wildcards so user text matches literally. */
function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, '\\$&')
}

type Page = { limit: number; offset: number }

/** SQL of the registries module, on the handle it is given (the database or a transaction). */
export function createRegistriesStore(handle: Db) {
  const db = scoped<RegistriesTables>(handle)

  const selectPersons = () =>
    db
      .selectFrom('registries.person as p')
      .leftJoin('registries.household as h', 'h.id', 'p.household_id')
      .selectAll('p')
      .select('h.number as household_number')

  function inPrefixes<DB, TB extends keyof DB>(eb: ExpressionBuilder<DB, TB>, column: string, prefixes: string[]): Expression<SqlBool> {
    return eb.or(prefixes.map((p) => sql<SqlBool>`${sql.ref(column)} like ${`${p}%`}`))
  }

  async function insertChunked<T extends keyof RegistriesTables>(table: T, rows: RegistriesTables[T][]): Promise<void> {
    for (let i = 0; i < rows.length; i += CHUNK) {
      await db.insertInto(table).values(rows.slice(i, i + CHUNK) as never).execute()
    }
  }

  return {
    // --- registries and owners --------------------------------------------------------------
    async registries(): Promise<RegistryRow[]> {
      return db.selectFrom('registries.registry').selectAll().orderBy('code').execute()
    },
    async owner(code: RegistryCode): Promise<string | null> {
      const r = await db.selectFrom('registries.registry').select('owner_department_id').where('code', '=', code).executeTakeFirst()
      return r?.owner_department_id ?? null
    },
    async setOwner(code: RegistryCode, departmentId: string | null, at: Date): Promise<void> {
      await db.updateTable('registries.registry').set({ owner_department_id: departmentId, updated_at: at }).where('code', '=', code).execute()
    },

    // --- persons ---------------------------------------------------------------------------
    async insertPersons(rows: PersonRow[]): Promise<void> {
      await insertChunked('registries.person', rows)
    },
    async updatePerson(id: string, patch: Partial<PersonRow>): Promise<void> {
      await db.updateTable('registries.person').set(patch).where('id', '=', id).execute()
    },
    async personById(id: string): Promise<PersonWithHousehold | undefined> {
      return selectPersons().where('p.id', '=', id).executeTakeFirst()
    },
    async lockPerson(id: string): Promise<PersonRow | undefined> {
      return db.selectFrom('registries.person').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
    },
    async personByIdNumber(idNumber: string): Promise<PersonWithHousehold | undefined> {
      return selectPersons().where('p.id_number', '=', idNumber).executeTakeFirst()
    },
    async personsByIdNumbers(idNumbers: string[]): Promise<PersonRow[]> {
      if (idNumbers.length === 0) return []
      const out: PersonRow[] = []
      for (let i = 0; i < idNumbers.length; i += CHUNK) {
        out.push(...(await db.selectFrom('registries.person').selectAll().where('id_number', 'in', idNumbers.slice(i, i + CHUNK)).execute()))
      }
      return out
    },
    async listPersons(filter: PersonFilter, page: Page): Promise<{ rows: PersonWithHousehold[]; total: number }> {
      const where = (eb: ExpressionBuilder<RegistriesTables & { p: PersonRow }, 'p'>) => {
        const all: Expression<SqlBool>[] = []
        if (filter.prefixes) all.push(inPrefixes(eb, 'p.household_division_code', filter.prefixes))
        if (filter.divisionPrefix) all.push(eb('p.household_division_code', 'like', `${filter.divisionPrefix}%`))
        if (filter.name) all.push(eb('p.name', 'like', `%${likeEscape(filter.name)}%`))
        if (filter.idPrefix) all.push(eb('p.id_number', 'like', `${likeEscape(filter.idPrefix)}%`))
        if (filter.householdId) all.push(eb('p.household_id', '=', filter.householdId))
        return eb.and(all)
      }
      const [rows, count] = await Promise.all([
        selectPersons().where(where).orderBy('p.household_division_code').orderBy('p.name').orderBy('p.id').limit(page.limit).offset(page.offset).execute(),
        db.selectFrom('registries.person as p').select((eb) => eb.fn.countAll<number>().as('n')).where(where).executeTakeFirstOrThrow(),
      ])
      return { rows, total: Number(count.n) }
    },
    async householdMembers(householdId: string): Promise<PersonRow[]> {
      return db
        .selectFrom('registries.person')
        .selectAll()
        .where('household_id', '=', householdId)
        .orderBy(sql`case when relation = 'head' then 0 else 1 end`)
        .orderBy('birth_date')
        .orderBy('id')
        .execute()
    },
    /** Someone else heading the household (locks the row so two writers cannot both make a head). */
    async headOf(householdId: string): Promise<PersonRow | undefined> {
      return db.selectFrom('registries.person').selectAll().where('household_id', '=', householdId).where('relation', '=', 'head').forUpdate().executeTakeFirst()
    },
    /** Rewrites whole person rows in chunks (bulk imports), one statement per chunk. */
    async replacePersons(rows: PersonRow[]): Promise<void> {
      for (let i = 0; i < rows.length; i += CHUNK) {
        const chunk = JSON.stringify(rows.slice(i, i + CHUNK))
        await sql`
          update registries.person p set
            name = r.name, ethnicity = r.ethnicity, household_division_code = r.household_division_code, address = r.address,
            address_division_code = r.address_division_code, grid_code = r.grid_code, phone = r.phone, household_id = r.household_id,
            relation = r.relation, marital_status = r.marital_status, status = r.status, version = r.version, updated_at = r.updated_at
          from jsonb_to_recordset(${chunk}::jsonb) as r(id text, name text, ethnicity text, household_division_code text, address text,
            address_division_code text, grid_code text, phone text, household_id text, relation text, marital_status text, status text,
            version int, updated_at timestamptz)
          where p.id = r.id`.execute(db)
      }
    },
    /** The heads of these households (id number and household), one query. */
    async headsOf(householdIds: string[]): Promise<{ household_id: string; id_number: string }[]> {
      if (householdIds.length === 0) return []
      const out: { household_id: string; id_number: string }[] = []
      for (let i = 0; i < householdIds.length; i += CHUNK) {
        const r = await db
          .selectFrom('registries.person')
          .select(['household_id', 'id_number'])
          .where('household_id', 'in', householdIds.slice(i, i + CHUNK))
          .where('relation', '=', 'head')
          .execute()
        out.push(...r.map((x) => ({ household_id: x.household_id!, id_number: x.id_number })))
      }
      return out
    },
    async countMembers(householdId: string): Promise<number> {
      const r = await db.selectFrom('registries.person').select((eb) => eb.fn.countAll<number>().as('n')).where('household_id', '=', householdId).executeTakeFirstOrThrow()
      return Number(r.n)
    },

    // --- households ------------------------------------------------------------------------
    async insertHouseholds(rows: HouseholdRow[]): Promise<void> {
      await insertChunked('registries.household', rows)
    },
    async householdById(id: string): Promise<HouseholdRow | undefined> {
      return db.selectFrom('registries.household').selectAll().where('id', '=', id).executeTakeFirst()
    },
    async lockHousehold(id: string): Promise<HouseholdRow | undefined> {
      return db.selectFrom('registries.household').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
    },
    async householdsByNumbers(numbers: string[]): Promise<HouseholdRow[]> {
      if (numbers.length === 0) return []
      const out: HouseholdRow[] = []
      for (let i = 0; i < numbers.length; i += CHUNK) {
        out.push(...(await db.selectFrom('registries.household').selectAll().where('number', 'in', numbers.slice(i, i + CHUNK)).execute()))
      }
      return out
    },
    /** The highest household number under a 6-digit county prefix of the form <county><6 digits>. */
    async lastHouseholdNumber(county: string): Promise<string | null> {
      const r = await db
        .selectFrom('registries.household')
        .select((eb) => eb.fn.max('number').as('last'))
        .where('number', 'like', `${county}%`)
        .where(sql<boolean>`length(number) = 12`)
        .executeTakeFirst()
      return r?.last ?? null
    },

    // --- entities --------------------------------------------------------------------------
    async insertEntities(rows: EntityRow[]): Promise<void> {
      await insertChunked('registries.entity', rows)
    },
    async updateEntity(id: string, patch: Partial<EntityRow>): Promise<void> {
      await db.updateTable('registries.entity').set(patch).where('id', '=', id).execute()
    },
    async entityById(id: string): Promise<EntityRow | undefined> {
      return db.selectFrom('registries.entity').selectAll().where('id', '=', id).executeTakeFirst()
    },
    async lockEntity(id: string): Promise<EntityRow | undefined> {
      return db.selectFrom('registries.entity').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
    },
    async entityByCreditCode(code: string): Promise<EntityRow | undefined> {
      return db.selectFrom('registries.entity').selectAll().where('credit_code', '=', code).executeTakeFirst()
    },
    async entitiesByCreditCodes(codes: string[]): Promise<EntityRow[]> {
      if (codes.length === 0) return []
      const out: EntityRow[] = []
      for (let i = 0; i < codes.length; i += CHUNK) {
        out.push(...(await db.selectFrom('registries.entity').selectAll().where('credit_code', 'in', codes.slice(i, i + CHUNK)).execute()))
      }
      return out
    },
    async listEntities(filter: EntityFilter, page: Page): Promise<{ rows: EntityRow[]; total: number }> {
      const where = (eb: ExpressionBuilder<RegistriesTables & { e: EntityRow }, 'e'>) => {
        const all: Expression<SqlBool>[] = []
        if (filter.prefixes) all.push(inPrefixes(eb, 'e.division_code', filter.prefixes))
        if (filter.divisionPrefix) all.push(eb('e.division_code', 'like', `${filter.divisionPrefix}%`))
        if (filter.name) all.push(eb('e.name', 'like', `%${likeEscape(filter.name)}%`))
        if (filter.codePrefix) all.push(eb('e.credit_code', 'like', `${likeEscape(filter.codePrefix)}%`))
        if (filter.status) all.push(eb('e.status', '=', filter.status))
        if (filter.type) all.push(eb('e.type', '=', filter.type))
        if (filter.legalRepIdNumber) all.push(eb('e.legal_rep_id_number', '=', filter.legalRepIdNumber))
        return eb.and(all)
      }
      const [rows, count] = await Promise.all([
        db.selectFrom('registries.entity as e').selectAll('e').where(where).orderBy('e.division_code').orderBy('e.name').orderBy('e.id').limit(page.limit).offset(page.offset).execute(),
        db.selectFrom('registries.entity as e').select((eb) => eb.fn.countAll<number>().as('n')).where(where).executeTakeFirstOrThrow(),
      ])
      return { rows, total: Number(count.n) }
    },
    /** Links entities to the person records of their legal representatives, where not yet linked. */
    async linkAllLegalRepresentatives(): Promise<void> {
      await sql`
        update registries.entity e set legal_rep_person_id = p.id
        from registries.person p
        where e.legal_rep_person_id is null and e.legal_rep_id_number = p.id_number`.execute(db)
    },

    // --- history ---------------------------------------------------------------------------
    async insertChanges(rows: ChangeRow[]): Promise<void> {
      if (rows.length > 0) await insertChunked('registries.change', rows)
    },
    async changesOf(recordType: ChangeRow['record_type'], recordId: string): Promise<ChangeRow[]> {
      return db.selectFrom('registries.change').selectAll().where('record_type', '=', recordType).where('record_id', '=', recordId).orderBy('at').orderBy('id').execute()
    },

    // --- credit ----------------------------------------------------------------------------
    async insertCreditEntries(rows: CreditRow[]): Promise<void> {
      await insertChunked('registries.credit_entry', rows)
    },
    async creditById(id: string): Promise<CreditRow | undefined> {
      return db.selectFrom('registries.credit_entry').selectAll().where('id', '=', id).executeTakeFirst()
    },
    async lockCredit(id: string): Promise<CreditRow | undefined> {
      return db.selectFrom('registries.credit_entry').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
    },
    async updateCredit(id: string, patch: Partial<CreditRow>): Promise<void> {
      await db.updateTable('registries.credit_entry').set(patch).where('id', '=', id).execute()
    },
    async listCredit(filter: CreditFilter, page: Page): Promise<{ rows: CreditRow[]; total: number }> {
      const where = (eb: ExpressionBuilder<RegistriesTables & { c: CreditRow }, 'c'>) => {
        const all: Expression<SqlBool>[] = []
        if (filter.prefixes) all.push(inPrefixes(eb, 'c.division_code', filter.prefixes))
        if (filter.subjectType) all.push(eb('c.subject_type', '=', filter.subjectType))
        if (filter.subjectId) all.push(eb('c.subject_id', '=', filter.subjectId))
        if (filter.list) all.push(eb('c.list', '=', filter.list))
        return eb.and(all)
      }
      const [rows, count] = await Promise.all([
        db.selectFrom('registries.credit_entry as c').selectAll('c').where(where).orderBy('c.valid_from', 'desc').orderBy('c.id').limit(page.limit).offset(page.offset).execute(),
        db.selectFrom('registries.credit_entry as c').select((eb) => eb.fn.countAll<number>().as('n')).where(where).executeTakeFirstOrThrow(),
      ])
      return { rows, total: Number(count.n) }
    },

    // --- spatial ---------------------------------------------------------------------------
    async insertAddressPoint(row: AddressPointRow): Promise<void> {
      await db.insertInto('registries.address_point').values(row).onConflict((oc) => oc.columns(['division_code', 'local_address']).doNothing()).execute()
    },
    /** Address points in a division or beneath it whose local address occurs in `text`, longest first. */
    async addressPointsIn(text: string, prefix: string | null): Promise<AddressPointRow[]> {
      let q = db
        .selectFrom('registries.address_point')
        .selectAll()
        .where(sql<boolean>`strpos(${text}, local_address) > 0`)
      if (prefix) q = q.where('division_code', 'like', `${prefix}%`)
      return q.orderBy(sql`length(local_address)`, 'desc').orderBy('division_code').limit(5).execute()
    },
    async addressPointsUnder(prefix: string): Promise<AddressPointRow[]> {
      return db.selectFrom('registries.address_point').selectAll().where('division_code', 'like', `${prefix}%`).orderBy('division_code').orderBy('local_address').execute()
    },
    async upsertBoundary(row: BoundaryRow): Promise<void> {
      await db
        .insertInto('registries.boundary')
        .values({ ...row, geometry: JSON.stringify(row.geometry) })
        .onConflict((oc) =>
          oc.column('division_code').doUpdateSet((eb) => ({
            name: eb.ref('excluded.name'),
            geometry: eb.ref('excluded.geometry'),
            center_lng: eb.ref('excluded.center_lng'),
            center_lat: eb.ref('excluded.center_lat'),
            approximate: eb.ref('excluded.approximate'),
            source: eb.ref('excluded.source'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .execute()
    },
    async boundaries(prefix: string | null): Promise<BoundaryRow[]> {
      let q = db.selectFrom('registries.boundary').selectAll()
      if (prefix) q = q.where('division_code', 'like', `${prefix}%`)
      return q.orderBy('division_code').execute()
    },

    // --- economy ---------------------------------------------------------------------------
    async upsertIndicatorValues(rows: IndicatorRow[]): Promise<{ created: number; updated: number }> {
      let created = 0
      for (let i = 0; i < rows.length; i += CHUNK) {
        const r = await sql<{ inserted: boolean }>`
          insert into registries.indicator_value (division_code, code, period, value, source, updated_at)
          select * from jsonb_to_recordset(${JSON.stringify(rows.slice(i, i + CHUNK))}::jsonb)
            as r(division_code text, code text, period text, value numeric, source text, updated_at timestamptz)
          on conflict (division_code, code, period) do update
            set value = excluded.value, source = excluded.source, updated_at = excluded.updated_at
          returning (xmax = 0) as inserted`.execute(db)
        created += r.rows.filter((x) => x.inserted).length
      }
      return { created, updated: rows.length - created }
    },
    async indicatorValues(filter: { divisionCode?: string; code?: string; from?: string; to?: string }): Promise<IndicatorRow[]> {
      let q = db.selectFrom('registries.indicator_value').selectAll()
      if (filter.divisionCode) q = q.where('division_code', '=', filter.divisionCode)
      if (filter.code) q = q.where('code', '=', filter.code)
      if (filter.from) q = q.where('period', '>=', filter.from)
      if (filter.to) q = q.where('period', '<=', `${filter.to}~`)
      return q.orderBy('division_code').orderBy('code').orderBy('period').limit(5000).execute()
    },

    // --- access log and imports --------------------------------------------------------------
    async insertAccessLog(row: AccessLogRow): Promise<void> {
      await db
        .insertInto('registries.access_log')
        .values({ ...row, record_ids: JSON.stringify(row.record_ids) as never, query: JSON.stringify(row.query) as never })
        .execute()
    },
    async listAccessLog(filter: { prefixes: string[] | null; actorId?: string; registry?: RegistryCode }, page: Page): Promise<{ rows: AccessLogRow[]; total: number }> {
      const where = (eb: ExpressionBuilder<RegistriesTables & { a: AccessLogRow }, 'a'>) => {
        const all: Expression<SqlBool>[] = []
        if (filter.prefixes) all.push(inPrefixes(eb, 'a.division_code', filter.prefixes))
        if (filter.actorId) all.push(eb('a.actor_id', '=', filter.actorId))
        if (filter.registry) all.push(eb('a.registry', '=', filter.registry))
        return eb.and(all)
      }
      const [rows, count] = await Promise.all([
        db.selectFrom('registries.access_log as a').selectAll('a').where(where).orderBy('a.at', 'desc').orderBy('a.id', 'desc').limit(page.limit).offset(page.offset).execute(),
        db.selectFrom('registries.access_log as a').select((eb) => eb.fn.countAll<number>().as('n')).where(where).executeTakeFirstOrThrow(),
      ])
      return { rows, total: Number(count.n) }
    },
    /** Row counts of each registry table (aggregates, no personal data). */
    async counts(): Promise<Record<'persons' | 'households' | 'entities' | 'creditEntries' | 'addressPoints' | 'boundaries' | 'indicatorValues', number>> {
      const r = await sql<Record<string, number>>`
        select (select count(*) from registries.person)::int as persons, (select count(*) from registries.household)::int as households,
          (select count(*) from registries.entity)::int as entities, (select count(*) from registries.credit_entry)::int as "creditEntries",
          (select count(*) from registries.address_point)::int as "addressPoints", (select count(*) from registries.boundary)::int as boundaries,
          (select count(*) from registries.indicator_value)::int as "indicatorValues"`.execute(db)
      const row = r.rows[0]!
      return {
        persons: Number(row.persons), households: Number(row.households), entities: Number(row.entities), creditEntries: Number(row.creditEntries),
        addressPoints: Number(row.addressPoints), boundaries: Number(row.boundaries), indicatorValues: Number(row.indicatorValues),
      }
    },
    async insertImportBatch(row: ImportBatchRow): Promise<void> {
      await db.insertInto('registries.import_batch').values(row).execute()
    },
  }
}

export type RegistriesStore = ReturnType<typeof createRegistriesStore>
