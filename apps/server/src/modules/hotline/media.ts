import { InvalidMediaUrlError } from './errors.js'

export const MAX_MEDIA_URL = 500

/**
 * An Open311 `media_url` as stored: an absolute http(s) URL without credentials, normalised by
 * WHATWG URL parsing. It is only ever shown to staff as a link; the server never fetches it
 * (no SSRF surface), so no host checks are needed beyond the scheme.
 */
export function cleanMediaUrl(raw: string): string {
  const trimmed = raw.trim()
  if (trimmed.length === 0 || trimmed.length > MAX_MEDIA_URL) throw new InvalidMediaUrlError()
  let url: URL
  try {
    url = new URL(trimmed)
  } catch {
    throw new InvalidMediaUrlError()
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname || url.username || url.password) throw new InvalidMediaUrlError()
  if (url.href.length > MAX_MEDIA_URL) throw new InvalidMediaUrlError()
  return url.href
}
