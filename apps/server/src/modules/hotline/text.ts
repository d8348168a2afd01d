import { Jieba } from '@node-rs/jieba'
import { dict } from '@node-rs/jieba/dict.js'

/**
 * Chinese words for the knowledge base and duplicate detection (jieba, search mode). The catalog
 * has a richer search of its own that it does not export; this is the small part the hotline needs.
 */
let jieba: Jieba | undefined
function segmenter(): Jieba {
  jieba ??= Jieba.withDict(dict)
  return jieba
}

const meaningful = /[\p{L}\p{N}]/u
/** Words that say nothing about what a caller wants. */
const stopwords = new Set([
  '我', '我们', '你', '您', '他', '要', '想', '想要', '怎么', '怎么办', '怎样', '如何', '哪里', '在哪', '的', '了', '吗', '呢', '啊', '吧',
  '一个', '一下', '需要', '什么', '请问', '能', '可以', '有', '是', '在', '和', '与', '及', '都', '也', '就', '还', '很', '不', '没有',
])

/** Distinct words of at least two characters, lower-cased, in search mode (long words also yield their parts). */
export function words(text: string): string[] {
  const out = new Set<string>()
  for (const w of segmenter().cutForSearch(text, true)) {
    const v = w.trim().toLowerCase()
    if ([...v].length >= 2 && meaningful.test(v) && !stopwords.has(v)) out.add(v)
  }
  return [...out].slice(0, 400)
}

/** Jaccard similarity of two word lists (0..1). */
export function similarity(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0
  const sa = new Set(a)
  let common = 0
  for (const w of new Set(b)) if (sa.has(w)) common++
  return common / (sa.size + new Set(b).size - common)
}
