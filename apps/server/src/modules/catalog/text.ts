import { Jieba } from '@node-rs/jieba'
import { dict } from '@node-rs/jieba/dict.js'
import { pinyin } from 'pinyin-pro'

/**
 * Chinese text for search: jieba word segmentation, pinyin keys, and tsvector/tsquery literals.
 * Lexemes are written as literals instead of going through to_tsvector, so no text-search parser
 * or database locale is involved: PGlite and PostgreSQL index and match exactly the same tokens.
 */

let jieba: Jieba | undefined
/** The segmenter, loaded on first use (the dictionary takes ~0.3 s to load). */
function segmenter(): Jieba {
  jieba ??= Jieba.withDict(dict)
  return jieba
}

const meaningful = /[\p{L}\p{N}]/u

/** Words a query or text is made of, in search mode (long words also yield their parts), lower-cased. */
export function segment(text: string): string[] {
  return segmenter()
    .cutForSearch(text, true)
    .map((w) => w.trim().toLowerCase())
    .filter((w) => w && meaningful.test(w))
}

/** Words that say nothing about which service is meant ("我要怎么办…"). */
const stopwords = new Set([
  '我', '我要', '要', '想', '想要', '我想', '去', '怎么', '怎么办', '怎样', '如何', '哪里', '在哪', '在哪里', '哪儿', '的', '了', '吗', '呢', '啊',
  '个', '一个', '一下', '办', '办个', '需要', '什么', '咋', '咋办', '请问', '能', '可以', '给', '帮', '帮我', '我们', '你', '有', '是', '在', '和',
])

/**
 * Whether a word is worth a lexeme. Single characters (生, 开, 证) match far too much in Chinese;
 * a one-character query still finds names through the substring match.
 */
const indexable = (w: string) => [...w].length >= 2 && !stopwords.has(w)

/** Query words: segmented, stopwords and single characters dropped, plus the whole query when short (it may be a keyword as typed). */
export function queryTerms(q: string): string[] {
  const words = segment(q).filter(indexable)
  const whole = q.trim().toLowerCase()
  if ([...whole].length <= 20 && !/\s/.test(whole) && meaningful.test(whole) && indexable(whole)) words.push(whole)
  return [...new Set(words)]
}

/** Tokens indexed for a name or keyword: its words, and the phrase itself when short; each once. */
export function indexTokens(text: string): string[] {
  const words = segment(text)
  const whole = text.trim().toLowerCase()
  if ([...whole].length <= 12 && !/\s/.test(whole)) words.push(whole)
  return [...new Set(words.filter(indexable))]
}

/** Words of a phrase in normal mode (no sub-words): what an expansion must all match. */
export function phraseWords(text: string): string[] {
  return segmenter()
    .cut(text, false)
    .map((w) => w.trim().toLowerCase())
    .filter((w) => w && meaningful.test(w))
}

const quote = (lexeme: string) => `'${lexeme.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`

export type Weight = 'A' | 'B' | 'C' | 'D'

/**
 * A tsvector literal of weighted token sections, most important first. Each lexeme appears once,
 * with the weight of the first section that has it: ranking then says which query words matched
 * where, instead of rewarding a guide that repeats a word.
 */
export function tsvectorLiteral(sections: { weight: Weight; tokens: string[] }[]): string {
  const seen = new Map<string, string>()
  let pos = 0
  for (const { weight, tokens } of sections) {
    for (const token of tokens) {
      const lexeme = token.slice(0, 200)
      if (seen.has(lexeme)) continue
      pos = Math.min(pos + 1, 16_383)
      seen.set(lexeme, `${quote(lexeme)}:${pos}${weight === 'D' ? '' : weight}`)
    }
  }
  return [...seen.values()].join(' ')
}

/**
 * A tsquery literal: any single query term, or all words of any expansion phrase. Null when
 * there is nothing to match.
 */
export function tsqueryLiteral(terms: string[], phrases: string[][]): string | null {
  const parts = new Set<string>()
  for (const t of terms) parts.add(quote(t.slice(0, 200)))
  for (const words of phrases) {
    if (words.length === 1) parts.add(quote(words[0]!.slice(0, 200)))
    else if (words.length > 1) parts.add(`(${words.map((w) => quote(w.slice(0, 200))).join(' & ')})`)
  }
  return parts.size ? [...parts].join(' | ') : null
}

const alnum = /[a-z0-9]/

/** Initials and full pinyin of a phrase, letters and digits only: 出生登记 → ['csdj', 'chushengdengji']. */
export function pinyinOf(text: string): { initials: string; full: string } {
  const full = pinyin(text, { toneType: 'none', type: 'array', v: true }).map((s) => s.toLowerCase())
  const initials = pinyin(text, { pattern: 'first', toneType: 'none', type: 'array' }).map((s) => s.toLowerCase())
  return {
    initials: initials.filter((s) => alnum.test(s)).join(''),
    full: full.filter((s) => alnum.test(s)).join(''),
  }
}

/** The pinyin search keys of a name and its keywords, space-separated. */
export function pinyinKeys(phrases: string[]): string {
  const keys = new Set<string>()
  for (const p of phrases) {
    const { initials, full } = pinyinOf(p)
    if (initials) keys.add(initials)
    if (full) keys.add(full)
  }
  return [...keys].join(' ')
}

/** A query typed in pinyin (letters only, spaces and apostrophes allowed): 'csdj', "chu sheng". */
export function asPinyinQuery(q: string): string | null {
  const s = q.toLowerCase().replace(/[\s']/g, '')
  return /^[a-z]{2,40}$/.test(s) ? s : null
}

/** Where the terms occur in a name: merged [start, end) ranges in UTF-16 units, for highlighting. */
export function highlightRanges(name: string, terms: string[]): { start: number; end: number }[] {
  const lower = name.toLowerCase()
  const ranges: [number, number][] = []
  for (const t of terms) {
    if (!t) continue
    let from = 0
    for (;;) {
      const i = lower.indexOf(t, from)
      if (i < 0) break
      ranges.push([i, i + t.length])
      from = i + t.length
    }
  }
  ranges.sort((a, b) => a[0] - b[0] || a[1] - b[1])
  const merged: { start: number; end: number }[] = []
  for (const [s, e] of ranges) {
    const last = merged.at(-1)
    if (last && s <= last.end) last.end = Math.max(last.end, e)
    else merged.push({ start: s, end: e })
  }
  return merged
}

/** Where a pinyin-initials query matches a name character by character (出生登记 for 'csdj'), or null. */
export function pinyinHighlight(name: string, query: string): { start: number; end: number } | null {
  const chars = [...name]
  const initials = pinyin(name, { pattern: 'first', toneType: 'none', type: 'array' }).map((s) => s.toLowerCase())
  if (initials.length !== chars.length) return null
  const joined = initials.map((s) => s.slice(0, 1)).join('')
  const at = joined.indexOf(query)
  if (at < 0) return null
  const offset = (n: number) => chars.slice(0, n).join('').length
  return { start: offset(at), end: offset(at + query.length) }
}
