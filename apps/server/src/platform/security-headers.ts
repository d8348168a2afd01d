import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

/**
 * Content-Security-Policy for every page we serve: scripts only from our own origin (the web app's
 * index.html has no inline script; oidc-provider adds a sha256 source for its one form_post
 * script itself), inline styles allowed because antd and Swagger UI style elements at runtime.
 * No framing anywhere (clickjacking on sign-in and consent pages).
 */
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
].join('; ')

/** Headers on every response (OWASP secure headers; MLPS 2.0 / GB/T 22239 web hardening). */
export function securityHeaders(publicUrl: string): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'strict-origin-when-cross-origin',
    // Camera (scanning QR codes, photographing materials) and location (reporting a problem) for
    // our own pages only; nothing else.
    'permissions-policy': 'accelerometer=(), camera=(self), geolocation=(self), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()',
    'cross-origin-opener-policy': 'same-origin',
    ...(publicUrl.startsWith('https:') ? { 'strict-transport-security': 'max-age=31536000' } : {}),
  }
}

/**
 * Sets the headers on the raw response as the request arrives, so they are on every answer:
 * routes, errors, 404s, static files, and the OIDC provider, which writes to the raw response
 * itself. A route that sets its own value (reply.header) wins over these.
 */
export const securityHeadersPlugin = fp(
  async (app: FastifyInstance, opts: { publicUrl: string }) => {
    const headers = Object.entries(securityHeaders(opts.publicUrl))
    app.addHook('onRequest', async (_req, reply) => {
      for (const [name, value] of headers) reply.raw.setHeader(name, value)
    })
  },
  { name: 'yiwang-security-headers' },
)
