import cookie from '@fastify/cookie'
import Fastify, { type FastifyInstance } from 'fastify'
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import type { Db } from '../db/database.js'
import { createTestCore, type TestCore } from '../test/harness.js'
import { systemActor } from './audit.js'
import { authPlugin } from './auth.js'
import { NotFoundError, RuleError } from './errors.js'
import { idempotencyPlugin, idempotencyPolicy } from './idempotency.js'
import { problemPlugin } from './problem.js'

/**
 * The request's transaction marks its key committed (issue 6): a request cut off after its
 * commit, before its answer was stored, is never run again by a retry, even after the
 * reservation's in-flight timeout. The cut-off is real: a trigger makes storing the answer fail,
 * as if the process had died between COMMIT and the store.
 */
describe('Idempotency-Key after a cut-off between commit and stored answer', () => {
  let t: TestCore
  let db: Db
  let app: FastifyInstance
  let runs = 0
  let beforeCommit: Promise<void> = Promise.resolve()
  let afterCommit: Promise<void> = Promise.resolve()

  beforeAll(async () => {
    t = await createTestCore()
    db = t.core.db
    await sql`create table test_records (id text primary key, name text not null)`.execute(db)
    // Keys starting with `cut-` never get their answer stored.
    await sql`create function test_cut_off() returns trigger language plpgsql as $$
      begin
        if new.status is not null and new.key like 'cut-%' then raise exception 'cut off before the answer was stored'; end if;
        return new;
      end $$`.execute(db)
    await sql`create trigger test_cut_off before update on platform.idempotency for each row execute function test_cut_off()`.execute(db)

    const a = Fastify().withTypeProvider<ZodTypeProvider>()
    a.setValidatorCompiler(validatorCompiler)
    a.setSerializerCompiler(serializerCompiler)
    await a.register(problemPlugin)
    await a.register(cookie)
    await a.register(authPlugin, { publicUrl: 'http://localhost:3000' })
    await a.register(idempotencyPlugin, { db, clock: t.core.clock })
    const body = z.strictObject({ name: z.string().min(1).max(20) })
    const record = z.object({ id: z.string(), name: z.string() })
    /** Creates a record the way modules do: row and audit entry in one transaction. */
    const create = (name: string, audited = true) =>
      db.transaction().execute(async (trx) => {
        const id = `rec_${++runs}`
        await sql`insert into test_records (id, name) values (${id}, ${name})`.execute(trx)
        if (audited) await t.core.audit.record(trx, systemActor, { action: 'test.record.created', targetType: 'record', targetId: id })
        return id
      })
    a.post('/records', { schema: { body, response: { 201: record } } }, async (req, reply) => {
      await beforeCommit
      const id = await create(req.body.name)
      await afterCommit
      return reply.code(201).header('location', `/records/${id}`).send({ id, name: req.body.name })
    })
    a.get('/records/:id', { schema: { params: z.object({ id: z.string() }), response: { 200: record } } }, async (req) => {
      const row = (await sql<{ id: string; name: string }>`select id, name from test_records where id = ${req.params.id}`.execute(db)).rows[0]
      if (!row) throw new NotFoundError()
      return row
    })
    a.post('/records/:id/rename', { schema: { params: z.object({ id: z.string() }), body } }, async (req) => {
      runs++
      await db.transaction().execute(async (trx) => {
        await sql`update test_records set name = ${req.body.name} where id = ${req.params.id}`.execute(trx)
        await t.core.audit.record(trx, systemActor, { action: 'test.record.renamed', targetType: 'record', targetId: req.params.id })
      })
      return { ok: true }
    })
    a.post('/unlinked', { schema: { body } }, async (req) => ({ id: await create(req.body.name) }))
    a.post('/unaudited', { schema: { body } }, async (req) => ({ id: await create(req.body.name, false) }))
    a.post('/plain', { schema: { body } }, async (req) => {
      const id = `rec_${++runs}`
      await sql`insert into test_records (id, name) values (${id}, ${req.body.name})`.execute(db)
      return { id }
    })
    a.post('/refused', { schema: { body } }, async (req) => {
      await create(req.body.name).then(() => {
        throw new RuleError('test/refused', 'problem.validation')
      })
    })
    a.post('/rolled-back', { schema: { body } }, async (req) => {
      await db.transaction().execute(async (trx) => {
        runs++
        await sql`insert into test_records (id, name) values (${`rb_${runs}`}, ${req.body.name})`.execute(trx)
        throw new RuleError('test/refused', 'problem.validation')
      })
    })
    a.post('/fails-after-commit', { schema: { body } }, async (req) => {
      await create(req.body.name)
      throw new Error('after the commit')
    })
    await a.ready()
    app = a
  })
  afterAll(async () => {
    await app?.close()
    await t?.close()
  })

  const post = (url: string, name: string, key: string) => app.inject({ method: 'POST', url, payload: { name }, headers: { 'idempotency-key': key } })
  const named = async (name: string) => (await sql<{ n: number }>`select count(*)::int as n from test_records where name = ${name}`.execute(db)).rows[0]!.n
  const afterLease = () => t.clock.advance(idempotencyPolicy.inFlightTimeoutMs + 1000)

  it('answers a retry after the lease with 303 to what the first request created, and creates nothing', async () => {
    const first = await post('/records', '甲', 'cut-create')
    expect(first.statusCode).toBe(201)
    const id = first.json().id as string
    const before = runs
    afterLease()
    const retry = await post('/records', '甲', 'cut-create')
    expect(retry.statusCode).toBe(303)
    expect(retry.headers.location).toBe(`/records/${id}`)
    expect(retry.headers['content-type']).toContain('application/problem+json')
    expect(retry.json()).toMatchObject({
      type: 'urn:yiwang:problem:idempotency-completed',
      status: 303,
      action: 'test.record.created',
      target: { type: 'record', id, href: `/records/${id}` },
      completedAt: expect.any(String),
    })
    expect(runs).toBe(before)
    expect(await named('甲')).toBe(1)
    // What a client following the redirect gets.
    expect((await app.inject({ url: retry.headers.location as string })).json()).toEqual({ id, name: '甲' })
    // Still so a day later, until the key expires.
    t.clock.advance(idempotencyPolicy.ttlMs - idempotencyPolicy.inFlightTimeoutMs - 60_000)
    expect((await post('/records', '甲', 'cut-create')).statusCode).toBe(303)
    expect(await named('甲')).toBe(1)
  })

  it('points a retried action at the resource it acted on', async () => {
    const id = (await post('/records', '乙', 'key-rename-target')).json().id as string
    const first = await post(`/records/${id}/rename`, '乙二', 'cut-rename')
    expect(first.statusCode).toBe(200)
    afterLease()
    const before = runs
    const retry = await post(`/records/${id}/rename`, '乙二', 'cut-rename')
    expect(retry.statusCode).toBe(303)
    expect(retry.headers.location).toBe(`/records/${id}`)
    expect(runs).toBe(before)
  })

  it('answers 409 idempotency-completed with the id when no GET route serves the resource, or without one when nothing was audited', async () => {
    const first = await post('/unlinked', '丙', 'cut-unlinked')
    afterLease()
    const retry = await post('/unlinked', '丙', 'cut-unlinked')
    expect(retry.statusCode).toBe(409)
    expect(retry.headers['retry-after']).toBeUndefined()
    expect(retry.headers.location).toBeUndefined()
    expect(retry.json()).toMatchObject({ type: 'urn:yiwang:problem:idempotency-completed', target: { type: 'record', id: first.json().id } })
    expect(retry.json().target.href).toBeUndefined()
    expect(await named('丙')).toBe(1)

    await post('/unaudited', '丁', 'cut-unaudited')
    afterLease()
    const bare = await post('/unaudited', '丁', 'cut-unaudited')
    expect(bare.statusCode).toBe(409)
    expect(bare.json().type).toBe('urn:yiwang:problem:idempotency-completed')
    expect(bare.json().target).toBeUndefined()
    expect(await named('丁')).toBe(1)
  })

  it('does not run a request again that failed after its commit (5xx: no answer is stored)', async () => {
    expect((await post('/fails-after-commit', '戊', 'key-5xx-after-commit')).statusCode).toBe(500)
    const retry = await post('/fails-after-commit', '戊', 'key-5xx-after-commit')
    expect(retry.json().type).toBe('urn:yiwang:problem:idempotency-completed')
    expect(await named('戊')).toBe(1)
  })

  it('runs the request again when the first attempt committed nothing', async () => {
    // Rolled back: the marker went with the change.
    expect((await post('/rolled-back', '己', 'cut-rolled-back')).statusCode).toBe(422)
    afterLease()
    const before = runs
    expect((await post('/rolled-back', '己', 'cut-rolled-back')).statusCode).toBe(422)
    expect(runs).toBe(before + 1)
  })

  it('leaves requests that write outside a transaction as before: a retry after the lease runs them again', async () => {
    await post('/plain', '庚', 'cut-plain')
    afterLease()
    const retry = await post('/plain', '庚', 'cut-plain')
    expect(retry.statusCode).toBe(200)
    expect(await named('庚')).toBe(2)
  })

  it('still replays a stored 4xx from a request that committed (the stored answer wins over the marker)', async () => {
    const first = await post('/refused', '辛', 'key-refused-after-commit')
    expect(first.statusCode).toBe(422)
    afterLease()
    const retry = await post('/refused', '辛', 'key-refused-after-commit')
    expect(retry.statusCode).toBe(422)
    expect(retry.headers['idempotent-replayed']).toBe('true')
    expect(await named('辛')).toBe(1)
  })

  it('answers 409 in-flight, not "completed", while the committed request still runs in this process', async () => {
    let open!: () => void
    afterCommit = new Promise((r) => (open = r))
    const first = post('/records', '壬', 'key-committed-running')
    for (let i = 0; i < 100 && (await named('壬')) === 0; i++) await new Promise((r) => setTimeout(r, 10))
    const retry = await post('/records', '壬', 'key-committed-running')
    expect(retry.statusCode).toBe(409)
    expect(retry.json().type).toBe('urn:yiwang:problem:idempotency-in-flight')
    open()
    afterCommit = Promise.resolve()
    expect((await first).statusCode).toBe(201)
    expect((await post('/records', '壬', 'key-committed-running')).headers['idempotent-replayed']).toBe('true')
  })

  it('lets only one of two runs commit when a retry took an abandoned reservation over', async () => {
    let open!: () => void
    beforeCommit = new Promise((r) => (open = r))
    const slow = post('/records', '癸', 'key-taken-over')
    const reserved = async () => (await sql<{ n: number }>`select count(*)::int as n from platform.idempotency where key = 'key-taken-over'`.execute(db)).rows[0]!.n
    for (let i = 0; i < 100 && (await reserved()) === 0; i++) await new Promise((r) => setTimeout(r, 10))
    afterLease()
    beforeCommit = Promise.resolve()
    const retry = await post('/records', '癸', 'key-taken-over')
    expect(retry.statusCode).toBe(201)
    open()
    const late = await slow
    expect(late.statusCode).toBe(409)
    expect(late.json().type).toBe('urn:yiwang:problem:idempotency-in-flight')
    expect(await named('癸')).toBe(1)
    const again = await post('/records', '癸', 'key-taken-over')
    expect(again.headers['idempotent-replayed']).toBe('true')
    expect(again.body).toBe(retry.body)
  })
})
