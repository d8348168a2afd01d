import Fastify from 'fastify'
import cookie from '@fastify/cookie'
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { authPlugin, requireRole, SESSION_COOKIE } from './auth.js'
import { problemPlugin } from './problem.js'
import type { Principal } from './roles.js'

const principals: Record<string, Principal> = {
  admin: { accountId: 'acc_a', sessionId: 's1', kind: 'staff', name: '管理员', grants: [{ role: 'platform_admin', divisionCode: null, departmentId: null }] },
  citizen: { accountId: 'acc_c', sessionId: 's2', kind: 'person', name: '王五', grants: [{ role: 'citizen', divisionCode: '140902', departmentId: null }] },
}

const app = Fastify().withTypeProvider<ZodTypeProvider>()
beforeAll(async () => {
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  await app.register(problemPlugin)
  await app.register(cookie)
  await app.register(authPlugin, { publicUrl: 'http://localhost:3000' })
  app.auth.setResolver(async (token) => principals[token] ?? null)
  app.post('/api/admin/things', { preHandler: requireRole('platform_admin'), schema: { body: z.object({ name: z.string() }) } }, async (req) => ({
    by: req.principal?.name,
  }))
  await app.ready()
})
afterAll(() => app.close())

const as = (token?: string, extra: Record<string, string> = {}) => ({
  headers: { ...(token ? { cookie: `${SESSION_COOKIE}=${token}` } : {}), ...extra },
})

describe('authorization guard', () => {
  it('answers 401 to an anonymous caller before looking at the input', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/admin/things', payload: { wrong: 1 }, ...as() })
    expect(res.statusCode).toBe(401)
    expect(res.json().type).toBe('urn:yiwang:problem:unauthenticated')
  })

  it('answers 403 to a caller without the role, even with bad input', async () => {
    expect((await app.inject({ method: 'POST', url: '/api/admin/things', payload: { wrong: 1 }, ...as('citizen') })).statusCode).toBe(403)
  })

  it('validates input for a caller with the role', async () => {
    expect((await app.inject({ method: 'POST', url: '/api/admin/things', payload: { wrong: 1 }, ...as('admin') })).statusCode).toBe(400)
    const ok = await app.inject({ method: 'POST', url: '/api/admin/things', payload: { name: 'x' }, ...as('admin') })
    expect(ok.json()).toEqual({ by: '管理员' })
  })

  it('refuses a state change carrying the session cookie from a foreign origin', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/admin/things', payload: { name: 'x' }, ...as('admin', { origin: 'https://evil.example' }) })
    expect(res.statusCode).toBe(403)
    expect(res.json().type).toBe('urn:yiwang:problem:csrf')
    const same = await app.inject({ method: 'POST', url: '/api/admin/things', payload: { name: 'x' }, ...as('admin', { origin: 'http://localhost:3000' }) })
    expect(same.statusCode).toBe(200)
  })
})
