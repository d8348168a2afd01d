import type { Random } from './random.js'

/**
 * Strings matching a JSON Schema `pattern`, for the common shapes our schemas use: anchors,
 * groups, alternation, classes (ranges, negation, \d \w \s \p{…}), and quantifiers. Lookarounds
 * and backreferences are not supported; `generate` returns null and the caller falls back.
 */

type Node =
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; options: Node[] }
  | { t: 'repeat'; node: Node; min: number; max: number }
  | { t: 'chars'; pick: (r: Random) => string }
  | { t: 'empty' }

/** Characters tried for negated classes and `.`: ASCII, CJK, and a few that often break things. */
const POOL = [
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_.,:/()+@#',
  ...'一网通办忻州市政务服务中心山西省数据局张王李赵街道社区',
]

class Unsupported extends Error {}

function rangeChars(ranges: [number, number][], extra: string[]): (r: Random) => string {
  const total = ranges.reduce((n, [a, b]) => n + (b - a + 1), 0) + extra.length
  if (total === 0) throw new Unsupported('empty class')
  return (r) => {
    let k = r.int(0, total - 1)
    for (const [a, b] of ranges) {
      const size = b - a + 1
      if (k < size) return String.fromCodePoint(a + k)
      k -= size
    }
    return extra[k]!
  }
}

/** Picks from the pool; lazily, since a class such as [^\p{Cc}] uses \p{Cc} only to exclude. */
function poolChars(test: (c: string) => boolean): (r: Random) => string {
  let ok: string[] | undefined
  return (r) => {
    ok ??= POOL.filter(test)
    if (ok.length === 0) throw new Unsupported('no character in the pool fits')
    return r.pick(ok)
  }
}

class Parser {
  private i = 0
  constructor(private readonly src: string, private readonly flags: string) {}

  parse(): Node {
    const node = this.alternation()
    if (this.i < this.src.length) throw new Unsupported(`unexpected ${this.src[this.i]}`)
    return node
  }

  private alternation(): Node {
    const options = [this.sequence()]
    while (this.src[this.i] === '|') {
      this.i++
      options.push(this.sequence())
    }
    return options.length === 1 ? options[0]! : { t: 'alt', options }
  }

