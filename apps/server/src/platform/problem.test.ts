import Fastify from 'fastify'
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { AppError, ConflictError } from './errors.js'
import { problemPlugin } from './problem.js'

const app = Fastify({ bodyLimit: 1024 }).withTypeProvider<ZodTypeProvider>()

beforeAll(async () => {
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  await app.register(problemPlugin)
  app.post('/things', { schema: { body: z.object({ name: z.string().min(2).max(10), count: z.number().int().min(0) }).strict() } }, async () => ({ ok: true }))
  app.get('/things/:id', { schema: { params: z.object({ id: z.string().regex(/^thg_/) }) } }, async () => {
    throw new ConflictError()
  })
  app.get('/clash', async () => {
    throw new AppError('test/clash', 422, 'problem.validation', {}, { status: 'under_review', type: 'x', title: 'y', action: 'approve' })
  })
  app.get('/boom', async () => {
    throw new Error('secret internals at /srv/app.ts:12')
  })
  await app.ready()
})
afterAll(() => app.close())

describe('problem+json', () => {
  it('lists every invalid field in Chinese by default', async () => {
    const res = await app.inject({ method: 'POST', url: '/things', payload: { name: 'x', extra: 1 } })
    expect(res.statusCode).toBe(400)
    expect(res.headers['content-type']).toContain('application/problem+json')
    const body = res.json()
    expect(body).toMatchObject({ type: 'urn:yiwang:problem:validation', title: '请求参数有误', status: 400, instance: '/things' })
    const byName = Object.fromEntries(body.errors.map((e: { name: string; reason: string }) => [e.name, e]))
    expect(byName['body.name']).toMatchObject({ code: 'too_small' })
    expect(byName['body.count']).toMatchObject({ code: 'required', reason: '此项为必填项' })
    expect(body.errors.some((e: { code: string }) => e.code === 'unrecognized_keys')).toBe(true)
  })

  it('speaks English when asked', async () => {
    const res = await app.inject({ method: 'POST', url: '/things', payload: {}, headers: { 'accept-language': 'en' } })
    expect(res.json().title).toBe('The request is not valid')
    expect(res.json().errors[0].reason).toBe('This field is required')
  })

  it.each([
    ['malformed JSON', { payload: '{"name":', headers: { 'content-type': 'application/json' } }, 400, 'bad-json'],
    ['a form body', { payload: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415, 'unsupported-media-type'],
    ['a body over the limit', { payload: JSON.stringify({ name: 'x'.repeat(5000), count: 1 }), headers: { 'content-type': 'application/json' } }, 413, 'payload-too-large'],
  ])('answers %s with a 4xx problem', async (_label, req, status, slug) => {
    const res = await app.inject({ method: 'POST', url: '/things', ...req })
    expect(res.statusCode).toBe(status)
    expect(res.json().type).toBe(`urn:yiwang:problem:${slug}`)
  })

  it('validates path parameters and renders domain errors with their status', async () => {
    expect((await app.inject({ url: '/things/nope' })).json()).toMatchObject({ status: 400, errors: [{ name: 'params.id' }] })
    expect((await app.inject({ url: '/things/thg_1' })).json()).toMatchObject({ status: 409, type: 'urn:yiwang:problem:conflict' })
  })

  it('rejects a NUL character anywhere in the input before it reaches the database', async () => {
    const res = await app.inject({ method: 'POST', url: '/things', payload: { name: 'ab\u0000c', count: 1 } })
    expect(res.statusCode).toBe(400)
    expect(res.json().errors).toEqual([{ name: 'body.name', code: 'invalid_format', reason: '格式不正确' }])
    expect((await app.inject({ url: '/things/thg_%00' })).statusCode).toBe(400)
  })

  it('keeps type, title and status its own when an error’s extensions use the same names', async () => {
    const res = await app.inject({ url: '/clash' })
    expect(res.statusCode).toBe(422)
    expect(res.json()).toMatchObject({ type: 'urn:yiwang:problem:test/clash', title: '请求参数有误', status: 422, action: 'approve' })
  })

  it('never leaks internals on an unexpected error', async () => {
    const res = await app.inject({ url: '/boom' })
    expect(res.statusCode).toBe(500)
    expect(res.body).not.toContain('secret internals')
    expect(res.json()).toMatchObject({ type: 'urn:yiwang:problem:internal', title: '系统繁忙，请稍后再试' })
  })
})
