import { Bitstring } from '@digitalbazaar/bitstring'
import { DataIntegrityProof } from '@digitalbazaar/data-integrity'
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey'
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite'
import { securityLoader } from '@digitalbazaar/security-document-loader'
import * as vc from '@digitalbazaar/vc'
import { deriveKey, SM2_DEFAULT_USER_ID, sm2PublicKeyToPem } from '../../platform/gm.js'
import type { LicenseContent } from './types.js'

/**
 * W3C Verifiable Credentials 2.0 export. The platform is the VC issuer with one Ed25519 key
 * derived from SECRET_KEY, named by `did:key` so any verifier resolves it offline; proofs are
 * Data Integrity `eddsa-rdfc-2022`, which ordinary VC libraries verify. Revocation is published as
 * a BitstringStatusListCredential per 131,072 licenses (GZIP, multibase base64url).
 *
 * The department's SM2 seal signature travels in `evidence`, not as a second proof: a proof with
 * an SM2 cryptosuite no ordinary verifier knows would make them reject the whole credential,
 * while evidence is ignored by them and lets a 国密 verifier check the seal over the exact signed
 * content (carried as `signedContent`) with OpenSSL.
 */

export const VC_CONTEXT = 'https://www.w3.org/ns/credentials/v2'
/**
 * License terms (licenseNumber, fields, evidence members) under one vocabulary, given inline so a
 * verifier needs no extra document: the VC 2.0 context has no @vocab, and JSON-LD safe mode (which
 * every Data Integrity verifier uses) refuses undefined terms.
 */
export const LICENSE_VOCAB = { '@vocab': 'urn:yiwang:licenses#' }

export interface VcIssuer {
  did: string
  verificationMethod: string
  signCredential(credential: Record<string, unknown>, now: Date): Promise<Record<string, any>>
  /** The did:key document (GET /issuer/did.json). */
  didDocument(): Promise<Record<string, unknown>>
}

/** Offline JSON-LD loader: the VC 2.0 / Data Integrity contexts and did:key, never the network. */
export function offlineLoader(extra: Record<string, unknown> = {}) {
  const loader = securityLoader()
  for (const [url, doc] of Object.entries(extra)) loader.addStatic(url, doc)
  return loader.build()
}

const loader = offlineLoader()

export async function createVcIssuer(secret: string): Promise<VcIssuer> {
  const seed = deriveKey(secret, 'licenses.vc-ed25519')
  const key = await Ed25519Multikey.generate({ seed })
  const did = `did:key:${key.publicKeyMultibase}`
  key.id = `${did}#${key.publicKeyMultibase}`
  key.controller = did
  return {
    did,
    verificationMethod: key.id,
    async signCredential(credential, now) {
      const suite = new DataIntegrityProof({ signer: key.signer(), cryptosuite: eddsaRdfc2022, date: now })
      return vc.issue({ credential, suite, documentLoader: loader })
    },
    async didDocument() {
      return (await loader(did)).document as Record<string, unknown>
    },
  }
}

