/** The licenses module's consent: grants, access requests and departments' reads. */
import type { AuditActor } from '../../platform/audit.js'
import type { Core } from '../../platform/core.js'
import type { Db } from '../../db/database.js'
import type { Locale } from '../../platform/i18n.js'
import { newId } from '../../platform/ids.js'
import type { Principal } from '../../platform/roles.js'
import type { OrgService } from '../org/index.js'
import { actorOf, assertActsFor, departmentStaffRoles, pageOf, typeOrThrow } from './access.js'
import {
  GrantNotFoundError,
  HolderNotFoundError,
  LicenseNotFoundError,
  NoGrantError,
  NotUsableError,
  NotYourLicenseError,
  RequestDecidedError,
  RequestNotFoundError,
  WrongTypeError,
} from './errors.js'
import { licensesEvents, licensesEventTypes } from './events.js'
import type { LicenseHolders } from './holders.js'
import { licenseTypeOf } from './license-types.js'
import type { LicenseKeys } from './signing.js'
import type { GrantRow, LicenseRow, LicensesStore, RequestRow } from './store.js'
import type { AccessRequestView, GrantMode, GrantView, LicenseDetail, LicenseStatus, Paginated, RequestMeta, Verification } from './types.js'
import type { LicenseUseLog } from './use-log.js'
import type { LicenseVerification } from './verification.js'
import type { LicenseViews } from './views.js'

export interface LicenseConsentDeps extends Pick<Core, 'clock' | 'audit' | 'outbox'> {
  store: LicensesStore
  keys: LicenseKeys
  views: LicenseViews
  holders: LicenseHolders
  withEvents: <T>(fn: (trx: Db) => Promise<T>) => Promise<T>
  departmentOrThrow: (id: string) => Promise<NonNullable<Awaited<ReturnType<OrgService['getDepartment']>>>>
  recordUse: LicenseUseLog['recordUse']
  verifyStored: LicenseVerification['verifyStored']
}

/**
 * Consent: the holder's grants to departments, departments' access requests and the holder's
 * decisions, and departments' reads under a grant (directly or for a case, 免提交).
 */
