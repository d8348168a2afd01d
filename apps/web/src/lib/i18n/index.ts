import i18n from 'i18next'
import { initReactI18next } from 'react-i18next'
import en from './en.json'
import zhCN from './zh-CN.json'

/** Languages the web app speaks: zh-CN first (the default), en second. */
export const languages = ['zh-CN', 'en'] as const
export type Language = (typeof languages)[number]

const storageKey = 'yw.lang'

// Both message files must carry exactly the same keys; these two lines fail the type check otherwise.
const enHasEveryKey: typeof zhCN = en
const zhHasEveryKey: typeof en = zhCN
void enHasEveryKey
void zhHasEveryKey

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation'
    resources: { translation: typeof zhCN }
    returnNull: false
  }
}

function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (languages as readonly string[]).includes(value)
}

function storedLanguage(): Language {
  try {
    const v = window.localStorage.getItem(storageKey)
    return isLanguage(v) ? v : 'zh-CN'
  } catch {
    return 'zh-CN'
  }
}

function applyToDocument(lng: string) {
  document.documentElement.lang = lng
  document.title = i18n.t('app.title')
}

void i18n.use(initReactI18next).init({
  resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
  lng: storedLanguage(),
  fallbackLng: 'zh-CN',
  supportedLngs: [...languages],
  interpolation: { escapeValue: false },
  initAsync: false,
  react: { useSuspense: false },
})
applyToDocument(i18n.language)

i18n.on('languageChanged', (lng) => {
  applyToDocument(lng)
  try {
    window.localStorage.setItem(storageKey, lng)
  } catch {
    // Private mode may refuse storage; the switch still works for this page.
  }
})

/** The language in use now. */
export function currentLanguage(): Language {
  return isLanguage(i18n.language) ? i18n.language : 'zh-CN'
}

/** Switches the language, remembers it in localStorage and sets `<html lang>`. */
export function setLanguage(lng: Language): Promise<unknown> {
  return i18n.changeLanguage(lng)
}

/** The other language: the one a single switch button offers. */
export function otherLanguage(): Language {
  return currentLanguage() === 'zh-CN' ? 'en' : 'zh-CN'
}

export { i18n }
