import type { ApplicableTo, HandlingClass, ItemType, ServiceItemGuide, ServiceMode, ThemeCode } from './model.js'

/** Domain types of the catalog module that are not part of the guide itself; others import them through index.ts. */

export type VersionStatus = 'draft' | 'published' | 'superseded'

/**
 * One version of a service item: a whole guide plus its place in the item's history. A case
 * keeps `id` (the version id) and is judged by exactly this guide, even after a newer one is published.
 */
export interface ServiceItemVersion {
  /** The version's own id (`itv_…`). */
  id: string
  itemId: string
  code: string
  /** 1, 2, 3 … within the item. */
  version: number
  status: VersionStatus
  /** Edit counter of a draft (optimistic concurrency); frozen once published. */
  revision: number
  /** The implementing department's current name (org). */
  departmentName: string | null
  guide: ServiceItemGuide
  createdAt: Date
  updatedAt: Date
  publishedAt: Date | null
  supersededAt: Date | null
}

/** A version in an item's history list. */
export interface VersionSummary {
  id: string
  version: number
  status: VersionStatus
  revision: number
  name: string
  createdAt: Date
  updatedAt: Date
  createdBy: string | null
  publishedAt: Date | null
  publishedBy: string | null
  supersededAt: Date | null
}

/** A published item as lists and search show it. */
export interface ServiceItemSummary {
  id: string
  code: string
  versionId: string
  name: string
  type: ItemType
  departmentId: string
  departmentName: string
  divisionCode: string
  applicableTo: ApplicableTo
  handlingClass: HandlingClass
  mode: ServiceMode
  visits: number
  legalDays: number | null
  promisedDays: number
  isFree: boolean
  summary: string | null
  themes: ThemeCode[]
  publishedAt: Date
  views: number
  applications: number
}

/** A search result: the summary, why it matched, and where to highlight its name. */
export interface SearchHit extends ServiceItemSummary {
  score: number
  matchedTerms: string[]
  /** [start, end) ranges of the name in UTF-16 code units. */
  highlights: { start: number; end: number }[]
}

export interface SearchQuery {
  q?: string
  theme?: ThemeCode
  departmentId?: string
  type?: ItemType
  applicableTo?: ApplicableTo
  /** Items that apply in this division: implemented in it, beneath it or above it. */
  divisionCode?: string
  page?: number
  pageSize?: number
}

/** An item as its editors list it: what it is now (the draft if any, else the published guide) and its versions. */
export interface EditableItem {
  id: string
  code: string
  name: string
  type: ItemType
  departmentId: string
  departmentName: string
  divisionCode: string
  /** The published version's number; null for an item never published. */
  publishedVersion: number | null
  /** The open draft, if any. */
  draft: { versionId: string; version: number; revision: number; updatedAt: Date } | null
  updatedAt: Date
}

/** Where an editor may edit: a division subtree ('' for everywhere), optionally one department. */
export interface EditorScope {
  divisionPrefix: string
  departmentId: string | null
}

export interface EditableQuery {
  q?: string
  /** draft: has an open draft; published: has a published version; unpublished: never published. */
  status?: 'draft' | 'published' | 'unpublished'
  departmentId?: string
  page?: number
  pageSize?: number
}

export interface Paginated<T> {
  items: T[]
  total: number
  page: number
  pageSize: number
}

export interface ThemeCount {
  code: ThemeCode
  audience: 'person' | 'legal'
  count: number
}

export interface DepartmentCount {
  departmentId: string
  departmentName: string
  divisionCode: string
  count: number
}

export interface ImportResult {
  created: number
  updated: number
  unchanged: number
}

export interface Synonym {
  term: string
  expansions: string[]
  updatedAt: Date
}
