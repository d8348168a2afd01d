import type { Db } from '../../db/database.js'
import { isUniqueViolation } from '../../db/pg-errors.js'
import type { IdentityService } from '../identity/index.js'
import { checkCreditCode, checkIdNumber, isMobile, maskIdNumber, maskPhone, normalizePhone } from '../identity/index.js'
import type { Department, OrgService } from '../org/index.js'
import { systemActor, type AuditActor } from '../../platform/audit.js'
import type { Core } from '../../platform/core.js'
import { ForbiddenError, OutOfScopeError } from '../../platform/errors.js'
import { newId } from '../../platform/ids.js'
import { scrubPersonalData } from '../../platform/logger.js'
import { divisionPrefix, hasRole, staffRoles, visibleDivisions, type Principal } from '../../platform/roles.js'
import { covers, readScopes, revealsIn, visiblePrefixes, writeScopes, type Scope } from './access.js'
import {
  CreditEntryNotFoundError,
  EntityExistsError,
  EntityNotFoundError,
  HouseholdHasHeadError,
  HouseholdNotFoundError,
  HouseholdNumberTakenError,
  ImportRejectedError,
  InvalidCreditCodeError,
  InvalidDateError,
  InvalidIdNumberError,
  InvalidPhoneError,
  PersonExistsError,
  PersonNotFoundError,
  PurposeRequiredError,
  RelationWithoutHouseholdError,
  StaleVersionError,
  UnknownDepartmentError,
  UnknownDivisionError,
  UnknownSubjectError,
  UnreadableFileError,
  type RowError,
} from './errors.js'
import { registriesEvents } from './events.js'
import { createGeocoder, newBatch, type GeocodeBatch, type GeocodeOptions } from './geocode.js'
import {
  chinaToday,
  keyRows,
  parseDate,
  readCreditRow,
  readEntityRow as parseEntityRow,
  readIndicatorRow,
  readPersonRow as parsePersonRow,
  type CreditImportRow,
  type EntityImportRow,
  type IndicatorImportRow,
  type KeyedRow,
} from './imports.js'
import {
  createRegistriesStore,
  type AccessLogRow,
  type ChangeRow,
  type CreditRow,
  type EntityRow,
  type HouseholdRow,
  type PersonRow,
  type PersonWithHousehold,
  type RegistriesStore,
} from './store.js'
import { readCsv, readXlsx, TableFormatError, type Table } from './tabular.js'
import {
  indicators,
  importRegistry,
  type AccessLogEntry,
  type BoundaryFeature,
  type Change,
  type CreditEntry,
  type CreditList,
  type Entity,
  type EntityStatus,
  type EntityType,
  type GeocodeResult,
  type Geometry,
  type Household,
  type ImportKind,
  type IndicatorCode,
  type IndicatorSeries,
  type MaritalStatus,
  type Page,
  type PageRequest,
  type Person,
  type PersonStatus,
  type Registry,
  type RegistryCode,
  type Relation,
  type SubjectType,
} from './types.js'

/** What registries needs from the org module. */
export type OrgDirectory = Pick<OrgService, 'divisionExists' | 'searchDivisions' | 'listGridCells' | 'getDepartment' | 'listDepartments'>
/** What registries needs from identity: the ID number and credit code behind a signed-in account. */
export type IdentityDirectory = Pick<IdentityService, 'revealIdNumber' | 'getMe'>

export interface RegistriesDeps extends Pick<Core, 'db' | 'clock' | 'audit' | 'outbox'> {
  org: OrgDirectory
  identity: IdentityDirectory
}

/**
 * Who reads or writes: a signed-in principal, checked against the rules in access.ts, or
 * 'system' — the demo seeder, or another module that has already decided the access is lawful
 * (it still states a purpose, and names itself in `meta.via`).
 */
export type RegistriesActor = Principal | 'system'

/** Where a call came from, for the access log and the audit log. */
export interface AccessMeta {
  ip?: string | null
  userAgent?: string | null
  /** 'api' for HTTP requests; a module's name when it reads for its own work (e.g. 'cases'). */
  via?: string
}

export interface NewPerson {
  idNumber: string
  name: string
  ethnicity: string
  householdDivisionCode: string
  address?: string | null
  phone?: string | null
  maritalStatus?: MaritalStatus
  status?: PersonStatus
}

export interface PersonChanges {
  version: number
  name?: string
  ethnicity?: string
  householdDivisionCode?: string
  address?: string | null
  phone?: string | null
  maritalStatus?: MaritalStatus
  status?: PersonStatus
  /** Moves the person into a household (with `relation`), or out of it (both null). */
  householdId?: string | null
  relation?: Relation | null
}

export interface NewHousehold {
  divisionCode: string
  address?: string | null
  /** 户号; generated (county code + 6 digits) when omitted. */
  number?: string
  headPersonId: string
}

export interface NewEntity {
  creditCode: string
  name: string
  type: EntityType
  legalRepName?: string | null
  legalRepIdNumber?: string | null
  registeredCapital?: number | null
  registrationAuthority?: string | null
  /** Defaults to the division inside the credit code (positions 3–8). */
  divisionCode?: string
  address?: string | null
  businessScope?: string | null
  establishedOn?: string | null
  status?: EntityStatus
}

export interface EntityChanges {
  version: number
  name?: string
  type?: EntityType
  legalRepName?: string | null
  legalRepIdNumber?: string | null
  registeredCapital?: number | null
  registrationAuthority?: string | null
  address?: string | null
  businessScope?: string | null
  status?: EntityStatus
  /** The day the status changed; today when omitted. */
  statusChangedOn?: string
}

export interface NewCreditEntry {
  subjectType: SubjectType
  subjectId: string
  list: CreditList
  reason: string
  basis?: string | null
  sourceDepartmentId: string
  validFrom: string
  validTo?: string | null
}

export interface NewBoundary {
  divisionCode: string
  name: string
  geometry: Geometry
  center: [number, number]
  approximate: boolean
  source: string
}

export interface NewAddressPoint {
  divisionCode: string
  localAddress: string
  gridCode?: string | null
  lng?: number | null
  lat?: number | null
}

export interface ImportFile {
  format: 'csv' | 'xlsx'
  /** CSV text, or the workbook's bytes. */
  content: string | Buffer
}

export interface ImportResult {
  batchId: string | null
  kind: ImportKind
  dryRun: boolean
  rows: number
  created: number
  updated: number
}

/** The registries module's public service. */
export type RegistriesService = ReturnType<typeof createRegistriesService>

/** Most row errors one rejected import reports (the title counts them all). */
const MAX_REPORTED_ERRORS = 500

/** Digits of an address starred: the street and house number are what identifies a home. */
export function maskAddress(address: string): string {
  return address.replace(/[0-9０-９]/gu, '*')
}

function text(v: string | null | undefined): string | null {
  const s = v?.trim()
  return s ? s : null
}

/** Masks the value of a sensitive field in history rows and queries. */
function maskField(field: string, value: string | null): string | null {
  if (value === null) return null
  if (field === 'idNumber' || field === 'legalRepIdNumber') return maskIdNumber(value)
  if (field === 'phone') return maskPhone(value)
  if (field === 'address') return maskAddress(value)
  return value
}

function toPerson(r: PersonWithHousehold, revealed: boolean): Person {
  return {
    id: r.id,
    idNumber: revealed ? r.id_number : maskIdNumber(r.id_number),
    name: r.name,
    sex: r.sex,
    birthDate: r.birth_date,
    ethnicity: r.ethnicity,
    householdDivisionCode: r.household_division_code,
    address: r.address === null ? null : revealed ? r.address : maskAddress(r.address),
    addressDivisionCode: r.address_division_code,
    gridCode: r.grid_code,
    phone: r.phone === null ? null : revealed ? r.phone : maskPhone(r.phone),
    householdId: r.household_id,
    householdNumber: r.household_number,
    relation: r.relation,
    maritalStatus: r.marital_status,
    status: r.status,
    version: r.version,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
    revealed,
  }
}

function toEntity(r: EntityRow, revealed: boolean): Entity {
  return {
    id: r.id,
    creditCode: r.credit_code,
    name: r.name,
    type: r.type,
    legalRepresentative: {
      name: r.legal_rep_name,
      idNumber: r.legal_rep_id_number === null ? null : revealed ? r.legal_rep_id_number : maskIdNumber(r.legal_rep_id_number),
      personId: r.legal_rep_person_id,
    },
    registeredCapital: r.registered_capital === null ? null : Number(r.registered_capital),
    registrationAuthority: r.registration_authority,
    divisionCode: r.division_code,
    address: r.address,
    addressDivisionCode: r.address_division_code,
    gridCode: r.grid_code,
    businessScope: r.business_scope,
    establishedOn: r.established_on,
    status: r.status,
    statusChangedOn: r.status_changed_on,
    version: r.version,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
    revealed,
  }
}

function toChange(r: ChangeRow, revealed: boolean): Change {
  return {
    id: r.id,
    field: r.field,
    oldValue: revealed ? r.old_value : maskField(r.field, r.old_value),
    newValue: revealed ? r.new_value : maskField(r.field, r.new_value),
    at: new Date(r.at),
    actorId: r.actor_id,
    actorName: r.actor_name,
    source: r.source,
    revealed,
  }
}

function toAccessLog(r: AccessLogRow): AccessLogEntry {
  return {
    id: r.id, at: new Date(r.at), actorId: r.actor_id, actorKind: r.actor_kind, actorName: r.actor_name, via: r.via, registry: r.registry,
    action: r.action, recordIds: r.record_ids, resultCount: r.result_count, purpose: r.purpose, revealed: r.revealed, divisionCode: r.division_code,
  }
}

/**
 * The base registries: population (persons and households), legal entities, public credit,
 * spatial (geocoding, boundaries) and macro-economy. Every read states a purpose and leaves an
 * access-log row and an audit entry; every write runs in one transaction with its history rows,
 * audit entry and event. Reads mask ID numbers, phones and addresses unless the caller has a
 * need (see access.ts).
 */
