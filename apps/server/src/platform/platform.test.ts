import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../test/harness.js'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(async () => {
  await t?.close()
})

describe('platform HTTP surface', () => {
  it('answers liveness and readiness', async () => {
    expect((await t.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' })
    const ready = await t.app.inject({ url: '/readyz' })
    expect(ready.statusCode).toBe(200)
    expect(ready.json().checks).toEqual({ database: 'ok', migrations: 'ok' })
  })

  it('publishes an OpenAPI 3.1 document', async () => {
    const res = await t.app.inject({ url: '/api/openapi.json' })
    expect(res.statusCode).toBe(200)
    const doc = res.json()
    expect(doc.openapi).toBe('3.1.0')
    expect(doc.paths['/readyz']).toBeDefined()
  })

  it('answers unknown routes with problem+json in Chinese by default and English on request', async () => {
    const zh = await t.app.inject({ url: '/api/nope' })
    expect(zh.statusCode).toBe(404)
    expect(zh.headers['content-type']).toContain('application/problem+json')
    expect(zh.json()).toMatchObject({ type: 'urn:yiwang:problem:route-not-found', title: '接口不存在', status: 404 })
    const en = await t.app.inject({ url: '/api/nope', headers: { 'accept-language': 'en-US,en;q=0.9' } })
    expect(en.json().title).toBe('No such endpoint')
  })
})
