import type { GridCell, NamedDivision, OrgService } from '../org/index.js'
import { divisionPrefix } from '../../platform/roles.js'
import type { AddressPointRow } from './store.js'
import type { GeocodeResult } from './types.js'

/** What geocoding needs from the org module. */
export type DivisionDirectory = Pick<OrgService, 'searchDivisions' | 'listGridCells'>

/**
 * Address text → division (down to the community) and grid cell, by the names in the text.
 *
 * Chinese addresses name their divisions in order, each ending with a level word (省, 市, 区, 县,
 * 街道, 镇, 乡, 社区, 村…): "山西省忻州市忻府区新建路街道北关社区和平街12号". From the current
 * position, every piece that ends with a level word is looked up by name (a community's official
 * name "北关社区居民委员会" also answers to "北关社区"), and only divisions under the one matched so
 * far count; of those, the highest level wins, so "蒋村镇前高蒋村…" is the town 蒋村镇 and then its
 * village, not a village "蒋村". A piece that names nothing is skipped ("山西忻州市…" without 省),
 * so leading levels may be missing ("忻府区…"). Then the rest of the text is compared with the
 * standard addresses (address points) of that division; the grid cell is the point's, or a cell
 * named in the text, or the community's only one.
 */

/** Level words, longer first so 自治州 beats 州 and 街道办事处 is one word. */
const LEVEL_WORDS = ['特别行政区', '自治区', '自治州', '自治县', '自治旗', '街道办事处', '街道', '社区', '居委会', '村委会', '苏木', '省', '市', '地区', '盟', '区', '县', '旗', '镇', '乡', '村']

/** Pieces longer than this are not division names. */
const MAX_PIECE = 20

/**
 * The names an address may use for a division: its official name, and the forms without the
 * committee suffix — "北关社区居民委员会" → 北关社区, "顿村村委会" → 顿村, "前高蒋村委会" → 前高蒋村,
 * "新建路街道办事处" → 新建路街道.
 */
export function nameAliases(name: string): string[] {
  const out = new Set([name])
  const strip = (suffix: string) => (name.endsWith(suffix) && name.length > suffix.length ? name.slice(0, -suffix.length) : null)
  const village = (base: string) => (base.endsWith('村') ? [base] : [`${base}村`, base])
  const community = (base: string) => (base.endsWith('社区') ? [base] : [`${base}社区`, base])
  const rules: [string, (base: string) => string[]][] = [
    ['社区居民委员会', (b) => [`${b}社区`]],
    ['社区居委会', (b) => [`${b}社区`]],
    ['居民委员会', community],
    ['居委会', community],
    ['村民委员会', village],
    ['村委会', village],
    ['街道办事处', (b) => [`${b}街道`]],
    ['委员会', (b) => [b]],
    ['办事处', (b) => [b]],
  ]
  for (const [suffix, forms] of rules) {
    const base = strip(suffix)
    if (base) {
      for (const f of forms(base)) out.add(f)
      break
    }
  }
  return [...out]
}

/** The name as addresses usually write it: "北关社区居民委员会" → "北关社区", "前高蒋村委会" → "前高蒋村". */
export function shortName(name: string): string {
  const aliases = nameAliases(name)
  return aliases[1] ?? aliases[0]!
}

/** Whitespace removed and full-width letters and digits folded (NFKC), so "１２号" matches "12号". */
export function normalizeAddress(text: string): string {
  return text.normalize('NFKC').replace(/\s+/gu, '')
}

/** Every position right after a level word (overlapping: "顿村村委会" ends after 村, 村 and 村委会). */
export function levelWordEnds(text: string): number[] {
  const ends = new Set<number>()
  for (let i = 0; i < text.length; i++) {
    for (const w of LEVEL_WORDS) if (text.startsWith(w, i)) ends.add(i + w.length)
  }
  return [...ends].sort((a, b) => a - b)
}

const levelRank: Record<string, number> = { province: 0, city: 1, county: 2, street: 3, community: 4 }

function isBelow(child: NamedDivision, parent: NamedDivision): boolean {
  return child.code !== parent.code && child.code.startsWith(divisionPrefix(parent.code)) && levelRank[child.level]! > levelRank[parent.level]!
}

function nameMatches(d: NamedDivision, piece: string): boolean {
  return nameAliases(d.name).includes(piece)
}

export interface GeocodeOptions {
  /** Prefer divisions under this one when the text alone is ambiguous (e.g. the registry's city). */
  within?: string
  /**
   * A batch's memo (`newBatch()`): grid cells and address points are read once per division for
   * the whole batch, instead of once per address (bulk imports geocode thousands of rows).
   */
  batch?: GeocodeBatch
}

export interface GeocodeBatch {
  grids: Map<string, Promise<GridCell[]>>
  points: Map<string, Promise<AddressPointRow[]>>
}

export function newBatch(): GeocodeBatch {
  return { grids: new Map(), points: new Map() }
}

/** A small bounded cache: division names change only on a GB/T 2260 import. */
class Lru<V> {
  private map = new Map<string, V>()
  constructor(private max: number) {}
  get(k: string): V | undefined {
    const v = this.map.get(k)
    if (v !== undefined) {
      this.map.delete(k)
      this.map.set(k, v)
    }
    return v
  }
  delete(k: string): void {
    this.map.delete(k)
  }
  set(k: string, v: V): void {
    this.map.set(k, v)
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string)
  }
}

