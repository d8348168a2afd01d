import { sql } from 'kysely'
import type { Db } from '../../db/database.js'
import { systemActor, type AuditActor } from '../../platform/audit.js'
import { chinaDate } from '../../platform/calendar.js'
import type { Core } from '../../platform/core.js'
import { ForbiddenError, OutOfScopeError } from '../../platform/errors.js'
import { canonicalJson, sm2GenerateKeyPair, sm2PublicKeyToPem, SM2_DEFAULT_USER_ID } from '../../platform/gm.js'
import { t, type Locale } from '../../platform/i18n.js'
import { newId } from '../../platform/ids.js'
import { divisionCovers, type Principal, type Role } from '../../platform/roles.js'
import type { ServiceItemVersion } from '../catalog/index.js'
import { checkCreditCode, checkIdNumber, maskIdNumber, maskPhone, type IdentityService } from '../identity/index.js'
import type { OrgService } from '../org/index.js'
import {
  CodeNotFoundError,
  GrantNotFoundError,
  HolderNotFoundError,
  InvalidFieldsError,
  InvalidHolderError,
  InvalidImageError,
  InvalidStatusChangeError,
  LicenseNotFoundError,
  NoActiveSealError,
  NoGrantError,
  NotUsableError,
  NotYourLicenseError,
  NoWalletError,
  RequestDecidedError,
  RequestNotFoundError,
  SealNotFoundError,
  TokenExpiredError,
  UnknownDepartmentError,
  UnknownFieldError,
  UnknownLicenseTypeError,
  WrongTypeError,
} from './errors.js'
import { licensesEvents, licensesEventTypes } from './events.js'
import { fieldSchemaOf, licenseTypeOf, licenseTypes, validUntilOf, type FieldDef, type HolderKind, type LicenseTypeDef } from './license-types.js'
import { readLicenseTable } from './imports.js'
import { renderLicensePdf } from './pdf.js'
import { createVcIssuer, credentialProofOnly, encodeStatusList, licenseCredential, statusListCredential, statusListUrl, type VcIssuer } from './vc.js'
import { generateSealSvg, isPng, MAX_SEAL_PNG_BYTES } from './seal-image.js'
import { deriveLicenseKeys, randomCode, signContent, verifySigned } from './signing.js'
import { createLicensesStore, STATUS_LIST_SIZE, type GrantRow, type LicenseRow, type RequestRow, type SealRow, type StoredStatus } from './store.js'
import type {
  AccessRequestView,
  FieldView,
  GrantMode,
  GrantView,
  LicenseContent,
  LicenseDetail,
  LicenseStatus,
  LicenseSummary,
  Paginated,
  RequestMeta,
  SealView,
  SignedLicenseDocument,
  UseEntry,
  Verification,
} from './types.js'

export type OrgPort = Pick<OrgService, 'getDepartment'>
export type IdentityPort = Pick<IdentityService, 'getMe' | 'revealIdNumber'>

export interface LicensesDeps extends Pick<Core, 'db' | 'clock' | 'audit' | 'outbox' | 'config' | 'logger'> {
  org: OrgPort
  identity: IdentityPort
}

/** What issuing from a case needs from the cases and catalog modules (passed by services.ts). */
export interface CaseSource {
  findApplication(id: string): Promise<{ id: string; number: string | null; itemVersionId: string; departmentId: string; applicantId: string; applicantKind: 'person' | 'legal'; applicantName: string; formData: Record<string, unknown> } | null>
  getVersion(id: string): Promise<ServiceItemVersion | null>
}

/** Who is the license for: a person by ID number or an entity by credit code. */
export interface HolderInput {
  kind: HolderKind
  id: string
  name: string
}

export interface IssueInput {
  type: string
  departmentId: string
  sealId?: string
  holder: HolderInput
  fields: Record<string, string>
  validFrom?: string
  validUntil?: string | null
}

/** Roles that manage a department's seals, issue by import, and change license status. */
const issuerAdminRoles: readonly Role[] = ['department_head', 'data_admin']
/** Roles that see what their department issued, and that ask for and read holders' licenses. */
const departmentStaffRoles: readonly Role[] = ['department_head', 'data_admin', 'reviewer', 'window_clerk', 'leader']

const TOKEN_TTL_DEFAULT = 300

function pageOf(q: { page?: number; pageSize?: number }) {
  const page = Math.max(1, q.page ?? 1)
  const pageSize = Math.min(100, Math.max(1, q.pageSize ?? 20))
  return { page, pageSize, offset: (page - 1) * pageSize }
}

/** 冯萍佳 → 冯*佳; 张三 → 张*: enough for a verifier to match the person in front of them. */
export function maskName(name: string): string {
  const chars = [...name]
  if (chars.length <= 1) return name
  if (chars.length === 2) return `${chars[0]}*`
  return chars[0] + '*'.repeat(chars.length - 2) + chars[chars.length - 1]
}

/** A field's value as staff and verifiers see it: personal identifiers the type declares are masked. */
function shownValue(d: FieldDef, value: string, reveal: boolean): string {
  if (reveal || !d.identifier) return value
  return d.identifier === 'idNumber' ? maskIdNumber(value) : maskPhone(value)
}

/** GB 11643: the birth date and the sex are part of the ID number. */
function derivedFromIdNumber(id: string): Record<string, string> {
  return { birthDate: `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`, sex: Number(id[16]) % 2 === 1 ? '男' : '女' }
}

export type LicensesService = ReturnType<typeof createLicensesService>