export function createRegistriesService(deps: RegistriesDeps) {
  const { db, clock, audit, outbox, org, identity } = deps
  const store = createRegistriesStore(db)
  const geocoder = createGeocoder({ org, addressPoints: (t, prefix) => store.addressPointsIn(t, prefix), addressPointsUnder: (prefix) => store.addressPointsUnder(prefix) })

  // --- actors, scopes and the access log ----------------------------------------------------

  function auditActor(by: RegistriesActor, meta: AccessMeta): AuditActor {
    const where = { ip: meta.ip ?? null, userAgent: meta.userAgent?.slice(0, 300) ?? null }
    if (by === 'system') return { ...systemActor, ...where }
    return { actorId: by.accountId, actorKind: by.kind, actorName: by.name, ...where }
  }

  function checkPurpose(purpose: string): string {
    const p = scrubPersonalData(purpose?.trim() ?? '')
    if (p.length < 2) throw new PurposeRequiredError()
    return p.slice(0, 200)
  }

  async function scopesFor(by: RegistriesActor, registry: RegistryCode, mode: 'read' | 'write'): Promise<Scope[]> {
    if (by === 'system') return [{ divisionCode: null, reveal: true }]
    const owner = await store.owner(registry)
    return mode === 'read' ? readScopes(by, registry, owner) : writeScopes(by, owner)
  }

  /** The caller's own ID number when it is a signed-in person (self access). */
  async function ownIdNumber(by: RegistriesActor): Promise<string | null> {
    if (by === 'system' || by.kind !== 'person') return null
    return identity.revealIdNumber(by.accountId)
  }

  async function ownCreditCode(by: RegistriesActor): Promise<string | null> {
    if (by === 'system' || by.kind !== 'legal') return null
    return (await identity.getMe(by.accountId))?.creditCode ?? null
  }

  interface Access {
    registry: RegistryCode
    recordType: string
    action: string
    recordIds: string[]
    purpose: string
    revealed: boolean
    divisionCode: string | null
    query?: Record<string, unknown>
  }

  /** Writes the access-log row and its audit entry; a read whose log cannot be written fails. */
  async function logAccess(by: RegistriesActor, meta: AccessMeta, a: Access): Promise<void> {
    const actor = auditActor(by, meta)
    const id = newId('acl')
    await db.transaction().execute(async (trx) => {
      await createRegistriesStore(trx).insertAccessLog({
        id, at: clock.now(), actor_id: actor.actorId, actor_kind: actor.actorKind, actor_name: actor.actorName, via: meta.via ?? 'service',
        registry: a.registry, action: a.action, record_ids: a.recordIds.slice(0, 1000), result_count: a.recordIds.length, purpose: a.purpose,
        revealed: a.revealed, division_code: a.divisionCode, query: a.query ?? {},
      })
      await audit.record(trx, actor, {
        action: `registries.${a.recordType}.${a.action}`,
        targetType: a.recordType,
        targetId: a.recordIds.length === 1 ? a.recordIds[0] : undefined,
        divisionCode: a.divisionCode,
        detail: { purpose: a.purpose, count: a.recordIds.length, revealed: a.revealed, via: meta.via ?? 'service', accessLogId: id },
        // Identifiers shown in full are security-relevant: the ledger keeps a digest of the entry.
        security: a.revealed,
      })
    })
  }

  /** Records a refused read or write, then throws the refusal. */
  async function refuse(by: RegistriesActor, meta: AccessMeta, err: Error, e: { action: string; recordType: string; targetId?: string; divisionCode?: string | null; purpose?: string }): Promise<never> {
    await db.transaction().execute((trx) =>
      audit.record(trx, auditActor(by, meta), {
        action: `registries.${e.recordType}.${e.action}`, outcome: 'failure', targetType: e.recordType, targetId: e.targetId,
        divisionCode: e.divisionCode ?? null, detail: { reason: err instanceof OutOfScopeError ? 'out-of-scope' : 'forbidden', purpose: e.purpose ?? null, via: meta.via ?? 'service' },
      }),
    )
    throw err
  }

  /**
   * The caller's scopes for a registry, or a 403 when it has none. Signed-in persons and legal
   * accounts pass with no scopes when `allowSelf` (their own record is checked after the lookup).
   */
  async function gate(by: RegistriesActor, registry: RegistryCode, mode: 'read' | 'write', allowSelf = false): Promise<Scope[]> {
    const scopes = await scopesFor(by, registry, mode)
    if (scopes.length === 0 && !(allowSelf && by !== 'system' && (by.kind === 'person' || by.kind === 'legal'))) throw new ForbiddenError()
    return scopes
  }

  /**
   * Decides a read of one record in `divisionCode`: self access (always in full), or a scope
   * that covers the division. Returns whether identifiers are shown in full; refusals are logged.
   */
  async function authorizeRecord(
    by: RegistriesActor, meta: AccessMeta, scopes: Scope[], divisionCode: string, isSelf: boolean,
    e: { action: string; recordType: string; targetId: string; purpose: string },
  ): Promise<boolean> {
    if (isSelf) return true
    if (covers(scopes, divisionCode)) return revealsIn(scopes, divisionCode)
    return refuse(by, meta, scopes.length === 0 ? new ForbiddenError() : new OutOfScopeError(), { ...e, divisionCode })
  }

  function assertWriteIn(scopes: Scope[], divisionCode: string): void {
    if (!covers(scopes, divisionCode)) throw new OutOfScopeError()
  }

  /** Runs a write; the outbox is nudged after commit, and a late unique violation becomes `onDuplicate`. */
  async function write<T>(fn: (trx: Db) => Promise<T>, onDuplicate?: () => Error): Promise<T> {
    try {
      const result = await db.transaction().execute(fn)
      outbox.nudge()
      return result
    } catch (err) {
      if (onDuplicate && isUniqueViolation(err)) throw onDuplicate()
      throw err
    }
  }

  function changeRows(recordType: ChangeRow['record_type'], recordId: string, diffs: [string, unknown, unknown][], actor: AuditActor, source: string): ChangeRow[] {
    const at = clock.now()
    const str = (v: unknown) => (v === null || v === undefined ? null : String(v))
    return diffs.map(([field, from, to]) => ({
      id: newId('chg'), record_type: recordType, record_id: recordId, field, old_value: str(from), new_value: str(to), at,
      actor_id: actor.actorId, actor_name: actor.actorName, source,
    }))
  }

  async function assertDivision(code: string): Promise<void> {
    if (!(await org.divisionExists(code))) throw new UnknownDivisionError(code)
  }

  async function departmentOf(id: string): Promise<Department | null> {
    try {
      return await org.getDepartment(id)
    } catch {
      return null
    }
  }

  /** The division and grid cell of an address, for storage beside it. */
  async function locate(address: string | null, within: string, batch?: GeocodeBatch): Promise<{ address_division_code: string | null; grid_code: string | null }> {
    if (!address) return { address_division_code: null, grid_code: null }
    const g = await geocoder.geocode(address, { within, batch })
    return { address_division_code: g.divisionCode, grid_code: g.gridCode }
  }

  function validPhone(phone: string | null | undefined): string | null {
    const p = text(phone)
    if (p === null) return null
    const n = normalizePhone(p)
    if (!isMobile(n)) throw new InvalidPhoneError()
    return n
  }

  function validDate(value: string | null | undefined, field: string, opts: { notAfterToday?: boolean } = {}): string | null {
    if (value === null || value === undefined || value === '') return null
    const d = parseDate(value)
    if (!d || (opts.notAfterToday && d > chinaToday(clock.now()))) throw new InvalidDateError(field)
    return d
  }

  async function nextHouseholdNumber(tx: RegistriesStore, divisionCode: string): Promise<string> {
    const county = divisionCode.slice(0, 6)
    const last = await tx.lastHouseholdNumber(county)
    const seq = last ? Number(last.slice(6)) + 1 : 1
    return `${county}${String(seq).padStart(6, '0')}`
  }

  /** Checks a household move and returns the household row (locked) it moves into, if any. */
  async function checkMembership(tx: RegistriesStore, scopes: Scope[], personId: string, householdId: string | null, relation: Relation | null): Promise<HouseholdRow | null> {
    if ((householdId === null) !== (relation === null)) throw new RelationWithoutHouseholdError()
    if (householdId === null) return null
    const household = await tx.lockHousehold(householdId)
    if (!household) throw new HouseholdNotFoundError()
    assertWriteIn(scopes, household.division_code)
    if (relation === 'head') {
      const head = await tx.headOf(householdId)
      if (head && head.id !== personId) throw new HouseholdHasHeadError()
    }
    return household
  }

  // --- persons and entities: one reader for both kinds of record ---------------------------

  /** What differs between reading a person (population registry) and an entity (legal persons). */
  interface RecordKind<R extends { id: string }, V> {
    registry: RegistryCode
    recordType: 'person' | 'entity'
    byId(id: string): Promise<R | undefined>
    byKey(key: string): Promise<R | undefined>
    /** The key as stored: ID numbers and credit codes trimmed, in upper case. */
    normalizeKey(key: string): string
    /** How a lookup's key goes into the access log (an ID number masked). */
    loggedKey(key: string): Record<string, string>
    keyOf(row: R): string
    divisionOf(row: R): string
    /** The caller's own key (their ID number or credit code): self access. */
    ownKey(by: RegistriesActor): Promise<string | null>
    /** The key behind an account. */
    accountKey(accountId: string): Promise<string | null>
    /** Whether a record's subject sees it in full: a person does; an enterprise sees its representative's ID number masked like anyone. */
    selfSeesInFull: boolean
    view(row: R, revealed: boolean): V
    notFound(): Error
  }

  /** Reads of one kind of record: every read authorized by scope or self access, and logged. */
  function recordReader<R extends { id: string }, V>(k: RecordKind<R, V>) {
    /** Authorizes and logs a read of `row`; whether its identifiers are shown in full. */
    async function decide(row: R, purpose: string, by: RegistriesActor, meta: AccessMeta, scopes: Scope[], action: string): Promise<boolean> {
      const isSelf = (await k.ownKey(by)) === k.keyOf(row)
      const allowed = await authorizeRecord(by, meta, scopes, k.divisionOf(row), isSelf, { action, recordType: k.recordType, targetId: row.id, purpose })
      const revealed = allowed && (k.selfSeesInFull || !isSelf)
      await logAccess(by, meta, { registry: k.registry, recordType: k.recordType, action, recordIds: [row.id], purpose, revealed, divisionCode: k.divisionOf(row) })
      return revealed
    }

    /** The record by id; 403 for a caller with no scope at all, 404 for the others. */
    async function found(id: string, purpose: string, by: RegistriesActor): Promise<{ row: R; why: string; scopes: Scope[] }> {
      const why = checkPurpose(purpose)
      const scopes = await gate(by, k.registry, 'read', true)
      const row = await k.byId(id)
      if (!row) {
        if (scopes.length === 0) throw new ForbiddenError()
        throw k.notFound()
      }
      return { row, why, scopes }
    }

    async function read(row: R, purpose: string, by: RegistriesActor, meta: AccessMeta, scopes: Scope[], action: string): Promise<V> {
      return k.view(row, await decide(row, purpose, by, meta, scopes, action))
    }

    /** The record with this key, or null (the lookup is logged either way). */
    async function byKey(key: string, purpose: string, by: RegistriesActor, meta: AccessMeta = {}): Promise<V | null> {
      const why = checkPurpose(purpose)
      const scopes = await gate(by, k.registry, 'read', true)
      const normalized = k.normalizeKey(key)
      const row = await k.byKey(normalized)
      if (!row) {
        if (scopes.length === 0 && (await k.ownKey(by)) !== normalized) throw new ForbiddenError()
        await logAccess(by, meta, { registry: k.registry, recordType: k.recordType, action: 'lookup', recordIds: [], purpose: why, revealed: false, divisionCode: null, query: k.loggedKey(key) })
        return null
      }
      return read(row, why, by, meta, scopes, 'lookup')
    }

    return {
      read,
      byKey,
      async get(id: string, purpose: string, by: RegistriesActor, meta: AccessMeta = {}): Promise<V> {
        const { row, why, scopes } = await found(id, purpose, by)
        return read(row, why, by, meta, scopes, 'read')
      },
      /** The record behind an account (a person's ID number, an enterprise's credit code), or null. */
      async forAccount(accountId: string, purpose: string, by: RegistriesActor, meta: AccessMeta = {}): Promise<V | null> {
        checkPurpose(purpose)
        const key = await k.accountKey(accountId)
        return key ? byKey(key, purpose, by, meta) : null
      },
      /** Every recorded change, oldest first; values masked unless the caller sees the record in full. */
      async history(id: string, purpose: string, by: RegistriesActor, meta: AccessMeta = {}): Promise<Change[]> {
        const { row, why, scopes } = await found(id, purpose, by)
        const revealed = await decide(row, why, by, meta, scopes, 'history')
        return (await store.changesOf(k.recordType, row.id)).map((c) => toChange(c, revealed))
      },
    }
  }

  const upper = (key: string) => key.trim().toUpperCase()

  const persons = recordReader<PersonWithHousehold, Person>({
    registry: 'population',
    recordType: 'person',
    byId: (id) => store.personById(id),
    byKey: (idNumber) => store.personByIdNumber(idNumber),
    normalizeKey: upper,
    loggedKey: (idNumber) => ({ idNumber: maskIdNumber(idNumber) }),
    keyOf: (r) => r.id_number,
    divisionOf: (r) => r.household_division_code,
    ownKey: ownIdNumber,
    accountKey: (accountId) => identity.revealIdNumber(accountId),
    selfSeesInFull: true,
    view: toPerson,
    notFound: () => new PersonNotFoundError(),
  })

  const entities = recordReader<EntityRow, Entity>({
    registry: 'entity',
    recordType: 'entity',
    byId: (id) => store.entityById(id),
    byKey: (code) => store.entityByCreditCode(code),
    normalizeKey: upper,
    loggedKey: (code) => ({ creditCode: upper(code) }),
    keyOf: (r) => r.credit_code,
    divisionOf: (r) => r.division_code,
    ownKey: ownCreditCode,
    accountKey: async (accountId) => (await identity.getMe(accountId))?.creditCode ?? null,
    selfSeesInFull: false,
    view: toEntity,
    notFound: () => new EntityNotFoundError(),
  })

  // --- households ---------------------------------------------------------------------------

  async function householdView(household: HouseholdRow, by: RegistriesActor, scopes: Scope[], selfId: string | null): Promise<Household> {
    const members = await store.householdMembers(household.id)
    return {
      id: household.id,
      number: household.number,
      divisionCode: household.division_code,
      address: household.address,
      members: members.map((m) => {
        const revealed = m.id_number === selfId || (selfId === null && (by === 'system' || revealsIn(scopes, m.household_division_code)))
        return {
          personId: m.id, name: m.name, relation: m.relation as Relation, sex: m.sex, birthDate: m.birth_date,
          idNumber: revealed ? m.id_number : maskIdNumber(m.id_number), revealed,
        }
      }),
    }
  }

  async function readHousehold(household: HouseholdRow, purpose: string, by: RegistriesActor, meta: AccessMeta, scopes: Scope[]): Promise<Household> {
    const own = await ownIdNumber(by)
    let isMember = false
    if (own) isMember = (await store.householdMembers(household.id)).some((m) => m.id_number === own)
    const revealed = await authorizeRecord(by, meta, scopes, household.division_code, isMember, { action: 'read', recordType: 'household', targetId: household.id, purpose })
    const view = await householdView(household, by, scopes, isMember ? own : null)
    await logAccess(by, meta, {
      registry: 'population', recordType: 'household', action: 'read', recordIds: [household.id, ...view.members.map((m) => m.personId)], purpose,
      // A member reading their own household is self access, not a disclosure to the ledger.
      revealed: revealed && !isMember, divisionCode: household.division_code,
    })
    return view
  }

  // --- credit -------------------------------------------------------------------------------

  function toCredit(r: CreditRow, revealed: boolean): CreditEntry {
    const today = chinaToday(clock.now())
    return {
      id: r.id, subjectType: r.subject_type, subjectId: r.subject_id, subjectName: r.subject_name,
      subjectCode: r.subject_type === 'person' && !revealed ? maskIdNumber(r.subject_code) : r.subject_code,
      divisionCode: r.division_code, list: r.list, reason: r.reason, basis: r.basis, sourceDepartmentId: r.source_department_id,
      sourceDepartmentName: r.source_department_name, validFrom: r.valid_from, validTo: r.valid_to,
      active: r.valid_from <= today && (r.valid_to === null || r.valid_to >= today), createdAt: new Date(r.created_at),
    }
  }

  async function subjectOf(type: SubjectType, id: string): Promise<{ id: string; name: string; code: string; divisionCode: string } | null> {
    if (type === 'person') {
      const p = await store.personById(id)
      return p ? { id: p.id, name: p.name, code: p.id_number, divisionCode: p.household_division_code } : null
    }
    const e = await store.entityById(id)
    return e ? { id: e.id, name: e.name, code: e.credit_code, divisionCode: e.division_code } : null
  }

  // --- imports ------------------------------------------------------------------------------

  interface Plan {
    rows: number
    created: number
    updated: number
    /** Divisions the rows write into (checked against the caller's scope before anything is written). */
    divisions: Set<string>
    write(trx: Db, actor: AuditActor, source: string): Promise<void>
  }

  function divisionChecker() {
    const cache = new Map<string, Promise<boolean>>()
    return (code: string) => {
      let hit = cache.get(code)
      if (!hit) {
        hit = org.divisionExists(code)
        cache.set(code, hit)
      }
      return hit
    }
  }

  /** Reports well-formed division codes that do not exist, on every row (also rows failing other checks). */
  async function checkDivisions(rows: KeyedRow[], key: string, exists: (code: string) => Promise<boolean>, errors: RowError[]): Promise<void> {
    for (const r of rows) {
      const code = r.get(key)
      if (/^(\d{6}|\d{9}|\d{12})$/.test(code) && !(await exists(code))) errors.push({ row: r.row, column: r.header(key), code: 'unknown-division', params: { value: code } })
    }
  }

  function readRows<T extends { row: number }>(rows: KeyedRow[], read: (r: KeyedRow) => { value: T | null; errors: RowError[] }, keyOf: (v: T) => string, keyColumn: string, errors: RowError[]): T[] {
    const seen = new Map<string, number>()
    const values: T[] = []
    for (const r of rows) {
      const { value, errors: e } = read(r)
      errors.push(...e)
      if (!value) continue
      const key = keyOf(value)
      const first = seen.get(key)
      if (first !== undefined) {
        errors.push({ row: r.row, column: r.header(keyColumn), code: 'duplicate-in-file', params: { first } })
        continue
      }
      seen.set(key, r.row)
      values.push(value)
    }
    return values
  }

  async function planPersons(rows: KeyedRow[], errors: RowError[]): Promise<Plan> {
    const now = clock.now()
    const exists = divisionChecker()
    const values = readRows(rows, (r) => parsePersonRow(r, now), (v) => v.idNumber, 'idNumber', errors)
    const header = (row: number, key: string) => rows.find((r) => r.row === row)!.header(key)
    await checkDivisions(rows, 'householdDivisionCode', exists, errors)
    const existing = new Map((await store.personsByIdNumbers(values.map((v) => v.idNumber))).map((p) => [p.id_number, p]))
    const numbers = [...new Set(values.map((v) => v.householdNumber).filter((n): n is string => !!n))]
    const households = new Map((await store.householdsByNumbers(numbers)).map((h) => [h.number, h]))
    const inFile = new Set(values.map((v) => v.idNumber))
    const byHousehold = new Map<string, typeof values>()
    for (const v of values) if (v.householdNumber) byHousehold.set(v.householdNumber, [...(byHousehold.get(v.householdNumber) ?? []), v])
    const standingHeads = await store.headsOf([...households.values()].map((h) => h.id))
    for (const [n, members] of byHousehold) {
      const heads = members.filter((v) => v.relation === 'head')
      const household = households.get(n)
      const standing = household ? standingHeads.filter((m) => m.household_id === household.id && !inFile.has(m.id_number)) : []
      if (heads.length + standing.length > 1) {
        for (const h of heads) errors.push({ row: h.row, column: header(h.row, 'relation'), code: 'household-two-heads', params: { value: n } })
      } else if (!household && heads.length === 0) {
        errors.push({ row: members[0]!.row, column: header(members[0]!.row, 'householdNumber'), code: 'household-without-head', params: { value: n } })
      }
    }
    const located = new Map<number, Awaited<ReturnType<typeof locate>>>()
    const batch = newBatch()
    if (errors.length === 0) for (const v of values) located.set(v.row, await locate(v.address, v.householdDivisionCode, batch))
    const created = values.filter((v) => !existing.has(v.idNumber)).length

    return {
      rows: values.length,
      created,
      updated: values.length - created,
      divisions: new Set(values.map((v) => v.householdDivisionCode)),
      async write(trx, actor, source) {
        const tx = createRegistriesStore(trx)
        const at = clock.now()
        const householdIds = new Map([...households].map(([n, h]) => [n, h.id]))
        const newHouseholds: HouseholdRow[] = []
        for (const n of numbers.filter((x) => !households.has(x))) {
          const head = byHousehold.get(n)!.find((v) => v.relation === 'head')!
          const row: HouseholdRow = { id: newId('hh'), number: n, division_code: head.householdDivisionCode, address: head.address, created_at: at, updated_at: at }
          newHouseholds.push(row)
          householdIds.set(n, row.id)
        }
        await tx.insertHouseholds(newHouseholds)

        const inserts: PersonRow[] = []
        const replaced: PersonRow[] = []
        const changes: ChangeRow[] = []
        for (const v of values) {
          const loc = located.get(v.row) ?? { address_division_code: null, grid_code: null }
          const householdId = v.householdNumber ? householdIds.get(v.householdNumber)! : null
          const current = existing.get(v.idNumber)
          if (!current) {
            const id = newId('prs')
            inserts.push({
              id, id_number: v.idNumber, name: v.name, sex: v.sex, birth_date: v.birthDate, ethnicity: v.ethnicity,
              household_division_code: v.householdDivisionCode, address: v.address, ...loc, phone: v.phone, household_id: householdId,
              relation: householdId ? v.relation : null, marital_status: v.maritalStatus ?? 'unknown', status: v.status ?? 'active', version: 1,
              source, created_at: at, updated_at: at,
            })
            changes.push(...changeRows('person', id, [['record', null, 'created']], actor, source))
            continue
          }
          // Empty optional cells keep what the registry has.
          const next: Partial<PersonRow> = { name: v.name, ethnicity: v.ethnicity, household_division_code: v.householdDivisionCode }
          if (v.address !== null) Object.assign(next, { address: v.address, ...loc })
          if (v.phone !== null) next.phone = v.phone
          if (v.maritalStatus !== null) next.marital_status = v.maritalStatus
          if (v.status !== null) next.status = v.status
          if (householdId) Object.assign(next, { household_id: householdId, relation: v.relation })
          const diffs = personDiffs(current, next)
          if (diffs.length === 0) continue
          replaced.push({ ...current, ...next, version: current.version + 1, updated_at: at })
          changes.push(...changeRows('person', current.id, diffs, actor, source))
        }
        // Someone stepping down as head is written first, so the one-head index holds at every statement.
        const isHead = (p: PersonRow) => p.relation === 'head'
        await tx.replacePersons(replaced.filter((p) => !isHead(p)))
        await tx.replacePersons(replaced.filter(isHead))
        await tx.insertPersons(inserts)
        await tx.insertChanges(changes)
        await tx.linkAllLegalRepresentatives()
      },
    }
  }

  async function planEntities(rows: KeyedRow[], errors: RowError[]): Promise<Plan> {
    const now = clock.now()
    const exists = divisionChecker()
    const values = readRows(rows, (r) => parseEntityRow(r, now), (v) => v.creditCode, 'creditCode', errors)
    const header = (row: number, key: string) => rows.find((r) => r.row === row)!.header(key)
    const divisionOf = (v: EntityImportRow) => v.divisionCode ?? v.creditDivisionCode
    await checkDivisions(rows, 'divisionCode', exists, errors)
    for (const v of values) {
      if (!v.divisionCode && !(await exists(v.creditDivisionCode))) {
        errors.push({ row: v.row, column: header(v.row, 'creditCode'), code: 'unknown-division', params: { value: v.creditDivisionCode } })
      }
    }
    const existing = new Map((await store.entitiesByCreditCodes(values.map((v) => v.creditCode))).map((e) => [e.credit_code, e]))
    const reps = new Map((await store.personsByIdNumbers(values.map((v) => v.legalRepIdNumber).filter((x): x is string => !!x))).map((p) => [p.id_number, p.id]))
    const located = new Map<number, Awaited<ReturnType<typeof locate>>>()
    const batch = newBatch()
    if (errors.length === 0) for (const v of values) located.set(v.row, await locate(v.address, divisionOf(v), batch))
    const created = values.filter((v) => !existing.has(v.creditCode)).length
    const today = chinaToday(now)

    return {
      rows: values.length,
      created,
      updated: values.length - created,
      divisions: new Set(values.map(divisionOf)),
      async write(trx, actor, source) {
        const tx = createRegistriesStore(trx)
        const at = clock.now()
        const inserts: EntityRow[] = []
        const changes: ChangeRow[] = []
        for (const v of values) {
          const loc = located.get(v.row) ?? { address_division_code: null, grid_code: null }
          const rep = v.legalRepIdNumber ? (reps.get(v.legalRepIdNumber) ?? null) : null
          const current = existing.get(v.creditCode)
          if (!current) {
            const id = newId('ent')
            inserts.push({
              id, credit_code: v.creditCode, name: v.name, type: v.type, legal_rep_name: v.legalRepName, legal_rep_id_number: v.legalRepIdNumber,
              legal_rep_person_id: rep, registered_capital: v.registeredCapital, registration_authority: v.registrationAuthority,
              division_code: divisionOf(v), address: v.address, ...loc, business_scope: v.businessScope, established_on: v.establishedOn,
              status: v.status ?? 'active', status_changed_on: null, version: 1, source, created_at: at, updated_at: at,
            })
            changes.push(...changeRows('entity', id, [['record', null, 'created']], actor, source))
            continue
          }
          const next: Partial<EntityRow> = { name: v.name, type: v.type }
          if (v.divisionCode) next.division_code = v.divisionCode
          if (v.legalRepName !== null) next.legal_rep_name = v.legalRepName
          if (v.legalRepIdNumber !== null) Object.assign(next, { legal_rep_id_number: v.legalRepIdNumber, legal_rep_person_id: rep })
          if (v.registeredCapital !== null) next.registered_capital = v.registeredCapital
          if (v.registrationAuthority !== null) next.registration_authority = v.registrationAuthority
          if (v.address !== null) Object.assign(next, { address: v.address, ...loc })
          if (v.businessScope !== null) next.business_scope = v.businessScope
          if (v.establishedOn !== null) next.established_on = v.establishedOn
          if (v.status !== null && v.status !== current.status) Object.assign(next, { status: v.status, status_changed_on: today })
          const diffs = entityDiffs(current, next)
          if (diffs.length === 0) continue
          await tx.updateEntity(current.id, { ...next, version: current.version + 1, updated_at: at })
          changes.push(...changeRows('entity', current.id, diffs, actor, source))
        }
        await tx.insertEntities(inserts)
        await tx.insertChanges(changes)
      },
    }
  }

  async function planCredit(rows: KeyedRow[], errors: RowError[]): Promise<Plan> {
    const now = clock.now()
    const values: CreditImportRow[] = []
    for (const r of rows) {
      const { value, errors: e } = readCreditRow(r, now)
      errors.push(...e)
      if (value) values.push(value)
    }
    const header = (row: number, key: string) => rows.find((r) => r.row === row)!.header(key)
    const persons = new Map((await store.personsByIdNumbers(values.filter((v) => v.subjectType === 'person').map((v) => v.subjectCode))).map((p) => [p.id_number, p]))
    const entities = new Map((await store.entitiesByCreditCodes(values.filter((v) => v.subjectType === 'entity').map((v) => v.subjectCode))).map((e) => [e.credit_code, e]))
    const departments = new Map<string, Department | null>()
    async function department(ref: string): Promise<Department | null> {
      if (!departments.has(ref)) {
        const found = ref.startsWith('dept_')
          ? await departmentOf(ref)
          : ((await org.listDepartments({ q: ref }, { page: 1, pageSize: 100 })).items.find((d) => d.name === ref) ?? null)
        departments.set(ref, found)
      }
      return departments.get(ref)!
    }
    const resolved: { v: CreditImportRow; subject: { id: string; name: string; divisionCode: string }; department: Department }[] = []
    for (const v of values) {
      const p = v.subjectType === 'person' ? persons.get(v.subjectCode) : undefined
      const e = v.subjectType === 'entity' ? entities.get(v.subjectCode) : undefined
      const subject = p ? { id: p.id, name: p.name, divisionCode: p.household_division_code } : e ? { id: e.id, name: e.name, divisionCode: e.division_code } : null
      if (!subject) errors.push({ row: v.row, column: header(v.row, 'subjectCode'), code: 'unknown-subject', params: { value: v.subjectType === 'person' ? maskIdNumber(v.subjectCode) : v.subjectCode } })
      const dept = await department(v.sourceDepartment)
      if (!dept) errors.push({ row: v.row, column: header(v.row, 'sourceDepartment'), code: 'unknown-department', params: { value: v.sourceDepartment } })
      if (subject && dept) resolved.push({ v, subject, department: dept })
    }
    return {
      rows: values.length,
      created: values.length,
      updated: 0,
      divisions: new Set(resolved.map((x) => x.subject.divisionCode)),
      async write(trx) {
        const at = clock.now()
        await createRegistriesStore(trx).insertCreditEntries(
          resolved.map(({ v, subject, department }) => ({
            id: newId('crd'), subject_type: v.subjectType, subject_id: subject.id, subject_name: subject.name, subject_code: v.subjectCode,
            division_code: subject.divisionCode, list: v.list, reason: v.reason, basis: v.basis, source_department_id: department.id,
            source_department_name: department.name, valid_from: v.validFrom, valid_to: v.validTo, created_at: at, updated_at: at,
          })),
        )
      },
    }
  }

  async function planIndicators(rows: KeyedRow[], errors: RowError[]): Promise<Plan> {
    const exists = divisionChecker()
    const values = readRows(rows, readIndicatorRow, (v: IndicatorImportRow) => `${v.divisionCode}|${v.code}|${v.period}`, 'period', errors)
    await checkDivisions(rows, 'divisionCode', exists, errors)
    let counted = { created: 0, updated: 0 }
    return {
      rows: values.length,
      get created() {
        return counted.created
      },
      get updated() {
        return counted.updated
      },
      divisions: new Set(values.map((v) => v.divisionCode)),
      async write(trx, _actor, source) {
        const at = clock.now()
        counted = await createRegistriesStore(trx).upsertIndicatorValues(
          values.map((v) => ({ division_code: v.divisionCode, code: v.code, period: v.period, value: v.value, source, updated_at: at })),
        )
      },
    }
  }

  async function readTable(file: ImportFile): Promise<{ table: Table; cellErrors: RowError[] }> {
    if (file.format === 'csv') return { table: readCsv(typeof file.content === 'string' ? file.content : file.content.toString('utf8')), cellErrors: [] }
    const bytes = typeof file.content === 'string' ? Buffer.from(file.content, 'base64') : file.content
    const { table, problems } = await readXlsx(bytes)
    return { table, cellErrors: problems.map((p) => ({ row: p.row, column: table.headers[p.column - 1] ?? String(p.column), code: p.code })) }
  }

  // --- the service --------------------------------------------------------------------------

  return {
    /** The registries with their owner departments (catalog metadata, not registry content). */
    async listRegistries(by: RegistriesActor): Promise<Registry[]> {
      if (by !== 'system' && !hasRole(by, ...staffRoles)) throw new ForbiddenError()
      const rows = await store.registries()
      return Promise.all(
        rows.map(async (r) => ({
          code: r.code,
          ownerDepartmentId: r.owner_department_id,
          ownerDepartmentName: r.owner_department_id ? ((await departmentOf(r.owner_department_id))?.name ?? null) : null,
          updatedAt: new Date(r.updated_at),
        })),
      )
    },

    /**
     * Names the department that owns a registry; its staff then read and write it in full.
     * Platform-wide platform admins only.
     * @throws ForbiddenError, UnknownDepartmentError
     */
    async setOwner(by: RegistriesActor, registry: RegistryCode, departmentId: string | null, meta: AccessMeta = {}): Promise<Registry> {
      if (by !== 'system' && !by.grants.some((g) => g.role === 'platform_admin' && g.divisionCode === null)) throw new ForbiddenError()
      const department = departmentId ? await departmentOf(departmentId) : null
      if (departmentId && !department) throw new UnknownDepartmentError()
      const before = await store.owner(registry)
      const at = clock.now()
      await write(async (trx) => {
        await createRegistriesStore(trx).setOwner(registry, departmentId, at)
        await audit.record(trx, auditActor(by, meta), {
          action: 'registries.owner.changed', targetType: 'registry', targetId: registry, divisionCode: department?.divisionCode ?? null,
          detail: { from: before, to: departmentId }, security: true,
        })
        await outbox.add(trx, registriesEvents.ownerChanged({ registry, ownerDepartmentId: departmentId }))
      })
      return { code: registry, ownerDepartmentId: departmentId, ownerDepartmentName: department?.name ?? null, updatedAt: at }
    },

    // ---- population ---------------------------------------------------------------------------

    /**
     * Persons in the caller's divisions, by name part or ID-number prefix; always masked.
     * @throws PurposeRequiredError, ForbiddenError, OutOfScopeError (a division filter outside the caller's)
     */
    async searchPersons(
      query: { q?: string; divisionCode?: string; householdId?: string },
      page: PageRequest,
      purpose: string,
      by: RegistriesActor,
      meta: AccessMeta = {},
    ): Promise<Page<Person>> {
      const why = checkPurpose(purpose)
      const scopes = await gate(by, 'population', 'read')
      if (query.divisionCode && !covers(scopes, query.divisionCode)) {
        return refuse(by, meta, new OutOfScopeError(), { action: 'search', recordType: 'person', divisionCode: query.divisionCode, purpose: why })
      }
      const q = query.q?.trim() ?? ''
      const isId = /^\d{1,17}[\dXx]?$/.test(q)
      const { rows, total } = await store.listPersons(
        {
          prefixes: visiblePrefixes(scopes),
          divisionPrefix: query.divisionCode ? divisionPrefix(query.divisionCode) : undefined,
          idPrefix: isId ? q.toUpperCase() : undefined,
          name: q && !isId ? q : undefined,
          householdId: query.householdId,
        },
        { limit: page.pageSize, offset: (page.page - 1) * page.pageSize },
      )
      await logAccess(by, meta, {
        registry: 'population', recordType: 'person', action: 'search', recordIds: rows.map((r) => r.id), purpose: why, revealed: false,
        divisionCode: query.divisionCode ?? null,
        query: { q: isId && q.length > 4 ? `${q.slice(0, 4)}…` : q, divisionCode: query.divisionCode ?? null, householdId: query.householdId ?? null, page: page.page },
      })
      return { items: rows.map((r) => toPerson(r, false)), total, page: page.page, pageSize: page.pageSize }
    },

    /**
     * One person; ID number, phone and address in full for the owner department, platform
     * admins and the person themself.
     * @throws PurposeRequiredError, ForbiddenError, PersonNotFoundError, OutOfScopeError
     */
    getPerson: persons.get,
    /** The person with this ID number, or null (the lookup is logged either way). */
    getPersonByIdNumber: persons.byKey,
    /** The person behind a natural-person account (via its ID number), or null. */
    getPersonForAccount: persons.forAccount,
    /** Every recorded change of a person, oldest first; values masked unless the caller sees the record in full. */
    personHistory: persons.history,

    /**
     * A household with its members (the citizen's own members: only their own ID number in full).
     * @throws PurposeRequiredError, ForbiddenError, HouseholdNotFoundError, OutOfScopeError
     */
    async getHousehold(id: string, purpose: string, by: RegistriesActor, meta: AccessMeta = {}): Promise<Household> {
      const why = checkPurpose(purpose)
      const scopes = await gate(by, 'population', 'read', true)
      const household = await store.householdById(id)
      if (!household) {
        if (scopes.length === 0) throw new ForbiddenError()
        throw new HouseholdNotFoundError()
      }
      return readHousehold(household, why, by, meta, scopes)
    },

    /** The household a person belongs to, with its members; null when the person has none. */
    async listHousehold(personId: string, purpose: string, by: RegistriesActor, meta: AccessMeta = {}): Promise<Household | null> {
      const why = checkPurpose(purpose)
      const scopes = await gate(by, 'population', 'read', true)
      const person = await store.personById(personId)
      if (!person) {
        if (scopes.length === 0) throw new ForbiddenError()
        throw new PersonNotFoundError()
      }
      if (!person.household_id) {
        await persons.read(person, why, by, meta, scopes, 'household')
        return null
      }
      return readHousehold((await store.householdById(person.household_id))!, why, by, meta, scopes)
    },

    /** The household of the person behind an account (the citizen's own 户口簿), or null. */
    async householdForAccount(accountId: string, purpose: string, by: RegistriesActor, meta: AccessMeta = {}): Promise<Household | null> {
      const why = checkPurpose(purpose)
      const scopes = await gate(by, 'population', 'read', true)
      const idNumber = await identity.revealIdNumber(accountId)
      const person = idNumber ? await store.personByIdNumber(idNumber) : undefined
      if (!person) {
        if (scopes.length === 0 && (await ownIdNumber(by)) !== idNumber) throw new ForbiddenError()
        return null
      }
      if (!person.household_id) {
        await persons.read(person, why, by, meta, scopes, 'household')
        return null
      }
      return readHousehold((await store.householdById(person.household_id))!, why, by, meta, scopes)
    },

    /**
     * Adds a person. Sex and birth date come from the ID number (GB 11643).
     * @throws ForbiddenError, OutOfScopeError, InvalidIdNumberError, UnknownDivisionError, InvalidPhoneError, PersonExistsError
     */
    async createPerson(by: RegistriesActor, input: NewPerson, meta: AccessMeta = {}): Promise<Person> {
      const scopes = await gate(by, 'population', 'write')
      const id = checkIdNumber(input.idNumber, clock.now())
      if (!id.ok) throw new InvalidIdNumberError(id.problem)
      assertWriteIn(scopes, input.householdDivisionCode)
      await assertDivision(input.householdDivisionCode)
      const phone = validPhone(input.phone)
      const address = text(input.address)
      const loc = await locate(address, input.householdDivisionCode)
      const actor = auditActor(by, meta)
      const personId = await write(
        async (trx) => {
          const tx = createRegistriesStore(trx)
          if (await tx.personByIdNumber(id.idNumber)) throw new PersonExistsError()
          const at = clock.now()
          const source = meta.via ?? 'api'
          const row: PersonRow = {
            id: newId('prs'), id_number: id.idNumber, name: input.name.trim(), sex: id.sex, birth_date: id.birthDate, ethnicity: input.ethnicity,
            household_division_code: input.householdDivisionCode, address, ...loc, phone, household_id: null, relation: null,
            marital_status: input.maritalStatus ?? 'unknown', status: input.status ?? 'active', version: 1, source, created_at: at, updated_at: at,
          }
          await tx.insertPersons([row])
          await tx.insertChanges(changeRows('person', row.id, [['record', null, 'created']], actor, source))
          await tx.linkAllLegalRepresentatives()
          await audit.record(trx, actor, { action: 'registries.person.created', targetType: 'person', targetId: row.id, divisionCode: row.household_division_code })
          await outbox.add(trx, registriesEvents.personCreated({ personId: row.id, divisionCode: row.household_division_code }))
          return row.id
        },
        () => new PersonExistsError(),
      )
      return toPerson((await store.personById(personId))!, by === 'system' || revealsIn(scopes, input.householdDivisionCode))
    },

    /**
     * Changes a person if `version` is current; each changed field becomes a history row. Moving
     * into a household takes `householdId` and `relation` together.
     * @throws PersonNotFoundError, StaleVersionError, ForbiddenError, OutOfScopeError, UnknownDivisionError,
     *   InvalidPhoneError, HouseholdNotFoundError, HouseholdHasHeadError, RelationWithoutHouseholdError
     */
    async updatePerson(by: RegistriesActor, id: string, input: PersonChanges, meta: AccessMeta = {}): Promise<Person> {
      const scopes = await gate(by, 'population', 'write')
      const actor = auditActor(by, meta)
      const source = meta.via ?? 'api'
      const phone = input.phone === undefined ? undefined : validPhone(input.phone)
      // Lookups through other modules run before the transaction: on PGlite it holds the only connection.
      const before = await store.personById(id)
      if (!before) throw new PersonNotFoundError()
      if (input.householdDivisionCode !== undefined) await assertDivision(input.householdDivisionCode)
      const located = input.address === undefined ? null : await locate(text(input.address), input.householdDivisionCode ?? before.household_division_code)
      await write(async (trx) => {
        const tx = createRegistriesStore(trx)
        const current = await tx.lockPerson(id)
        if (!current) throw new PersonNotFoundError()
        assertWriteIn(scopes, current.household_division_code)
        if (current.version !== input.version) throw new StaleVersionError()
        const next: Partial<PersonRow> = {}
        if (input.name !== undefined) next.name = input.name.trim()
        if (input.ethnicity !== undefined) next.ethnicity = input.ethnicity
        if (input.householdDivisionCode !== undefined && input.householdDivisionCode !== current.household_division_code) {
          assertWriteIn(scopes, input.householdDivisionCode)
          next.household_division_code = input.householdDivisionCode
        }
        if (located) Object.assign(next, { address: text(input.address), ...located })
        if (phone !== undefined) next.phone = phone
        if (input.maritalStatus !== undefined) next.marital_status = input.maritalStatus
        if (input.status !== undefined) next.status = input.status
        if (input.householdId !== undefined || input.relation !== undefined) {
          const householdId = input.householdId !== undefined ? input.householdId : current.household_id
          const relation = input.relation !== undefined ? input.relation : current.relation
          await checkMembership(tx, scopes, id, householdId, relation)
          next.household_id = householdId
          next.relation = relation
        }
        const diffs = personDiffs(current, next)
        if (diffs.length === 0) return
        await tx.updatePerson(id, { ...next, version: current.version + 1, updated_at: clock.now() })
        await tx.insertChanges(changeRows('person', id, diffs, actor, source))
        const divisionCode = next.household_division_code ?? current.household_division_code
        const changed = diffs.map(([f]) => f)
        await audit.record(trx, actor, { action: 'registries.person.updated', targetType: 'person', targetId: id, divisionCode, detail: { changed, version: current.version + 1 } })
        await outbox.add(trx, registriesEvents.personUpdated({ personId: id, divisionCode, changed }))
      })
      const row = (await store.personById(id))!
      return toPerson(row, by === 'system' || revealsIn(scopes, row.household_division_code))
    },

    /**
     * Opens a household (户) with its head; other members join with `updatePerson`.
     * @throws ForbiddenError, OutOfScopeError, UnknownDivisionError, PersonNotFoundError, HouseholdNumberTakenError
     */
    async createHousehold(by: RegistriesActor, input: NewHousehold, meta: AccessMeta = {}): Promise<Household> {
      const scopes = await gate(by, 'population', 'write')
      assertWriteIn(scopes, input.divisionCode)
      await assertDivision(input.divisionCode)
      const actor = auditActor(by, meta)
      const source = meta.via ?? 'api'
      const householdId = await write(
        async (trx) => {
          const tx = createRegistriesStore(trx)
          const head = await tx.lockPerson(input.headPersonId)
          if (!head) throw new PersonNotFoundError()
          assertWriteIn(scopes, head.household_division_code)
          const at = clock.now()
          const row: HouseholdRow = {
            id: newId('hh'), number: input.number?.trim() || (await nextHouseholdNumber(tx, input.divisionCode)), division_code: input.divisionCode,
            address: text(input.address) ?? head.address, created_at: at, updated_at: at,
          }
          if ((await tx.householdsByNumbers([row.number])).length > 0) throw new HouseholdNumberTakenError()
          await tx.insertHouseholds([row])
          const diffs = personDiffs(head, { household_id: row.id, relation: 'head' })
          await tx.updatePerson(head.id, { household_id: row.id, relation: 'head', version: head.version + 1, updated_at: at })
          await tx.insertChanges(changeRows('person', head.id, diffs, actor, source))
          await audit.record(trx, actor, {
            action: 'registries.household.created', targetType: 'household', targetId: row.id, divisionCode: row.division_code,
            detail: { number: row.number, headPersonId: head.id },
          })
          await outbox.add(trx, registriesEvents.householdCreated({ householdId: row.id, divisionCode: row.division_code, headPersonId: head.id }))
          return row.id
        },
        () => new HouseholdNumberTakenError(),
      )
      return householdView((await store.householdById(householdId))!, by, scopes, null)
    },

    // ---- legal entities ------------------------------------------------------------------------

    /**
     * Entities in the caller's divisions, by name part or credit-code prefix; legal
     * representatives' ID numbers masked.
     */
    async searchEntities(
      query: { q?: string; divisionCode?: string; status?: EntityStatus; type?: EntityType },
      page: PageRequest,
      purpose: string,
      by: RegistriesActor,
      meta: AccessMeta = {},
    ): Promise<Page<Entity>> {
      const why = checkPurpose(purpose)
      const scopes = await gate(by, 'entity', 'read')
      if (query.divisionCode && !covers(scopes, query.divisionCode)) {
        return refuse(by, meta, new OutOfScopeError(), { action: 'search', recordType: 'entity', divisionCode: query.divisionCode, purpose: why })
      }
      const q = query.q?.trim() ?? ''
      const isCode = /^[0-9A-HJ-NPQRTUWXY]{2,18}$/i.test(q) && /\d/.test(q)
      const { rows, total } = await store.listEntities(
        {
          prefixes: visiblePrefixes(scopes),
          divisionPrefix: query.divisionCode ? divisionPrefix(query.divisionCode) : undefined,
          codePrefix: isCode ? q.toUpperCase() : undefined,
          name: q && !isCode ? q : undefined,
          status: query.status,
          type: query.type,
        },
        { limit: page.pageSize, offset: (page.page - 1) * page.pageSize },
      )
      await logAccess(by, meta, {
        registry: 'entity', recordType: 'entity', action: 'search', recordIds: rows.map((r) => r.id), purpose: why, revealed: false,
        divisionCode: query.divisionCode ?? null, query: { q, divisionCode: query.divisionCode ?? null, status: query.status ?? null, type: query.type ?? null, page: page.page },
      })
      return { items: rows.map((r) => toEntity(r, false)), total, page: page.page, pageSize: page.pageSize }
    },

    /** @throws PurposeRequiredError, ForbiddenError, EntityNotFoundError, OutOfScopeError */
    getEntity: entities.get,
    /** The entity with this credit code, or null (the lookup is logged either way). */
    getEntityByCreditCode: entities.byKey,
    /** The entity behind a legal-person account (via its credit code), or null. */
    getEntityForAccount: entities.forAccount,
    entityHistory: entities.history,

    /**
     * Registers an entity. The division defaults to the credit code's (GB 32100 positions 3–8).
     * @throws ForbiddenError, OutOfScopeError, InvalidCreditCodeError, InvalidIdNumberError, UnknownDivisionError, InvalidDateError, EntityExistsError
     */
    async createEntity(by: RegistriesActor, input: NewEntity, meta: AccessMeta = {}): Promise<Entity> {
      const scopes = await gate(by, 'entity', 'write')
      const cc = checkCreditCode(input.creditCode)
      if (!cc.ok) throw new InvalidCreditCodeError(cc.problem)
      const divisionCode = input.divisionCode ?? cc.divisionCode
      assertWriteIn(scopes, divisionCode)
      await assertDivision(divisionCode)
      const rep = text(input.legalRepIdNumber)
      const repId = rep ? checkIdNumber(rep, clock.now()) : null
      if (repId && !repId.ok) throw new InvalidIdNumberError(repId.problem)
      const establishedOn = validDate(input.establishedOn, 'establishedOn', { notAfterToday: true })
      const address = text(input.address)
      const loc = await locate(address, divisionCode)
      const actor = auditActor(by, meta)
      const source = meta.via ?? 'api'
      const entityId = await write(
        async (trx) => {
          const tx = createRegistriesStore(trx)
          if (await tx.entityByCreditCode(cc.creditCode)) throw new EntityExistsError()
          const repIdNumber = repId?.ok ? repId.idNumber : null
          const at = clock.now()
          const row: EntityRow = {
            id: newId('ent'), credit_code: cc.creditCode, name: input.name.trim(), type: input.type, legal_rep_name: text(input.legalRepName),
            legal_rep_id_number: repIdNumber, legal_rep_person_id: repIdNumber ? ((await tx.personByIdNumber(repIdNumber))?.id ?? null) : null,
            registered_capital: input.registeredCapital ?? null, registration_authority: text(input.registrationAuthority), division_code: divisionCode,
            address, ...loc, business_scope: text(input.businessScope), established_on: establishedOn, status: input.status ?? 'active',
            status_changed_on: null, version: 1, source, created_at: at, updated_at: at,
          }
          await tx.insertEntities([row])
          await tx.insertChanges(changeRows('entity', row.id, [['record', null, 'created']], actor, source))
          await audit.record(trx, actor, { action: 'registries.entity.created', targetType: 'entity', targetId: row.id, divisionCode, detail: { creditCode: row.credit_code } })
          await outbox.add(trx, registriesEvents.entityCreated({ entityId: row.id, creditCode: row.credit_code, divisionCode }))
          return row.id
        },
        () => new EntityExistsError(),
      )
      return toEntity((await store.entityById(entityId))!, by === 'system' || revealsIn(scopes, divisionCode))
    },

    /**
     * Changes an entity if `version` is current; a status change (存续/注销/吊销) records its day.
     * @throws EntityNotFoundError, StaleVersionError, ForbiddenError, OutOfScopeError, InvalidIdNumberError, InvalidDateError
     */
    async updateEntity(by: RegistriesActor, id: string, input: EntityChanges, meta: AccessMeta = {}): Promise<Entity> {
      const scopes = await gate(by, 'entity', 'write')
      const actor = auditActor(by, meta)
      const source = meta.via ?? 'api'
      const rep = input.legalRepIdNumber === undefined ? undefined : text(input.legalRepIdNumber)
      const repId = rep ? checkIdNumber(rep, clock.now()) : null
      if (repId && !repId.ok) throw new InvalidIdNumberError(repId.problem)
      const statusDay = validDate(input.statusChangedOn, 'statusChangedOn', { notAfterToday: true }) ?? chinaToday(clock.now())
      const before = await store.entityById(id)
      if (!before) throw new EntityNotFoundError()
      const located = input.address === undefined ? null : await locate(text(input.address), before.division_code)
      await write(async (trx) => {
        const tx = createRegistriesStore(trx)
        const current = await tx.lockEntity(id)
        if (!current) throw new EntityNotFoundError()
        assertWriteIn(scopes, current.division_code)
        if (current.version !== input.version) throw new StaleVersionError()
        const next: Partial<EntityRow> = {}
        if (input.name !== undefined) next.name = input.name.trim()
        if (input.type !== undefined) next.type = input.type
        if (input.legalRepName !== undefined) next.legal_rep_name = text(input.legalRepName)
        if (rep !== undefined) {
          const repIdNumber = repId?.ok ? repId.idNumber : null
          next.legal_rep_id_number = repIdNumber
          next.legal_rep_person_id = repIdNumber ? ((await tx.personByIdNumber(repIdNumber))?.id ?? null) : null
        }
        if (input.registeredCapital !== undefined) next.registered_capital = input.registeredCapital
        if (input.registrationAuthority !== undefined) next.registration_authority = text(input.registrationAuthority)
        if (located) Object.assign(next, { address: text(input.address), ...located })
        if (input.businessScope !== undefined) next.business_scope = text(input.businessScope)
        if (input.status !== undefined && input.status !== current.status) Object.assign(next, { status: input.status, status_changed_on: statusDay })
        const diffs = entityDiffs(current, next)
        if (diffs.length === 0) return
        await tx.updateEntity(id, { ...next, version: current.version + 1, updated_at: clock.now() })
        await tx.insertChanges(changeRows('entity', id, diffs, actor, source))
        const changed = diffs.map(([f]) => f)
        await audit.record(trx, actor, { action: 'registries.entity.updated', targetType: 'entity', targetId: id, divisionCode: current.division_code, detail: { changed, version: current.version + 1 } })
        await outbox.add(trx, registriesEvents.entityUpdated({ entityId: id, creditCode: current.credit_code, divisionCode: current.division_code, changed, status: next.status ?? current.status }))
      })
      const row = (await store.entityById(id))!
      return toEntity(row, by === 'system' || revealsIn(scopes, row.division_code))
    },

    // ---- public credit -------------------------------------------------------------------------

    /**
     * Red- and black-list entries of one person or entity (by id, or by ID number / credit code).
     * A citizen may read their own, an enterprise its own.
     * @throws PurposeRequiredError, ForbiddenError, UnknownSubjectError, OutOfScopeError
     */
    async creditEntriesFor(subject: { type: SubjectType; id?: string; code?: string }, purpose: string, by: RegistriesActor, meta: AccessMeta = {}): Promise<CreditEntry[]> {
      const why = checkPurpose(purpose)
      const scopes = await gate(by, 'credit', 'read', true)
      let subjectId = subject.id
      if (!subjectId && subject.code) {
        const code = subject.code.trim().toUpperCase()
        subjectId = subject.type === 'person' ? (await store.personByIdNumber(code))?.id : (await store.entityByCreditCode(code))?.id
      }
      const found = subjectId ? await subjectOf(subject.type, subjectId) : null
      if (!found) {
        if (scopes.length === 0) throw new ForbiddenError()
        throw new UnknownSubjectError()
      }
      const isSelf = subject.type === 'person' ? (await ownIdNumber(by)) === found.code : (await ownCreditCode(by)) === found.code
      const revealed = await authorizeRecord(by, meta, scopes, found.divisionCode, isSelf, { action: 'read', recordType: 'credit', targetId: found.id, purpose: why })
      const { rows } = await store.listCredit({ prefixes: null, subjectType: subject.type, subjectId: found.id }, { limit: 1000, offset: 0 })
      await logAccess(by, meta, { registry: 'credit', recordType: 'credit', action: 'read', recordIds: rows.map((r) => r.id), purpose: why, revealed, divisionCode: found.divisionCode, query: { subjectType: subject.type, subjectId: found.id } })
      return rows.map((r) => toCredit(r, revealed))
    },

    /** Credit entries in the caller's divisions; person subjects' ID numbers masked. */
    async listCreditEntries(
      query: { subjectType?: SubjectType; subjectId?: string; list?: CreditList },
      page: PageRequest,
      purpose: string,
      by: RegistriesActor,
      meta: AccessMeta = {},
    ): Promise<Page<CreditEntry>> {
      const why = checkPurpose(purpose)
      const scopes = await gate(by, 'credit', 'read')
      const { rows, total } = await store.listCredit({ prefixes: visiblePrefixes(scopes), ...query }, { limit: page.pageSize, offset: (page.page - 1) * page.pageSize })
      await logAccess(by, meta, { registry: 'credit', recordType: 'credit', action: 'search', recordIds: rows.map((r) => r.id), purpose: why, revealed: false, divisionCode: null, query: { ...query, page: page.page } })
      return { items: rows.map((r) => toCredit(r, false)), total, page: page.page, pageSize: page.pageSize }
    },

    /**
     * Lists a person or entity on the red or black list.
     * @throws ForbiddenError, OutOfScopeError, UnknownSubjectError, UnknownDepartmentError, InvalidDateError
     */
    async addCreditEntry(by: RegistriesActor, input: NewCreditEntry, meta: AccessMeta = {}): Promise<CreditEntry> {
      const scopes = await gate(by, 'credit', 'write')
      const subject = await subjectOf(input.subjectType, input.subjectId)
      if (!subject) throw new UnknownSubjectError()
      assertWriteIn(scopes, subject.divisionCode)
      const department = await departmentOf(input.sourceDepartmentId)
      if (!department) throw new UnknownDepartmentError()
      const validFrom = validDate(input.validFrom, 'validFrom')
      if (!validFrom) throw new InvalidDateError('validFrom')
      const validTo = validDate(input.validTo, 'validTo')
      if (validTo && validTo < validFrom) throw new InvalidDateError('validTo')
      const actor = auditActor(by, meta)
      const at = clock.now()
      const row: CreditRow = {
        id: newId('crd'), subject_type: input.subjectType, subject_id: subject.id, subject_name: subject.name, subject_code: subject.code,
        division_code: subject.divisionCode, list: input.list, reason: input.reason.trim(), basis: text(input.basis), source_department_id: department.id,
        source_department_name: department.name, valid_from: validFrom, valid_to: validTo, created_at: at, updated_at: at,
      }
      await write(async (trx) => {
        await createRegistriesStore(trx).insertCreditEntries([row])
        await audit.record(trx, actor, {
          action: 'registries.credit-entry.added', targetType: 'credit', targetId: row.id, divisionCode: row.division_code,
          detail: { subjectType: row.subject_type, subjectId: row.subject_id, list: row.list, sourceDepartmentId: row.source_department_id },
        })
        await outbox.add(trx, registriesEvents.creditEntryAdded({ entryId: row.id, subjectType: row.subject_type, subjectId: row.subject_id, list: row.list, divisionCode: row.division_code }))
      })
      // A write states no purpose and logs no read: the answer shows a person's ID number masked.
      return toCredit(row, by === 'system')
    },

    /**
     * Ends an entry early (修复 / 移出): sets its last day.
     * @throws CreditEntryNotFoundError, ForbiddenError, OutOfScopeError, InvalidDateError
     */
    async endCreditEntry(by: RegistriesActor, id: string, input: { validTo: string }, meta: AccessMeta = {}): Promise<CreditEntry> {
      const scopes = await gate(by, 'credit', 'write')
      const validTo = validDate(input.validTo, 'validTo')
      if (!validTo) throw new InvalidDateError('validTo')
      const actor = auditActor(by, meta)
      await write(async (trx) => {
        const tx = createRegistriesStore(trx)
        const current = await tx.lockCredit(id)
        if (!current) throw new CreditEntryNotFoundError()
        assertWriteIn(scopes, current.division_code)
        if (validTo < current.valid_from) throw new InvalidDateError('validTo')
        if (validTo === current.valid_to) return
        await tx.updateCredit(id, { valid_to: validTo, updated_at: clock.now() })
        await tx.insertChanges(changeRows('credit', id, [['validTo', current.valid_to, validTo]], actor, meta.via ?? 'api'))
        await audit.record(trx, actor, { action: 'registries.credit-entry.ended', targetType: 'credit', targetId: id, divisionCode: current.division_code, detail: { validTo } })
        await outbox.add(trx, registriesEvents.creditEntryEnded({ entryId: id, validTo }))
      })
      const row = (await store.creditById(id))!
      return toCredit(row, by === 'system')
    },

    // ---- spatial -------------------------------------------------------------------------------

    /** Address text → division (to the community), grid cell and point where known. Not logged: no registry record is read. */
    geocode(address: string, opts: GeocodeOptions = {}): Promise<GeocodeResult> {
      return geocoder.geocode(address, opts)
    },

    /** Geocoding for a caller who states why (the HTTP route); logged like every registry read. */
    async geocodeFor(address: string, purpose: string, by: RegistriesActor, meta: AccessMeta = {}, opts: GeocodeOptions = {}): Promise<GeocodeResult> {
      const why = checkPurpose(purpose)
      await gate(by, 'spatial', 'read')
      const result = await geocoder.geocode(address, opts)
      await logAccess(by, meta, {
        registry: 'spatial', recordType: 'address', action: 'geocode', recordIds: result.divisionCode ? [result.divisionCode] : [], purpose: why, revealed: false,
        divisionCode: result.divisionCode, query: { address: maskAddress(result.address) },
      })
      return result
    },

    /** District outlines as GeoJSON features (the demo's are approximate: `approximate: true`). */
    async boundaries(query: { within?: string }, purpose: string, by: RegistriesActor, meta: AccessMeta = {}): Promise<BoundaryFeature[]> {
      const why = checkPurpose(purpose)
      await gate(by, 'spatial', 'read')
      const rows = await store.boundaries(query.within ? divisionPrefix(query.within) : null)
      await logAccess(by, meta, { registry: 'spatial', recordType: 'boundary', action: 'read', recordIds: rows.map((r) => r.division_code), purpose: why, revealed: false, divisionCode: query.within ?? null, query })
      return rows.map((r) => ({
        type: 'Feature',
        id: r.division_code,
        geometry: (typeof r.geometry === 'string' ? JSON.parse(r.geometry) : r.geometry) as Geometry,
        properties: { divisionCode: r.division_code, name: r.name, center: [r.center_lng, r.center_lat], approximate: r.approximate, source: r.source },
      }))
    },

    /** Stores a division's outline (seeding and admin tools). */
    async upsertBoundary(by: RegistriesActor, input: NewBoundary, meta: AccessMeta = {}): Promise<void> {
      const scopes = await gate(by, 'spatial', 'write')
      assertWriteIn(scopes, input.divisionCode)
      await assertDivision(input.divisionCode)
      await write(async (trx) => {
        await createRegistriesStore(trx).upsertBoundary({
          division_code: input.divisionCode, name: input.name, geometry: input.geometry, center_lng: input.center[0], center_lat: input.center[1],
          approximate: input.approximate, source: input.source, updated_at: clock.now(),
        })
        await audit.record(trx, auditActor(by, meta), { action: 'registries.boundary.saved', targetType: 'boundary', targetId: input.divisionCode, divisionCode: input.divisionCode, detail: { approximate: input.approximate, source: input.source } })
      })
    },

    /** Adds a standard address (community + street and number) with its grid cell and point. */
    async addAddressPoint(by: RegistriesActor, input: NewAddressPoint, meta: AccessMeta = {}): Promise<void> {
      const scopes = await gate(by, 'spatial', 'write')
      assertWriteIn(scopes, input.divisionCode)
      await assertDivision(input.divisionCode)
      const localAddress = input.localAddress.normalize('NFKC').replace(/\s+/gu, '')
      await write(async (trx) => {
        await createRegistriesStore(trx).insertAddressPoint({
          id: newId('adr'), division_code: input.divisionCode, local_address: localAddress, grid_code: input.gridCode ?? null, lng: input.lng ?? null,
          lat: input.lat ?? null, created_at: clock.now(),
        })
        await audit.record(trx, auditActor(by, meta), { action: 'registries.address-point.added', targetType: 'address_point', divisionCode: input.divisionCode, detail: { gridCode: input.gridCode ?? null } })
      })
    },

    // ---- macro-economy -------------------------------------------------------------------------

    /** One indicator's values for a division, by period (dashboards). */
    async indicatorSeries(divisionCode: string, code: IndicatorCode, purpose: string, by: RegistriesActor, meta: AccessMeta = {}): Promise<IndicatorSeries> {
      const why = checkPurpose(purpose)
      await gate(by, 'economy', 'read')
      const rows = await store.indicatorValues({ divisionCode, code })
      await logAccess(by, meta, { registry: 'economy', recordType: 'indicator', action: 'read', recordIds: [`${divisionCode}:${code}`], purpose: why, revealed: false, divisionCode, query: { code } })
      return { divisionCode, code, unit: indicators[code], points: rows.map((r) => ({ period: r.period, value: Number(r.value) })) }
    },

    /** Series of several indicators and divisions (divisionCode exact; code, from/to optional). */
    async listIndicators(query: { divisionCode?: string; code?: IndicatorCode; from?: string; to?: string }, purpose: string, by: RegistriesActor, meta: AccessMeta = {}): Promise<IndicatorSeries[]> {
      const why = checkPurpose(purpose)
      await gate(by, 'economy', 'read')
      const rows = await store.indicatorValues(query)
      const series = new Map<string, IndicatorSeries>()
      for (const r of rows) {
        const key = `${r.division_code}:${r.code}`
        let s = series.get(key)
        if (!s) {
          s = { divisionCode: r.division_code, code: r.code as IndicatorCode, unit: indicators[r.code as IndicatorCode] ?? 'yuan', points: [] }
          series.set(key, s)
        }
        s.points.push({ period: r.period, value: Number(r.value) })
      }
      await logAccess(by, meta, { registry: 'economy', recordType: 'indicator', action: 'search', recordIds: [...series.keys()], purpose: why, revealed: false, divisionCode: query.divisionCode ?? null, query })
      return [...series.values()]
    },

    /** Stores indicator values (upsert by division, code and period). */
    async putIndicatorValues(by: RegistriesActor, values: { divisionCode: string; code: IndicatorCode; period: string; value: number }[], source: string, meta: AccessMeta = {}): Promise<{ created: number; updated: number }> {
      const scopes = await gate(by, 'economy', 'write')
      for (const v of new Set(values.map((x) => x.divisionCode))) assertWriteIn(scopes, v)
      return write(async (trx) => {
        const at = clock.now()
        const counts = await createRegistriesStore(trx).upsertIndicatorValues(values.map((v) => ({ division_code: v.divisionCode, code: v.code, period: v.period, value: v.value, source, updated_at: at })))
        await audit.record(trx, auditActor(by, meta), { action: 'registries.indicators.saved', targetType: 'indicator', detail: { ...counts, source } })
        return counts
      })
    },

    // ---- bulk import -----------------------------------------------------------------------------

    /**
     * Imports a CSV or Excel table of persons, entities, credit entries or indicator values. Every
     * row is checked first (ID check digits, credit codes, divisions, dates, duplicates,
     * households…); if any fails, nothing is written and all failures are reported by row and
     * column. Otherwise all rows are written in one transaction (existing records updated, each
     * change a history row). `dryRun` checks without writing.
     * @throws ForbiddenError, UnreadableFileError, ImportRejectedError, OutOfScopeError
     */
    async importTable(by: RegistriesActor, kind: ImportKind, file: ImportFile, opts: { dryRun?: boolean } = {}, meta: AccessMeta = {}): Promise<ImportResult> {
      const registry = importRegistry[kind]
      const scopes = await gate(by, registry, 'write')
      const actor = auditActor(by, meta)
      const rejectAttempt = async (detail: Record<string, unknown>) => {
        await db.transaction().execute((trx) =>
          audit.record(trx, actor, { action: 'registries.import.rejected', outcome: 'failure', targetType: 'import', detail: { kind, format: file.format, ...detail } }),
        )
      }
      if (file.format === 'xlsx' && typeof file.content === 'string' && !/^[A-Za-z0-9+/=\s]*$/.test(file.content)) {
        await rejectAttempt({ reason: 'bad-base64' })
        throw new UnreadableFileError('bad-base64')
      }
      let table: Table
      const errors: RowError[] = []
      try {
        const read = await readTable(file)
        table = read.table
        errors.push(...read.cellErrors)
      } catch (err) {
        if (!(err instanceof TableFormatError)) throw err
        await rejectAttempt({ reason: err.reason })
        throw new UnreadableFileError(err.reason)
      }
      const keyed = keyRows(kind, table)
      errors.push(...keyed.errors)
      const planners = { persons: planPersons, entities: planEntities, 'credit-entries': planCredit, indicators: planIndicators }
      const plan = keyed.errors.length === 0 ? await planners[kind](keyed.rows, errors) : null
      if (errors.length > 0 || !plan) {
        const columnIndex = (e: RowError) => (e.column === null ? -1 : table.headers.indexOf(e.column))
        const sorted = errors.sort((a, b) => a.row - b.row || columnIndex(a) - columnIndex(b))
        await rejectAttempt({ rows: table.rows.length, errors: sorted.length })
        throw new ImportRejectedError(sorted.slice(0, MAX_REPORTED_ERRORS), sorted.length)
      }
      if ([...plan.divisions].some((d) => !covers(scopes, d))) {
        await rejectAttempt({ rows: table.rows.length, reason: 'out-of-scope' })
        throw new OutOfScopeError()
      }
      if (opts.dryRun) return { batchId: null, kind, dryRun: true, rows: plan.rows, created: plan.created, updated: plan.updated }
      const batchId = newId('imp')
      const source = `import:${batchId}`
      const result = await write(async (trx) => {
        await plan.write(trx, actor, source)
        const row = { id: batchId, kind, format: file.format, rows: plan.rows, created: plan.created, updated: plan.updated, at: clock.now(), actor_id: actor.actorId, actor_name: actor.actorName }
        await createRegistriesStore(trx).insertImportBatch(row)
        const divisions = [...plan.divisions]
        await audit.record(trx, actor, {
          action: 'registries.import.committed', targetType: 'import', targetId: batchId, divisionCode: divisions.length === 1 ? divisions[0] : null,
          detail: { kind, format: file.format, rows: plan.rows, created: plan.created, updated: plan.updated },
        })
        await outbox.add(trx, registriesEvents.importCommitted({ batchId, kind, rows: plan.rows, created: plan.created, updated: plan.updated }))
        return { batchId, kind, dryRun: false, rows: plan.rows, created: plan.created, updated: plan.updated }
      })
      return result
    },

    /** How many records each registry holds: aggregates with no personal data, so not logged (dashboards, seeding). */
    async stats(): Promise<Awaited<ReturnType<RegistriesStore['counts']>>> {
      return store.counts()
    },

    // ---- access log ------------------------------------------------------------------------------

    /** Who read what and why: platform admins see all, data admins their divisions. */
    async listAccessLog(by: RegistriesActor, query: { actorId?: string; registry?: RegistryCode }, page: PageRequest): Promise<Page<AccessLogEntry>> {
      let prefixes: string[] | null = null
      if (by !== 'system') {
        if (!hasRole(by, 'platform_admin', 'data_admin')) throw new ForbiddenError()
        const divisions = visibleDivisions(by, 'platform_admin', 'data_admin')
        prefixes = divisions ? divisions.map(divisionPrefix) : null
      }
      const { rows, total } = await store.listAccessLog({ prefixes, ...query }, { limit: page.pageSize, offset: (page.page - 1) * page.pageSize })
      return { items: rows.map(toAccessLog), total, page: page.page, pageSize: page.pageSize }
    },
  }
}

