import i18n from 'i18next'
import { initReactI18next } from 'react-i18next'
import baseEn from './en.json'
import baseZhCN from './zh-CN.json'
import hotlineEn from './hotline.en.json'
import hotlineZhCN from './hotline.zh-CN.json'
import licensesEn from './licenses.en.json'
import licensesZhCN from './licenses.zh-CN.json'
import onethingEn from './onething.en.json'
import onethingZhCN from './onething.zh-CN.json'
import ratingEn from './rating.en.json'
import ratingZhCN from './rating.zh-CN.json'

// Features with many words keep them in their own files (<feature>.<lang>.json), one namespace each,
// so the shared files stay small and features are edited independently.
const zhCN = { ...baseZhCN, licenses: licensesZhCN, hotline: hotlineZhCN, rating: ratingZhCN, onething: onethingZhCN }
const en = { ...baseEn, licenses: licensesEn, hotline: hotlineEn, rating: ratingEn, onething: onethingEn }

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
