/**
 * Domain types and vocabularies of the registries module. Vocabularies are stored as codes; their
 * zh-CN and en labels live in the message files under `registries.<vocabulary>.<code>`, and
 * imports accept a code or either label.
 */

export const registryCodes = ['population', 'entity', 'credit', 'spatial', 'economy'] as const
export type RegistryCode = (typeof registryCodes)[number]

/** GB/T 3304-1991 codes of China's 56 ethnic groups (01 汉族 … 56 基诺族). */
export const ethnicityCodes = Array.from({ length: 56 }, (_, i) => String(i + 1).padStart(2, '0'))

export const sexes = ['male', 'female'] as const
export type Sex = (typeof sexes)[number]

/** Marital status, GB/T 2261.2-2003: 10 未婚, 20 已婚, 30 丧偶, 40 离婚, 90 未说明. */
export const maritalStatuses = ['unmarried', 'married', 'widowed', 'divorced', 'unknown'] as const
export type MaritalStatus = (typeof maritalStatuses)[number]
export const maritalStatusGbCode: Record<MaritalStatus, string> = { unmarried: '10', married: '20', widowed: '30', divorced: '40', unknown: '90' }

/** Relation to the head of household (与户主关系), after the categories of GB/T 4761. */
export const relations = [
  'head', 'spouse', 'son', 'daughter', 'father', 'mother', 'grandchild', 'grandparent', 'sibling', 'son_in_law', 'daughter_in_law', 'other',
] as const
export type Relation = (typeof relations)[number]

export const personStatuses = ['active', 'deceased', 'moved_out'] as const
export type PersonStatus = (typeof personStatuses)[number]

/** Market-entity types as business licences name them. */
export const entityTypes = [
  'limited_company', 'joint_stock_company', 'sole_proprietorship', 'partnership', 'individual_business', 'farmer_cooperative',
  'branch', 'state_owned', 'collective', 'foreign_invested',
] as const
export type EntityType = (typeof entityTypes)[number]

/** 存续 (in business), 注销 (deregistered), 吊销 (licence revoked). */
export const entityStatuses = ['active', 'deregistered', 'revoked'] as const
export type EntityStatus = (typeof entityStatuses)[number]

export const creditLists = ['red', 'black'] as const
export type CreditList = (typeof creditLists)[number]
export const subjectTypes = ['person', 'entity'] as const
export type SubjectType = (typeof subjectTypes)[number]

export const units = ['yi_yuan', 'yuan', 'wan_persons', 'persons', 'percent'] as const
export type Unit = (typeof units)[number]

/** Macro-economic indicators the dashboards read; names from `registries.indicator.<code>`. */
export const indicators = {
  gdp: 'yi_yuan',
  gdp_growth: 'percent',
  resident_population: 'wan_persons',
  registered_population: 'wan_persons',
  urban_new_jobs: 'persons',
  urban_unemployment_rate: 'percent',
  urban_income: 'yuan',
  rural_income: 'yuan',
  retail_sales: 'yi_yuan',
  fiscal_revenue: 'yi_yuan',
} as const satisfies Record<string, Unit>
export type IndicatorCode = keyof typeof indicators
export const indicatorCodes = Object.keys(indicators) as IndicatorCode[]

export const importKinds = ['persons', 'entities', 'credit-entries', 'indicators'] as const
export type ImportKind = (typeof importKinds)[number]
export const importRegistry: Record<ImportKind, RegistryCode> = {
  persons: 'population',
  entities: 'entity',
  'credit-entries': 'credit',
  indicators: 'economy',
}

export interface Registry {
  code: RegistryCode
  ownerDepartmentId: string | null
  ownerDepartmentName: string | null
  updatedAt: Date
}

/**
 * A person as a reader sees it. `revealed` says whether the ID number, phone and address are in
 * full; otherwise they are masked (1409**********123X, 138****5678, digits of the address starred).
 */
export interface Person {
  id: string
  idNumber: string
  name: string
  sex: Sex
  birthDate: string
  ethnicity: string
  householdDivisionCode: string
  address: string | null
  addressDivisionCode: string | null
  gridCode: string | null
  phone: string | null
  householdId: string | null
  householdNumber: string | null
  relation: Relation | null
  maritalStatus: MaritalStatus
  status: PersonStatus
  version: number
  createdAt: Date
  updatedAt: Date
  revealed: boolean
}

export interface HouseholdMember {
  personId: string
  name: string
  relation: Relation
  sex: Sex
  birthDate: string
  idNumber: string
  revealed: boolean
}

export interface Household {
  id: string
  number: string
  divisionCode: string
  address: string | null
  members: HouseholdMember[]
}

export interface Entity {
  id: string
  creditCode: string
  name: string
  type: EntityType
  legalRepresentative: { name: string | null; idNumber: string | null; personId: string | null }
  /** 万元 (10,000 CNY). */
  registeredCapital: number | null
  registrationAuthority: string | null
  divisionCode: string
  address: string | null
  addressDivisionCode: string | null
  gridCode: string | null
  businessScope: string | null
  establishedOn: string | null
  status: EntityStatus
  statusChangedOn: string | null
  version: number
  createdAt: Date
  updatedAt: Date
  revealed: boolean
}

export interface CreditEntry {
  id: string
  subjectType: SubjectType
  subjectId: string
  subjectName: string
  /** Credit code, or the person's ID number (masked unless revealed). */
  subjectCode: string
  divisionCode: string
  list: CreditList
  reason: string
  basis: string | null
  sourceDepartmentId: string
  sourceDepartmentName: string
  validFrom: string
  validTo: string | null
  /** Whether today lies in [validFrom, validTo]. */
  active: boolean
  createdAt: Date
}

export interface Change {
  id: string
  field: string
  oldValue: string | null
  newValue: string | null
  at: Date
  actorId: string | null
  actorName: string | null
  source: string
  /** Whether identifiers in the values are shown in full (a logged disclosure) or masked. */
  revealed: boolean
}

export interface GeocodeResult {
  /** The address as matched (whitespace removed, full-width forms folded). */
  address: string
  divisionCode: string | null
  divisionName: string | null
  fullName: string | null
  level: string | null
  gridCode: string | null
  point: { lng: number; lat: number } | null
  /** The parts of the text that named divisions, an address point or a grid cell. */
  matched: string[]
  precision: 'address-point' | 'grid' | 'community' | 'street' | 'county' | 'city' | 'province' | 'none'
}

export interface IndicatorPoint {
  period: string
  value: number
}

export interface IndicatorSeries {
  divisionCode: string
  code: IndicatorCode
  unit: Unit
  points: IndicatorPoint[]
}

/** A GeoJSON Polygon or MultiPolygon (RFC 7946), lng/lat order. */
export interface Geometry {
  type: 'Polygon' | 'MultiPolygon'
  coordinates: number[][][] | number[][][][]
}

export interface BoundaryFeature {
  type: 'Feature'
  id: string
  geometry: Geometry
  properties: { divisionCode: string; name: string; center: [number, number]; approximate: boolean; source: string }
}

export interface AccessLogEntry {
  id: string
  at: Date
  actorId: string | null
  actorKind: string | null
  actorName: string | null
  via: string
  registry: RegistryCode
  action: string
  recordIds: string[]
  resultCount: number
  purpose: string
  revealed: boolean
  divisionCode: string | null
}

export interface Page<T> {
  items: T[]
  total: number
  page: number
  pageSize: number
}

export interface PageRequest {
  page: number
  pageSize: number
}
