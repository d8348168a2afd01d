/**
 * Server-side messages (problem titles, notices). zh-CN first, en second. Each module registers
 * its own message files at import time with `registerMessages`; keys are namespaced by module.
 */
export type Locale = 'zh-CN' | 'en'
export const locales: readonly Locale[] = ['zh-CN', 'en']

type Catalog = Record<string, string>
const catalogs: Record<Locale, Catalog> = { 'zh-CN': {}, en: {} }

export function registerMessages(messages: { 'zh-CN': Catalog; en: Catalog }): void {
  Object.assign(catalogs['zh-CN'], messages['zh-CN'])
  Object.assign(catalogs.en, messages.en)
}

/** Looks a key up, fills `{name}` placeholders; falls back to zh-CN, then to the key itself. */
export function t(locale: Locale, key: string, params: Record<string, unknown> = {}): string {
  const template = catalogs[locale][key] ?? catalogs['zh-CN'][key] ?? key
  return template.replace(/\{(\w+)\}/g, (_, name: string) => (name in params ? String(params[name]) : `{${name}}`))
}

export function hasMessage(key: string): boolean {
  return key in catalogs['zh-CN'] && key in catalogs.en
}

/** Picks zh-CN unless the Accept-Language header prefers English (or a `lang` query/cookie says so). */
export function negotiateLocale(acceptLanguage: string | undefined): Locale {
  if (!acceptLanguage) return 'zh-CN'
  const ranked = acceptLanguage
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().split(';')
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
      return { tag: (tag ?? '').toLowerCase(), q: q ? Number(q.slice(2)) || 0 : 1 }
    })
    .filter((x) => x.tag && x.q > 0)
    .sort((a, b) => b.q - a.q)
  for (const { tag } of ranked) {
    if (tag.startsWith('zh')) return 'zh-CN'
    if (tag.startsWith('en')) return 'en'
  }
  return 'zh-CN'
}
