import fs from 'node:fs'
import { afterAll, beforeAll } from 'vitest'
import { createTestApp, type TestApp } from '../../test/harness.js'
import { buildHotlineWorld, type HotlineWorld } from './test-support.js'

export type Who = keyof HotlineWorld['people']
type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'

/**
 * A test file's app with the hotline world, its people signed in by name (`yw_session=<who>`),
 * built before the file's tests and removed after them. `ready` runs once the world exists.
 */
export function hotlineTestApp(ready: (t: TestApp, w: HotlineWorld) => void | Promise<void>) {
  let t: TestApp | undefined
  beforeAll(async () => {
    t = await createTestApp()
    const w = await buildHotlineWorld(t.services.org, t.services.hotline)
    t.app.auth.setResolver(async (token) => (w.people as Record<string, never>)[token] ?? null)
    await ready(t, w)
  })
  afterAll(async () => {
    await t?.close()
    if (t) fs.rmSync(t.core.config.DATA_DIR, { recursive: true, force: true })
  })
  /** A request through HTTP as `who` (anonymous without one). */
  function call(method: Method, url: string, who?: Who, payload?: unknown, headers: Record<string, string> = {}) {
    return t!.app.inject({ method, url, headers: { ...(who ? { cookie: `yw_session=${who}` } : {}), ...headers }, ...(payload !== undefined ? { payload: payload as never } : {}) })
  }
  /** A ticket action (`sign`, `reply`, …) as `who`. */
  const act = (who: Who, id: string, action: string, body: Record<string, unknown>) => call('POST', `/api/hotline/tickets/${id}/${action}`, who, body)
  return { call, act }
}
