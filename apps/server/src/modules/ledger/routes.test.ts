import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sm2PublicKeyFromPem, sm2Verify } from '../../platform/gm.js'
import type { Principal, Role } from '../../platform/roles.js'
import { createTestApp, type TestApp } from '../../test/harness.js'
import { checkpointMessage, leafHash, verifyInclusion } from './index.js'

let t: TestApp

function principal(role: Role): Principal {
  return { accountId: `acc_${role}`, sessionId: `ses_${role}`, kind: role === 'citizen' ? 'person' : 'staff', name: role, grants: [{ role, divisionCode: role === 'data_admin' ? '140900' : null, departmentId: null }] }
}

/** Session cookie for a role; the test resolver stands in for the identity module's sessions. */
const as = (role: Role) => ({ cookie: `yw_session=${role}` })

beforeAll(async () => {
  t = await createTestApp()
  t.app.auth.setResolver(async (token) => (['citizen', 'data_admin', 'platform_admin', 'window_clerk'].includes(token) ? principal(token as Role) : null))
})
afterAll(async () => {
  await t?.close()
})

describe('ledger HTTP API', () => {
  it('answers an empty ledger with problem+json, in zh-CN and en', async () => {
    const res = await t.app.inject({ url: '/api/ledger/checkpoints/latest' })
    expect(res.statusCode).toBe(404)
    expect(res.headers['content-type']).toContain('application/problem+json')
    expect(res.json()).toMatchObject({ type: 'urn:yiwang:problem:ledger/empty', title: '账本中还没有条目' })
    const en = await t.app.inject({ url: '/api/ledger/entries/1', headers: { 'accept-language': 'en' } })
    expect(en.statusCode).toBe(404)
    expect(en.json()).toMatchObject({ type: 'urn:yiwang:problem:ledger/entry-not-found', title: 'Ledger entry 1 does not exist' })
  })

  it('publishes the SM2 public key as hex and PEM', async () => {
    const res = await t.app.inject({ url: '/api/ledger/public-key' })
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body.algorithm).toBe('SM2')
    expect(body.publicKeyHex).toMatch(/^04[0-9a-f]{128}$/)
    expect(sm2PublicKeyFromPem(body.pem)).toBe(body.publicKeyHex)
    expect(JSON.stringify(body)).not.toMatch(/private|sealed/i)
  })

  it('serves an entry with an inclusion proof anyone can check against the signed checkpoint', async () => {
    for (let i = 0; i < 5; i++) await t.services.ledger.append(t.core.db, { kind: 'test.http', payload: { i } })
    const res = await t.app.inject({ url: '/api/ledger/entries/3' })
    expect(res.statusCode).toBe(200)
    const { entry, proof } = res.json()
    expect(entry).toMatchObject({ seq: 3, kind: 'test.http', payload: { i: 2 } })
    expect(Object.keys(entry).sort()).toEqual(['at', 'hash', 'kind', 'payload', 'prevHash', 'seq'])
    expect(proof).toMatchObject({ treeSize: 5, leafIndex: 2 })
    const path = proof.path.map((p: string) => Buffer.from(p, 'hex'))
    expect(verifyInclusion(leafHash(entry.hash), proof.leafIndex, proof.treeSize, path, Buffer.from(proof.root, 'hex'))).toBe(true)

    const cp = (await t.app.inject({ url: `/api/ledger/checkpoints/${proof.checkpointId}` })).json()
    expect(cp).toMatchObject({ id: proof.checkpointId, treeSize: 5, fromSeq: 1, toSeq: 5, root: proof.root })
    expect(sm2Verify(checkpointMessage(cp), Buffer.from(cp.signature, 'hex'), cp.publicKey)).toBe(true)
    expect((await t.app.inject({ url: '/api/ledger/checkpoints/latest' })).json()).toEqual(cp)
  })

  it('signs a new checkpoint on demand for an entry the latest one does not cover', async () => {
    await t.services.ledger.append(t.core.db, { kind: 'test.http', payload: { i: 5 } })
    const { proof } = (await t.app.inject({ url: '/api/ledger/entries/6' })).json()
    expect(proof).toMatchObject({ treeSize: 6, leafIndex: 5 })
    const latest = (await t.app.inject({ url: '/api/ledger/checkpoints/latest' })).json()
    expect(latest).toMatchObject({ id: proof.checkpointId, fromSeq: 6, toSeq: 6 })
  })

  it('rejects malformed ids with 400 and unknown checkpoints with 404', async () => {
    const bad = await t.app.inject({ url: '/api/ledger/entries/abc' })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().errors[0]).toMatchObject({ name: 'params.seq' })
    expect((await t.app.inject({ url: '/api/ledger/entries/0' })).statusCode).toBe(400)
    const none = await t.app.inject({ url: '/api/ledger/checkpoints/ckp_nope' })
    expect(none.statusCode).toBe(404)
    expect(none.json().type).toBe('urn:yiwang:problem:ledger/checkpoint-not-found')
  })

  it('lets only platform and data admins list entries and run verification', async () => {
    expect((await t.app.inject({ url: '/api/ledger/entries' })).statusCode).toBe(401)
    expect((await t.app.inject({ url: '/api/ledger/entries', headers: as('citizen') })).statusCode).toBe(403)
    expect((await t.app.inject({ url: '/api/ledger/entries', headers: as('window_clerk') })).statusCode).toBe(403)
    expect((await t.app.inject({ method: 'POST', url: '/api/ledger/verify', payload: {} })).statusCode).toBe(401)
    expect((await t.app.inject({ method: 'POST', url: '/api/ledger/verify', payload: {}, headers: as('citizen') })).statusCode).toBe(403)
    for (const role of ['platform_admin', 'data_admin'] as const) {
      expect((await t.app.inject({ url: '/api/ledger/entries', headers: as(role) })).statusCode).toBe(200)
      expect((await t.app.inject({ method: 'POST', url: '/api/ledger/verify', payload: {}, headers: as(role) })).statusCode).toBe(200)
    }
  })

  it('pages entries newest first', async () => {
    const res = await t.app.inject({ url: '/api/ledger/entries?page=2&pageSize=4', headers: as('platform_admin') })
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body.page).toBe(2)
    expect(body.pageSize).toBe(4)
    expect(body.total).toBeGreaterThanOrEqual(6)
    expect(body.items[0].seq).toBe(body.total - 4)
    expect((await t.app.inject({ url: '/api/ledger/entries?pageSize=101', headers: as('platform_admin') })).statusCode).toBe(400)
  })

  it('verifies the whole ledger or a range, and audits who asked', async () => {
    const all = await t.app.inject({ method: 'POST', url: '/api/ledger/verify', headers: as('platform_admin') })
    expect(all.statusCode).toBe(200)
    expect(all.json()).toEqual({ ok: true, checked: expect.any(Number), firstBroken: null })
    const range = await t.app.inject({ method: 'POST', url: '/api/ledger/verify', payload: { fromSeq: 2, toSeq: 4 }, headers: as('data_admin') })
    expect(range.json()).toEqual({ ok: true, checked: 3, firstBroken: null })
    const { items } = await t.core.audit.list({ action: 'ledger.verify', actorId: 'acc_data_admin' }, { limit: 1, offset: 0 })
    expect(items[0]).toMatchObject({ action: 'ledger.verify.completed', outcome: 'success' })
  })

  it('refuses a backwards range (422) and unknown fields (400)', async () => {
    const back = await t.app.inject({ method: 'POST', url: '/api/ledger/verify', payload: { fromSeq: 5, toSeq: 2 }, headers: as('platform_admin') })
    expect(back.statusCode).toBe(422)
    expect(back.json().type).toBe('urn:yiwang:problem:ledger/invalid-range')
    const extra = await t.app.inject({ method: 'POST', url: '/api/ledger/verify', payload: { from: 1 }, headers: as('platform_admin') })
    expect(extra.statusCode).toBe(400)
  })

  it('documents every ledger route in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ url: '/api/openapi.json' })).json()
    for (const p of ['/api/ledger/entries', '/api/ledger/entries/{seq}', '/api/ledger/checkpoints/latest', '/api/ledger/checkpoints/{id}', '/api/ledger/verify', '/api/ledger/public-key']) {
      expect(doc.paths[p], p).toBeDefined()
    }
  })
})
