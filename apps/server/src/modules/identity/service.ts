import type { Db } from '../../db/database.js'
import { isUniqueViolation } from '../../db/pg-errors.js'
import type { OrgService } from '../org/index.js'
import { systemActor, type AuditActor, type AuditRecord } from '../../platform/audit.js'
import type { Core } from '../../platform/core.js'
import { AppError, ForbiddenError, OutOfScopeError } from '../../platform/errors.js'
import { t, type Locale } from '../../platform/i18n.js'
import { newId } from '../../platform/ids.js'
import { canActIn, divisionCovers, hasRole, staffRoles, visibleDivisions, type AccountKind, type Principal, type Role, type RoleGrant } from '../../platform/roles.js'
import {
  AccountDisabledError,
  AccountNotFoundError,
  AlreadyRegisteredError,
  DepartmentOutsideDivisionError,
  GrantExistsError,
  GrantNotFoundError,
  InvalidAgentError,
  InvalidCredentialsError,
  InvalidCreditCodeError,
  InvalidIdNumberError,
  InvalidPhoneError,
  InvalidSmsCodeError,
  InvalidUsernameError,
  LastPlatformAdminError,
  LoginLockedError,
  RoleNotGrantableError,
  SmsDailyLimitError,
  SmsTooSoonError,
  UnknownDepartmentError,
  UnknownDivisionError,
  UsernameTakenError,
  WeakPasswordError,
} from './errors.js'
import { identityEvents } from './events.js'
import { deriveKeys, newToken, tokenHash } from './keys.js'
import { hashPassword, isAcceptablePassword, verifyAgainstDummy, verifyPassword } from './password.js'
import { createSessionCache, SESSION_CACHE_MS } from './session-cache.js'
import { afterFailure, lockRemainingSeconds, SESSION_TOUCH_SECONDS, sessionPolicy, type ThrottleState } from './sessions.js'
import { createDevSmsSender, newSmsCode, sameDigest, smsPolicy, type SmsSender } from './sms.js'
import { createIdentityStore, type AccountRow, type GrantRow, type ThrottleRow } from './store.js'
import { checkCreditCode, checkIdNumber, isMobile, maskIdNumber, maskPhone, normalizePhone } from './validators.js'

/** What identity needs from the org module. */
export type OrgDirectory = Pick<OrgService, 'getDepartment' | 'divisionExists'>

export interface IdentityDeps extends Pick<Core, 'db' | 'clock' | 'audit' | 'outbox' | 'config'> {
  org: OrgDirectory
  /** Where SMS codes go; defaults to the dev outbox table. */
  sms?: SmsSender
}

/** A role grant as shown to clients; implicit grants (citizen, enterprise_agent) have ids `implicit:<role>`. */
export interface GrantView {
  id: string
  role: Role
  divisionCode: string | null
  departmentId: string | null
}

/** The signed-in account as the web app and the OIDC claims see it (ID number and phone masked). */
export interface Me {
  id: string
  kind: AccountKind
  name: string
  username: string | null
  maskedIdNumber: string | null
  maskedPhone: string | null
  creditCode: string | null
  divisionCode: string | null
  departmentId: string | null
  roles: GrantView[]
}

/** An account in admin lists. */
export interface AccountSummary extends Me {
  status: 'active' | 'locked' | 'disabled'
  createdAt: Date
}

export interface Page<T> {
  items: T[]
  total: number
  page: number
  pageSize: number
}

/** Where a request came from, for the audit log. */
export interface RequestMeta {
  ip?: string | null
  userAgent?: string | null
}

/** Who acts: a signed-in principal, or the platform itself (demo seeding, CLI). */
export type Actor = Principal | 'system'

/** A new session: the raw token goes into the cookie and nowhere else. */
export interface SignedIn {
  token: string
  sessionId: string
  expiresAt: Date
  /** Cookie lifetime: the session's absolute limit. */
  maxAgeSeconds: number
  me: Me
}

export interface GrantInput {
  role: Role
  /** Omitted: the account's own division; null: platform-wide (platform_admin only). */
  divisionCode?: string | null
  departmentId?: string | null
}

/** Supplying `passwordHash` instead of `password` lets bulk seeding hash one shared password once. */
type PasswordInput = { password: string; passwordHash?: undefined } | { password?: undefined; passwordHash: string }

export type CreatePersonInput = { name: string; idNumber: string; phone?: string | null; divisionCode?: string } & Partial<PasswordInput>
export type CreateLegalInput = { name: string; creditCode: string; agentAccountId: string } & Partial<PasswordInput>
export type CreateStaffInput = { name: string; username: string; phone?: string | null; departmentId: string; roles?: GrantInput[] } & PasswordInput

const USERNAME = /^[a-z][a-z0-9._-]{2,31}$/

/** The identity module's public service. */
export type IdentityService = ReturnType<typeof createIdentityService>

/**
 * Accounts, sign-in (password with lockout back-off, SMS one-time codes), sessions and role
 * grants. Every sign-in, registration, account creation and role change is audited in the same
 * transaction as the change; the security-relevant ones also go to the ledger.
 */
