import type { Schema } from './schema-gen.js'

/** One operation of the OpenAPI document, with every `$ref` resolved. */
export interface Operation {
  method: string
  /** Path template, e.g. `/api/org/departments/{id}`. */
  path: string
  /** `METHOD /path/{param}` */
  key: string
  params: { name: string; in: 'path' | 'query' | 'header' | 'cookie'; required: boolean; schema: Schema }[]
  body?: { required: boolean; contentTypes: string[]; jsonSchema?: Schema }
  /** Declared answers: status → JSON schema of the body (null: declared without JSON content). */
  responses: Record<string, Schema | null>
  /** Documented as needing the session cookie. */
  secured: boolean
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, unknown>>
  components?: { schemas?: Record<string, Schema> }
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace']

/** Inlines `#/components/...` references (a reference cycle is cut off as `{}`). */
function resolve(value: unknown, doc: OpenApiDocument, seen: string[] = []): unknown {
  if (Array.isArray(value)) return value.map((v) => resolve(v, doc, seen))
  if (!value || typeof value !== 'object') return value
  const obj = value as Record<string, unknown>
  if (typeof obj.$ref === 'string') {
    const ref = obj.$ref
    if (seen.includes(ref) || !ref.startsWith('#/')) return {}
    const target = ref
      .slice(2)
      .split('/')
      .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')], doc)
    const { $ref: _ignored, ...rest } = obj
    return { ...(resolve(target, doc, [...seen, ref]) as object), ...(resolve(rest, doc, seen) as object) }
  }
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(obj)) out[k] = resolve(v, doc, seen)
  return out
}

/** Every operation of the document, in document order. */
export function operationsOf(raw: OpenApiDocument): Operation[] {
  const ops: Operation[] = []
  for (const [path, item] of Object.entries(raw.paths ?? {})) {
    for (const [method, rawOp] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue
      const op = resolve(rawOp, raw) as Record<string, any>
      const shared = (resolve((item as Record<string, unknown>).parameters ?? [], raw) as Record<string, any>[]) ?? []
      const params = [...shared, ...((op.parameters ?? []) as Record<string, any>[])].map((p) => ({
        name: String(p.name),
        in: p.in,
        required: p.in === 'path' || p.required === true,
        schema: (p.schema ?? {}) as Schema,
      }))
      let body: Operation['body']
      if (op.requestBody) {
        const content = (op.requestBody.content ?? {}) as Record<string, { schema?: Schema }>
        body = {
          required: op.requestBody.required === true,
          contentTypes: Object.keys(content),
          jsonSchema: content['application/json']?.schema,
        }
      }
      const responses: Record<string, Schema | null> = {}
      for (const [status, res] of Object.entries((op.responses ?? {}) as Record<string, any>)) {
        responses[status] = res?.content?.['application/json']?.schema ?? null
      }
      ops.push({
        method: method.toUpperCase(),
        path,
        key: `${method.toUpperCase()} ${path}`,
        params,
        body,
        responses,
        secured: Array.isArray(op.security) && op.security.length > 0,
      })
    }
  }
  return ops
}
