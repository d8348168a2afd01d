import { currentLanguage, i18n } from './i18n'

/** One field-level failure of a problem+json answer (RFC 9457 extension used by the server). */
export interface FieldError {
  /** Where: `body.name`, `querystring.page`, `body.roles.0.role`. */
  name: string
  code: string
  reason: string
}

/** An RFC 9457 problem document. */
export interface Problem {
  type: string
  title: string
  status: number
  detail?: string
  errors?: FieldError[]
  [extension: string]: unknown
}

/** A field error located by its path inside a form: `body.roles.0.role` → ['roles', 0, 'role']. */
export interface LocatedFieldError {
  path: (string | number)[]
  reason: string
}

/** A failed API call. `message` (and `problem.title`) is already in the user's language. */
export class ApiError extends Error {
  readonly status: number
  readonly problem: Problem

  constructor(problem: Problem) {
    super(problem.title)
    this.name = 'ApiError'
    this.status = problem.status
    this.problem = problem
  }

  /** Field errors of the request body, keyed for form libraries. */
  fieldErrors(): LocatedFieldError[] {
    return (this.problem.errors ?? [])
      .filter((e) => typeof e.name === 'string' && typeof e.reason === 'string')
      .map((e) => ({
        path: e.name
          .replace(/^(body|querystring|params)\.?/, '')
          .split('.')
          .filter(Boolean)
          .map((part) => (/^\d+$/.test(part) ? Number(part) : part)),
        reason: e.reason,
      }))
      .filter((e) => e.path.length > 0)
  }
}

/** The message to show for any error thrown by an API call or by code around it. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.problem.title
  return i18n.t('error.unexpected')
}

export type QueryValue = string | number | boolean | null | undefined
export type Query = Record<string, QueryValue>

/** Appends the defined query values to a path. */
export function withQuery(path: string, query?: Query): string {
  if (!query) return path
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue
    params.set(key, String(value))
  }
  const qs = params.toString()
  return qs ? `${path}?${qs}` : path
}

interface RequestOptions {
  query?: Query
  body?: unknown
  signal?: AbortSignal
}

async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json', 'Accept-Language': currentLanguage() }
  let body: string | undefined
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(options.body)
  }
  let response: Response
  try {
    response = await fetch(withQuery(path, options.query), { method, headers, body, credentials: 'same-origin', signal: options.signal })
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause
    throw new ApiError({ type: 'about:blank#network', title: i18n.t('error.network'), status: 0 })
  }
  if (response.status === 204) return undefined as T
  const text = await response.text()
  let data: unknown = undefined
  if (text) {
    try {
      data = JSON.parse(text)
    } catch {
      data = undefined
    }
  }
  if (!response.ok) {
    const problem = data as Partial<Problem> | undefined
    throw new ApiError({
      ...(problem && typeof problem === 'object' ? problem : {}),
      type: typeof problem?.type === 'string' ? problem.type : 'about:blank',
      title: typeof problem?.title === 'string' ? problem.title : i18n.t('error.status', { status: response.status }),
      status: response.status,
    })
  }
  return data as T
}

/** The JSON API client: same-origin cookies, Accept-Language from the current language. */
export const api = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) => request<T>('GET', path, { query, signal }),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, { body: body ?? {} }),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, { body }),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, { body }),
  delete: <T = void>(path: string) => request<T>('DELETE', path),
}
