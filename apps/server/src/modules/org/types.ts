/** Domain types of the org module; other modules import them through index.ts. */

export const divisionLevels = ['province', 'city', 'county', 'street', 'community'] as const
export type DivisionLevel = (typeof divisionLevels)[number]

/** An administrative division (GB/T 2260 code: 6 digits to county, 9 street/town, 12 community/village). */
export interface Division {
  code: string
  name: string
  level: DivisionLevel
  parentCode: string | null
  hasChildren: boolean
}

/** A division with its address-style name, e.g. 山西省忻州市忻府区 (placeholder levels like 市辖区 left out). */
export interface NamedDivision extends Division {
  fullName: string
}

/** A division with its ancestors, root first and itself last. */
export interface DivisionDetail extends NamedDivision {
  chain: Division[]
}

export const departmentKinds = ['government', 'bureau', 'service_center', 'street_office', 'community', 'other'] as const
export type DepartmentKind = (typeof departmentKinds)[number]

export interface Department {
  id: string
  name: string
  shortName: string | null
  divisionCode: string
  divisionName: string
  kind: DepartmentKind
  /** Unified social credit code (GB 32100); the check digit is verified by identity. */
  creditCode: string | null
  /** The office's public phone (not personal data, so never masked). */
  phone: string | null
  address: string | null
  version: number
  createdAt: Date
  updatedAt: Date
}

export interface NewDepartment {
  name: string
  shortName?: string | null
  divisionCode: string
  kind: DepartmentKind
  creditCode?: string | null
  phone?: string | null
  address?: string | null
}

/** A department edit: the version the caller read, and only the fields to change. */
export interface DepartmentChanges extends Partial<NewDepartment> {
  version: number
}

export interface DepartmentFilter {
  /** Departments in this division or anywhere beneath it. */
  divisionCode?: string
  /** Part of the name or short name. */
  q?: string
  kind?: DepartmentKind
}

export interface Position {
  id: string
  departmentId: string
  name: string
  createdAt: Date
}

/** A grid cell: the smallest unit of grid management, numbered within its community. */
export interface GridCell {
  /** 15 digits: the 12-digit community code and a 3-digit sequence. */
  code: string
  name: string
  communityCode: string
  createdAt: Date
}

export interface PageRequest {
  page: number
  pageSize: number
}

export interface Paginated<T> {
  items: T[]
  total: number
  page: number
  pageSize: number
}
