import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

/**
 * The CI log scan (issue 6): after the whole test suite, the server logs the tests produced must
 * hold no full ID number, mobile number, password or session token. Prints each offending line
 * with the finding masked, and exits 1 when there is any.
 *
 *   tsx apps/server/src/cli/log-scan.ts <log file> [--passwords-from=<dir> …]
 */

export interface Finding {
  file: string
  line: number
  kind: 'id-number' | 'phone' | 'password' | 'token'
  /** The line with every finding masked, cut to 300 characters. */
  masked: string
}

// GB 11643: 6-digit division, birth date 18xx–20xx, 3-digit sequence, check character.
const ID_NUMBER = /(?<![0-9A-Za-z])\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])/g
const MOBILE = /(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])/g
const TOKENS = [
  // The session cookie with a value (a cleared cookie, `yw_session=;`, carries none).
  /yw_session=[^;\s"',]{8,}/g,
  /\bBearer\s+[A-Za-z0-9._~+/=-]{12,}/gi,
  // A token- or password-named JSON field whose value the logger did not redact.
  /"(?:password|newPassword|token|accessToken|refreshToken|idToken|sessionToken|secret|privateKey|apiKey)"\s*:\s*"(?!\[redacted\])[^"]+"/g,
]

/** The demo password, public in the README, and the fixed passwords the tests and benchmarks use. */
export const knownPasswords = ['Demo@2026']

/**
 * The startup banner lists the demo accounts with the demo password on purpose (the README does
 * too): `    /work   window_clerk   xz.clerk   Demo@2026`. It is the one place allowed to.
 */
const DEMO_BANNER_LINE = /^\s{4}\/(?:m|work|ops|admin)\s.*\sDemo@2026\s*$/

/** Password literals in test sources (`password: '…'`, `PASSWORD = '…'`), so new tests are covered without a list to keep. */
export function passwordsInSources(dirs: string[]): string[] {
  const found = new Set<string>()
  const literal = /(?:password|PASSWORD|Password)\w*\s*[:=]\s*['"`]([^'"`\s$]{6,64})['"`]/g
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue
      const p = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(p)
      else if (/\.(ts|tsx)$/.test(entry.name)) for (const m of fs.readFileSync(p, 'utf8').matchAll(literal)) found.add(m[1])
    }
  }
  for (const d of dirs) walk(d)
  return [...found]
}

const mask = (s: string) => (s.length <= 4 ? '****' : `${s.slice(0, 3)}${'*'.repeat(Math.min(s.length - 3, 12))}`)
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** Findings in one text (the lines of a log file). */
export function scanText(text: string, opts: { file?: string; passwords?: string[] } = {}): Finding[] {
  const passwords = [...new Set([...knownPasswords, ...(opts.passwords ?? [])])].filter((p) => p.length >= 6)
  const passwordRe = passwords.length ? new RegExp(passwords.map(escapeRegExp).join('|'), 'g') : null
  const out: Finding[] = []
  const lines = text.split('\n')
  for (const [i, line] of lines.entries()) {
    if (!line || DEMO_BANNER_LINE.test(line)) continue
    const kinds: [Finding['kind'], RegExp][] = [['id-number', ID_NUMBER], ['phone', MOBILE], ...TOKENS.map((r) => ['token', r] as [Finding['kind'], RegExp])]
    if (passwordRe) kinds.push(['password', passwordRe])
    let masked = line
    const hit: Finding['kind'][] = []
    for (const [kind, re] of kinds) {
      re.lastIndex = 0
      if (!re.test(line)) continue
      hit.push(kind)
      masked = masked.replace(new RegExp(re.source, re.flags), mask)
    }
    for (const kind of new Set(hit)) out.push({ file: opts.file ?? '-', line: i + 1, kind, masked: masked.length > 300 ? `${masked.slice(0, 300)}…` : masked })
  }
  return out
}

export function scanFiles(files: string[], passwords: string[] = []): { lines: number; findings: Finding[] } {
  let lines = 0
  const findings: Finding[] = []
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8')
    lines += text.split('\n').length
    findings.push(...scanText(text, { file, passwords }))
  }
  return { lines, findings }
}

function main(argv: string[]): number {
  const files = argv.filter((a) => !a.startsWith('--'))
  const sourceDirs = argv.filter((a) => a.startsWith('--passwords-from=')).map((a) => a.slice('--passwords-from='.length))
  if (files.length === 0) {
    process.stderr.write('usage: log-scan <log file>… [--passwords-from=<dir>]\n')
    return 2
  }
  const missing = files.filter((f) => !fs.existsSync(f))
  if (missing.length) {
    process.stderr.write(`log scan: no log file ${missing.join(', ')} (did the tests write one? YIWANG_TEST_LOG_FILE)\n`)
    return 1
  }
  const passwords = passwordsInSources(sourceDirs)
  const { lines, findings } = scanFiles(files, passwords)
  if (lines < 10) {
    // An empty log proves nothing: the capture itself must have broken.
    process.stderr.write(`log scan: only ${lines} lines in ${files.join(', ')}; the tests' server logs were not captured\n`)
    return 1
  }
  for (const f of findings.slice(0, 50)) process.stdout.write(`${f.file}:${f.line}: ${f.kind}: ${f.masked}\n`)
  if (findings.length > 50) process.stdout.write(`… and ${findings.length - 50} more\n`)
  process.stdout.write(`log scan: ${lines} lines, ${passwords.length + knownPasswords.length} passwords looked for, ${findings.length} findings\n`)
  return findings.length ? 1 : 0
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = main(process.argv.slice(2))