export function createLicenseConsent({ clock, audit, outbox, store, keys, views, holders, withEvents, departmentOrThrow, recordUse, verifyStored }: LicenseConsentDeps) {
  const { effectiveStatus, typeName, detailOf, grantView, requestView } = views
  const { checkedHolder, holderOfAccount, walletOf, ownLicense } = holders

  /** A live grant letting `departmentId` read the license (for this case, when one is named). */
  async function liveGrant(trx: Db, licenseId: string, departmentId: string, applicationId: string | null): Promise<GrantRow | undefined> {
    const now = clock.now()
    const rows = await store.q(trx).selectFrom('licenses.grant').selectAll()
      .where('license_id', '=', licenseId).where('department_id', '=', departmentId).where('status', '=', 'active')
      .orderBy('created_at').forUpdate().execute()
    return rows.find((g) => (!g.expires_at || g.expires_at > now) && (g.application_id === null || g.application_id === applicationId))
  }

  async function insertGrant(
    trx: Db,
    actor: AuditActor,
    g: { license: LicenseRow; dept: { id: string; name: string }; purpose: string; mode: GrantMode; applicationId: string | null; expiresAt: Date | null; by: string },
  ): Promise<GrantRow> {
    const row: GrantRow = {
      id: newId('lgr'), license_id: g.license.id, holder_key: g.license.holder_key, department_id: g.dept.id, department_name: g.dept.name,
      purpose: g.purpose, mode: g.mode, application_id: g.applicationId, status: 'active', created_by: g.by, created_at: clock.now(),
      expires_at: g.expiresAt, used_at: null, withdrawn_at: null,
    }
    await store.q(trx).insertInto('licenses.grant').values(row).execute()
    await audit.record(trx, actor, {
      action: 'licenses.grant.created', targetType: 'license', targetId: g.license.id, divisionCode: g.license.issuer_division_code,
      detail: { grantId: row.id, departmentId: g.dept.id, mode: g.mode, applicationId: g.applicationId, purpose: g.purpose }, security: true,
    })
    await outbox.add(trx, licensesEvents.grant(licensesEventTypes.grantCreated, { grantId: row.id, licenseId: g.license.id, departmentId: g.dept.id, applicationId: g.applicationId, mode: g.mode }))
    return row
  }

  /**
   * A department's read of a license: needs a live grant; a single-use grant is spent by it. Denied reads are logged.
   * `reachDecided`: the caller (the cases module) already decided that `by` handles the case for the
   * department — e.g. the window clerk of a 政务服务中心 (一窗受理) — so a staff role anywhere suffices;
   * the grant check stays.
   */
  async function departmentRead(
    by: Principal,
    input: { licenseId: string; departmentId: string; purpose: string; applicationId: string | null },
    meta: RequestMeta,
    locale: Locale,
    reachDecided = false,
  ): Promise<LicenseDetail & { verification: Verification }> {
    const dept = await departmentOrThrow(input.departmentId)
    const handlesCase = reachDecided && by.kind === 'staff' && by.grants.some((g) => departmentStaffRoles.includes(g.role))
    if (!handlesCase) assertActsFor(by, dept, departmentStaffRoles)
    const actor = actorOf(by, meta)
    const outcome = await withEvents(async (trx) => {
      const license = await store.licenseById(input.licenseId, trx)
      if (!license) return 'missing' as const
      const grant = await liveGrant(trx, license.id, dept.id, input.applicationId)
      if (!grant) {
        await recordUse(trx, actor, { license, departmentId: dept.id, departmentName: dept.name, purpose: input.purpose, applicationId: input.applicationId, grantId: null, kind: 'denied', outcome: 'denied' })
        return 'denied' as const
      }
      if (grant.mode === 'single_use') {
        await store.q(trx).updateTable('licenses.grant').set({ status: 'used', used_at: clock.now() }).where('id', '=', grant.id).execute()
      }
      await recordUse(trx, actor, { license, departmentId: dept.id, departmentName: dept.name, purpose: input.purpose, applicationId: input.applicationId, grantId: grant.id, kind: 'read', outcome: 'success' })
      return license
    })
    if (outcome === 'missing') throw new LicenseNotFoundError()
    // The refusal is committed (and in the holder's log) before the error goes out.
    if (outcome === 'denied') throw new NoGrantError()
    const full = await store.licenseWithSealById(outcome.id)
    const detail = await detailOf(outcome, locale)
    const def = licenseTypeOf(outcome.type)
    return { ...detail, verification: verifyStored(full!, def?.fields.map((f) => f.key) ?? [], 'license', locale) }
  }

  const methods = {
    /** The holder shares a license with a department for a purpose. */
    async shareWith(by: Principal, id: string, input: { departmentId: string; purpose: string; mode: GrantMode; applicationId?: string | null; expiresAt?: Date | null }, meta: RequestMeta = {}): Promise<GrantView> {
      const r = await ownLicense(by, id)
      const dept = await departmentOrThrow(input.departmentId)
      const g = await withEvents((trx) =>
        insertGrant(trx, actorOf(by, meta), { license: r, dept, purpose: input.purpose, mode: input.mode, applicationId: input.applicationId ?? null, expiresAt: input.expiresAt ?? null, by: by.accountId }),
      )
      return grantView(g, r)
    },

    async listMyGrants(by: Principal, query: { page?: number; pageSize?: number }): Promise<Paginated<GrantView>> {
      const h = await walletOf(by)
      const { page, pageSize, offset } = pageOf(query)
      const base = store.q().selectFrom('licenses.grant as g').innerJoin('licenses.license as l', 'l.id', 'g.license_id').where('g.holder_key', '=', h.key)
      const [rows, count] = await Promise.all([
        base.selectAll('g').select(['l.number', 'l.type']).orderBy('g.created_at', 'desc').limit(pageSize).offset(offset).execute(),
        base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
      ])
      return { items: rows.map((g) => grantView(g, g)), total: Number(count.n), page, pageSize }
    },

    async withdrawGrant(by: Principal, grantId: string, meta: RequestMeta = {}): Promise<GrantView> {
      const h = await walletOf(by)
      const g = await store.q().selectFrom('licenses.grant').selectAll().where('id', '=', grantId).executeTakeFirst()
      if (!g || g.holder_key !== h.key) throw new GrantNotFoundError()
      const l = (await store.licenseById(g.license_id))!
      if (g.status !== 'active') return grantView(g, l)
      const updated = await withEvents(async (trx) => {
        const u = await store.q(trx).updateTable('licenses.grant').set({ status: 'withdrawn', withdrawn_at: clock.now() }).where('id', '=', grantId).returningAll().executeTakeFirstOrThrow()
        await audit.record(trx, actorOf(by, meta), { action: 'licenses.grant.withdrawn', targetType: 'license', targetId: g.license_id, detail: { grantId }, security: true })
        await outbox.add(trx, licensesEvents.grant(licensesEventTypes.grantWithdrawn, { grantId, licenseId: g.license_id, departmentId: g.department_id, applicationId: g.application_id, mode: g.mode }))
        return u
      })
      return grantView(updated, l)
    },

    async listMyRequests(by: Principal, query: { status?: AccessRequestView['status']; page?: number; pageSize?: number }): Promise<Paginated<AccessRequestView>> {
      const h = await walletOf(by)
      const { page, pageSize, offset } = pageOf(query)
      let q = store.q().selectFrom('licenses.access_request').where('holder_key', '=', h.key)
      if (query.status) q = q.where('status', '=', query.status)
      const [rows, count] = await Promise.all([
        q.selectAll().orderBy('created_at', 'desc').limit(pageSize).offset(offset).execute(),
        q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
      ])
      return { items: rows.map(requestView), total: Number(count.n), page, pageSize }
    },

    async decideRequest(by: Principal, requestId: string, decision: { approve: true; licenseId: string; mode: GrantMode } | { approve: false }, meta: RequestMeta = {}): Promise<{ request: AccessRequestView; grant: GrantView | null }> {
      const h = await walletOf(by)
      const req = await store.q().selectFrom('licenses.access_request').selectAll().where('id', '=', requestId).executeTakeFirst()
      if (!req || req.holder_key !== h.key) throw new RequestNotFoundError()
      if (req.status !== 'pending') throw new RequestDecidedError()
      const license = decision.approve ? await ownLicense(by, decision.licenseId) : null
      if (license && license.type !== req.license_type) throw new WrongTypeError(req.license_type)
      const actor = actorOf(by, meta)
      return withEvents(async (trx) => {
        let grant: GrantRow | null = null
        if (license && decision.approve) {
          grant = await insertGrant(trx, actor, { license, dept: { id: req.department_id, name: req.department_name }, purpose: req.purpose, mode: decision.mode, applicationId: req.application_id, expiresAt: null, by: by.accountId })
        }
        const u = await store.q(trx).updateTable('licenses.access_request')
          .set({ status: grant ? 'approved' : 'denied', decided_at: clock.now(), grant_id: grant?.id ?? null, license_id: license?.id ?? null })
          .where('id', '=', requestId).where('status', '=', 'pending').returningAll().executeTakeFirst()
        if (!u) throw new RequestDecidedError()
        await audit.record(trx, actor, { action: 'licenses.request.decided', targetType: 'access-request', targetId: requestId, detail: { status: u.status, grantId: grant?.id ?? null } })
        await outbox.add(trx, licensesEvents.request(licensesEventTypes.requestDecided, { requestId, departmentId: u.department_id, licenseType: u.license_type, status: u.status, applicationId: u.application_id }))
        return { request: requestView(u), grant: grant && license ? grantView(grant, license) : null }
      })
    },

    // --- departments asking and reading ----------------------------------------------------------

    async requestAccess(
      by: Principal,
      input: { departmentId: string; licenseType: string; holderAccountId?: string; holderIdNumber?: string; holderCreditCode?: string; purpose: string; applicationId?: string | null },
      meta: RequestMeta = {},
    ): Promise<AccessRequestView> {
      typeOrThrow(input.licenseType)
      const dept = await departmentOrThrow(input.departmentId)
      assertActsFor(by, dept, departmentStaffRoles)
      let holderKey: string | null = null
      if (input.holderAccountId) holderKey = (await holderOfAccount(input.holderAccountId))?.key ?? null
      else if (input.holderIdNumber) holderKey = keys.holderKey('person', checkedHolder({ kind: 'person', id: input.holderIdNumber, name: '' }).id)
      else if (input.holderCreditCode) holderKey = keys.holderKey('entity', checkedHolder({ kind: 'entity', id: input.holderCreditCode, name: '' }).id)
      if (!holderKey) throw new HolderNotFoundError()
      const row: RequestRow = {
        id: newId('lrq'), holder_key: holderKey, license_type: input.licenseType, license_id: null, department_id: dept.id, department_name: dept.name,
        purpose: input.purpose, application_id: input.applicationId ?? null, status: 'pending', requested_by: by.accountId, grant_id: null, created_at: clock.now(), decided_at: null,
      }
      await withEvents(async (trx) => {
        await store.q(trx).insertInto('licenses.access_request').values(row).execute()
        await audit.record(trx, actorOf(by, meta), { action: 'licenses.request.created', targetType: 'access-request', targetId: row.id, divisionCode: dept.divisionCode, detail: { departmentId: dept.id, licenseType: input.licenseType, purpose: input.purpose, applicationId: row.application_id } })
        await outbox.add(trx, licensesEvents.request(licensesEventTypes.requestCreated, { requestId: row.id, departmentId: dept.id, licenseType: input.licenseType, status: 'pending', applicationId: row.application_id }))
      })
      return requestView(row)
    },

    async listDepartmentRequests(by: Principal, query: { departmentId: string; status?: AccessRequestView['status']; page?: number; pageSize?: number }): Promise<Paginated<AccessRequestView>> {
      const dept = await departmentOrThrow(query.departmentId)
      assertActsFor(by, dept, departmentStaffRoles)
      const { page, pageSize, offset } = pageOf(query)
      let q = store.q().selectFrom('licenses.access_request').where('department_id', '=', dept.id)
      if (query.status) q = q.where('status', '=', query.status)
      const [rows, count] = await Promise.all([
        q.selectAll().orderBy('created_at', 'desc').limit(pageSize).offset(offset).execute(),
        q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
      ])
      return { items: rows.map(requestView), total: Number(count.n), page, pageSize }
    },

    /** A department reads a holder's license under a grant (HTTP `POST /reads`). */
    async readLicense(by: Principal, input: { licenseId: string; departmentId: string; purpose: string; applicationId?: string | null }, meta: RequestMeta = {}, locale: Locale = 'zh-CN') {
      return departmentRead(by, { ...input, applicationId: input.applicationId ?? null }, meta, locale)
    },

    /**
     * The applicant attaches their license to a case material: their consent becomes a standing
     * grant to the case's department for this case, and the use is in their log and on the ledger.
     */
    async useForCase(
      by: Principal,
      input: { licenseId: string; licenseType: string; applicationId: string; departmentId: string; materialCode: string; purpose: string },
      meta: RequestMeta = {},
      locale: Locale = 'zh-CN',
    ): Promise<{ licenseId: string; grantId: string; number: string; type: string; typeName: string; status: LicenseStatus }> {
      const h = await walletOf(by)
      const r = await store.licenseById(input.licenseId)
      if (!r || r.holder_key !== h.key) throw new NotYourLicenseError()
      if (r.type !== input.licenseType) throw new WrongTypeError(input.licenseType)
      const status = effectiveStatus(r)
      if (status !== 'valid') throw new NotUsableError(status)
      const dept = await departmentOrThrow(input.departmentId)
      const actor = actorOf(by, meta)
      const grant = await withEvents(async (trx) => {
        const existing = await liveGrant(trx, r.id, dept.id, input.applicationId)
        const g = existing && existing.application_id === input.applicationId
          ? existing
          : await insertGrant(trx, actor, { license: r, dept, purpose: input.purpose, mode: 'standing', applicationId: input.applicationId, expiresAt: null, by: by.accountId })
        await recordUse(trx, actor, { license: r, departmentId: dept.id, departmentName: dept.name, purpose: `${input.purpose} (${input.materialCode})`, applicationId: input.applicationId, grantId: g.id, kind: 'case_attach', outcome: 'success' })
        return g
      })
      return { licenseId: r.id, grantId: grant.id, number: r.number, type: r.type, typeName: typeName(r.type, locale), status }
    },

    /**
     * Staff handling a case read the license attached to it under the holder's grant for that case.
     * The cases module decided the caller reaches the case (which covers a service centre's window
     * clerk, who holds no grant on the case's department); only the grant is checked here.
     */
    async readForCase(by: Principal, input: { licenseId: string; applicationId: string; departmentId: string; purpose: string }, meta: RequestMeta = {}, locale: Locale = 'zh-CN') {
      return departmentRead(by, input, meta, locale, true)
    },
  }

  return { methods }
}