export function createIdentityService(deps: IdentityDeps) {
  const { db, clock, audit, outbox } = deps
  const store = createIdentityStore(db)
  if (!deps.config.SECRET_KEY) throw new Error('identity needs SECRET_KEY (createCore resolves one)')
  const keys = deriveKeys(deps.config.SECRET_KEY)
  const sms = deps.sms ?? createDevSmsSender({ clock })
  /** Resolved sessions, trusted for a few seconds (session-cache.ts has the bound). */
  const sessions = createSessionCache(SESSION_TOUCH_SECONDS * 1000)

  const idHash = (idNumber: string) => keys.lookupHash('id-number', idNumber.toUpperCase())
  const smsHash = (codeId: string, phone: string, code: string) => keys.lookupHash('sms-code', `${codeId}:${phone}:${code}`)

  /** A transaction that writes events; the dispatcher is nudged once it commits. */
  async function withEvents<T>(fn: (trx: Db) => Promise<T>): Promise<T> {
    const result = await db.transaction().execute(fn)
    outbox.nudge()
    return result
  }

  // --- mapping ------------------------------------------------------------------------------

  function implicitGrants(a: AccountRow): GrantView[] {
    if (a.kind === 'person') return [{ id: 'implicit:citizen', role: 'citizen', divisionCode: a.division_code, departmentId: null }]
    if (a.kind === 'legal') return [{ id: 'implicit:enterprise_agent', role: 'enterprise_agent', divisionCode: a.division_code, departmentId: null }]
    return []
  }

  function toGrantView(g: GrantRow): GrantView {
    return { id: g.id, role: g.role, divisionCode: g.division_code, departmentId: g.department_id }
  }

  function toMe(a: AccountRow, grants: GrantRow[]): Me {
    return {
      id: a.id,
      kind: a.kind,
      name: a.name,
      username: a.username,
      maskedIdNumber: a.id_number_masked,
      maskedPhone: a.phone ? maskPhone(a.phone) : null,
      creditCode: a.credit_code,
      divisionCode: a.division_code,
      departmentId: a.department_id,
      roles: [...implicitGrants(a), ...grants.filter((g) => g.account_id === a.id).map(toGrantView)],
    }
  }

  function toSummary(a: AccountRow & { locked_until?: Date | null }, grants: GrantRow[], now: Date): AccountSummary {
    const locked = a.locked_until ? new Date(a.locked_until).getTime() > now.getTime() : false
    return { ...toMe(a, grants), status: a.status === 'disabled' ? 'disabled' : locked ? 'locked' : 'active', createdAt: new Date(a.created_at) }
  }

  async function summaryOf(handle: Db, accountId: string): Promise<AccountSummary> {
    const s = createIdentityStore(handle)
    const a = await s.accountById(accountId)
    if (!a) throw new AccountNotFoundError()
    const throttle = await s.throttle(a.id)
    return toSummary({ ...a, locked_until: throttle?.locked_until ?? null }, await s.grantsOf([a.id]), clock.now())
  }

  function toState(row: ThrottleRow | undefined): ThrottleState | null {
    if (!row) return null
    return {
      failures: row.failures,
      lockLevel: row.lock_level,
      lockedUntil: row.locked_until ? new Date(row.locked_until) : null,
      lastFailureAt: row.last_failure_at ? new Date(row.last_failure_at) : null,
    }
  }

  // --- audit actors -------------------------------------------------------------------------

  function metaOf(meta: RequestMeta) {
    return { ip: meta.ip ?? null, userAgent: meta.userAgent?.slice(0, 300) ?? null }
  }
  function actorAccount(a: AccountRow, meta: RequestMeta): AuditActor {
    return { actorId: a.id, actorKind: a.kind, actorName: a.name, ...metaOf(meta) }
  }
  function actorAnonymous(meta: RequestMeta): AuditActor {
    return { actorId: null, actorKind: 'anonymous', actorName: null, ...metaOf(meta) }
  }
  function actorOfBy(by: Actor, meta: RequestMeta): AuditActor {
    if (by === 'system') return { ...systemActor, ...metaOf(meta) }
    return { actorId: by.accountId, actorKind: by.kind, actorName: by.name, ...metaOf(meta) }
  }

  // --- authorization ------------------------------------------------------------------------

  function isAdmin(by: Actor): boolean {
    return by === 'system' || hasRole(by, 'platform_admin', 'data_admin')
  }

  /**
   * May `by` administer accounts and grants in `division`? platform_admin within its scope (a
   * platform-wide grant covers everything); data_admin within its divisions, but never for
   * platform_admin grants nor platform-wide (null) ones.
   */
  function assertMayAdminister(by: Actor, division: string | null, role?: Role): void {
    if (by === 'system') return
    if (!hasRole(by, 'platform_admin', 'data_admin')) throw new ForbiddenError()
    if (division === null) {
      if (by.grants.some((g) => g.role === 'platform_admin' && g.divisionCode === null)) return
      throw new OutOfScopeError()
    }
    if (canActIn(by, division, 'platform_admin')) return
    if (role === 'platform_admin') throw new ForbiddenError()
    if (canActIn(by, division, 'data_admin')) return
    throw new OutOfScopeError()
  }

  async function departmentOf(id: string): Promise<{ id: string; divisionCode: string } | null> {
    try {
      return (await deps.org.getDepartment(id)) ?? null
    } catch (err) {
      if (err instanceof AppError && err.status === 404) return null
      throw err
    }
  }

  /** Fills defaults and checks a grant's division/department exist and `by` may give it. */
  async function resolveGrant(by: Actor, account: { division_code: string | null; department_id: string | null }, input: GrantInput) {
    if (!staffRoles.includes(input.role)) throw new RoleNotGrantableError()
    let divisionCode = input.divisionCode === undefined ? account.division_code : input.divisionCode
    let departmentId = input.departmentId === undefined ? (input.divisionCode === undefined ? account.department_id : null) : input.departmentId
    if (departmentId) {
      const dept = await departmentOf(departmentId)
      if (!dept) throw new UnknownDepartmentError()
      if (input.divisionCode === undefined) divisionCode = dept.divisionCode
      else if (divisionCode !== null && !divisionCovers(divisionCode, dept.divisionCode)) throw new DepartmentOutsideDivisionError()
    }
    if (divisionCode !== null && !(await deps.org.divisionExists(divisionCode))) throw new UnknownDivisionError()
    departmentId = departmentId ?? null
    assertMayAdminister(by, divisionCode, input.role)
    return { role: input.role, divisionCode, departmentId }
  }

  // --- sessions -----------------------------------------------------------------------------

  /** Starts a session for an account that just proved who it is; audits the sign-in. */
  async function startSession(account: AccountRow, method: 'password' | 'sms' | 'register', meta: RequestMeta): Promise<SignedIn> {
    const token = newToken()
    const now = clock.now()
    const policy = sessionPolicy[account.kind]
    const absolute = new Date(now.getTime() + policy.absoluteSeconds * 1000)
    const expiresAt = new Date(Math.min(now.getTime() + policy.idleSeconds * 1000, absolute.getTime()))
    const sessionId = newId('ses')
    await db.transaction().execute(async (trx) => {
      const s = createIdentityStore(trx)
      await s.deleteExpiredSessions(account.id, now)
      await s.insertSession({
        id: sessionId, token_hash: tokenHash(token), account_id: account.id, method, created_at: now, last_seen_at: now,
        expires_at: expiresAt, absolute_expires_at: absolute, ip: metaOf(meta).ip, user_agent: metaOf(meta).userAgent,
      })
      await s.clearThrottle(account.id)
      await s.updateAccount(account.id, { last_login_at: now })
      await audit.record(trx, actorAccount(account, meta), {
        action: 'identity.login.succeeded', targetType: 'account', targetId: account.id, divisionCode: account.division_code,
        detail: { method, sessionId }, security: true,
      })
    })
    const me = await getMe(account.id)
    return { token, sessionId, expiresAt, maxAgeSeconds: policy.absoluteSeconds, me: me! }
  }

  /** Counts a failed sign-in against `key` and audits it; throws the answer the caller gets. */
  async function failSignIn(key: string, account: AccountRow | undefined, method: 'password' | 'sms', reason: string, meta: RequestMeta): Promise<never> {
    const now = clock.now()
    const lockedFor = await withEvents(async (trx) => {
      const s = createIdentityStore(trx)
      const { state, lockedForSeconds } = afterFailure(toState(await s.throttleForUpdate(key)), now)
      await s.saveThrottle({ key, failures: state.failures, lock_level: state.lockLevel, locked_until: state.lockedUntil, last_failure_at: state.lastFailureAt })
      await audit.record(trx, actorAnonymous(meta), {
        action: 'identity.login.failed', outcome: 'failure', targetType: 'account', targetId: account?.id, divisionCode: account?.division_code,
        detail: { method, reason }, security: true,
      })
      if (lockedForSeconds !== null) {
        await audit.record(trx, actorAnonymous(meta), {
          action: 'identity.account.locked', targetType: 'account', targetId: account?.id, divisionCode: account?.division_code,
          detail: { seconds: lockedForSeconds, level: state.lockLevel, knownAccount: !!account }, security: true,
        })
        if (account) await outbox.add(trx, identityEvents.accountLocked({ accountId: account.id, lockedForSeconds, until: state.lockedUntil!.toISOString() }))
      }
      return lockedForSeconds
    })
    if (lockedFor !== null) throw new LoginLockedError(lockedFor)
    throw new InvalidCredentialsError()
  }

  /** Parses a sign-in name into every lookup key it could be. */
  function loginKeys(raw: string) {
    // PostgreSQL text cannot hold NUL; such a name matches nothing, like any unknown name.
    const name = raw.includes('\u0000') ? '' : raw.trim()
    const upper = name.toUpperCase()
    const phone = normalizePhone(name)
    return {
      username: name.toLowerCase(),
      idNumberHash: /^\d{17}[\dX]$/.test(upper) ? idHash(upper) : null,
      creditCode: /^[0-9A-Z]{18}$/.test(upper) ? upper : null,
      phone: isMobile(phone) ? phone : null,
      canonical: upper,
    }
  }

  /**
   * What other modules read of an account on every change to a case (the number its texts go to,
   * an enterprise's through its agent; the masked ID number and phone staff see), remembered for a
   * few seconds: an applicant is texted, and their case shown to staff, several times a minute. No
   * API changes these; a change made in the database is seen within SESSION_CACHE_MS.
   */
  interface Contact { textPhone: string | null; maskedIdNumber: string | null; maskedPhone: string | null }
  const contacts = new Map<string, { contact: Contact | null; at: number }>()
  async function contactOf(accountId: string): Promise<Contact | null> {
    const now = clock.now().getTime()
    const known = contacts.get(accountId)
    if (known && now - known.at < SESSION_CACHE_MS && now >= known.at) return known.contact
    const account = await store.accountById(accountId)
    let contact: Contact | null = null
    if (account) {
      const agent = account.kind === 'legal' && account.agent_account_id ? await store.accountById(account.agent_account_id) : account
      contact = { textPhone: agent?.phone ?? null, maskedIdNumber: account.id_number_masked, maskedPhone: account.phone ? maskPhone(account.phone) : null }
    }
    if (contacts.size >= 10_000) contacts.clear()
    contacts.set(accountId, { contact, at: now })
    return contact
  }

  // --- public service -----------------------------------------------------------------------

  /** The account as the web app and OIDC claims see it, or null. */
  async function getMe(accountId: string): Promise<Me | null> {
    const a = await store.accountById(accountId)
    if (!a) return null
    return toMe(a, await store.grantsOf([a.id]))
  }

  return {
    getMe,

    /** What staff see of an applicant: the masked ID number and phone (no grants; see contactOf). */
    async maskedContact(accountId: string): Promise<{ maskedIdNumber: string | null; maskedPhone: string | null } | null> {
      const c = await contactOf(accountId)
      return c ? { maskedIdNumber: c.maskedIdNumber, maskedPhone: c.maskedPhone } : null
    },

    /**
     * `textAccount` for several messages, sent together (one insert with the dev sender). Returns
     * how many had a phone to go to.
     */
    async textAccounts(messages: { accountId: string; text: string }[]): Promise<number> {
      const out: { phone: string; text: string }[] = []
      for (const m of messages) {
        const phone = (await contactOf(m.accountId))?.textPhone
        if (phone) out.push({ phone, text: m.text })
      }
      if (out.length === 0) return 0
      if (sms.sendMany) await sms.sendMany(db, out)
      else for (const m of out) await sms.send(db, m)
      return out.length
    },

    /**
     * Texts an account holder (a legal person's agent for enterprises) through the SMS sender, for
     * notices other modules raise. Returns false when there is no phone to text.
     */
    async textAccount(accountId: string, text: string): Promise<boolean> {
      const phone = (await contactOf(accountId))?.textPhone
      if (!phone) return false
      // One insert: atomic without a transaction of its own (three round trips fewer per notice).
      await sms.send(db, { phone, text })
      return true
    },

    /**
     * Texts a mobile number that may have no account behind it (a 12345 hotline caller's rating
     * link, a 一件事 co-applicant's invitation). Returns false when it is not a mainland mobile number.
     */
    async textPhone(phone: string, text: string): Promise<boolean> {
      const p = normalizePhone(phone)
      if (!isMobile(p)) return false
      await sms.send(db, { phone: p, text })
      return true
    },

    /**
     * A keyed digest of a mobile number (HMAC under the server key, its own domain), for a module
     * that must later recognise the number without keeping it; see `accountPhoneMatches`.
     */
    phoneDigest: (phone: string): string => keys.lookupHash('phone-match', normalizePhone(phone)),

    /**
     * Whether a person account's own mobile number (its sign-in number, unique among persons)
     * is the number behind `digest`. Answers only yes or no: the number itself never leaves.
     */
    async accountPhoneMatches(accountId: string, digest: string): Promise<boolean> {
      const a = await store.accountById(accountId)
      if (!a || a.kind !== 'person' || !a.phone || a.status !== 'active') return false
      return sameDigest(keys.lookupHash('phone-match', a.phone), digest)
    },

    /** Whether session cookies must be Secure (PUBLIC_URL is https). */
    secureCookies: deps.config.publicUrl.startsWith('https:'),

    /**
     * Signs in with a password. `username` may be a staff username, an ID number, a person's
     * mobile number or an enterprise's credit code.
     * @throws InvalidCredentialsError (also for unknown accounts), LoginLockedError, AccountDisabledError
     */
    async loginWithPassword(input: { username: string; password: string }, meta: RequestMeta = {}): Promise<SignedIn> {
      const k = loginKeys(input.username)
      const candidates = (await store.accountsForLogin(k)).filter((a) => a.password_hash)
      // An ID number, credit code or phone is more specific than a staff username.
      const account =
        candidates.find((a) => k.idNumberHash && a.id_number_hash === k.idNumberHash) ??
        candidates.find((a) => k.creditCode && a.credit_code === k.creditCode) ??
        candidates.find((a) => k.phone && a.kind === 'person' && a.phone === k.phone) ??
        candidates.find((a) => a.username === k.username)
      const key = account ? account.id : `name:${keys.lookupHash('login-name', k.canonical)}`
      const remaining = lockRemainingSeconds(toState(await store.throttle(key)), clock.now())
      if (remaining > 0) {
        await db.transaction().execute((trx) =>
          audit.record(trx, actorAnonymous(meta), {
            action: 'identity.login.failed', outcome: 'failure', targetType: 'account', targetId: account?.id, divisionCode: account?.division_code,
            detail: { method: 'password', reason: 'locked' }, security: true,
          }),
        )
        throw new LoginLockedError(remaining)
      }
      if (!account) {
        await verifyAgainstDummy(input.password)
        return failSignIn(key, undefined, 'password', 'unknown-account', meta)
      }
      if (!(await verifyPassword(account.password_hash!, input.password))) return failSignIn(key, account, 'password', 'wrong-password', meta)
      if (account.status !== 'active') {
        await db.transaction().execute((trx) =>
          audit.record(trx, actorAnonymous(meta), {
            action: 'identity.login.failed', outcome: 'failure', targetType: 'account', targetId: account.id, divisionCode: account.division_code,
            detail: { method: 'password', reason: 'disabled' }, security: true,
          }),
        )
        throw new AccountDisabledError()
      }
      return startSession(account, 'password', meta)
    },

    /**
     * Sends a sign-in code to a person's mobile number. Answers the same whether or not an
     * account has the number (the code is only delivered when one does).
     * @throws InvalidPhoneError, SmsTooSoonError, SmsDailyLimitError
     */
    async sendSmsCode(input: { phone: string }, meta: RequestMeta = {}, locale: Locale = 'zh-CN'): Promise<{ expiresInSeconds: number; resendAfterSeconds: number }> {
      const phone = normalizePhone(input.phone)
      if (!isMobile(phone)) throw new InvalidPhoneError()
      const now = clock.now()
      await db.transaction().execute(async (trx) => {
        const s = createIdentityStore(trx)
        await s.lockPhone(phone)
        const recent = await s.smsCodesSince(phone, new Date(now.getTime() - 86400_000))
        if (recent.latest) {
          const wait = smsPolicy.resendSeconds - Math.floor((now.getTime() - recent.latest.getTime()) / 1000)
          if (wait > 0) throw new SmsTooSoonError(wait)
        }
        if (recent.count >= smsPolicy.dailyLimit) throw new SmsDailyLimitError(3600)
        const id = newId('smc')
        const code = newSmsCode()
        await s.insertSmsCode({
          id, phone, purpose: 'login', code_hash: smsHash(id, phone, code), created_at: now,
          expires_at: new Date(now.getTime() + smsPolicy.ttlSeconds * 1000), consumed_at: null,
        })
        const account = await s.personByPhone(phone)
        const delivered = !!account && account.status === 'active'
        if (delivered) {
          await sms.send(trx, { phone, text: t(locale, 'identity.sms.login-code', { code, minutes: smsPolicy.ttlSeconds / 60 }) })
        }
        await audit.record(trx, actorAnonymous(meta), {
          action: 'identity.sms.sent', outcome: delivered ? 'success' : 'failure', targetType: 'account', targetId: account?.id,
          divisionCode: account?.division_code, detail: delivered ? { purpose: 'login', codeId: id } : { purpose: 'login', codeId: id, reason: 'no-account' },
        })
      })
      return { expiresInSeconds: smsPolicy.ttlSeconds, resendAfterSeconds: smsPolicy.resendSeconds }
    },

    /**
     * Signs a person in with the newest code sent to the phone. Each code allows a few wrong
     * guesses, then is burned; codes expire after 5 minutes and work once.
     * @throws InvalidSmsCodeError, AccountDisabledError
     */
    async loginWithSms(input: { phone: string; code: string }, meta: RequestMeta = {}): Promise<SignedIn> {
      const phone = normalizePhone(input.phone)
      const now = clock.now()
      const verdict = !isMobile(phone) || !/^\d{6}$/.test(input.code)
        ? 'invalid-code'
        : await db.transaction().execute(async (trx) => {
            const s = createIdentityStore(trx)
            const row = await s.latestSmsCodeForUpdate(phone, 'login')
            if (!row || row.consumed_at) return 'no-code'
            if (new Date(row.expires_at).getTime() <= now.getTime()) return 'expired'
            if (row.attempts >= smsPolicy.maxAttempts) return 'too-many-attempts'
            if (!sameDigest(smsHash(row.id, phone, input.code), row.code_hash)) {
              const attempts = row.attempts + 1
              await s.updateSmsCode(row.id, attempts >= smsPolicy.maxAttempts ? { attempts, consumed_at: now } : { attempts })
              return 'wrong-code'
            }
            await s.updateSmsCode(row.id, { consumed_at: now })
            return 'ok'
          })
      const account = isMobile(phone) ? await store.personByPhone(phone) : undefined
      if (verdict !== 'ok' || !account) {
        await db.transaction().execute((trx) =>
          audit.record(trx, actorAnonymous(meta), {
            action: 'identity.login.failed', outcome: 'failure', targetType: 'account', targetId: account?.id, divisionCode: account?.division_code,
            detail: { method: 'sms', reason: account ? verdict : 'unknown-account' }, security: true,
          }),
        )
        throw new InvalidSmsCodeError()
      }
      if (account.status !== 'active') throw new AccountDisabledError()
      return startSession(account, 'sms', meta)
    },

    /** Turns a cookie token into the caller, sliding the session's expiry; null when invalid or expired. */
    async resolveSession(token: string): Promise<Principal | null> {
      if (!token || token.length > 128) return null
      const hash = tokenHash(token)
      const cached = sessions.get(hash, clock.now().getTime())
      if (cached) return cached
      const generation = sessions.generation()
      const found = await store.sessionWithAccount(hash)
      if (!found) return null
      const { session: row, account, grants: grantRows } = found
      const now = clock.now()
      const absolute = new Date(row.absolute_expires_at).getTime()
      let expiresAt = new Date(row.expires_at).getTime()
      if (expiresAt <= now.getTime() || absolute <= now.getTime()) {
        await store.deleteSession(row.id)
        return null
      }
      if (!account || account.status !== 'active') return null
      let lastSeenAt = new Date(row.last_seen_at).getTime()
      if (now.getTime() - lastSeenAt >= SESSION_TOUCH_SECONDS * 1000) {
        const idle = sessionPolicy[account.kind].idleSeconds * 1000
        expiresAt = Math.min(now.getTime() + idle, absolute)
        lastSeenAt = now.getTime()
        await store.touchSession(row.id, now, new Date(expiresAt))
      }
      const grants: RoleGrant[] = toMe(account, grantRows).roles.map(({ role, divisionCode, departmentId }) => ({ role, divisionCode, departmentId }))
      const principal: Principal = { accountId: account.id, sessionId: row.id, kind: account.kind, name: account.name, grants }
      sessions.set(hash, principal, { readAt: now.getTime(), expiresAt, absoluteAt: absolute, lastSeenAt }, generation)
      return principal
    },

    /** Ends the caller's session. */
    async logout(principal: Principal, meta: RequestMeta = {}): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const s = createIdentityStore(trx)
        const deleted = await s.deleteSession(principal.sessionId)
        if (deleted === 0) return
        const account = await s.accountById(principal.accountId)
        await audit.record(trx, { actorId: principal.accountId, actorKind: principal.kind, actorName: principal.name, ...metaOf(meta) }, {
          action: 'identity.logout', targetType: 'account', targetId: principal.accountId, divisionCode: account?.division_code,
          detail: { sessionId: principal.sessionId },
        })
      }).finally(() => sessions.dropSession(principal.sessionId))
    },

    /**
     * Citizen self-registration; signs the new account in.
     * @throws InvalidIdNumberError, InvalidPhoneError, WeakPasswordError, AlreadyRegisteredError
     */
    async register(input: { name: string; idNumber: string; phone: string; password: string }, meta: RequestMeta = {}): Promise<SignedIn> {
      const account = await insertPerson('register', { ...input }, meta)
      return startSession(account, 'register', meta)
    },

    /**
     * Creates a natural-person account (demo seeding, tests, admin tools). The household division
     * defaults to the ID number's address code.
     */
    async createPerson(by: Actor, input: CreatePersonInput, meta: RequestMeta = {}): Promise<AccountSummary> {
      const account = await insertPerson(by, input, meta)
      return summaryOf(db, account.id)
    },

    /**
     * Creates a legal-person account linked to a natural-person agent; its division is the
     * credit code's (positions 3–8).
     * @throws InvalidCreditCodeError, InvalidAgentError, AlreadyRegisteredError, WeakPasswordError
     */
    async createLegal(by: Actor, input: CreateLegalInput, meta: RequestMeta = {}): Promise<AccountSummary> {
      const cc = checkCreditCode(input.creditCode)
      if (!cc.ok) throw new InvalidCreditCodeError(cc.problem)
      assertMayAdminister(by, cc.divisionCode)
      const agent = await store.accountById(input.agentAccountId)
      if (!agent || agent.kind !== 'person') throw new InvalidAgentError()
      const passwordHash = await passwordHashOf(input)
      const now = clock.now()
      const id = await withEvents(async (trx) => {
        const s = createIdentityStore(trx)
        if ((await s.findTaken({ creditCode: cc.creditCode })).creditCode) throw new AlreadyRegisteredError('creditCode')
        const a = await insertOrConflict(() =>
          s.insertAccount({
            id: newId('acc'), kind: 'legal', name: input.name.trim(), username: null, password_hash: passwordHash, id_number_hash: null,
            id_number_sealed: null, id_number_masked: null, phone: null, credit_code: cc.creditCode, division_code: cc.divisionCode,
            department_id: null, agent_account_id: agent.id, created_at: now, updated_at: now, last_login_at: null,
          }),
          new AlreadyRegisteredError('creditCode'),
        )
        await afterCreate(trx, by, a, meta, { orgCodeValid: cc.orgCodeValid })
        return a.id
      })
      return summaryOf(db, id)
    },

    /**
     * Creates a staff account in a department, with role grants.
     * @throws InvalidUsernameError, UnknownDepartmentError, UsernameTakenError, WeakPasswordError,
     *   ForbiddenError / OutOfScopeError (outside the caller's divisions)
     */
    async createStaff(by: Actor, input: CreateStaffInput, meta: RequestMeta = {}): Promise<AccountSummary> {
      const username = input.username.trim().toLowerCase()
      if (!USERNAME.test(username)) throw new InvalidUsernameError()
      if (!isAdmin(by)) throw new ForbiddenError()
      const dept = await departmentOf(input.departmentId)
      if (!dept) throw new UnknownDepartmentError()
      assertMayAdminister(by, dept.divisionCode)
      const phone = input.phone ? normalizePhone(input.phone) : null
      if (phone && !isMobile(phone)) throw new InvalidPhoneError()
      const base = { division_code: dept.divisionCode, department_id: dept.id }
      const grants: { role: Role; divisionCode: string | null; departmentId: string | null }[] = []
      for (const g of input.roles ?? []) grants.push(await resolveGrant(by, base, g))
      const passwordHash = await passwordHashOf(input)
      const now = clock.now()
      const id = await withEvents(async (trx) => {
        const s = createIdentityStore(trx)
        if ((await s.findTaken({ username })).username) throw new UsernameTakenError()
        const a = await insertOrConflict(() =>
          s.insertAccount({
            id: newId('acc'), kind: 'staff', name: input.name.trim(), username, password_hash: passwordHash, id_number_hash: null,
            id_number_sealed: null, id_number_masked: null, phone, credit_code: null, division_code: dept.divisionCode,
            department_id: dept.id, agent_account_id: null, created_at: now, updated_at: now, last_login_at: null,
          }),
          new UsernameTakenError(),
        )
        await afterCreate(trx, by, a, meta)
        const seen = new Set<string>()
        for (const g of grants) {
          const k = `${g.role}|${g.divisionCode}|${g.departmentId}`
          if (seen.has(k)) continue
          seen.add(k)
          await insertGrant(trx, by, a, g, meta)
        }
        return a.id
      })
      return summaryOf(db, id)
    },

    /**
     * Grants a staff role. platform_admin anywhere in its scope; data_admin within its divisions.
     * @throws AccountNotFoundError, RoleNotGrantableError, GrantExistsError, UnknownDivisionError,
     *   UnknownDepartmentError, ForbiddenError, OutOfScopeError
     */
    async grantRole(by: Actor, accountId: string, input: GrantInput, meta: RequestMeta = {}): Promise<GrantView> {
      if (!isAdmin(by)) throw new ForbiddenError()
      const account = await store.accountById(accountId)
      if (!account) throw new AccountNotFoundError()
      if (account.kind !== 'staff') throw new RoleNotGrantableError()
      assertMayAdminister(by, account.division_code)
      const g = await resolveGrant(by, account, input)
      return withEvents(async (trx) => {
        if (await createIdentityStore(trx).findGrant(account.id, g)) throw new GrantExistsError()
        return toGrantView(await insertGrant(trx, by, account, g, meta))
      }).finally(() => sessions.dropAccount(account.id))
    },

    /**
     * Removes a grant, under the same rules as granting; the last platform-wide
     * platform_admin grant stays.
     * @throws AccountNotFoundError, GrantNotFoundError, LastPlatformAdminError, ForbiddenError, OutOfScopeError
     */
    async revokeRole(by: Actor, accountId: string, grantId: string, meta: RequestMeta = {}): Promise<void> {
      if (!isAdmin(by)) throw new ForbiddenError()
      const account = await store.accountById(accountId)
      if (!account) throw new AccountNotFoundError()
      assertMayAdminister(by, account.division_code)
      await withEvents(async (trx) => {
        const s = createIdentityStore(trx)
        const grant = await s.grantById(accountId, grantId)
        if (!grant) throw new GrantNotFoundError()
        assertMayAdminister(by, grant.division_code, grant.role)
        if (grant.role === 'platform_admin' && grant.division_code === null) {
          const wide = await s.platformWideAdminGrants()
          if (wide.filter((w) => w.id !== grant.id).length === 0) throw new LastPlatformAdminError()
        }
        await s.deleteGrant(grant.id)
        await audit.record(trx, actorOfBy(by, meta), {
          action: 'identity.role.revoked', targetType: 'account', targetId: account.id, divisionCode: grant.division_code ?? account.division_code,
          detail: { grantId: grant.id, role: grant.role, divisionCode: grant.division_code, departmentId: grant.department_id }, security: true,
        })
        await outbox.add(trx, identityEvents.roleRevoked({
          accountId: account.id, grantId: grant.id, role: grant.role, divisionCode: grant.division_code, departmentId: grant.department_id,
          revokedBy: by === 'system' ? null : by.accountId,
        }))
        // After the commit (or rollback): this process's signed-in requests of the account see the
        // change at once, other server processes within SESSION_CACHE_MS.
      }).finally(() => sessions.dropAccount(account.id))
    },

    /**
     * Accounts the caller administers: all for a platform-wide admin, else those in its divisions.
     * `q` matches a name part, a username or credit-code prefix, a full phone or a full ID number.
     */
    async listAccounts(by: Actor, query: { kind?: AccountKind; q?: string; page?: number; pageSize?: number } = {}): Promise<Page<AccountSummary>> {
      if (!isAdmin(by)) throw new ForbiddenError()
      const page = query.page ?? 1
      const pageSize = query.pageSize ?? 20
      const q = query.q?.trim()
      const phone = q ? normalizePhone(q) : ''
      const { rows, total } = await store.listAccounts({
        kind: query.kind,
        nameLike: q || undefined,
        codePrefix: q && /^[A-Za-z0-9._-]+$/.test(q) ? q : undefined,
        phone: q && isMobile(phone) ? phone : undefined,
        idNumberHash: q && /^\d{17}[\dXx]$/.test(q) ? idHash(q) : undefined,
        divisions: by === 'system' ? null : visibleDivisions(by, 'platform_admin', 'data_admin'),
        limit: pageSize,
        offset: (page - 1) * pageSize,
      })
      const grants = await store.grantsOf(rows.map((r) => r.id))
      const now = clock.now()
      return { items: rows.map((r) => toSummary(r, grants, now)), total, page, pageSize }
    },

    /** One account for an admin, with its lock state. */
    async getAccount(by: Actor, accountId: string): Promise<AccountSummary> {
      if (!isAdmin(by)) throw new ForbiddenError()
      const summary = await summaryOf(db, accountId)
      if (summary.divisionCode) assertMayAdminister(by, summary.divisionCode)
      else assertMayAdminister(by, null)
      return summary
    },

    /**
     * The full ID number, for modules that must hand it to a registry. Never log or return it
     * in a response without a reason.
     */
    async revealIdNumber(accountId: string): Promise<string | null> {
      const a = await store.accountById(accountId)
      return a?.id_number_sealed ? keys.unseal(a.id_number_sealed) : null
    },

    /** The natural-person account with this ID number, if any (lookup by keyed hash). */
    async findPersonIdByIdNumber(idNumber: string): Promise<string | null> {
      return (await store.personIdByIdNumberHash(idHash(idNumber.trim()))) ?? null
    },

    /** The dev SMS outbox, newest first (platform_admin only: it shows full numbers and codes). */
    async listSmsOutbox(by: Actor, query: { page?: number; pageSize?: number } = {}): Promise<Page<{ id: string; phone: string; text: string; createdAt: Date }>> {
      if (by !== 'system' && !hasRole(by, 'platform_admin')) throw new ForbiddenError()
      const page = query.page ?? 1
      const pageSize = query.pageSize ?? 20
      const { rows, total } = await store.listSmsOutbox({ limit: pageSize, offset: (page - 1) * pageSize })
      return { items: rows.map((r) => ({ id: r.id, phone: r.phone, text: r.text, createdAt: new Date(r.created_at) })), total, page, pageSize }
    },

    /** The audit log: platform-wide admins see all; data_admin only its divisions' entries. */
    async listAudit(by: Actor, query: { action?: string; actorId?: string; targetId?: string; page?: number; pageSize?: number } = {}): Promise<Page<AuditRecord>> {
      if (!isAdmin(by)) throw new ForbiddenError()
      const page = query.page ?? 1
      const pageSize = query.pageSize ?? 20
      const divisions = by === 'system' ? null : visibleDivisions(by, 'platform_admin', 'data_admin')
      const { items, total } = await audit.list(
        { action: query.action, actorId: query.actorId, targetId: query.targetId, divisions },
        { limit: pageSize, offset: (page - 1) * pageSize },
      )
      return { items, total, page, pageSize }
    },

    /** argon2id hash of a password, for seeding many accounts with one shared password. */
    hashPassword,
  }

  // --- helpers that need the closure -------------------------------------------------------

  async function passwordHashOf(input: { password?: string; passwordHash?: string }): Promise<string | null> {
    if (input.passwordHash) return input.passwordHash
    if (input.password === undefined) return null
    if (!isAcceptablePassword(input.password)) throw new WeakPasswordError()
    return hashPassword(input.password)
  }

  async function insertOrConflict<T>(insert: () => Promise<T>, conflict: Error): Promise<T> {
    try {
      return await insert()
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict
      throw err
    }
  }

  async function insertPerson(by: Actor | 'register', input: CreatePersonInput, meta: RequestMeta): Promise<AccountRow> {
    const id = checkIdNumber(input.idNumber, clock.now())
    if (!id.ok) throw new InvalidIdNumberError(id.problem)
    const phone = input.phone ? normalizePhone(input.phone) : null
    if (phone !== null && !isMobile(phone)) throw new InvalidPhoneError()
    if (by === 'register' && input.password === undefined) throw new WeakPasswordError()
    const divisionCode = input.divisionCode ?? id.divisionCode
    if (by !== 'register') {
      if (!isAdmin(by)) throw new ForbiddenError()
      assertMayAdminister(by, divisionCode)
    }
    const passwordHash = await passwordHashOf(input)
    const hash = idHash(id.idNumber)
    const now = clock.now()
    return withEvents(async (trx) => {
      const s = createIdentityStore(trx)
      const taken = await s.findTaken({ idNumberHash: hash, personPhone: phone ?? undefined })
      if (taken.idNumber) throw new AlreadyRegisteredError('idNumber')
      if (taken.phone) throw new AlreadyRegisteredError('phone')
      const a = await insertOrConflict(() =>
        s.insertAccount({
          id: newId('acc'), kind: 'person', name: input.name.trim(), username: null, password_hash: passwordHash, id_number_hash: hash,
          id_number_sealed: keys.seal(id.idNumber), id_number_masked: maskIdNumber(id.idNumber), phone, credit_code: null,
          division_code: divisionCode, department_id: null, agent_account_id: null, created_at: now, updated_at: now, last_login_at: null,
        }),
        new AlreadyRegisteredError('idNumber'),
      )
      await afterCreate(trx, by === 'register' ? 'self' : by, a, meta)
      return a
    })
  }

  /** Audit and event for a new account, in its transaction. */
  async function afterCreate(trx: Db, by: Actor | 'self', a: AccountRow, meta: RequestMeta, detail: Record<string, unknown> = {}): Promise<void> {
    const self = by === 'self'
    await audit.record(trx, self ? actorAccount(a, meta) : actorOfBy(by, meta), {
      action: self ? 'identity.account.registered' : 'identity.account.created', targetType: 'account', targetId: a.id,
      divisionCode: a.division_code, detail: { kind: a.kind, departmentId: a.department_id, ...detail }, security: true,
    })
    await outbox.add(trx, identityEvents.accountCreated({
      accountId: a.id, kind: a.kind, divisionCode: a.division_code, departmentId: a.department_id,
      via: self ? 'register' : by === 'system' ? 'system' : 'admin',
    }))
  }

  async function insertGrant(trx: Db, by: Actor, a: AccountRow, g: { role: Role; divisionCode: string | null; departmentId: string | null }, meta: RequestMeta): Promise<GrantRow> {
    const row = await insertOrConflict(
      () => createIdentityStore(trx).insertGrant({
        id: newId('rg'), account_id: a.id, role: g.role, division_code: g.divisionCode, department_id: g.departmentId,
        granted_by: by === 'system' ? null : by.accountId, created_at: clock.now(),
      }),
      new GrantExistsError(),
    )
    await audit.record(trx, actorOfBy(by, meta), {
      action: 'identity.role.granted', targetType: 'account', targetId: a.id, divisionCode: g.divisionCode ?? a.division_code,
      detail: { grantId: row.id, role: g.role, divisionCode: g.divisionCode, departmentId: g.departmentId }, security: true,
    })
    await outbox.add(trx, identityEvents.roleGranted({
      accountId: a.id, grantId: row.id, role: g.role, divisionCode: g.divisionCode, departmentId: g.departmentId,
      grantedBy: by === 'system' ? null : by.accountId,
    }))
    return row
  }
}
