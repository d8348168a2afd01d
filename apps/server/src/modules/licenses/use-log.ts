/** The licenses use log: who used a license, when, for what, under which grant. */
import type { AuditActor } from '../../platform/audit.js'
import type { Core } from '../../platform/core.js'
import type { Db } from '../../db/database.js'
import { newId } from '../../platform/ids.js'
import type { Principal } from '../../platform/roles.js'
import { pageOf } from './access.js'
import { licensesEvents } from './events.js'
import type { LicenseHolders } from './holders.js'
import type { LicenseRow, LicensesStore } from './store.js'
import type { Paginated, UseEntry } from './types.js'

export interface LicenseUseLogDeps extends Pick<Core, 'clock' | 'audit' | 'outbox'> {
  store: LicensesStore
  holders: Pick<LicenseHolders, 'walletOf'>
}

export type LicenseUseLog = ReturnType<typeof createLicenseUseLog>

/** Every use of a license (verification, department read, case attachment, refusal), for its holder and the ledger. */
export function createLicenseUseLog({ clock, audit, outbox, store, holders }: LicenseUseLogDeps) {
  const { walletOf } = holders

  async function recordUse(
    trx: Db,
    actor: AuditActor,
    u: { license: LicenseRow; departmentId: string | null; departmentName: string | null; purpose: string; applicationId: string | null; grantId: string | null; kind: UseEntry['kind']; outcome: UseEntry['outcome'] },
  ): Promise<string> {
    const id = newId('use')
    await store.q(trx).insertInto('licenses.use_log').values({
      id, license_id: u.license.id, holder_key: u.license.holder_key, department_id: u.departmentId, department_name: u.departmentName,
      actor_id: actor.actorId, purpose: u.purpose, application_id: u.applicationId, grant_id: u.grantId, kind: u.kind, outcome: u.outcome, at: clock.now(),
    }).execute()
    // On the ledger through the audit row's digest: ids and the purpose, no personal data.
    await audit.record(trx, actor, {
      action: `licenses.use.${u.kind}`, targetType: 'license', targetId: u.license.id, outcome: u.outcome === 'success' ? 'success' : 'failure',
      divisionCode: u.license.issuer_division_code,
      detail: { useId: id, departmentId: u.departmentId, applicationId: u.applicationId, grantId: u.grantId, purpose: u.purpose, contentDigest: u.license.content_digest },
      security: true,
    })
    await outbox.add(trx, licensesEvents.use({ useId: id, licenseId: u.license.id, departmentId: u.departmentId, kind: u.kind, outcome: u.outcome, applicationId: u.applicationId }))
    return id
  }

  const methods = {
    async listMyUses(by: Principal, query: { licenseId?: string; page?: number; pageSize?: number }): Promise<Paginated<UseEntry>> {
      const h = await walletOf(by)
      const { page, pageSize, offset } = pageOf(query)
      let q = store.q().selectFrom('licenses.use_log as u').innerJoin('licenses.license as l', 'l.id', 'u.license_id').where('u.holder_key', '=', h.key)
      if (query.licenseId) q = q.where('u.license_id', '=', query.licenseId)
      const [rows, count] = await Promise.all([
        q.selectAll('u').select(['l.number', 'l.type']).orderBy('u.at', 'desc').orderBy('u.id', 'desc').limit(pageSize).offset(offset).execute(),
        q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
      ])
      return {
        items: rows.map((u) => ({
          id: u.id, licenseId: u.license_id, licenseNumber: u.number, licenseType: u.type, departmentId: u.department_id, departmentName: u.department_name,
          purpose: u.purpose, applicationId: u.application_id, kind: u.kind, outcome: u.outcome, at: u.at,
        })),
        total: Number(count.n),
        page,
        pageSize,
      }
    },
  }

  return { recordUse, methods }
}
