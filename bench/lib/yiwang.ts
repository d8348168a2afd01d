// validators.ts directly rather than the module's index.ts: the index also loads oidc-provider,
// which prints a runtime warning into the benchmark's output. Nothing but pure functions is used.
import { generateIdNumber } from '../../apps/server/src/modules/identity/validators.js'
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

/** The password of the citizens the benchmarks register. */
export const APPLICANT_PASSWORD = 'Bench2026applicant'

const surnames = [...'王李张刘赵杨郭贾梁武田高段闫薛郝']
const given = [...'伟强磊军勇杰涛斌芳娜敏静丽艳娟霞燕玲']
const counties = ['140902', '140981', '140921', '140922', '140923', '140924']

/** One item decided in a single step by the department head, no required materials: submit → accept → approve. */
export function benchItem(departmentId: string) {
  return {
    name: '基准测试事项（一次审批）',
    type: 'licensing',
    departmentId,
    divisionCode: '140900',
    applicableTo: 'person',
    summary: '用于性能基准测试的事项：受理后由部门负责人一次决定。',
    legalBasis: '《中华人民共和国行政许可法》第二十九条',
    conditions: '申请人为具有完全民事行为能力的自然人。',
    materials: [{ name: '委托书', requirement: 'conditional', condition: '委托他人代办的', form: 'original' }],
    form: simpleForm,
    fees: [],
    legalDays: 20,
    promisedDays: 5,
    handlingClass: 'time_limited',
    mode: 'fully_online',
    visits: 0,
    reviewSteps: [{ name: '决定', role: 'department_head' }],
    themes: [],
    keywords: ['基准测试'],
  }
}

/** Registers a citizen through the public API (valid GB 11643 ID number, unique phone). */
export async function registerApplicant(client: HttpClient, i: number, rng: () => number, runTag: string): Promise<Session> {
  const s = new Session(client, `applicant ${i}`)
  for (let attempt = 0; ; attempt++) {
    const year = 1960 + Math.floor(rng() * 45)
    const birthDate = `${year}-${String(1 + Math.floor(rng() * 12)).padStart(2, '0')}-${String(1 + Math.floor(rng() * 28)).padStart(2, '0')}`
    const idNumber = generateIdNumber({ divisionCode: counties[i % counties.length], birthDate, sex: rng() < 0.5 ? 'male' : 'female', rng })
    const phone = `199${runTag}${String(i * 10 + attempt).padStart(5, '0')}`
    const name = surnames[Math.floor(rng() * surnames.length)] + given[Math.floor(rng() * given.length)] + given[Math.floor(rng() * given.length)]
    const a = await s.post('/api/auth/register', { name, idNumber, phone, password: APPLICANT_PASSWORD })
    if (a.status === 201) return s
    if (a.status !== 409 || attempt >= 5) throw new Error(`register applicant ${i}: HTTP ${a.status} ${a.text().slice(0, 300)}`)
  }
}

export { UnexpectedAnswer }

