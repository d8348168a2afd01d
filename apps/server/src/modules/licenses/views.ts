/** The licenses module's views: rows turned into what staff, holders and verifiers see. */
import { chinaDate } from '../../platform/calendar.js'
import type { Clock } from '../../platform/clock.js'
import { sm2PublicKeyToPem, SM2_DEFAULT_USER_ID } from '../../platform/gm.js'
import type { Locale } from '../../platform/i18n.js'
import { maskIdNumber, maskPhone } from '../identity/index.js'
import { licenseTypeOf, type FieldDef } from './license-types.js'
import type { LicenseKeys } from './signing.js'
import type { GrantRow, LicenseRow, LicensesStore, RequestRow, SealRow, StoredStatus } from './store.js'
import type { AccessRequestView, FieldView, GrantView, LicenseContent, LicenseDetail, LicenseStatus, LicenseSummary, SealView } from './types.js'

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

export interface LicenseViewsDeps {
  clock: Clock
  keys: LicenseKeys
  store: LicensesStore
  /** The public base URL, without a trailing slash. */
  publicUrl: string
}

export type LicenseViews = ReturnType<typeof createLicenseViews>

/** How stored licenses, seals, grants and access requests are shown: status as of today, masked identifiers. */
export function createLicenseViews({ clock, keys, store, publicUrl }: LicenseViewsDeps) {
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

  return { effectiveStatus, typeName, summaryOf, fieldViews, verifyUrlOf, pemOf, contentOf, detailOf, sealView, grantView, requestView }
}
