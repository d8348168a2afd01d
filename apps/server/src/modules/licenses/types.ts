/** Views of the licenses module (what its service returns and its routes serialize). */
import type { HolderKind } from './license-types.js'

export type LicenseStatus = 'valid' | 'suspended' | 'revoked' | 'expired'
export type VerifyOutcome = LicenseStatus | 'invalid'
export const licenseStatuses = ['valid', 'suspended', 'revoked', 'expired'] as const
export const grantModes = ['standing', 'single_use'] as const
export type GrantMode = (typeof grantModes)[number]

export interface Paginated<T> {
  items: T[]
  total: number
  page: number
  pageSize: number
}

export interface RequestMeta {
  ip?: string | null
  userAgent?: string | null
}

/** The signed content of a license: canonical JSON of this object is what the seal signs. */
export interface LicenseContent {
  format: 'yiwang-license/1'
  number: string
  type: string
  typeName: string
  issuer: { departmentId: string; name: string; divisionCode: string }
  seal: { id: string; publicKeyHex: string }
  holder: { kind: HolderKind; name: string; id: string }
  fields: Record<string, string>
  validFrom: string
  validUntil: string | null
  issuedAt: string
  verificationCode: string
  applicationNumber: string | null
}

export interface SignatureView {
  algorithm: 'SM2-SM3'
  userId: string
  digest: string
  value: string
}

export interface FieldView {
  key: string
  label: string
  value: string
}

export interface LicenseSummary {
  id: string
  number: string
  type: string
  typeName: string
  holderKind: HolderKind
  holderName: string
  maskedHolderId: string
  issuerDepartmentId: string
  issuerName: string
  issuedAt: Date
  validFrom: string
  validUntil: string | null
  status: LicenseStatus
  source: 'case' | 'import'
  applicationId: string | null
}

export interface LicenseDetail extends LicenseSummary {
  fields: FieldView[]
  sealId: string
  verificationCode: string
  verifyUrl: string
  statusHistory: { status: string; reason: string | null; at: Date; actorName: string | null }[]
  signature: SignatureView
}

export interface Verification {
  outcome: VerifyOutcome
  signatureValid: boolean
  codeKind: 'license' | 'token' | 'document' | 'credential'
  checkedAt: Date
  tokenExpiresAt: Date | null
  license: null | {
    number: string
    type: string
    typeName: string
    holderKind: HolderKind
    holderName: string
    maskedHolderId: string
    issuer: { departmentId: string; name: string }
    seal: { id: string; name: string; imageUrl: string; publicKeyPem: string }
    issuedAt: string
    validFrom: string
    validUntil: string | null
    status: LicenseStatus | null
    statusChangedAt: Date | null
    fields: FieldView[]
    disclosed: string[]
  }
  signature: SignatureView | null
}

export interface SealView {
  id: string
  departmentId: string
  departmentName: string
  name: string
  status: 'active' | 'disabled'
  imageSource: 'generated' | 'uploaded'
  publicKeyHex: string
  publicKeyPem: string
  imageUrl: string
  version: number
  createdAt: Date
  updatedAt: Date
}

export interface GrantView {
  id: string
  licenseId: string
  licenseNumber: string
  licenseType: string
  departmentId: string
  departmentName: string
  purpose: string
  mode: GrantMode
  applicationId: string | null
  status: 'active' | 'used' | 'withdrawn' | 'expired'
  createdAt: Date
  expiresAt: Date | null
  withdrawnAt: Date | null
}

export interface AccessRequestView {
  id: string
  licenseType: string
  licenseId: string | null
  departmentId: string
  departmentName: string
  purpose: string
  applicationId: string | null
  status: 'pending' | 'approved' | 'denied' | 'cancelled'
  createdAt: Date
  decidedAt: Date | null
  grantId: string | null
}

export interface UseEntry {
  id: string
  licenseId: string
  licenseNumber: string
  licenseType: string
  departmentId: string | null
  departmentName: string | null
  purpose: string
  applicationId: string | null
  kind: 'read' | 'case_attach' | 'verify_token' | 'denied'
  outcome: 'success' | 'denied'
  at: Date
}

/** A signed license as a file: the content and the seal's signature (POST /verify takes it back). */
export interface SignedLicenseDocument {
  content: LicenseContent
  signature: SignatureView & { publicKeyHex: string }
}