/** ISO date-time without milliseconds (xsd:dateTime as VC examples write it). */
function dateTime(d: Date | string): string {
  return new Date(d).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

export function statusListUrl(publicUrl: string, listId: string): string {
  return `${publicUrl}/api/licenses/status-lists/${listId}`
}

/** The credential for a license (unsigned): subject fields, validity, status entry and the SM2 seal as evidence. */
export function licenseCredential(
  input: { content: LicenseContent; canonical: string; signature: string; digest: string; publicKeyHex: string; statusListId: string; statusListIndex: number; licenseId: string },
  issuerDid: string,
  publicUrl: string,
): Record<string, unknown> {
  const c = input.content
  const listUrl = statusListUrl(publicUrl, input.statusListId)
  const credential: Record<string, unknown> = {
    '@context': [VC_CONTEXT, LICENSE_VOCAB],
    id: `${publicUrl}/verify/${c.verificationCode}`,
    type: ['VerifiableCredential', 'ElectronicLicenseCredential'],
    name: c.typeName,
    issuer: { id: issuerDid, name: c.issuer.name },
    validFrom: `${c.validFrom}T00:00:00+08:00`,
    credentialSubject: {
      type: c.holder.kind === 'person' ? 'Person' : 'Organization',
      name: c.holder.name,
      identifier: c.holder.id,
      license: { type: 'ElectronicLicense', licenseNumber: c.number, licenseType: c.type, licenseTypeName: c.typeName, issuingDepartment: c.issuer.name, fields: c.fields },
    },
    credentialStatus: {
      id: `${listUrl}#${input.statusListIndex}`,
      type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation',
      statusListIndex: String(input.statusListIndex),
      statusListCredential: listUrl,
    },
    evidence: [
      {
        type: ['Sm2SealSignature'],
        description: 'SM2 (GB/T 32918) signature of the issuing department\'s electronic seal over the canonical JSON (RFC 8785 style) of signedContent; verify with openssl pkeyutl -verify -rawin -digest sm3 -pkeyopt distid:1234567812345678',
        algorithm: 'SM2-SM3',
        userId: SM2_DEFAULT_USER_ID,
        sealId: c.seal.id,
        publicKeyPem: sm2PublicKeyToPem(input.publicKeyHex),
        digestSm3: input.digest,
        signatureValue: input.signature,
        signedContent: input.canonical,
      },
    ],
  }
  if (c.validUntil) credential.validUntil = `${c.validUntil}T23:59:59+08:00`
  return credential
}

/** GZIP + multibase base64url of a bitstring with `indexes` set (index 0 = leftmost bit). */
export async function encodeStatusList(size: number, indexes: number[]): Promise<string> {
  const bits = new Bitstring({ length: size })
  for (const i of indexes) bits.set(i, true)
  return `u${await bits.encodeBits()}`
}

/** Whether bit `index` is set in an encodedList. */
export async function statusBit(encodedList: string, index: number): Promise<boolean> {
  const encoded = encodedList.startsWith('u') ? encodedList.slice(1) : encodedList
  const buffer = await Bitstring.decodeBits({ encoded })
  return new Bitstring({ buffer }).get(index)
}

export function statusListCredential(listUrl: string, issuerDid: string, encodedList: string, validFrom: Date): Record<string, unknown> {
  return {
    '@context': [VC_CONTEXT],
    id: listUrl,
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    issuer: issuerDid,
    validFrom: dateTime(validFrom),
    credentialSubject: { id: `${listUrl}#list`, type: 'BitstringStatusList', statusPurpose: 'revocation', encodedList },
  }
}

/** Verifies a credential the way any VC 2.0 verifier does (eddsa-rdfc-2022, offline), plus its status list. */
export async function verifyCredentialOffline(
  credential: Record<string, unknown>,
  fetchStatusList: (url: string) => Promise<Record<string, any> | null>,
): Promise<{ verified: boolean; revoked: boolean | null; statusVerified: boolean }> {
  const suite = new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 })
  let revoked: boolean | null = null
  let statusVerified = false
  const result = await vc.verifyCredential({
    credential,
    suite,
    documentLoader: loader,
    checkStatus: async ({ credential: cred }) => {
      const entry = cred.credentialStatus
      const list = entry?.statusListCredential ? await fetchStatusList(String(entry.statusListCredential)) : null
      if (!list) return { verified: false, error: new Error('status list unavailable') }
      const listCheck = await vc.verifyCredential({ credential: list, suite: new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 }), documentLoader: loader })
      statusVerified = listCheck.verified
      if (!listCheck.verified) return { verified: false, error: new Error('status list signature invalid') }
      revoked = await statusBit(String(list.credentialSubject.encodedList), Number(entry.statusListIndex))
      return { verified: !revoked }
    },
  })
  return { verified: result.verified, revoked, statusVerified }
}

/** Only the proof (no status check): whether the credential is exactly what the issuer signed. */
export async function credentialProofOnly(credential: Record<string, unknown>): Promise<boolean> {
  try {
    const r = await vc.verifyCredential({ credential, suite: new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 }), documentLoader: loader, checkStatus: async () => ({ verified: true }) })
    return r.verified
  } catch {
    return false
  }
}
