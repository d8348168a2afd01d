import { UnexpectedAnswer, type HttpClient, Session } from './http.js'

/** The password of every demo account (apps/server/src/demo/identity.ts). */
export const DEMO_PASSWORD = 'Demo@2026'

/** Signs in a demo account (staff username, phone, ID number or credit code). */
export function signIn(client: HttpClient, username: string, password = DEMO_PASSWORD): Promise<Session> {
  return new Session(client, username).login(username, password)
}

export interface Department {
  id: string
  name: string
  divisionCode: string
}

/** Departments at or beneath a division, by exact name. */
export async function departmentsByName(s: Session, divisionCode: string): Promise<Map<string, Department>> {
  const out = new Map<string, Department>()
  for (let page = 1; ; page++) {
    const r = await s.ok<{ items: Department[]; total: number }>('GET', `/api/org/departments?divisionCode=${divisionCode}&page=${page}&pageSize=100`)
    for (const d of r.items) if (!out.has(d.name)) out.set(d.name, d)
    if (page * 100 >= r.total) break
  }
  return out
}

/** Child divisions (code, name) of a division. */
export async function childDivisions(s: Session, parent: string): Promise<{ code: string; name: string }[]> {
  return (await s.ok<{ items: { code: string; name: string }[] }>('GET', `/api/org/divisions?parent=${parent}`)).items
}

/** A minimal but complete application form: JSON Schema plus layout. */
export const simpleForm = {
  schema: {
    type: 'object',
    properties: {
      applicantName: { type: 'string', title: '申请人姓名', minLength: 2, maxLength: 50 },
      reason: { type: 'string', title: '申请事由', maxLength: 500 },
    },
    required: ['applicantName'],
    additionalProperties: false,
  },
  layout: [
    { field: 'applicantName', widget: 'string', label: '申请人姓名' },
    { field: 'reason', widget: 'textarea', label: '申请事由' },
  ],
}

/** Creates a service item through the catalog API and publishes it; returns the published version. */
export async function createPublishedItem(editor: Session, guide: Record<string, unknown>): Promise<{ id: string; itemId: string; code: string; version: number; guide: Record<string, unknown> }> {
  const draft = await editor.ok<{ itemId: string; revision: number; code: string }>('POST', '/api/catalog/items', { json: guide })
  return editor.ok('POST', `/api/catalog/items/${draft.itemId}/publish`, { json: { revision: draft.revision } })
}

export { UnexpectedAnswer }
