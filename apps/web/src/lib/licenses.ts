/** Shapes of the licenses API (/api/licenses), shared by /m, /work and /verify (notes/licenses-contract.md). */

export const licenseStatuses = ['valid', 'suspended', 'revoked', 'expired'] as const
export type LicenseStatus = (typeof licenseStatuses)[number]
export type VerifyOutcome = LicenseStatus | 'invalid'
export type HolderKind = 'person' | 'entity'

export interface LicenseField {
  key: string
  label: string
  value: string
}

export interface LicenseType {
  code: string
  name: string
  holderKind: HolderKind
  issuerKind: string
  validity: { years: number | null }
  fields: { key: string; label: string; type: 'text' | 'date' | 'enum'; required: boolean }[]
  defaultDisclosure: string[]
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
  issuedAt: string
  validFrom: string
  validUntil: string | null
  status: LicenseStatus
  source: 'case' | 'import'
  applicationId: string | null
}

export interface SignatureInfo {
  algorithm: string
  userId: string
  digest: string
  value: string
}

export interface LicenseDetail extends LicenseSummary {
  fields: LicenseField[]
  sealId: string
  verificationCode: string
  verifyUrl: string
  statusHistory: { status: LicenseStatus; reason: string | null; at: string; actorName: string | null }[]
  signature: SignatureInfo
}

export interface Verification {
  outcome: VerifyOutcome
  signatureValid: boolean
  codeKind: 'license' | 'token' | 'document' | 'credential'
  checkedAt: string
  tokenExpiresAt: string | null
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
    status: LicenseStatus
    statusChangedAt: string | null
    fields: LicenseField[]
    disclosed: string[]
  }
  signature: SignatureInfo | null
}

export type GrantMode = 'standing' | 'single_use'

export interface Grant {
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
  createdAt: string
  expiresAt: string | null
  withdrawnAt: string | null
}

export interface AccessRequest {
  id: string
  licenseType: string
  licenseId: string | null
  departmentId: string
  departmentName: string
  purpose: string
  applicationId: string | null
  status: 'pending' | 'approved' | 'denied' | 'cancelled'
  createdAt: string
  decidedAt: string | null
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
  at: string
}

export interface Seal {
  id: string
  departmentId: string
  departmentName: string
  name: string
  status: 'active' | 'disabled'
  imageSource: 'generated' | 'uploaded'
  publicKeyHex: string
  publicKeyPem: string
  imageUrl: string
  createdAt: string
  updatedAt: string
}

export interface WalletToken {
  token: string
  verifyUrl: string
  expiresAt: string
}

/** The license standing in for a case material (cases' 免提交), as the case detail names it. */
export interface LicenseMaterial {
  licenseId: string
  number: string
  type: string
  typeName: string
  attachedAt: string
}

/** A license read for a case by staff (GET /api/cases/:id/materials/:code/license). */
export interface CaseLicense {
  materialCode: string
  attachedAt: string
  id: string
  number: string
  type: string
  typeName: string
  holderName: string
  maskedHolderId: string
  issuerName: string
  issuedAt: string
  validFrom: string
  validUntil: string | null
  status: LicenseStatus
  fields: LicenseField[]
  verification: { outcome: VerifyOutcome; signatureValid: boolean; checkedAt: string; license: { seal: { name: string; imageUrl: string } } | null }
}

/** Where a wallet license's files are. */
export const walletPaths = {
  list: '/api/licenses/mine',
  one: (id: string) => `/api/licenses/mine/${encodeURIComponent(id)}`,
  pdf: (id: string) => `/api/licenses/mine/${encodeURIComponent(id)}/pdf`,
  tokens: (id: string) => `/api/licenses/mine/${encodeURIComponent(id)}/tokens`,
  grants: (id: string) => `/api/licenses/mine/${encodeURIComponent(id)}/grants`,
}