export function createLicensesService(deps: LicensesDeps) {
  const { db, clock, audit, outbox, config, org, identity } = deps
  const store = createLicensesStore(db)
  // Bootstrap always resolves SECRET_KEY (generated and kept in DATA_DIR when not configured).
  const secret = config.SECRET_KEY!
  const keys = deriveLicenseKeys(secret)
  const publicUrl = config.publicUrl.replace(/\/$/, '')

  async function withEvents<T>(fn: (trx: Db) => Promise<T>): Promise<T> {
    const result = await db.transaction().execute(fn)
    outbox.nudge()
    return result
  }

  function actorOf(by: Principal | null, meta: RequestMeta = {}): AuditActor {
    if (!by) return systemActor
    return { actorId: by.accountId, actorKind: by.kind, actorName: by.name, ip: meta.ip ?? null, userAgent: meta.userAgent?.slice(0, 300) ?? null }
  }

  function typeOrThrow(code: string): LicenseTypeDef {
    const def = licenseTypeOf(code)
    if (!def) throw new UnknownLicenseTypeError(code)
    return def
  }

  async function departmentOrThrow(id: string) {
    const d = await org.getDepartment(id)
    if (!d) throw new UnknownDepartmentError()
    return d
  }

  /** Whether the principal acts for the department with one of `roles` (department grant, or division grant covering it). */
  function actsFor(p: Principal, dept: { id: string; divisionCode: string }, roles: readonly Role[]): boolean {
    return p.grants.some((g) => {
      if (g.role === 'platform_admin') return divisionCovers(g.divisionCode, dept.divisionCode)
      if (!roles.includes(g.role)) return false
      return g.departmentId ? g.departmentId === dept.id : divisionCovers(g.divisionCode, dept.divisionCode)
    })
  }

  function assertActsFor(p: Principal, dept: { id: string; divisionCode: string }, roles: readonly Role[]): void {
    if (!actsFor(p, dept, roles)) throw new OutOfScopeError()
  }

  // --- views ----------------------------------------------------------------------------------

  function effectiveStatus(r: { status: StoredStatus; valid_until: string | null }, today = chinaDate(clock.now())): LicenseStatus {
    if (r.status !== 'valid') return r.status
    return r.valid_until !== null && r.valid_until < today ? 'expired' : 'valid'
  }

  function typeName(code: string, locale: Locale): string {
    return licenseTypeOf(code)?.name[locale] ?? code
  }

  function summaryOf(r: LicenseRow, locale: Locale): LicenseSummary {
    return {
      id: r.id,
      number: r.number,
      type: r.type,
      typeName: typeName(r.type, locale),
      holderKind: r.holder_kind,
      holderName: r.holder_name,
      maskedHolderId: r.holder_masked_id,
      issuerDepartmentId: r.issuer_department_id,
      issuerName: r.issuer_name,
      issuedAt: r.issued_at,
      validFrom: r.valid_from,
      validUntil: r.valid_until,
      status: effectiveStatus(r),
      source: r.source,
      applicationId: r.application_id,
    }
  }

  /** The fields in the type's order (only `only`, when given); identifiers masked unless `reveal` (the holder's own wallet). */
  function fieldViews(type: string, fields: Record<string, string>, locale: Locale, opts: { only?: readonly string[]; reveal?: boolean } = {}): FieldView[] {
    const def = licenseTypeOf(type)
    const defs = def?.fields ?? []
    return defs
      .filter((d) => fields[d.key] !== undefined && (!opts.only || opts.only.includes(d.key)))
      .map((d) => ({ key: d.key, label: d.label[locale], value: shownValue(d, fields[d.key]!, opts.reveal === true) }))
  }

  const verifyUrlOf = (code: string) => `${publicUrl}/verify/${code}`

  /** PEM of a seal's public key, remembered: the curve check behind it is pure JS and seals are few. */
  const pems = new Map<string, string>()
  function pemOf(publicKeyHex: string): string {
    let pem = pems.get(publicKeyHex)
    if (!pem) {
      pem = sm2PublicKeyToPem(publicKeyHex)
      if (pems.size > 1000) pems.clear()
      pems.set(publicKeyHex, pem)
    }
    return pem
  }

  function contentOf(r: LicenseRow): LicenseContent {
    return JSON.parse(keys.unsealContent(r.id, r.content_sealed)) as LicenseContent
  }

  /** A license in full; `reveal` only for its holder (staff see identifier fields masked). */
  async function detailOf(r: LicenseRow, locale: Locale, reveal = false): Promise<LicenseDetail> {
    const content = contentOf(r)
    const history = await store.historyOf(r.id)
    return {
      ...summaryOf(r, locale),
      fields: fieldViews(r.type, content.fields, locale, { reveal }),
      sealId: r.seal_id,
      verificationCode: r.verification_code,
      verifyUrl: verifyUrlOf(r.verification_code),
      statusHistory: history.map((h) => ({ status: h.status, reason: h.reason, at: h.at, actorName: h.actor_name })),
      signature: { algorithm: 'SM2-SM3', userId: SM2_DEFAULT_USER_ID, digest: r.content_digest, value: r.signature },
    }
  }

  function sealView(s: SealRow): SealView {
    return {
      id: s.id,
      departmentId: s.department_id,
      departmentName: s.department_name,
      name: s.name,
      status: s.status,
      imageSource: s.image_source,
      publicKeyHex: s.public_key_hex,
      publicKeyPem: pemOf(s.public_key_hex),
      imageUrl: `/api/licenses/seals/${s.id}/image.${s.image_source === 'uploaded' ? 'png' : 'svg'}`,
      version: s.version,
      createdAt: s.created_at,
      updatedAt: s.updated_at,
    }
  }

  function grantStatus(g: GrantRow, now = clock.now()): GrantView['status'] {
    if (g.status !== 'active') return g.status
    return g.expires_at && g.expires_at <= now ? 'expired' : 'active'
  }

  function grantView(g: GrantRow, l: { number: string; type: string }): GrantView {
    return {
      id: g.id,
      licenseId: g.license_id,
      licenseNumber: l.number,
      licenseType: l.type,
      departmentId: g.department_id,
      departmentName: g.department_name,
      purpose: g.purpose,
      mode: g.mode,
      applicationId: g.application_id,
      status: grantStatus(g),
      createdAt: g.created_at,
      expiresAt: g.expires_at,
      withdrawnAt: g.withdrawn_at,
    }
  }

  function requestView(r: RequestRow): AccessRequestView {
    return {
      id: r.id,
      licenseType: r.license_type,
      licenseId: r.license_id,
      departmentId: r.department_id,
      departmentName: r.department_name,
      purpose: r.purpose,
      applicationId: r.application_id,
      status: r.status,
      createdAt: r.created_at,
      decidedAt: r.decided_at,
      grantId: r.grant_id,
    }
  }

  // --- holders --------------------------------------------------------------------------------

  function checkedHolder(h: HolderInput): HolderInput {
    if (h.kind === 'person') {
      const r = checkIdNumber(h.id, clock.now())
      if (!r.ok) throw new InvalidHolderError(r.problem)
      return { kind: 'person', id: h.id.trim().toUpperCase(), name: h.name.trim() }
    }
    const r = checkCreditCode(h.id)
    if (!r.ok) throw new InvalidHolderError(r.problem)
    return { kind: 'entity', id: h.id.trim().toUpperCase(), name: h.name.trim() }
  }

  const holderCache = new Map<string, { key: string; kind: HolderKind; id: string; name: string } | null>()

  /** The wallet key of an account: its ID number (person) or its credit code (legal), hashed. */
  async function holderOfAccount(accountId: string): Promise<{ key: string; kind: HolderKind; id: string; name: string } | null> {
    if (holderCache.has(accountId)) return holderCache.get(accountId)!
    const me = await identity.getMe(accountId)
    let holder: { key: string; kind: HolderKind; id: string; name: string } | null = null
    if (me?.kind === 'person') {
      const idNumber = await identity.revealIdNumber(accountId)
      if (idNumber) holder = { key: keys.holderKey('person', idNumber), kind: 'person', id: idNumber.toUpperCase(), name: me.name }
    } else if (me?.kind === 'legal' && me.creditCode) {
      holder = { key: keys.holderKey('entity', me.creditCode), kind: 'entity', id: me.creditCode, name: me.name }
    }
    if (holderCache.size > 10_000) holderCache.clear()
    holderCache.set(accountId, holder)
    return holder
  }

  async function walletOf(by: Principal) {
    if (by.kind !== 'person' && by.kind !== 'legal') throw new NoWalletError()
    const h = await holderOfAccount(by.accountId)
    if (!h) throw new NoWalletError()
    return h
  }

  async function ownLicense(by: Principal, licenseId: string): Promise<LicenseRow> {
    const h = await walletOf(by)
    const r = await store.licenseById(licenseId)
    if (!r || r.holder_key !== h.key) throw new LicenseNotFoundError()
    return r
  }

  // --- issuance -------------------------------------------------------------------------------

  function validateFields(def: LicenseTypeDef, fields: Record<string, unknown>, lenient: boolean): Record<string, string> {
    const schema = fieldSchemaOf(def)
    const known = Object.fromEntries(Object.entries(fields).filter(([k, v]) => def.fields.some((d) => d.key === k) && v !== undefined && v !== null && v !== ''))
    if (lenient) {
      // From a case: keep what the case established that fits the schema, drop the rest.
      const out: Record<string, string> = {}
      for (const [k, v] of Object.entries(known)) {
        const one = (schema as unknown as { shape: Record<string, { safeParse(v: unknown): { success: boolean; data?: unknown } }> }).shape[k]
        const r = one?.safeParse(String(v))
        if (r?.success) out[k] = String(r.data)
      }
      return out
    }
    const r = schema.safeParse(known)
    if (!r.success) throw new InvalidFieldsError(r.error.issues.map((i) => ({ field: String(i.path[0] ?? ''), message: i.message })))
    return r.data
  }

  async function ensureSeal(trx: Db, dept: { id: string; name: string; divisionCode: string }, sealId: string | undefined, createIfMissing: boolean): Promise<SealRow> {
    if (sealId) {
      const s = await store.sealById(sealId, trx)
      if (!s || s.department_id !== dept.id || s.status !== 'active') throw new NoActiveSealError()
      return s
    }
    const s = await store.activeSealOf(dept.id, trx)
    if (s) return s
    if (!createIfMissing) throw new NoActiveSealError()
    return insertSeal(trx, dept, `${dept.name}电子证照专用章`, null, systemActor)
  }

  async function insertSeal(trx: Db, dept: { id: string; name: string; divisionCode: string }, name: string, png: Buffer | null, actor: AuditActor): Promise<SealRow> {
    const kp = sm2GenerateKeyPair()
    const now = clock.now()
    const row: SealRow = {
      id: newId('seal'),
      department_id: dept.id,
      department_name: dept.name,
      division_code: dept.divisionCode,
      name,
      status: 'active',
      public_key_hex: kp.publicKeyHex,
      private_key_sealed: keys.sealPrivateKey(kp.publicKeyHex, kp.privateKeyHex),
      image_source: png ? 'uploaded' : 'generated',
      image_svg: png ? null : generateSealSvg(dept.name),
      image_png: png,
      version: 1,
      created_at: now,
      updated_at: now,
    }
    await store.q(trx).insertInto('licenses.seal').values(row).execute()
    await audit.record(trx, actor, {
      action: 'licenses.seal.created', targetType: 'seal', targetId: row.id, divisionCode: dept.divisionCode,
      detail: { departmentId: dept.id, name, publicKeyHex: kp.publicKeyHex, image: row.image_source }, security: true,
    })
    await outbox.add(trx, licensesEvents.seal(licensesEventTypes.sealCreated, { sealId: row.id, departmentId: dept.id, status: 'active' }))
    return row
  }

  /**
   * Signs and stores one license inside `trx`: number, verification code, status-list slot,
   * canonical content sealed at rest, SM3 digest and SM2 signature by the department's seal.
   */
  async function issueInTrx(
    trx: Db,
    input: {
      def: LicenseTypeDef
      dept: { id: string; name: string; divisionCode: string }
      seal: SealRow
      holder: HolderInput
      fields: Record<string, string>
      validFrom: string
      validUntil: string | null
      source: 'case' | 'import'
      applicationId: string | null
      applicationNumber: string | null
      importId: string | null
      actor: AuditActor
    },
  ): Promise<LicenseRow> {
    const now = clock.now()
    const { n } = (await sql<{ n: string }>`select nextval('licenses.license_number_seq')::text as n`.execute(trx)).rows[0]!
    const number = `${input.def.abbr}${input.dept.divisionCode.slice(0, 6)}${chinaDate(now).slice(0, 4)}${n.padStart(8, '0')}`
    const id = newId('lic')
    const verificationCode = randomCode('L', 16)
    const slot = await store.allocateStatusEntry(trx, () => newId('sl'), now)
    const content: LicenseContent = {
      format: 'yiwang-license/1',
      number,
      type: input.def.code,
      typeName: input.def.name['zh-CN'],
      issuer: { departmentId: input.dept.id, name: input.dept.name, divisionCode: input.dept.divisionCode },
      seal: { id: input.seal.id, publicKeyHex: input.seal.public_key_hex },
      holder: { kind: input.holder.kind, name: input.holder.name, id: input.holder.id },
      fields: input.fields,
      validFrom: input.validFrom,
      validUntil: input.validUntil,
      issuedAt: now.toISOString(),
      verificationCode,
      applicationNumber: input.applicationNumber,
    }
    const signed = signContent(content, keys.openPrivateKey(input.seal.public_key_hex, input.seal.private_key_sealed))
    const row: LicenseRow = {
      id,
      number,
      type: input.def.code,
      holder_kind: input.holder.kind,
      holder_key: keys.holderKey(input.holder.kind, input.holder.id),
      holder_name: input.holder.name,
      holder_masked_id: input.holder.kind === 'person' ? maskIdNumber(input.holder.id) : input.holder.id,
      issuer_department_id: input.dept.id,
      issuer_name: input.dept.name,
      issuer_division_code: input.dept.divisionCode,
      seal_id: input.seal.id,
      content_sealed: keys.sealContent(id, signed.canonical),
      content_digest: signed.digest,
      signature: signed.signature,
      verification_code: verificationCode,
      status: 'valid',
      status_changed_at: null,
      valid_from: input.validFrom,
      valid_until: input.validUntil,
      issued_at: now,
      source: input.source,
      application_id: input.applicationId,
      import_id: input.importId,
      status_list_id: slot.listId,
      status_list_index: slot.index,
      created_at: now,
      updated_at: now,
    }
    await store.q(trx).insertInto('licenses.license').values(row).execute()
    await store.q(trx).insertInto('licenses.status_change').values({ id: newId('lsc'), license_id: id, status: 'valid', reason: null, actor_id: input.actor.actorId, actor_name: input.actor.actorName, at: now }).execute()
    // The ledger gets the digest of this audit row; the content digest binds the signed license to it.
    await audit.record(trx, input.actor, {
      action: 'licenses.license.issued', targetType: 'license', targetId: id, divisionCode: input.dept.divisionCode,
      detail: { type: input.def.code, number, sealId: input.seal.id, contentDigest: signed.digest, source: input.source, applicationId: input.applicationId },
      security: true,
    })
    await outbox.add(trx, licensesEvents.license(licensesEventTypes.issued, { licenseId: id, type: input.def.code, issuerDepartmentId: input.dept.id, status: 'valid', applicationId: input.applicationId }))
    return row
  }

  // --- status changes -------------------------------------------------------------------------

  const transitions: Record<'revoke' | 'suspend' | 'reinstate', { from: LicenseStatus[]; to: StoredStatus; event: string }> = {
    revoke: { from: ['valid', 'suspended', 'expired'], to: 'revoked', event: licensesEventTypes.revoked },
    suspend: { from: ['valid'], to: 'suspended', event: licensesEventTypes.suspended },
    reinstate: { from: ['suspended'], to: 'valid', event: licensesEventTypes.reinstated },
  }

  /** Forgets cached public answers about a license whose status changed (this process). */
  const statusListeners: ((licenseId: string, code: string) => void)[] = []

  /**
   * Public answers for permanent codes, serialized, for ANSWER_TTL_MS: the QR on a printed license
   * is scanned in bursts (a queue at a window), and the answer only changes when the status does.
   * This process forgets an answer the moment it changes a status; other processes within the TTL.
   */
  const ANSWER_TTL_MS = 1000
  const answers = new Map<string, { until: number; json: string }>()
  statusListeners.push((_id, code) => {
    for (const locale of ['zh-CN', 'en']) answers.delete(`${locale}|${code}`)
  })

  // --- verification ---------------------------------------------------------------------------

  type RowWithSeal = LicenseRow & { seal_name: string; public_key_hex: string }

  /** The verification of a stored license, showing only `disclose` (field keys). */
  function verifyStored(r: RowWithSeal, disclose: readonly string[], codeKind: Verification['codeKind'], locale: Locale, tokenExpiresAt: Date | null = null): Verification {
    let content: LicenseContent | null = null
    let signatureValid = false
    try {
      const canonical = keys.unsealContent(r.id, r.content_sealed)
      signatureValid = verifySigned(canonical, r.content_digest, r.signature, r.public_key_hex)
      content = JSON.parse(canonical) as LicenseContent
    } catch {
      signatureValid = false
    }
    const status = effectiveStatus(r)
    return {
      outcome: signatureValid ? status : 'invalid',
      signatureValid,
      codeKind,
      checkedAt: clock.now(),
      tokenExpiresAt,
      license: {
        number: r.number,
        type: r.type,
        typeName: typeName(r.type, locale),
        holderKind: r.holder_kind,
        holderName: r.holder_kind === 'person' ? maskName(r.holder_name) : r.holder_name,
        maskedHolderId: r.holder_masked_id,
        issuer: { departmentId: r.issuer_department_id, name: r.issuer_name },
        seal: { id: r.seal_id, name: r.seal_name, imageUrl: `/api/licenses/seals/${r.seal_id}/image.svg`, publicKeyPem: pemOf(r.public_key_hex) },
        issuedAt: r.issued_at.toISOString(),
        validFrom: r.valid_from,
        validUntil: r.valid_until,
        status,
        statusChangedAt: r.status_changed_at,
        fields: signatureValid && content ? fieldViews(r.type, content.fields, locale, { only: disclose }) : [],
        disclosed: [...disclose],
      },
      signature: { algorithm: 'SM2-SM3', userId: SM2_DEFAULT_USER_ID, digest: r.content_digest, value: r.signature },
    }
  }

  /** A forged or altered document presented for verification: kept in the audit log (no content). */
  async function logInvalid(kind: 'document' | 'credential', number: unknown): Promise<void> {
    await audit.record(db, systemActor, {
      action: 'licenses.verify.invalid', targetType: 'license', outcome: 'failure',
      detail: { kind, claimedNumber: typeof number === 'string' ? number.slice(0, 40) : null },
    })
  }

  // --- consent and use ------------------------------------------------------------------------

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

  let issuerPromise: Promise<VcIssuer> | undefined
  const vcIssuer = () => (issuerPromise ??= createVcIssuer(secret))
  const statusListCache = new Map<string, { stamp: string; credential: Record<string, unknown> }>()

  const service = {
    // --- types and seals ------------------------------------------------------------------------

    listTypes(locale: Locale) {
      return licenseTypes.map((d) => ({
        code: d.code,
        name: d.name[locale],
        holderKind: d.holderKind,
        issuerKind: d.issuerKind[locale],
        validity: { years: d.validityYears },
        fields: d.fields.map((f) => ({ key: f.key, label: f.label[locale], type: f.type, required: f.required, ...(f.options ? { options: [...f.options] } : {}) })),
        defaultDisclosure: d.defaultDisclosure,
        layout: d.layout,
      }))
    },

    async createSeal(by: Principal, input: { departmentId: string; name: string; imagePngBase64?: string | null }, meta: RequestMeta = {}): Promise<SealView> {
      const dept = await departmentOrThrow(input.departmentId)
      assertActsFor(by, dept, issuerAdminRoles)
      let png: Buffer | null = null
      if (input.imagePngBase64) {
        png = Buffer.from(input.imagePngBase64, 'base64')
        if (png.length === 0 || png.length > MAX_SEAL_PNG_BYTES || !(await isPng(png))) throw new InvalidImageError()
      }
      const row = await withEvents((trx) => insertSeal(trx, dept, input.name, png, actorOf(by, meta)))
      return sealView(row)
    },

    /** The department's active seal, made (generated image) when it has none: for the demo and fixtures. */
    async ensureSeal(departmentId: string): Promise<SealView> {
      const dept = await departmentOrThrow(departmentId)
      return sealView(await withEvents((trx) => ensureSeal(trx, dept, undefined, true)))
    },

    async listSeals(by: Principal, query: { departmentId?: string; page?: number; pageSize?: number }): Promise<Paginated<SealView>> {
      const { page, pageSize, offset } = pageOf(query)
      let q = store.q().selectFrom('licenses.seal')
      if (query.departmentId) q = q.where('department_id', '=', query.departmentId)
      const rows = await q.selectAll().orderBy('created_at', 'desc').execute()
      const visible = rows.filter((s) => actsFor(by, { id: s.department_id, divisionCode: s.division_code }, issuerAdminRoles))
      return { items: visible.slice(offset, offset + pageSize).map(sealView), total: visible.length, page, pageSize }
    },

    async getSeal(by: Principal, id: string): Promise<SealView> {
      const s = await store.sealById(id)
      if (!s || !actsFor(by, { id: s.department_id, divisionCode: s.division_code }, issuerAdminRoles)) throw new SealNotFoundError()
      return sealView(s)
    },

    async updateSeal(by: Principal, id: string, changes: { name?: string; status?: 'active' | 'disabled' }, meta: RequestMeta = {}): Promise<SealView> {
      const s = await store.sealById(id)
      if (!s || !actsFor(by, { id: s.department_id, divisionCode: s.division_code }, issuerAdminRoles)) throw new SealNotFoundError()
      const row = await withEvents(async (trx) => {
        const updated = await store.q(trx).updateTable('licenses.seal')
          .set({ name: changes.name ?? s.name, status: changes.status ?? s.status, version: s.version + 1, updated_at: clock.now() })
          .where('id', '=', id).returningAll().executeTakeFirstOrThrow()
        await audit.record(trx, actorOf(by, meta), { action: 'licenses.seal.updated', targetType: 'seal', targetId: id, divisionCode: s.division_code, detail: { ...changes }, security: true })
        await outbox.add(trx, licensesEvents.seal(licensesEventTypes.sealUpdated, { sealId: id, departmentId: s.department_id, status: updated.status }))
        return updated
      })
      return sealView(row)
    },

    /** The seal picture for the public page and the PDF; null when there is no such seal. */
    async sealImage(id: string, format: 'svg' | 'png'): Promise<{ type: string; body: string | Buffer } | null> {
      const s = await store.sealById(id)
      if (!s) return null
      if (format === 'png') return s.image_png ? { type: 'image/png', body: s.image_png } : null
      if (s.image_svg) return { type: 'image/svg+xml', body: s.image_svg }
      // An uploaded PNG, wrapped so the page can ask for one format.
      return { type: 'image/svg+xml', body: `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200"><image width="200" height="200" href="data:image/png;base64,${s.image_png!.toString('base64')}"/></svg>` }
    },

    /** The seal row for the PDF (image and name); internal to the module. */
    sealRow: (id: string) => store.sealById(id),

    // --- issuance -------------------------------------------------------------------------------

    /**
     * Issues one license by the department (manual issuance and the demo; imports go through
     * `importLicenses`). The holder's ID number or credit code is checked; fields follow the type.
     */
    async issue(by: Principal | 'system', input: IssueInput, meta: RequestMeta = {}): Promise<LicenseSummary> {
      const def = typeOrThrow(input.type)
      const dept = await departmentOrThrow(input.departmentId)
      if (by !== 'system') assertActsFor(by, dept, issuerAdminRoles)
      const holder = checkedHolder(input.holder)
      if (holder.kind !== def.holderKind) throw new InvalidHolderError('kind')
      const fields = validateFields(def, input.fields, false)
      const validFrom = input.validFrom ?? chinaDate(clock.now())
      const validUntil = input.validUntil === undefined ? validUntilOf(def, validFrom) : input.validUntil
      const row = await withEvents(async (trx) => {
        const seal = await ensureSeal(trx, dept, input.sealId, by === 'system')
        return issueInTrx(trx, { def, dept, seal, holder, fields, validFrom, validUntil, source: 'import', applicationId: null, applicationNumber: null, importId: null, actor: by === 'system' ? systemActor : actorOf(by, meta) })
      })
      return summaryOf(row, 'zh-CN')
    },

    /** Rows already validated by the import reader, all in one transaction (nothing half-imported). */
    async issueBatch(
      by: Principal,
      input: { departmentId: string; type: string; sealId?: string; fileName: string; rows: { holder: HolderInput; fields: Record<string, string>; validFrom: string; validUntil: string | null }[] },
      meta: RequestMeta = {},
    ): Promise<{ importId: string; licenseIds: string[] }> {
      const def = typeOrThrow(input.type)
      const dept = await departmentOrThrow(input.departmentId)
      assertActsFor(by, dept, issuerAdminRoles)
      const actor = actorOf(by, meta)
      return withEvents(async (trx) => {
        const seal = await ensureSeal(trx, dept, input.sealId, false)
        const importId = newId('limp')
        await store.q(trx).insertInto('licenses.import_batch').values({ id: importId, department_id: dept.id, type: def.code, file_name: input.fileName, row_count: input.rows.length, actor_id: by.accountId, created_at: clock.now() }).execute()
        const ids: string[] = []
        for (const r of input.rows) {
          const row = await issueInTrx(trx, { def, dept, seal, holder: r.holder, fields: r.fields, validFrom: r.validFrom, validUntil: r.validUntil, source: 'import', applicationId: null, applicationNumber: null, importId, actor })
          ids.push(row.id)
        }
        await audit.record(trx, actor, { action: 'licenses.import.completed', targetType: 'import', targetId: importId, divisionCode: dept.divisionCode, detail: { type: def.code, count: ids.length, fileName: input.fileName } })
        await outbox.add(trx, licensesEvents.importCompleted({ importId, departmentId: dept.id, type: def.code, count: ids.length }))
        return { importId, licenseIds: ids }
      })
    },

    /** Aggregation: reads and checks the whole table, then issues every row in one transaction. */
    async importLicenses(by: Principal, input: { departmentId: string; type: string; sealId?: string; format: 'csv' | 'xlsx'; content: string; fileName?: string }, meta: RequestMeta = {}) {
      const def = typeOrThrow(input.type)
      const dept = await departmentOrThrow(input.departmentId)
      assertActsFor(by, dept, issuerAdminRoles)
      const rows = await readLicenseTable(def, { format: input.format, content: input.content }, chinaDate(clock.now()), clock.now())
      const r = await service.issueBatch(by, { departmentId: dept.id, type: def.code, sealId: input.sealId, fileName: input.fileName ?? `import.${input.format}`, rows }, meta)
      return { importId: r.importId, imported: r.licenseIds.length, licenseIds: r.licenseIds }
    },

    /**
     * Issues the license a case produces, on `cases.application.approved`: the decision is what
     * entitles the applicant to it (the result-issued step is the delivery of the paper). Reads the
     * case, item version and applicant before its own transaction; once per case (the
     * application id is unique among licenses), so a redelivered event adds nothing.
     */
    async issueForCase(applicationId: string, source: CaseSource): Promise<LicenseSummary | null> {
      const existing = await store.q().selectFrom('licenses.license').selectAll().where('application_id', '=', applicationId).executeTakeFirst()
      if (existing) return summaryOf(existing, 'zh-CN')
      const app = await source.findApplication(applicationId)
      if (!app) return null
      const version = await source.getVersion(app.itemVersionId)
      const typeCode = version?.guide.producesLicenseType
      if (!typeCode) return null
      const def = licenseTypeOf(typeCode)
      if (!def) {
        deps.logger.warn({ applicationId, licenseType: typeCode }, 'licenses: the item produces an unknown license type')
        return null
      }
      const holder = await holderOfAccount(app.applicantId)
      if (!holder || holder.kind !== def.holderKind) {
        deps.logger.warn({ applicationId, licenseType: typeCode }, 'licenses: the applicant cannot hold this license type')
        return null
      }
      const dept = await departmentOrThrow(app.departmentId)
      const derived = holder.kind === 'person' ? derivedFromIdNumber(holder.id) : {}
      const fields = validateFields(def, { ...derived, ...app.formData }, true)
      const validFrom = chinaDate(clock.now())
      try {
        const row = await withEvents(async (trx) => {
          const seal = await ensureSeal(trx, dept, undefined, true)
          return issueInTrx(trx, {
            def, dept, seal, holder: { kind: holder.kind, id: holder.id, name: holder.name }, fields, validFrom, validUntil: validUntilOf(def, validFrom),
            source: 'case', applicationId, applicationNumber: app.number, importId: null, actor: systemActor,
          })
        })
        return summaryOf(row, 'zh-CN')
      } catch (e) {
        // A concurrent delivery of the same event won the unique application id: that one stands.
        const again = await store.q().selectFrom('licenses.license').selectAll().where('application_id', '=', applicationId).executeTakeFirst()
        if (again) return summaryOf(again, 'zh-CN')
        throw e
      }
    },

    // --- issuer's view and status ----------------------------------------------------------------

    async listIssued(by: Principal, query: { departmentId?: string; type?: string; status?: LicenseStatus; q?: string; page?: number; pageSize?: number }, locale: Locale = 'zh-CN'): Promise<Paginated<LicenseSummary>> {
      const { page, pageSize, offset } = pageOf(query)
      const today = chinaDate(clock.now())
      let q = store.q().selectFrom('licenses.license')
      if (!by.grants.some((g) => g.role === 'platform_admin' && g.divisionCode === null)) {
        // Reach: the departments named by grants, and the divisions of division-wide grants.
        const grants = by.grants.filter((g) => departmentStaffRoles.includes(g.role) || g.role === 'platform_admin')
        if (grants.length === 0) throw new ForbiddenError()
        q = q.where((eb) =>
          eb.or(grants.map((g) => (g.departmentId && g.role !== 'platform_admin' ? eb('issuer_department_id', '=', g.departmentId) : g.divisionCode ? eb('issuer_division_code', 'like', `${g.divisionCode.replace(/(00)+$/, '')}%`) : eb.val(true)))),
        )
      }
      if (query.departmentId) q = q.where('issuer_department_id', '=', query.departmentId)
      if (query.type) q = q.where('type', '=', query.type)
      if (query.q) q = q.where((eb) => eb.or([eb('number', '=', query.q!), eb('holder_name', 'like', `%${query.q!.replace(/[%_\\]/g, '\\$&')}%`)]))
      if (query.status === 'expired') q = q.where('status', '=', 'valid').where('valid_until', '<', today)
      else if (query.status === 'valid') q = q.where('status', '=', 'valid').where((eb) => eb.or([eb('valid_until', 'is', null), eb('valid_until', '>=', today)]))
      else if (query.status) q = q.where('status', '=', query.status)
      const [rows, count] = await Promise.all([
        q.selectAll().orderBy('issued_at', 'desc').orderBy('id', 'desc').limit(pageSize).offset(offset).execute(),
        q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
      ])
      return { items: rows.map((r) => summaryOf(r, locale)), total: Number(count.n), page, pageSize }
    },

    async getIssued(by: Principal, id: string, locale: Locale = 'zh-CN', meta: RequestMeta = {}): Promise<LicenseDetail> {
      const r = await store.licenseById(id)
      if (!r || !actsFor(by, { id: r.issuer_department_id, divisionCode: r.issuer_division_code }, departmentStaffRoles)) throw new LicenseNotFoundError()
      // Staff of the issuing department see what they issued: the look is audited.
      await audit.record(db, actorOf(by, meta), { action: 'licenses.license.viewed', targetType: 'license', targetId: id, divisionCode: r.issuer_division_code })
      return detailOf(r, locale)
    },

    async changeStatus(by: Principal, id: string, action: 'revoke' | 'suspend' | 'reinstate', reason: string, meta: RequestMeta = {}, locale: Locale = 'zh-CN'): Promise<LicenseDetail> {
      const r0 = await store.licenseById(id)
      if (!r0 || !actsFor(by, { id: r0.issuer_department_id, divisionCode: r0.issuer_division_code }, departmentStaffRoles)) throw new LicenseNotFoundError()
      assertActsFor(by, { id: r0.issuer_department_id, divisionCode: r0.issuer_division_code }, issuerAdminRoles)
      const rule = transitions[action]
      const row = await withEvents(async (trx) => {
        const r = await store.q(trx).selectFrom('licenses.license').selectAll().where('id', '=', id).forUpdate().executeTakeFirstOrThrow()
        const from = effectiveStatus(r)
        if (!rule.from.includes(from)) throw new InvalidStatusChangeError(from, rule.to)
        const now = clock.now()
        const updated = await store.q(trx).updateTable('licenses.license').set({ status: rule.to, status_changed_at: now, updated_at: now }).where('id', '=', id).returningAll().executeTakeFirstOrThrow()
        await store.q(trx).insertInto('licenses.status_change').values({ id: newId('lsc'), license_id: id, status: rule.to, reason, actor_id: by.accountId, actor_name: by.name, at: now }).execute()
        await audit.record(trx, actorOf(by, meta), {
          action: rule.event, targetType: 'license', targetId: id, divisionCode: r.issuer_division_code,
          detail: { from, to: rule.to, reason, contentDigest: r.content_digest }, security: true,
        })
        await outbox.add(trx, licensesEvents.license(rule.event, { licenseId: id, type: r.type, issuerDepartmentId: r.issuer_department_id, status: rule.to, applicationId: r.application_id }))
        return updated
      })
      for (const l of statusListeners) l(row.id, row.verification_code)
      return detailOf(row, locale)
    },

    onStatusChange(listener: (licenseId: string, code: string) => void): void {
      statusListeners.push(listener)
    },

    // --- public verification ----------------------------------------------------------------------

    /**
     * The public answer for a code: a license's permanent code (its default disclosure) or a
     * wallet token (the fields its holder chose, for a few minutes).
     * @throws CodeNotFoundError, TokenExpiredError
     */
    async verifyCode(code: string, locale: Locale = 'zh-CN'): Promise<Verification> {
      if (code.startsWith('L') && code.length === 23) {
        const r = await store.licenseWithSealByCode(code)
        if (!r) throw new CodeNotFoundError()
        return verifyStored(r, licenseTypeOf(r.type)?.defaultDisclosure ?? [], 'license', locale)
      }
      if (code.startsWith('T') && code.length === 33) {
        const tok = await store.q().selectFrom('licenses.token').selectAll().where('token_hash', '=', keys.tokenHash(code)).executeTakeFirst()
        if (!tok) throw new CodeNotFoundError()
        const r = await store.licenseWithSealById(tok.license_id)
        if (!r) throw new CodeNotFoundError()
        if (tok.expires_at <= clock.now()) {
          // A replayed or stale QR: the holder sees the attempt in their use log.
          await withEvents((trx) =>
            recordUse(trx, systemActor, { license: r, departmentId: null, departmentName: null, purpose: 'verify (expired QR)', applicationId: null, grantId: null, kind: 'denied', outcome: 'denied' }),
          )
          throw new TokenExpiredError(tok.expires_at)
        }
        await withEvents((trx) =>
          recordUse(trx, systemActor, { license: r, departmentId: null, departmentName: null, purpose: 'verify', applicationId: null, grantId: null, kind: 'verify_token', outcome: 'success' }),
        )
        return verifyStored(r, tok.disclose, 'token', locale, tok.expires_at)
      }
      throw new CodeNotFoundError()
    },

    /** `verifyCode` as JSON text, from the short-lived answer cache for permanent codes. */
    async verifyCodeJson(code: string, locale: Locale = 'zh-CN'): Promise<string> {
      if (!code.startsWith('L')) return JSON.stringify(await service.verifyCode(code, locale))
      const key = `${locale}|${code}`
      const now = Date.now()
      const hit = answers.get(key)
      if (hit && hit.until > now) return hit.json
      const json = JSON.stringify(await service.verifyCode(code, locale))
      if (answers.size >= 20_000) answers.clear()
      answers.set(key, { until: now + ANSWER_TTL_MS, json })
      return json
    },

    /**
     * Verifies a presented signed license document on its own: the digest and the SM2 signature
     * over the canonical content with the public key of the seal the platform knows. A document
     * whose seal key is not the platform's seal is invalid, whatever it says.
     */
    async verifyDocument(doc: SignedLicenseDocument, locale: Locale = 'zh-CN'): Promise<Verification> {
      const content = doc.content
      const sealId = typeof content?.seal?.id === 'string' ? content.seal.id : ''
      const seal = sealId ? await store.sealById(sealId) : undefined
      let canonical = ''
      try {
        canonical = canonicalJson(content)
      } catch {
        canonical = ''
      }
      const signatureValid =
        !!seal && !!canonical &&
        doc.signature?.publicKeyHex === seal.public_key_hex && content.seal.publicKeyHex === seal.public_key_hex &&
        typeof doc.signature.digest === 'string' && typeof doc.signature.value === 'string' &&
        verifySigned(canonical, doc.signature.digest, doc.signature.value, seal.public_key_hex)
      const stored = signatureValid ? await store.licenseWithSealByCode(content.verificationCode) : undefined
      const matches = !!stored && stored.content_digest === doc.signature.digest
      const status: LicenseStatus | null = matches ? effectiveStatus(stored!) : null
      const outcome = signatureValid && matches ? status! : 'invalid'
      if (outcome === 'invalid') await logInvalid('document', content?.number)
      return {
        outcome,
        signatureValid,
        codeKind: 'document',
        checkedAt: clock.now(),
        tokenExpiresAt: null,
        license: signatureValid && seal
          ? {
              number: content.number, type: content.type, typeName: typeName(content.type, locale), holderKind: content.holder.kind,
              holderName: content.holder.kind === 'person' ? maskName(content.holder.name) : content.holder.name,
              maskedHolderId: content.holder.kind === 'person' ? maskIdNumber(content.holder.id) : content.holder.id,
              issuer: { departmentId: content.issuer.departmentId, name: content.issuer.name },
              seal: { id: seal.id, name: seal.name, imageUrl: `/api/licenses/seals/${seal.id}/image.svg`, publicKeyPem: pemOf(seal.public_key_hex) },
              issuedAt: content.issuedAt, validFrom: content.validFrom, validUntil: content.validUntil, status, statusChangedAt: stored?.status_changed_at ?? null,
              fields: fieldViews(content.type, content.fields, locale), disclosed: Object.keys(content.fields),
            }
          : null,
        signature: doc.signature ? { algorithm: 'SM2-SM3', userId: SM2_DEFAULT_USER_ID, digest: String(doc.signature.digest), value: String(doc.signature.value) } : null,
      }
    },

    /**
     * Verifies a presented Verifiable Credential: its eddsa-rdfc-2022 proof by the platform's
     * issuer key (offline), its status list bit, and the license it names. Shows the license's
     * default disclosure only, like the permanent QR.
     */
    async verifyCredential(credential: Record<string, unknown>, locale: Locale = 'zh-CN'): Promise<Verification> {
      const issuer = await vcIssuer()
      const issuerId = typeof credential.issuer === 'string' ? credential.issuer : (credential.issuer as { id?: unknown } | undefined)?.id
      // The proof alone (any changed byte fails it); the status comes from the license itself,
      // which the status list only mirrors, so a revoked license shows "revoked", not "invalid".
      const proofOk = issuerId === issuer.did && (await credentialProofOnly(credential))
      const code = typeof credential.id === 'string' ? (credential.id.split('/verify/')[1] ?? '') : ''
      const r = code ? await store.licenseWithSealByCode(code) : undefined
      if (!r) return { outcome: 'invalid', signatureValid: false, codeKind: 'credential', checkedAt: clock.now(), tokenExpiresAt: null, license: null, signature: null }
      const v = verifyStored(r, licenseTypeOf(r.type)?.defaultDisclosure ?? [], 'credential', locale)
      const sound = v.signatureValid && proofOk
      if (!sound) await logInvalid('credential', r.number)
      return { ...v, signatureValid: sound, outcome: sound ? v.outcome : 'invalid' }
    },

    // --- wallet ----------------------------------------------------------------------------------

    async listMine(by: Principal, query: { type?: string; status?: LicenseStatus; page?: number; pageSize?: number }, locale: Locale = 'zh-CN'): Promise<Paginated<LicenseSummary>> {
      const h = await walletOf(by)
      const { page, pageSize, offset } = pageOf(query)
      let q = store.q().selectFrom('licenses.license').selectAll().where('holder_key', '=', h.key)
      if (query.type) q = q.where('type', '=', query.type)
      const rows = (await q.orderBy('issued_at', 'desc').orderBy('id', 'desc').execute()).map((r) => summaryOf(r, locale))
      const filtered = query.status ? rows.filter((r) => r.status === query.status) : rows
      return { items: filtered.slice(offset, offset + pageSize), total: filtered.length, page, pageSize }
    },

    async getMine(by: Principal, id: string, locale: Locale = 'zh-CN'): Promise<LicenseDetail> {
      return detailOf(await ownLicense(by, id), locale, true)
    },

    /** The signed content as a file the holder can keep and anyone can check (POST /verify). */
    async documentOf(by: Principal, id: string): Promise<SignedLicenseDocument> {
      const r = await ownLicense(by, id)
      const seal = (await store.sealById(r.seal_id))!
      return { content: contentOf(r), signature: { algorithm: 'SM2-SM3', userId: SM2_DEFAULT_USER_ID, digest: r.content_digest, value: r.signature, publicKeyHex: seal.public_key_hex } }
    },

    /** For the PDF and the VC: the license row, content and seal of the caller's own license. */
    async ownForExport(by: Principal, id: string) {
      const r = await ownLicense(by, id)
      return { row: r, content: contentOf(r), seal: (await store.sealById(r.seal_id))!, status: effectiveStatus(r), verifyUrl: verifyUrlOf(r.verification_code) }
    },

    /** A short-lived QR token carrying the fields the holder chose to show. */
    async issueToken(by: Principal, id: string, input: { disclose: string[]; ttlSeconds?: number }, meta: RequestMeta = {}): Promise<{ token: string; verifyUrl: string; expiresAt: Date }> {
      const r = await ownLicense(by, id)
      const def = licenseTypeOf(r.type)
      for (const k of input.disclose) if (!def?.fields.some((f) => f.key === k)) throw new UnknownFieldError(k)
      const ttl = Math.min(600, Math.max(60, input.ttlSeconds ?? TOKEN_TTL_DEFAULT))
      const token = randomCode('T', 24)
      const now = clock.now()
      const expiresAt = new Date(now.getTime() + ttl * 1000)
      await withEvents(async (trx) => {
        // Tokens a day past their expiry only tell "expired" to nobody any more.
        await store.q(trx).deleteFrom('licenses.token').where('expires_at', '<', new Date(now.getTime() - 86_400_000)).execute()
        await store.q(trx).insertInto('licenses.token').values({ token_hash: keys.tokenHash(token), license_id: r.id, disclose: JSON.stringify([...new Set(input.disclose)]) as unknown as string[], expires_at: expiresAt, created_at: now }).execute()
        await audit.record(trx, actorOf(by, meta), { action: 'licenses.token.issued', targetType: 'license', targetId: r.id, detail: { disclose: input.disclose, ttl } })
      })
      return { token, verifyUrl: verifyUrlOf(token), expiresAt }
    },

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

    // --- the cases integration (免提交) --------------------------------------------------------

    /** The holder's licenses of a type that can stand in for a material now (valid, not expired). */
    async validLicensesOf(accountId: string, type: string, locale: Locale = 'zh-CN'): Promise<LicenseSummary[]> {
      const h = await holderOfAccount(accountId)
      if (!h) return []
      const rows = await store.q().selectFrom('licenses.license').selectAll().where('holder_key', '=', h.key).where('type', '=', type).where('status', '=', 'valid').orderBy('issued_at', 'desc').execute()
      return rows.map((r) => summaryOf(r, locale)).filter((s) => s.status === 'valid')
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

    async getSummary(licenseId: string, locale: Locale = 'zh-CN'): Promise<LicenseSummary | null> {
      const r = await store.licenseById(licenseId)
      return r ? summaryOf(r, locale) : null
    },

    // --- exports: PDF, Verifiable Credential, status lists ----------------------------------------

    async pdfOf(by: Principal, id: string, locale: Locale = 'zh-CN'): Promise<{ bytes: Uint8Array; fileName: string }> {
      const r = await ownLicense(by, id)
      const seal = (await store.sealById(r.seal_id))!
      const status = effectiveStatus(r)
      const bytes = await renderLicensePdf({ content: contentOf(r), status, statusLabel: t(locale, `licenses.status.${status}`), verifyUrl: verifyUrlOf(r.verification_code), seal })
      return { bytes, fileName: `${r.number}.pdf` }
    },

    async credentialOf(by: Principal, id: string): Promise<Record<string, unknown>> {
      const r = await ownLicense(by, id)
      const seal = (await store.sealById(r.seal_id))!
      const issuer = await vcIssuer()
      const canonical = keys.unsealContent(r.id, r.content_sealed)
      const unsigned = licenseCredential(
        { content: JSON.parse(canonical) as LicenseContent, canonical, signature: r.signature, digest: r.content_digest, publicKeyHex: seal.public_key_hex, statusListId: r.status_list_id, statusListIndex: r.status_list_index, licenseId: r.id },
        issuer.did,
        publicUrl,
      )
      return issuer.signCredential(unsigned, clock.now())
    },

    /** The signed BitstringStatusListCredential; re-signed only when a revocation changed it. */
    async statusListCredentialOf(listId: string): Promise<Record<string, unknown> | null> {
      if (!(await store.statusListExists(listId))) return null
      const { indexes, stamp } = await store.revokedIndexes(listId)
      const cached = statusListCache.get(listId)
      if (cached && cached.stamp === stamp) return cached.credential
      const issuer = await vcIssuer()
      const url = statusListUrl(publicUrl, listId)
      const credential = await issuer.signCredential(statusListCredential(url, issuer.did, await encodeStatusList(STATUS_LIST_SIZE, indexes), clock.now()), clock.now())
      statusListCache.set(listId, { stamp, credential })
      return credential
    },

    async issuerDidDocument(): Promise<Record<string, unknown>> {
      return (await vcIssuer()).didDocument()
    },

    /** Status label in a language, for the PDF. */
    statusLabel: (s: LicenseStatus, locale: Locale) => t(locale, `licenses.status.${s}`),
  }
  return service
}

