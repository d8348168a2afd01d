/** Shapes the server returns, as written in the issue-3 API contract (notes/api-contract.md). */

export type Role =
  | 'citizen'
  | 'enterprise_agent'
  | 'window_clerk'
  | 'reviewer'
  | 'department_head'
  | 'leader'
  | 'data_admin'
  | 'ops_operator'
  | 'platform_admin'
  | 'hotline_operator'
  | 'hotline_admin'

export const roles: readonly Role[] = [
  'citizen',
  'enterprise_agent',
  'window_clerk',
  'reviewer',
  'department_head',
  'leader',
  'data_admin',
  'ops_operator',
  'platform_admin',
  'hotline_operator',
  'hotline_admin',
]

export type AccountKind = 'person' | 'legal' | 'staff'
export const accountKinds: readonly AccountKind[] = ['person', 'legal', 'staff']

export interface RoleGrant {
  id: string
  role: Role
  divisionCode: string | null
  departmentId: string | null
}

/** The signed-in account (`GET /api/me`). */
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
  roles: RoleGrant[]
}

export interface Page<T> {
  items: T[]
  total: number
  page: number
  pageSize: number
}

export type DivisionLevel = 'province' | 'city' | 'county' | 'street' | 'community'

export interface Division {
  code: string
  name: string
  level: DivisionLevel
  parentCode: string | null
  hasChildren: boolean
}

export interface DivisionWithName extends Division {
  fullName: string
}

export interface DivisionDetail extends DivisionWithName {
  chain: Division[]
}

export type DepartmentKind = 'government' | 'bureau' | 'service_center' | 'street_office' | 'community' | 'other'
export const departmentKinds: readonly DepartmentKind[] = ['government', 'bureau', 'service_center', 'street_office', 'community', 'other']

export interface Department {
  id: string
  name: string
  shortName: string | null
  divisionCode: string
  divisionName: string
  kind: DepartmentKind
  creditCode: string | null
  phone: string | null
  address: string | null
  version: number
  createdAt: string
  updatedAt: string
}

export type AccountStatus = 'active' | 'locked' | 'disabled'

export interface AccountSummary {
  id: string
  kind: AccountKind
  name: string
  username: string | null
  maskedIdNumber: string | null
  maskedPhone: string | null
  creditCode: string | null
  divisionCode: string | null
  departmentId: string | null
  status: AccountStatus
  roles: RoleGrant[]
  createdAt: string
}

export interface SmsMessage {
  id: string
  phone: string
  text: string
  createdAt: string
}

export interface AuditRecord {
  id: string
  at: string
  actorId: string | null
  actorKind: string | null
  actorName: string | null
  action: string
  targetType: string | null
  targetId: string | null
  divisionCode: string | null
  ip: string | null
  outcome: string
  detail: unknown
}

export interface OidcClient {
  clientId: string
  name: string
  redirectUris: string[]
  postLogoutRedirectUris: string[]
  createdAt: string
}

export interface RegisteredOidcClient extends OidcClient {
  clientSecret: string
}

export interface OidcInteraction {
  uid: string
  prompt: 'login' | 'consent'
  client: { clientId: string; name: string }
  scopes: string[]
  account: Me | null
}

export interface LedgerEntry {
  seq: number
  kind: string
  payload: unknown
  prevHash: string
  hash: string
  at: string
}

export interface InclusionProof {
  checkpointId: string
  treeSize: number
  leafIndex: number
  root: string
  path: string[]
}

export interface Checkpoint {
  id: string
  treeSize: number
  fromSeq: number
  toSeq: number
  root: string
  signature: string
  publicKey: string
  at: string
}

export interface VerifyResult {
  ok: boolean
  checked: number
  firstBroken: { seq: number; reason: string } | null
}

export interface PublicKey {
  algorithm: string
  publicKeyHex: string
  pem: string
}
