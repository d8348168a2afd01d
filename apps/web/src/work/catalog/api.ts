import { api, ApiError, type Problem } from '../../lib/api'
import type { Guide, ItemVersion, Material } from '../../lib/cases'
import { currentLanguage, i18n } from '../../lib/i18n'
import type { Page } from '../../lib/types'

/** Calls of the catalog editor (/api/catalog, editors in scope only except the public reads). */

export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

export type VersionStatus = ItemVersion['status']

/** One row of an item's version history (GET /items/:id/versions). */
export interface VersionSummary {
  id: string
  version: number
  status: VersionStatus
  revision: number
  name: string
  createdAt: string
  updatedAt: string
  createdBy: string | null
  publishedAt: string | null
  publishedBy: string | null
  supersededAt: string | null
}

/** An item as its editors list it (GET /api/catalog/editing): drafts never published included. */
export interface EditableItem {
  id: string
  code: string
  name: string
  type: ItemVersion['guide']['type']
  departmentId: string
  departmentName: string
  divisionCode: string
  /** null: never published. */
  publishedVersion: number | null
  draft: { versionId: string; version: number; revision: number; updatedAt: string } | null
  updatedAt: string
}

/** One problem of an imported workbook; row and column as Excel shows them. */
export interface ImportError {
  sheet: string
  row: number | null
  column: string | null
  field: string | null
  code: string
  message: string
}

export interface ImportResult {
  created: number
  updated: number
  unchanged: number
  errors: ImportError[]
}

/** What an editor sends: every guide element; new materials get their code from the server. */
export type GuideInput = Omit<Guide, 'divisionCode' | 'materials'> & {
  divisionCode?: string | null
  materials: (Omit<Material, 'code'> & { code: string | null })[]
}

const item = (id: string) => `/api/catalog/items/${encodeURIComponent(id)}`

export const exportUrl = '/api/catalog/export.xlsx'

/** `null` when the answer is a 404 (no draft, or never published). */
function orNull<T>(p: Promise<T>): Promise<T | null> {
  return p.catch((e: unknown) => (e instanceof ApiError && e.status === 404 ? null : Promise.reject(e)))
}

export const catalogApi = {
  editable: (query: { q?: string; status?: 'draft' | 'published' | 'unpublished'; departmentId?: string; page: number; pageSize: number }, signal?: AbortSignal) =>
    api.get<Page<EditableItem>>('/api/catalog/editing', query, signal),
  published: (id: string, signal?: AbortSignal) => orNull(api.get<ItemVersion>(item(id), undefined, signal)),
  draft: (id: string, signal?: AbortSignal) => orNull(api.get<ItemVersion>(`${item(id)}/draft`, undefined, signal)),
  versions: (id: string, signal?: AbortSignal) => api.get<{ items: VersionSummary[] }>(`${item(id)}/versions`, undefined, signal).then((r) => r.items),
  create: (guide: GuideInput) => api.post<ItemVersion>('/api/catalog/items', guide),
  startDraft: (id: string) => api.post<ItemVersion>(`${item(id)}/draft`),
  saveDraft: (id: string, revision: number, guide: GuideInput) => api.patch<ItemVersion>(`${item(id)}/draft`, { revision, ...guide }),
  discardDraft: (id: string, revision: number) => api.delete(`${item(id)}/draft?revision=${revision}`),
  publish: (id: string, revision: number) => api.post<ItemVersion>(`${item(id)}/publish`, { revision }),

  /** Uploads a workbook as the raw body; a rejected one (422) comes back with its row errors, not thrown. */
  async importWorkbook(file: Blob): Promise<ImportResult> {
    let response: Response
    try {
      response = await fetch('/api/catalog/import', {
        method: 'POST',
        body: file,
        credentials: 'same-origin',
        headers: { 'Content-Type': XLSX_MIME, Accept: 'application/json, application/problem+json', 'Accept-Language': currentLanguage() },
      })
    } catch {
      throw new ApiError({ type: 'about:blank#network', title: i18n.t('error.network'), status: 0 })
    }
    const data = (await response.json().catch(() => undefined)) as (Partial<Problem> & Partial<ImportResult>) | undefined
    if (response.ok && data) return { created: data.created ?? 0, updated: data.updated ?? 0, unchanged: data.unchanged ?? 0, errors: data.errors ?? [] }
    if (response.status === 422 && Array.isArray(data?.errors) && data.errors.length > 0 && 'sheet' in (data.errors[0] as object)) {
      return { created: 0, updated: 0, unchanged: 0, errors: data.errors as unknown as ImportError[] }
    }
    throw new ApiError({
      ...(data ?? {}),
      type: typeof data?.type === 'string' ? data.type : 'about:blank',
      title: typeof data?.title === 'string' ? data.title : i18n.t('error.status', { status: response.status }),
      status: response.status,
    })
  },
}
