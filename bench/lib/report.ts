import fs from 'node:fs'
import path from 'node:path'

/** One line of progress on stdout (benchmarks print, they do not assert). */
export function log(line: string): void {
  process.stdout.write(`${line}\n`)
}

/** Width in terminal columns: CJK characters take two. */
function width(s: string): number {
  let w = 0
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1
  return w
}

function pad(s: string, w: number, right: boolean): string {
  const fill = ' '.repeat(Math.max(0, w - width(s)))
  return right ? fill + s : s + fill
}

/** Prints rows as an aligned table; numbers are right-aligned. */
export function table(headers: string[], rows: (string | number | null | undefined)[][]): void {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined ? '–' : typeof c === 'number' ? fmt(c) : c)))
  const numeric = headers.map((_, i) => rows.every((r) => typeof r[i] === 'number' || r[i] === null || r[i] === undefined))
  const widths = headers.map((h, i) => Math.max(width(h), ...cells.map((r) => width(r[i] ?? ''))))
  const line = (r: string[]) => '  ' + r.map((c, i) => pad(c, widths[i], numeric[i])).join('  ')
  log(line(headers))
  log('  ' + widths.map((w) => '─'.repeat(w)).join('  '))
  for (const r of cells) log(line(r))
}

function fmt(n: number): string {
  if (Number.isInteger(n)) return String(n)
  if (Math.abs(n) >= 100) return n.toFixed(0)
  if (Math.abs(n) >= 10) return n.toFixed(1)
  return n.toFixed(2)
}

export const resultsDir = path.resolve(import.meta.dirname, '../results')

/** Writes `bench/results/<name>.json` and returns its path. */
export function writeResult(name: string, data: Record<string, unknown>): string {
  fs.mkdirSync(resultsDir, { recursive: true })
  const file = path.join(resultsDir, `${name}.json`)
  fs.writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`)
  return file
}
