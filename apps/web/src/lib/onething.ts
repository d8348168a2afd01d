import { api } from './api'
import { sendFile } from './cases'
import type { Page } from './types'

/** Shapes of the 一件事一次办 API (/api/onething); see apps/server/src/modules/onething/routes.ts. */

export interface Question {
  key: string
  label: string
  help?: string
  options: { value: string; label: string }[]
  default?: string
}

export interface Bundle {
  id: string
  code: string
  name: string
  summary: string
  applicableTo: 'person' | 'legal'
  questions: Question[]
  parties: { role: string; label: string; required: boolean }[]
  items: { code: string; name: string; departmentName: string; promisedDays: number; conditional: boolean }[]
}

export type PartyStatus = 'owner' | 'invited' | 'joined' | 'confirmed' | 'declined' | 'not_invited'

export interface DraftField {
  name: string
  label: string
  widget: string
  options: string[] | null
  required: boolean
  party: string
  section: string | null
  value: string | number | null
  source: 'prefill' | 'typed' | 'produced' | null
  sourceLabel: string | null
  version: number
  editable: boolean
}

export interface DraftMaterial {
  itemCode: string
  itemName: string
  code: string
  name: string
  licenseType: string | null
  /** Whose license or record provides it: 'applicant' (the first applicant) or a party role. */
  party: string
  /** upload: provided by files uploaded to the draft. */
  status: 'license' | 'registry' | 'bundle' | 'upload' | 'available' | 'missing'
  label: string | null
  licenses: { id: string; number: string; type: string; typeName: string; status: string }[]
  /** The caller's files for it. */
  files: DraftFile[]
}

export interface DraftFile {
  id: string
  itemCode: string
  materialCode: string
  party: string
  fileName: string
  contentType: string
  sizeBytes: number
  uploadedAt: string
}

export interface Counts {
  prefilled: number
  typed: number
  materialsFromLicenses: number
  materialsShared: number
}

export interface Draft {
  id: string
  version: number
  status: 'open' | 'submitted' | 'cancelled'
  bundle: { code: string; name: string }
  ownerName: string
  you: { role: string; isOwner: boolean; status: PartyStatus }
  answers: Record<string, string>
  questions: Question[]
  items: { code: string; name: string; departmentName: string; applies: boolean }[]
  fields: DraftField[]
  materials: DraftMaterial[]
  parties: { role: string; label: string; required: boolean; status: PartyStatus; accountName: string | null; invitedPhone: string | null }[]
  counts: Counts
  group: { id: string; number: string } | null
}

export interface FieldConflict {
  field: string
  value: unknown
  version: number
  updatedBy: string
}

export type { CaseStatus } from './cases'
import type { CaseStatus } from './cases'

export interface Application {
  id: string
  number: string
  title: string
  status: 'submitted' | 'in_progress' | 'supplement_requested' | 'completed' | 'withdrawn'
  applicantName: string
  dueAt: string | null
  createdAt: string
  fill: Counts
  children: { id: string; number: string | null; status: CaseStatus; itemName: string; departmentName: string; dueAt: string | null }[]
  supplements: { applicationId: string; departmentName: string; itemName: string; items: { description: string }[]; message: string | null }[]
  results: { applicationId: string; itemName: string; departmentName: string; status: CaseStatus; documentNumber: string | null; summary: string | null }[] | null
  timeline: { applicationId: string; departmentName: string; itemName: string; action: string; toStatus: CaseStatus; at: string }[]
}

export interface CaseFill {
  groupId: string | null
  groupNumber: string | null
  fill: Counts | null
  materials: { code: string; kind: 'license' | 'registry' | 'bundle'; label: string }[]
}

/** An application in the caller's list (its cases by name and department). */
export type OnethingApplicationSummary = Omit<Application, 'fill' | 'supplements' | 'results' | 'timeline' | 'applicantName' | 'children'> & { children: { id: string; itemName: string; departmentName: string; status: CaseStatus }[] }

const d = (id: string) => `/api/onething/drafts/${encodeURIComponent(id)}`

export const onethingApi = {
  bundles: (signal?: AbortSignal) => api.get<{ items: Bundle[] }>('/api/onething/bundles', undefined, signal),
  bundle: (code: string, signal?: AbortSignal) => api.get<Bundle>(`/api/onething/bundles/${encodeURIComponent(code)}`, undefined, signal),
  start: (bundleCode: string) => api.post<Draft>('/api/onething/drafts', { bundleCode }),
  draft: (id: string, signal?: AbortSignal) => api.get<Draft>(d(id), undefined, signal),
  answer: (id: string, version: number, answers: Record<string, string>) => api.put<Draft>(`${d(id)}/answers`, { version, answers }),
  fields: (id: string, changes: { field: string; value: string | number | null; baseVersion: number }[]) =>
    api.patch<{ draft: Draft; conflicts: FieldConflict[] }>(`${d(id)}/fields`, { changes }),
  useLicense: (id: string, licenseType: string, licenseId: string) => api.put<Draft>(`${d(id)}/licenses/${encodeURIComponent(licenseType)}`, { licenseId }),
  withdrawLicense: (id: string, licenseType: string) => api.delete<Draft>(`${d(id)}/licenses/${encodeURIComponent(licenseType)}`),
  /** Uploads a file for a material of an item of the draft (the body is the file itself). */
  uploadFile: (id: string, itemCode: string, materialCode: string, file: File, language: string) =>
    sendFile<DraftFile>('POST', `${d(id)}/materials/${encodeURIComponent(itemCode)}/${encodeURIComponent(materialCode)}/files`, file, language),
  removeFile: (id: string, fileId: string) => api.delete<void>(`${d(id)}/files/${encodeURIComponent(fileId)}`),
  invite: (id: string, role: string, phone: string | null) => api.post<{ token: string; path: string; draft: Draft }>(`${d(id)}/invitations`, { role, phone }),
  accept: (token: string) => api.post<Draft>(`/api/onething/invitations/${encodeURIComponent(token)}/accept`),
  confirm: (id: string) => api.post<Draft>(`${d(id)}/confirm`),
  decline: (id: string) => api.post<{ declined: true }>(`${d(id)}/decline`),
  submit: (id: string, version: number) => api.post<{ draft: Draft; group: Application }>(`${d(id)}/submit`, { version }),
  applications: (signal?: AbortSignal) => api.get<Page<OnethingApplicationSummary>>('/api/onething/applications', { pageSize: 50 }, signal),
  application: (id: string, signal?: AbortSignal) => api.get<Application>(`/api/onething/applications/${encodeURIComponent(id)}`, undefined, signal),
  caseFill: (caseId: string, signal?: AbortSignal) => api.get<CaseFill>(`/api/onething/cases/${encodeURIComponent(caseId)}/fill`, undefined, signal),
}
