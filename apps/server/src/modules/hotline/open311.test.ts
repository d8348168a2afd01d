import fs from 'node:fs'
import { Ajv } from 'ajv'
import addFormats from 'ajv-formats'
import { XMLParser } from 'fast-xml-parser'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../test/harness.js'
import schemas from './fixtures/georeport-v2.schemas.json' with { type: 'json' }
import { buildHotlineWorld, type HotlineWorld } from './test-support.js'

/**
 * Open311 GeoReport v2: every JSON answer is validated against the spec's shapes
 * (fixtures/georeport-v2.schemas.json, with ajv), XML answers parse to the same fields, and
 * errors come as the GeoReport error list.
 */
let t: TestApp
let w: HotlineWorld
let key = ''
const ajv = new Ajv({ allErrors: true, strict: false })
;(addFormats as unknown as (a: Ajv) => void)(ajv)
const validators = Object.fromEntries(Object.entries(schemas).filter(([k]) => k !== '$comment').map(([k, s]) => [k, ajv.compile(s as object)]))
const xml = new XMLParser()

function valid(kind: keyof typeof schemas, body: unknown) {
  const v = validators[kind]!
  const ok = v(body)
  if (!ok) throw new Error(`${kind}: ${ajv.errorsText(v.errors)}\n${JSON.stringify(body).slice(0, 500)}`)
  return body as any
}

beforeAll(async () => {
  t = await createTestApp()
  w = await buildHotlineWorld(t.services.org, t.services.hotline)
  t.app.auth.setResolver(async (token) => (w.people as Record<string, never>)[token] ?? null)
  const issued = await t.app.inject({ method: 'POST', url: '/api/hotline/api-keys', headers: { cookie: 'yw_session=admin' }, payload: { name: '忻州市民通 App' } })
  expect(issued.statusCode).toBe(201)
  key = issued.json().key
})
afterAll(async () => {
  await t?.close()
  if (t) fs.rmSync(t.core.config.DATA_DIR, { recursive: true, force: true })
})

