import { currentLanguage } from './i18n'

/** A timestamp in the user's language, e.g. 2025年3月1日 14:05. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return new Intl.DateTimeFormat(currentLanguage(), { dateStyle: 'medium', timeStyle: 'short' }).format(d)
}

/** Shortens a long hex string for tables; the full value stays in the title/tooltip. */
export function shortHex(hex: string, keep = 10): string {
  return hex.length > keep * 2 + 1 ? `${hex.slice(0, keep)}…${hex.slice(-keep)}` : hex
}
