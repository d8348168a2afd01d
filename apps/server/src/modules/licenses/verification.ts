/** The licenses module's public verification: anyone may check a code, a document or a credential. */
import { systemActor } from '../../platform/audit.js'
import type { Core } from '../../platform/core.js'
import type { Db } from '../../db/database.js'
import { canonicalJson, SM2_DEFAULT_USER_ID } from '../../platform/gm.js'
import type { Locale } from '../../platform/i18n.js'
import { maskIdNumber } from '../identity/index.js'
import { CodeNotFoundError, TokenExpiredError } from './errors.js'
import { licenseTypeOf } from './license-types.js'
import { verifySigned, type LicenseKeys } from './signing.js'
import { STATUS_LIST_SIZE, type LicenseRow, type LicensesStore } from './store.js'
import type { LicenseContent, LicenseStatus, SignedLicenseDocument, Verification } from './types.js'
import type { LicenseUseLog } from './use-log.js'
import { credentialProofOnly, encodeStatusList, statusListCredential, statusListUrl, type VcIssuer } from './vc.js'
import { maskName, type LicenseViews } from './views.js'

export interface LicenseVerificationDeps extends Pick<Core, 'db' | 'clock' | 'audit'> {
  store: LicensesStore
  keys: LicenseKeys
  views: LicenseViews
  /** The public base URL, without a trailing slash. */
  publicUrl: string
  vcIssuer: () => Promise<VcIssuer>
  withEvents: <T>(fn: (trx: Db) => Promise<T>) => Promise<T>
  recordUse: LicenseUseLog['recordUse']
}

export type LicenseVerification = ReturnType<typeof createLicenseVerification>

/** Public verification of codes (permanent and wallet tokens), signed documents and Verifiable Credentials. */
export function createLicenseVerification({ db, clock, audit, store, keys, views, publicUrl, vcIssuer, withEvents, recordUse }: LicenseVerificationDeps) {
  const { effectiveStatus, typeName, fieldViews, pemOf } = views

  /**
   * Public answers for permanent codes, serialized, for ANSWER_TTL_MS: the QR on a printed license
   * is scanned in bursts (a queue at a window), and the answer only changes when the status does.
   * This process forgets an answer the moment it changes a status; other processes within the TTL.
   */
  const ANSWER_TTL_MS = 1000
  const answers = new Map<string, { until: number; json: string }>()

  /** Forgets the cached public answers for a code whose status changed. */
  function forgetAnswers(code: string): void {
    for (const locale of ['zh-CN', 'en']) answers.delete(`${locale}|${code}`)
  }

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

  const statusListCache = new Map<string, { stamp: string; credential: Record<string, unknown> }>()

  const methods = {
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
      if (!code.startsWith('L')) return JSON.stringify(await methods.verifyCode(code, locale))
      const key = `${locale}|${code}`
      const now = Date.now()
      const hit = answers.get(key)
      if (hit && hit.until > now) return hit.json
      const json = JSON.stringify(await methods.verifyCode(code, locale))
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
  }

  return { verifyStored, forgetAnswers, methods }
}