const get = (url: string) => t.app.inject({ method: 'GET', url })
const post = (format: 'json' | 'xml', form: Record<string, string>) =>
  t.app.inject({ method: 'POST', url: `/open311/v2/requests.${format}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(form).toString() })
const count = async () => Number((await sql<{ n: number }>`select count(*)::int as n from hotline.ticket`.execute(t.core.db)).rows[0]!.n)

describe('GeoReport v2 services', () => {
  it('lists services and defines them, in JSON and XML', async () => {
    const res = await get('/open311/v2/services.json')
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toContain('application/json')
    const list = valid('services', res.json())
    expect(list.map((s: { service_code: string }) => s.service_code)).toContain('noise')
    const x = await get('/open311/v2/services.xml')
    expect(x.headers['content-type']).toContain('text/xml')
    const parsed = xml.parse(x.body)
    expect(parsed.services.service.length).toBe(list.length)
    expect(parsed.services.service[0]).toHaveProperty('service_code')

    const def = valid('serviceDefinition', (await get('/open311/v2/services/noise.json')).json())
    expect(def.attributes[0]).toMatchObject({ code: 'ticket_type', datatype: 'singlevaluelist' })
    const defXml = xml.parse((await get('/open311/v2/services/noise.xml')).body)
    expect(defXml.service_definition.service_code).toBe('noise')
    expect(defXml.service_definition.attributes.attribute.values.value.length).toBe(6)

    const missing = await get('/open311/v2/services/nothing.json')
    expect(missing.statusCode).toBe(404)
    valid('errors', missing.json())
    expect(xml.parse((await get('/open311/v2/services/nothing.xml')).body).errors.error.code).toBe(404)
  })
})

describe('GeoReport v2 requests', () => {
  it('creates a request with an API key, lists it, reads it and resolves its token', async () => {
    const res = await post('json', {
      api_key: key, service_code: 'noise', lat: '38.4167', long: '112.7342', description: '和平街夜市烧烤店噪音扰民到凌晨', first_name: '小明', last_name: '王', phone: '13511112222',
      email: 'wang@example.com', 'attribute[ticket_type]': 'complaint',
    })
    expect(res.statusCode, res.body).toBe(201)
    const [created] = valid('postServiceRequestResponse', res.json())
    const id = created.service_request_id as string

    const one = valid('serviceRequests', (await get(`/open311/v2/requests/${id}.json`)).json())
    expect(one).toHaveLength(1)
    expect(one[0]).toMatchObject({ service_request_id: id, status: 'open', service_code: 'noise', lat: 38.4167, long: 112.7342 })
    // Public answers carry no personal data.
    expect(JSON.stringify(one)).not.toContain('13511112222')
    expect(JSON.stringify(one)).not.toContain('wang@example.com')

    const byIds = valid('serviceRequests', (await get(`/open311/v2/requests.json?service_request_id=${id},RX000`)).json())
    expect(byIds.map((r: { service_request_id: string }) => r.service_request_id)).toEqual([id])
    // Only separators and blanks: no number asked for, none found (found by the 100k fuzz as a 500).
    const blank = await get(`/open311/v2/requests.json?service_request_id=${encodeURIComponent('\r\n\t, ,')}`)
    expect(blank.statusCode).toBe(200)
    expect(valid('serviceRequests', blank.json())).toEqual([])
    const list = valid('serviceRequests', (await get('/open311/v2/requests.json?service_code=noise&status=open')).json())
    expect(list.map((r: { service_request_id: string }) => r.service_request_id)).toContain(id)
    expect(valid('serviceRequests', (await get('/open311/v2/requests.json?status=closed')).json()).map((r: { service_request_id: string }) => r.service_request_id)).not.toContain(id)
    const old = valid('serviceRequests', (await get('/open311/v2/requests.json?start_date=2020-01-01T00:00:00Z&end_date=2020-02-01T00:00:00Z')).json())
    expect(old).toEqual([])

    const x = xml.parse((await get(`/open311/v2/requests/${id}.xml`)).body)
    expect(x.service_requests.request.service_request_id).toBe(id)
    expect(x.service_requests.request.status).toBe('open')

    const ticket = await t.services.hotline.open311Get(id)
    const tok = valid('tokens', (await get(`/open311/v2/tokens/${ticket!.id}.json`)).json())
    expect(tok[0]).toEqual({ service_request_id: id, token: ticket!.id })

    // The centre sees it with the reporter, on the open311 channel, typed by the attribute.
    const d = await t.app.inject({ method: 'GET', url: `/api/hotline/tickets/${ticket!.id}`, headers: { cookie: 'yw_session=operator' } })
    expect(d.json()).toMatchObject({ channel: 'open311', type: 'complaint', reporter: { name: '王小明', phone: '135****2222' } })

    const px = await post('xml', { api_key: key, service_code: 'road_traffic', address_string: '忻州市忻府区新建路街道和平街8号', description: '路面塌陷一处' })
    expect(px.statusCode, px.body).toBe(201)
    expect(xml.parse(px.body).service_requests.request.service_request_id).toMatch(/^RX/)
  })

  it('answers errors in the GeoReport format and creates nothing', async () => {
    const n = await count()
    const cases: [Record<string, string>, number][] = [
      [{ service_code: 'noise', lat: '38.4', long: '112.7', description: '噪音' }, 403],
      [{ api_key: 'o311_wrong', service_code: 'noise', lat: '38.4', long: '112.7', description: '噪音' }, 403],
      [{ api_key: key, service_code: 'nothing', lat: '38.4', long: '112.7', description: '噪音' }, 404],
      [{ api_key: key, service_code: 'noise', description: '没有地点' }, 400],
      [{ api_key: key, service_code: 'noise', lat: 'north', long: '112.7', description: '噪音' }, 400],
      [{ api_key: key, service_code: 'noise', lat: '39.9', long: '116.4', description: '北京的噪音' }, 400],
      [{ api_key: key, service_code: 'noise', address_string: '北京市朝阳区建国路88号', description: '北京的噪音' }, 400],
      [{ api_key: key, service_code: 'noise', lat: '38.4', long: '112.7', description: '噪音', 'attribute[ticket_type]': 'rant' }, 400],
    ]
    for (const [form, status] of cases) {
      const res = await post('json', form)
      expect(res.statusCode, JSON.stringify(form)).toBe(status)
      const [err] = valid('errors', res.json())
      expect(err.code).toBe(status)
    }
    const bad = await post('xml', { service_code: 'noise' })
    expect(bad.statusCode).toBe(403)
    expect(xml.parse(bad.body).errors.error).toMatchObject({ code: 403 })
    expect(await count()).toBe(n)

    const range = await get('/open311/v2/requests.json?start_date=2020-01-01T00:00:00Z&end_date=2021-01-01T00:00:00Z')
    expect(range.statusCode).toBe(400)
    valid('errors', range.json())
    expect((await get('/open311/v2/requests.json?start_date=yesterday')).statusCode).toBe(400)
    expect((await get('/open311/v2/requests/RX404.json')).statusCode).toBe(404)
    expect((await get('/open311/v2/tokens/nope.json')).statusCode).toBe(404)
  })

  it('stops accepting a revoked key', async () => {
    const issued = (await t.app.inject({ method: 'POST', url: '/api/hotline/api-keys', headers: { cookie: 'yw_session=admin' }, payload: { name: '临时' } })).json()
    expect((await post('json', { api_key: issued.key, service_code: 'noise', lat: '38.4', long: '112.7', description: '噪音扰民' })).statusCode).toBe(201)
    expect((await t.app.inject({ method: 'DELETE', url: `/api/hotline/api-keys/${issued.id}`, headers: { cookie: 'yw_session=admin' } })).statusCode).toBe(204)
    expect((await post('json', { api_key: issued.key, service_code: 'noise', lat: '38.4', long: '112.7', description: '噪音扰民' })).statusCode).toBe(403)
    expect((await t.app.inject({ method: 'GET', url: '/api/hotline/api-keys', headers: { cookie: 'yw_session=operator' } })).statusCode).toBe(403)
  })
})