// --- diffs --------------------------------------------------------------------------------------

const personFields: [keyof PersonRow, string][] = [
  ['name', 'name'], ['ethnicity', 'ethnicity'], ['household_division_code', 'householdDivisionCode'], ['address', 'address'], ['phone', 'phone'],
  ['marital_status', 'maritalStatus'], ['status', 'status'], ['household_id', 'householdId'], ['relation', 'relation'],
]

/** [field, old, new] for each field that changes (derived columns such as the geocode are not history). */
function personDiffs(current: PersonRow, next: Partial<PersonRow>): [string, unknown, unknown][] {
  return personFields.filter(([col]) => col in next && next[col] !== current[col]).map(([col, field]) => [field, current[col], next[col]])
}

const entityFields: [keyof EntityRow, string][] = [
  ['name', 'name'], ['type', 'type'], ['legal_rep_name', 'legalRepName'], ['legal_rep_id_number', 'legalRepIdNumber'],
  ['registered_capital', 'registeredCapital'], ['registration_authority', 'registrationAuthority'], ['division_code', 'divisionCode'],
  ['address', 'address'], ['business_scope', 'businessScope'], ['established_on', 'establishedOn'], ['status', 'status'],
]

function entityDiffs(current: EntityRow, next: Partial<EntityRow>): [string, unknown, unknown][] {
  const same = (a: unknown, b: unknown) => (typeof a === 'number' || typeof b === 'number' ? Number(a) === Number(b) && a !== null && b !== null : a === b) || (a === null && b === null)
  return entityFields.filter(([col]) => col in next && !same(next[col], current[col])).map(([col, field]) => [field, current[col], next[col]])
}
