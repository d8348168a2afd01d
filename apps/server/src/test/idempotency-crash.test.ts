import fs from 'node:fs'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildWorld, catalogPublisher, goodLicenceData, newCitizen, samplePdf, type CasesWorld } from '../modules/cases/test-support.js'
import { idempotencyPolicy } from '../platform/idempotency.js'
import type { Principal } from '../platform/roles.js'
import { createTestApp, type TestApp } from './harness.js'

/**
 * Issue 6 on the real cases routes: the server commits a draft (or a submission) and is cut off
 * before it stores the answer for the request's Idempotency-Key (a trigger makes that store fail,
 * as a SIGKILL at that moment would). A retry after the reservation's in-flight timeout must not
 * make a second draft: it is sent to the case the first request made.
 */
let t: TestApp
let w: CasesWorld
const principals: Record<string, Principal> = {}

beforeAll(async () => {
  t = await createTestApp()
  t.app.auth.setResolver(async (token) => principals[token] ?? null)
  w = await buildWorld(t.services.org, catalogPublisher(t.services.catalog))
  principals.citizen = await newCitizen(t.services.identity, 31)
  await sql`create function test_cut_off() returns trigger language plpgsql as $$
    begin
      if new.status is not null and new.key like 'cut-%' then raise exception 'cut off before the answer was stored'; end if;
      return new;
    end $$`.execute(t.core.db)
  await sql`create trigger test_cut_off before update on platform.idempotency for each row execute function test_cut_off()`.execute(t.core.db)
})
afterAll(async () => {
  await t?.close()
  if (t) fs.rmSync(t.core.config.DATA_DIR, { recursive: true, force: true })
})

const post = (url: string, payload: object, key: string) =>
  t.app.inject({ method: 'POST', url, payload, headers: { cookie: 'yw_session=citizen', 'idempotency-key': key } })
const mine = async () => (await t.app.inject({ url: '/api/cases/mine?pageSize=100', headers: { cookie: 'yw_session=citizen' } })).json().total as number

describe('a cut-off draft and submission, retried with their keys after the in-flight timeout', () => {
  it('makes one draft and one submission, and points the retries at the case', async () => {
    const draftBody = { itemVersionId: w.items.licence.versionId, formData: goodLicenceData }
    const draft = await post('/api/cases', draftBody, 'cut-draft')
    expect(draft.statusCode).toBe(201)
    const { id, version } = draft.json() as { id: string; version: number }
    expect(await mine()).toBe(1)

    t.clock.advance(idempotencyPolicy.inFlightTimeoutMs + 1000)
    const retry = await post('/api/cases', draftBody, 'cut-draft')
    expect(retry.statusCode).toBe(303)
    expect(retry.headers.location).toBe(`/api/cases/${id}`)
    expect(retry.json()).toMatchObject({ type: 'urn:yiwang:problem:idempotency-completed', action: 'cases.application.drafted', target: { id } })
    expect(await mine()).toBe(1)

    const upload = await t.app.inject({
      method: 'PUT', url: `/api/cases/${id}/materials/id_card?fileName=id.pdf`, payload: samplePdf,
      headers: { cookie: 'yw_session=citizen', 'content-type': 'application/pdf' },
    })
    expect(upload.statusCode).toBe(201)
    const current = (await t.app.inject({ url: `/api/cases/${id}`, headers: { cookie: 'yw_session=citizen' } })).json() as { version: number }
    expect(current.version).toBeGreaterThanOrEqual(version)
    const submit = await post(`/api/cases/${id}/submit`, { version: current.version }, 'cut-submit')
    expect(submit.statusCode).toBe(200)
    t.clock.advance(idempotencyPolicy.inFlightTimeoutMs + 1000)
    const again = await post(`/api/cases/${id}/submit`, { version: current.version }, 'cut-submit')
    expect(again.statusCode).toBe(303)
    expect(again.headers.location).toBe(`/api/cases/${id}`)
    const followed = (await t.app.inject({ url: again.headers.location as string, headers: { cookie: 'yw_session=citizen' } })).json()
    expect(followed).toMatchObject({ id, status: 'submitted', number: submit.json().number })
    expect(await mine()).toBe(1)
  })
})
