import type { FastifyRequest } from 'fastify'
import { sql, type RawBuilder } from 'kysely'
import { noteChange } from '../db/commit-hooks.js'
import type { Db } from '../db/database.js'
import type { Clock } from './clock.js'
import { newId } from './ids.js'
import { canonicalJson, sm3Hex } from './gm.js'
import { scrubPersonalData } from './logger.js'
import { divisionPrefix } from './roles.js'

/** Who did it and from where; taken from the request. */
export interface AuditActor {
  actorId: string | null
  actorKind: string | null
  actorName: string | null
  ip: string | null
  userAgent: string | null
}

export interface AuditEntry {
  /** `<module>.<thing>.<verb>`, e.g. `identity.login.succeeded`. */
  action: string
  targetType?: string
  targetId?: string
  divisionCode?: string | null
  outcome?: 'success' | 'failure'
  detail?: Record<string, unknown>
  /** Security-relevant entries are also appended to the tamper-evident ledger. */
  security?: boolean
}

export interface AuditRecord extends AuditActor {
  id: string
  at: Date
  action: string
  targetType: string | null
  targetId: string | null
  divisionCode: string | null
  outcome: string
  detail: Record<string, unknown>
}

/** Appends to the ledger inside the caller's transaction (the ledger module provides it). */
export interface LedgerAppender {
  append(trx: Db, entry: { kind: string; payload: Record<string, unknown> }): Promise<{ seq: number; hash: string }>
}

export interface AuditFilter {
  action?: string
  actorId?: string
  targetId?: string
  from?: Date
  to?: Date
  /** Only entries in these divisions (null: no limit). */
  divisions?: string[] | null
}

/**
 * An audit record built but not yet written, so its insert can ride in a statement of the caller's
 * (a data-modifying CTE) instead of a round trip of its own while a row lock is held.
 */
export interface PendingAudit {
  record: AuditRecord
  /** The insert; run it (alone, or inside a statement of the caller's) in the transaction. */
  insert: RawBuilder<unknown>
  /** Call once the insert ran, in the same transaction: security records go to the ledger here (its lock last). */
  written(trx: Db): Promise<void>
  /** Whether `written` writes (a ledger entry): then the insert and it need one transaction. */
  writesMore: boolean
}

export interface Audit {
  record(trx: Db, actor: AuditActor, entry: AuditEntry): Promise<AuditRecord>
  /** `record` in two halves: see PendingAudit. */
  prepare(actor: AuditActor, entry: AuditEntry): PendingAudit
  list(filter: AuditFilter, page: { limit: number; offset: number }): Promise<{ items: AuditRecord[]; total: number }>
  setLedger(ledger: LedgerAppender): void
}

export const systemActor: AuditActor = { actorId: 'system', actorKind: 'system', actorName: 'system', ip: null, userAgent: null }

export function actorOf(req: FastifyRequest): AuditActor {
  const p = req.principal
  return {
    actorId: p?.accountId ?? null,
    actorKind: p?.kind ?? null,
    actorName: p?.name ?? null,
    ip: req.ip ?? null,
    userAgent: req.headers['user-agent']?.slice(0, 300) ?? null,
  }
}

/** SM3 over the canonical JSON of an audit record: what the ledger holds in its place. */
export function auditDigest(rec: AuditRecord): string {
  return sm3Hex(canonicalJson({ ...rec, at: rec.at.toISOString() }))
}

/**
 * The ledger entry of a security record. Ledger entries are public, so they carry a digest of the
 * audit row rather than who did what to whom: the row stays private and any later change to it no
 * longer matches.
 */
export function auditLedgerEntry(rec: AuditRecord): { kind: string; payload: Record<string, unknown> } {
  return { kind: 'audit', payload: { auditId: rec.id, at: rec.at.toISOString(), action: rec.action, outcome: rec.outcome, digest: auditDigest(rec) } }
}

interface AuditRow {
  id: string
  at: Date
  actor_id: string | null
  actor_kind: string | null
  actor_name: string | null
  action: string
  target_type: string | null
  target_id: string | null
  division_code: string | null
  ip: string | null
  user_agent: string | null
  outcome: string
  detail: Record<string, unknown>
}

function toRecord(r: AuditRow): AuditRecord {
  return {
    id: r.id, at: new Date(r.at), actorId: r.actor_id, actorKind: r.actor_kind, actorName: r.actor_name, action: r.action,
    targetType: r.target_type, targetId: r.target_id, divisionCode: r.division_code, ip: r.ip, userAgent: r.user_agent,
    outcome: r.outcome, detail: r.detail,
  }
}

/** The audit log: every attributable action, in platform.audit_log; security ones also on the ledger. */
export function createAudit(deps: { db: Db; clock: Clock }): Audit {
  let ledger: LedgerAppender | undefined
  function prepare(actor: AuditActor, entry: AuditEntry): PendingAudit {
    // Free-text detail never carries an ID number or phone in the clear.
    const detail = JSON.parse(scrubPersonalData(JSON.stringify(entry.detail ?? {}))) as Record<string, unknown>
    const rec: AuditRecord = {
      ...actor, id: newId('aud'), at: deps.clock.now(), action: entry.action, targetType: entry.targetType ?? null,
      targetId: entry.targetId ?? null, divisionCode: entry.divisionCode ?? null, outcome: entry.outcome ?? 'success', detail,
    }
    const insert = sql`insert into platform.audit_log (id, at, actor_id, actor_kind, actor_name, action, target_type, target_id,
        division_code, ip, user_agent, outcome, detail)
      values (${rec.id}, ${rec.at}, ${rec.actorId}, ${rec.actorKind}, ${rec.actorName}, ${rec.action}, ${rec.targetType},
        ${rec.targetId}, ${rec.divisionCode}, ${rec.ip}, ${rec.userAgent}, ${rec.outcome}, ${JSON.stringify(detail)}::jsonb)`
    const written = async (trx: Db) => {
      // What the transaction changed, for an Idempotency-Key marker committed with it (db/commit-hooks.ts).
      noteChange({ action: rec.action, targetType: rec.targetType, targetId: rec.targetId, outcome: rec.outcome })
      if (entry.security && ledger) await ledger.append(trx, auditLedgerEntry(rec))
    }
    return { record: rec, insert, written, writesMore: !!entry.security && !!ledger }
  }

  return {
    prepare,
    setLedger(l) {
      ledger = l
    },
    async record(trx, actor, entry) {
      const pending = prepare(actor, entry)
      await pending.insert.execute(trx)
      await pending.written(trx)
      return pending.record
    },
    async list(filter, page) {
      let q = deps.db.selectFrom('platform.audit_log')
      if (filter.action) q = q.where('action', 'like', `${filter.action}%`)
      if (filter.actorId) q = q.where('actor_id', '=', filter.actorId)
      if (filter.targetId) q = q.where('target_id', '=', filter.targetId)
      if (filter.from) q = q.where('at', '>=', filter.from)
      if (filter.to) q = q.where('at', '<', filter.to)
      if (filter.divisions) {
        const prefixes = filter.divisions
        q = q.where((eb) => eb.or(prefixes.map((d) => eb('division_code', 'like', `${divisionPrefix(d)}%`))))
      }
      const [rows, count] = await Promise.all([
        q.selectAll().orderBy('at', 'desc').orderBy('id', 'desc').limit(page.limit).offset(page.offset).execute(),
        q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ])
      return { items: (rows as AuditRow[]).map(toRecord), total: Number(count.n) }
    },
  }
}