  private sequence(): Node {
    const items: Node[] = []
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') {
      const atom = this.atom()
      items.push(this.quantified(atom))
    }
    return { t: 'seq', items }
  }

  private quantified(node: Node): Node {
    const c = this.src[this.i]
    let min: number
    let max: number
    if (c === '*') [min, max] = [0, 6]
    else if (c === '+') [min, max] = [1, 6]
    else if (c === '?') [min, max] = [0, 1]
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i))
      if (!m) return node
      min = Number(m[1])
      max = m[2] ? (m[3] ? Number(m[3]) : min + 6) : min
      this.i += m[0].length - 1
    } else return node
    this.i++
    if (this.src[this.i] === '?') this.i++
    return { t: 'repeat', node, min, max }
  }

  private atom(): Node {
    const c = this.src[this.i]!
    if (c === '^' || c === '$') {
      this.i++
      return { t: 'empty' }
    }
    if (c === '(') {
      this.i++
      if (this.src[this.i] === '?') {
        if (this.src[this.i + 1] !== ':') throw new Unsupported('lookaround or named group')
        this.i += 2
      }
      const inner = this.alternation()
      if (this.src[this.i] !== ')') throw new Unsupported('unclosed group')
      this.i++
      return inner
    }
    if (c === '[') return this.charClass()
    if (c === '.') {
      this.i++
      return { t: 'chars', pick: poolChars(() => true) }
    }
    if (c === '\\') return { t: 'chars', pick: this.escape(false).pick }
    this.i++
    return { t: 'chars', pick: () => c }
  }

  /** An escape; inside a class also returns its ranges so the class can be enumerated. */
  private escape(inClass: boolean): { pick: (r: Random) => string; ranges?: [number, number][]; extra?: string[]; test?: (c: string) => boolean } {
    this.i++ // the backslash
    const c = this.src[this.i]!
    this.i++
    const digits: [number, number][] = [[48, 57]]
    const word: [number, number][] = [[48, 57], [65, 90], [97, 122]]
    switch (c) {
      case 'd':
        return { pick: rangeChars(digits, []), ranges: digits }
      case 'w':
        return { pick: rangeChars(word, ['_']), ranges: word, extra: ['_'] }
      case 's':
        return { pick: () => ' ', extra: [' '] }
      case 'D':
      case 'W':
      case 'S': {
        const re = new RegExp(`^\\${c}$`, 'u')
        return { pick: poolChars((x) => re.test(x)), test: (x) => re.test(x) }
      }
      case 'p':
      case 'P': {
        const m = /^\{[^}]+\}/.exec(this.src.slice(this.i))
        if (!m) throw new Unsupported('bad \\p')
        this.i += m[0].length
        const re = new RegExp(`^\\${c}${m[0]}$`, 'u')
        return { pick: poolChars((x) => re.test(x)), test: (x) => re.test(x) }
      }
      case 'u': {
        const m = /^\{([0-9a-fA-F]+)\}|^([0-9a-fA-F]{4})/.exec(this.src.slice(this.i))
        if (!m) throw new Unsupported('bad \\u')
        this.i += m[0].length
        const ch = String.fromCodePoint(parseInt(m[1] ?? m[2]!, 16))
        return { pick: () => ch, extra: [ch] }
      }
      case 'b':
      case 'B':
        if (inClass) throw new Unsupported('\\b in class')
        return { pick: () => '' }
      case 'n':
        return { pick: () => '\n', extra: ['\n'] }
      case 't':
        return { pick: () => '\t', extra: ['\t'] }
      default:
        if (/[0-9]/.test(c)) throw new Unsupported('backreference')
        return { pick: () => c, extra: [c] }
    }
  }

  private charClass(): Node {
    const start = this.i
    this.i++ // [
    const negated = this.src[this.i] === '^'
    if (negated) this.i++
    const ranges: [number, number][] = []
    const extra: string[] = []
    const tests: ((c: string) => boolean)[] = []
    let first = true
    while (this.i < this.src.length && (this.src[this.i] !== ']' || first)) {
      first = false
      let lo: string
      if (this.src[this.i] === '\\') {
        const e = this.escape(true)
        if (e.ranges) ranges.push(...e.ranges)
        if (e.extra) extra.push(...e.extra)
        if (e.test) tests.push(e.test)
        if (e.ranges || e.test || (e.extra && e.extra.length !== 1)) continue
        lo = e.extra![0]!
        extra.pop()
      } else {
        lo = String.fromCodePoint(this.src.codePointAt(this.i)!)
        this.i += lo.length
      }
      if (this.src[this.i] === '-' && this.src[this.i + 1] !== ']' && this.i + 1 < this.src.length) {
        this.i++
        let hi: string
        if (this.src[this.i] === '\\') {
          const e = this.escape(true)
          if (!e.extra || e.extra.length !== 1) throw new Unsupported('class range to a class')
          hi = e.extra[0]!
        } else {
          hi = String.fromCodePoint(this.src.codePointAt(this.i)!)
          this.i += hi.length
        }
        ranges.push([lo.codePointAt(0)!, hi.codePointAt(0)!])
      } else extra.push(lo)
    }
    if (this.src[this.i] !== ']') throw new Unsupported('unclosed class')
    this.i++
    const source = this.src.slice(start, this.i)
    if (negated || tests.length > 0) {
      const re = new RegExp(`^${source}$`, this.flags.includes('u') ? 'u' : '')
      return { t: 'chars', pick: poolChars((c) => re.test(c)) }
    }
    return { t: 'chars', pick: rangeChars(ranges, extra) }
  }
}

function emit(node: Node, r: Random): string {
  switch (node.t) {
    case 'empty':
      return ''
    case 'chars':
      return node.pick(r)
    case 'seq':
      return node.items.map((n) => emit(n, r)).join('')
    case 'alt':
      return emit(r.pick(node.options), r)
    case 'repeat': {
      const n = r.int(node.min, node.max)
      let s = ''
      for (let k = 0; k < n; k++) s += emit(node.node, r)
      return s
    }
  }
}

const cache = new Map<string, Node | null>()

/** A string matching the pattern (and the length bounds, when it can), or null when the pattern is beyond this generator. */
export function generateFromPattern(pattern: string, r: Random, minLength = 0, maxLength = Infinity): string | null {
  let node = cache.get(pattern)
  if (node === undefined) {
    try {
      node = new Parser(pattern, 'u').parse()
    } catch {
      node = null
    }
    cache.set(pattern, node)
  }
  if (!node) return null
  let re: RegExp
  try {
    re = new RegExp(pattern, 'u')
  } catch {
    re = new RegExp(pattern)
  }
  for (let attempt = 0; attempt < 20; attempt++) {
    let s: string
    try {
      s = emit(node, r)
    } catch {
      return null
    }
    const len = [...s].length
    if (len >= minLength && len <= maxLength && re.test(s)) return s
  }
  return null
}
