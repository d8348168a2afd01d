import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

/**
 * The modular-monolith rule from design.md: a module imports another module only through that
 * module's index.ts, and platform code never imports a module. Checked on the source text.
 */
const src = path.resolve(import.meta.dirname, '..')
const modulesDir = path.join(src, 'modules')

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name)
    return e.isDirectory() ? walk(full) : /\.tsx?$/.test(e.name) ? [full] : []
  })
}

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8')
  return [...text.matchAll(/(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]/g)].map((m) => path.resolve(path.dirname(file), m[1]!))
}

function moduleOf(file: string): string | null {
  const rel = path.relative(modulesDir, file)
  return rel.startsWith('..') ? null : rel.split(path.sep)[0]!
}

describe('module boundaries', () => {
  it('modules reach each other only through index.ts', () => {
    const violations: string[] = []
    for (const file of walk(modulesDir)) {
      const own = moduleOf(file)
      for (const target of importsOf(file)) {
        const other = moduleOf(target)
        if (other && other !== own && path.relative(path.join(modulesDir, other), target).replace(/\.(js|ts)$/, '') !== 'index') {
          violations.push(`${path.relative(src, file)} → ${path.relative(src, target)}`)
        }
        if (/[\\/](demo|app|services|main)(\.js|\.ts)?$|[\\/]demo[\\/]/.test(path.relative(src, target)) && !file.endsWith('.test.ts')) {
          violations.push(`${path.relative(src, file)} → ${path.relative(src, target)} (composition code)`)
        }
      }
    }
    expect(violations).toEqual([])
  })

  it('platform code never imports a module', () => {
    const violations = walk(path.join(src, 'platform'))
      .filter((f) => !f.endsWith('.test.ts'))
      .flatMap((file) => importsOf(file).filter((t) => moduleOf(t) !== null).map((t) => `${path.relative(src, file)} → ${path.relative(src, t)}`))
    expect(violations).toEqual([])
  })
})
