import pino, { type Logger, type LoggerOptions } from 'pino'

/** Fields never written to logs, wherever they appear in a logged object. */
const redactPaths = [
  'password', '*.password', 'newPassword', '*.newPassword', 'code', '*.code',
  'token', '*.token', 'accessToken', '*.accessToken', 'refreshToken', '*.refreshToken', 'secret', '*.secret',
  'idNumber', '*.idNumber', 'phone', '*.phone', 'privateKey', '*.privateKey',
  'req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]',
]

// Mainland ID numbers (GB 11643) and mobile numbers inside free text, URLs and messages.
const ID_NUMBER = /(?<![0-9A-Za-z])\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])/g
const MOBILE = /(?<!\d)1[3-9]\d{9}(?!\d)/g

/** Replaces ID numbers and phone numbers inside a string with a fixed mask. */
export function scrubPersonalData(text: string): string {
  return text.replace(ID_NUMBER, '[id-number]').replace(MOBILE, '[phone]')
}

function scrubDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubPersonalData(value)
  if (depth > 6 || value === null || typeof value !== 'object') return value
  // An error's message, stack and driver fields (PostgreSQL's `detail`: "Key (phone)=(…)") can carry
  // the input that caused it: serialized here, then scrubbed like any other object.
  if (value instanceof Error) return scrubFields(pino.stdSerializers.err(value), depth)
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, depth + 1))
  // Class instances (Fastify's request and reply, sockets, Buffers) are left to their serializers:
  // walking them would copy whole bodies and socket graphs on every log line.
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) return value
  return scrubFields(value, depth)
}

function scrubFields(value: object, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) out[k] = scrubDeep(v, depth + 1)
  return out
}

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: redactPaths, censor: '[redacted]' },
    formatters: { log: (obj) => scrubDeep(obj) as Record<string, unknown> },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((a) => (typeof a === 'string' ? scrubPersonalData(a) : a)) as Parameters<typeof method>)
      },
    },
    serializers: {
      // The log formatter has usually serialized and scrubbed the error already; an Error that reaches here has not been.
      err: (err: unknown) => (err instanceof Error ? scrubDeep(pino.stdSerializers.err(err)) : err),
      // Fastify hands either its request or the raw IncomingMessage; both carry method and url.
      req: (req: { method?: string; url?: string; id?: string; raw?: { url?: string } }) => ({
        id: req.id,
        method: req.method,
        url: scrubPersonalData(String(req.url ?? req.raw?.url ?? '')),
      }),
    },
  }
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return destination ? pino(loggerOptions(level), destination) : pino(loggerOptions(level))
}