export function createGeocoder(deps: {
  org: DivisionDirectory
  addressPoints: (text: string, prefix: string | null) => Promise<AddressPointRow[]>
  /** Every address point under a code prefix (for batches). */
  addressPointsUnder: (prefix: string) => Promise<AddressPointRow[]>
}) {
  const byName = new Lru<Promise<NamedDivision[]>>(4000)

  function lookup(piece: string): Promise<NamedDivision[]> {
    let hit = byName.get(piece)
    if (!hit) {
      hit = deps.org.searchDivisions(piece, 50).then((found) => found.filter((d) => nameMatches(d, piece)))
      // A failed lookup must not stay cached.
      hit.catch(() => byName.delete(piece))
      byName.set(piece, hit)
    }
    return hit
  }

  function memo<V>(map: Map<string, Promise<V>> | undefined, key: string, load: () => Promise<V>): Promise<V> {
    if (!map) return load()
    let hit = map.get(key)
    if (!hit) {
      hit = load()
      map.set(key, hit)
    }
    return hit
  }

  /** Address points whose local address occurs in `rest`, longest first. */
  async function pointsIn(rest: string, prefix: string | null, batch?: GeocodeBatch): Promise<AddressPointRow[]> {
    if (!batch || !prefix) return deps.addressPoints(rest, prefix)
    const all = await memo(batch.points, prefix, () => deps.addressPointsUnder(prefix))
    return all.filter((p) => rest.includes(p.local_address)).sort((a, b) => b.local_address.length - a.local_address.length || a.division_code.localeCompare(b.division_code))
  }

  async function gridNamedIn(text: string, communityCode: string, batch?: GeocodeBatch): Promise<GridCell | null> {
    const cells = await memo(batch?.grids, communityCode, () => deps.org.listGridCells(communityCode))
    const named = cells.filter((c) => text.includes(c.name)).sort((a, b) => b.name.length - a.name.length)[0]
    if (named) return named
    return cells.length === 1 ? cells[0]! : null
  }

  /** Geocodes one address; never throws for unknown text (precision 'none'). */
  async function geocode(address: string, opts: GeocodeOptions = {}): Promise<GeocodeResult> {
    const text = normalizeAddress(address)
    const matched: string[] = []
    let candidates: NamedDivision[] = []
    let consumed = 0
    const ends = levelWordEnds(text)
    let at = 0
    let skips = 0
    while (skips <= 3 && !candidates.some((c) => c.level === 'community')) {
      const next = ends.filter((e) => e > at && e - at <= MAX_PIECE)
      if (next.length === 0) break
      let best: { end: number; found: NamedDivision[]; rank: number } | null = null
      // The level right below the match so far is the best a piece can be: stop looking once found.
      const floor = candidates.length > 0 ? Math.max(...candidates.map((c) => levelRank[c.level]!)) + 1 : 0
      for (const end of next) {
        const found = (await lookup(text.slice(at, end))).filter((d) => candidates.length === 0 || candidates.some((c) => isBelow(d, c)))
        const rank = Math.min(...found.map((d) => levelRank[d.level]!))
        if (found.length > 0 && (!best || rank < best.rank)) best = { end, found: found.filter((d) => levelRank[d.level] === rank), rank }
        if (best?.rank === floor) break
      }
      if (!best) {
        // Nothing here names a division: skip the shortest piece and try from after it.
        at = next[0]!
        skips++
        continue
      }
      // Take the longest spelling of the same division ("董村村委会", not "董村" + "村委会…").
      for (const end of next) if (end > best.end && best.found.some((d) => nameMatches(d, text.slice(at, end)))) best.end = end
      candidates = best.found
      matched.push(text.slice(at, best.end))
      at = consumed = best.end
    }
    if (candidates.length > 1 && opts.within) {
      const prefix = divisionPrefix(opts.within)
      const preferred = candidates.filter((c) => c.code.startsWith(prefix))
      if (preferred.length > 0) candidates = preferred
    }
    const division = candidates.sort((a, b) => levelRank[b.level]! - levelRank[a.level]! || a.code.localeCompare(b.code))[0] ?? null

    const rest = text.slice(consumed)
    const prefix = division ? divisionPrefix(division.code) : opts.within ? divisionPrefix(opts.within) : null
    const point = rest ? (await pointsIn(rest, prefix, opts.batch))[0] : undefined
    if (point && (!division || point.division_code.startsWith(divisionPrefix(division.code)))) {
      const at = division && division.code === point.division_code ? division : await divisionOf(point.division_code)
      return {
        address: text,
        divisionCode: point.division_code,
        divisionName: at?.name ?? null,
        fullName: at?.fullName ?? null,
        level: at?.level ?? null,
        gridCode: point.grid_code,
        point: point.lng !== null && point.lat !== null ? { lng: point.lng, lat: point.lat } : null,
        matched: [...matched, point.local_address],
        precision: 'address-point',
      }
    }
    if (!division) {
      return { address: text, divisionCode: null, divisionName: null, fullName: null, level: null, gridCode: null, point: null, matched, precision: 'none' }
    }
    const grid = division.level === 'community' ? await gridNamedIn(text, division.code, opts.batch) : null
    if (grid && text.includes(grid.name)) matched.push(grid.name)
    return {
      address: text,
      divisionCode: division.code,
      divisionName: division.name,
      fullName: division.fullName,
      level: division.level,
      gridCode: grid?.code ?? null,
      point: null,
      matched,
      precision: grid ? 'grid' : division.level,
    }
  }

  async function divisionOf(code: string): Promise<NamedDivision | null> {
    const found = await deps.org.searchDivisions(code, 1)
    return found.find((d) => d.code === code) ?? null
  }

  return { geocode }
}

export type Geocoder = ReturnType<typeof createGeocoder>
