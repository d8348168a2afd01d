import { sql } from 'kysely'
import { z } from 'zod'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { migrationsApplied } from '../db/migrate.js'
import type { Db } from '../db/database.js'

const healthSchema = z.object({ status: z.enum(['ok', 'unavailable']), checks: z.record(z.string(), z.string()).optional() })

/** Liveness (`/healthz`: the process answers) and readiness (`/readyz`: database up, schema current). */
export const healthRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  app.get('/healthz', { schema: { tags: ['platform'], summary: 'Liveness', response: { 200: healthSchema } } }, async () => ({ status: 'ok' as const }))
  app.get('/readyz', { schema: { tags: ['platform'], summary: 'Readiness', response: { 200: healthSchema, 503: healthSchema } } }, async (_req, reply) => {
    const checks: Record<string, string> = {}
    try {
      await sql`select 1`.execute(db)
      checks.database = 'ok'
      checks.migrations = (await migrationsApplied(db)) ? 'ok' : 'pending'
    } catch {
      checks.database = 'unreachable'
    }
    const ok = Object.values(checks).every((v) => v === 'ok')
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks })
  })
}
