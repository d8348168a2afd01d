import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import en from './messages/en.json' with { type: 'json' }
import zh from './messages/zh-CN.json' with { type: 'json' }

describe('identity messages', () => {
  it('have the same keys in zh-CN and en, all namespaced', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zh).sort())
    for (const key of Object.keys(zh)) expect(key.startsWith('identity.')).toBe(true)
  })

  it('cover every problem title the module can raise', () => {
    const source = fs.readFileSync(path.join(import.meta.dirname, 'errors.ts'), 'utf8')
    const literal = [...source.matchAll(/'(identity\.problem\.[a-z-]+)'/g)].map((m) => m[1])
    const templated = [
      ...['format', 'division', 'birth-date', 'check-digit'].map((r) => `identity.problem.invalid-id-number.${r}`),
      ...['format', 'check-char'].map((r) => `identity.problem.invalid-credit-code.${r}`),
      ...['idNumber', 'phone', 'creditCode'].map((f) => `identity.problem.already-registered.${f}`),
    ]
    expect(literal.length).toBeGreaterThan(10)
    for (const key of [...literal, ...templated]) expect(Object.keys(zh), key).toContain(key)
  })
})
