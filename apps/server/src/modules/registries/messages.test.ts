import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { importColumns } from './imports.js'
import en from './messages/en.json' with { type: 'json' }
import zh from './messages/zh-CN.json' with { type: 'json' }
import { entityStatuses, entityTypes, ethnicityCodes, importKinds, indicatorCodes, maritalStatuses, registryCodes, relations, units } from './types.js'

describe('registries messages', () => {
  it('have the same keys in zh-CN and en, all namespaced', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zh).sort())
    for (const key of Object.keys(zh)) expect(key.startsWith('registries.')).toBe(true)
  })

  it('name every vocabulary value, column and problem the module can raise', () => {
    const keys = new Set(Object.keys(zh))
    const wanted = [
      ...ethnicityCodes.map((c) => `registries.ethnicity.${c}`),
      ...maritalStatuses.map((c) => `registries.marital.${c}`),
      ...relations.map((c) => `registries.relation.${c}`),
      ...entityTypes.map((c) => `registries.entity-type.${c}`),
      ...entityStatuses.map((c) => `registries.entity-status.${c}`),
      ...indicatorCodes.map((c) => `registries.indicator.${c}`),
      ...units.map((c) => `registries.unit.${c}`),
      ...registryCodes.map((c) => `registries.registry.${c}`),
      ...importKinds.flatMap((k) => importColumns[k].map((c) => `registries.column.${k}.${c.key}`)),
    ]
    const source = ['errors.ts', 'imports.ts', 'service.ts'].map((f) => fs.readFileSync(path.join(import.meta.dirname, f), 'utf8')).join('\n')
    const problems = [...source.matchAll(/'(registries\.problem\.[a-z-]+)'/g)].map((m) => m[1]!)
    const rowCodes = [...source.matchAll(/code: '([a-z-]+)'/g), ...source.matchAll(/fail\('\w+', '([a-z-]+)'/g)].map((m) => `registries.import.error.${m[1]}`)
    expect(ethnicityCodes).toHaveLength(56)
    expect(rowCodes.length).toBeGreaterThan(10)
    for (const key of [...wanted, ...problems, ...rowCodes]) expect(keys.has(key), key).toBe(true)
  })
})
