import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { actorOf } from '../../platform/audit.js'
import { requireRole } from '../../platform/auth.js'
import { brokenReasons } from './errors.js'
import type { LedgerService } from './service.js'

const hex = z.string().regex(/^[0-9a-f]*$/)
const seq = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER)

const entry = z.object({
  seq: z.number().int(),
  kind: z.string(),
  payload: z.record(z.string(), z.unknown()),
  prevHash: z.string(),
  hash: z.string(),
  at: z.string(),
})

const proof = z.object({
  checkpointId: z.string(),
  treeSize: z.number().int(),
  leafIndex: z.number().int(),
  root: z.string(),
  path: z.array(z.string()),
})

const checkpoint = z.object({
  id: z.string(),
  treeSize: z.number().int(),
  fromSeq: z.number().int(),
  toSeq: z.number().int(),
  root: z.string(),
  signature: z.string(),
  publicKey: z.string(),
  at: z.string(),
})

const verifyResult = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  firstBroken: z.object({ seq: z.number().int(), reason: z.enum(brokenReasons) }).nullable(),
})

const tags = ['ledger']
const admin = requireRole('platform_admin', 'data_admin')

/** HTTP face of the ledger: public proofs, checkpoints and key; admin listing and verification. */
export const ledgerRoutes: FastifyPluginAsyncZod<{ ledger: LedgerService }> = async (app, { ledger }) => {
  app.get('/entries', {
    preHandler: admin,
    schema: {
      tags,
      summary: 'Ledger entries, newest first (platform or data admin)',
      querystring: z.object({
        page: z.coerce.number().int().min(1).max(1_000_000).default(1),
        pageSize: z.coerce.number().int().min(1).max(100).default(20),
      }),
      response: { 200: z.object({ items: z.array(entry), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() }) },
    },
  }, async (req) => ledger.listEntries(req.query))

  app.get('/entries/:seq', {
    config: { rateLimitPolicy: 'publicVerify' },
    schema: {
      tags,
      summary: 'One entry with its RFC 6962 inclusion proof against the latest signed checkpoint (public)',
      params: z.object({ seq }),
      response: { 200: z.object({ entry, proof: proof.nullable() }) },
    },
  }, async (req) => ledger.getEntry(req.params.seq))

  app.get('/checkpoints/latest', {
    config: { rateLimitPolicy: 'publicVerify' },
    schema: { tags, summary: 'The latest SM2-signed checkpoint (public)', response: { 200: checkpoint } },
  }, async () => ledger.latestCheckpoint())

  app.get('/checkpoints/:id', {
    config: { rateLimitPolicy: 'publicVerify' },
    schema: { tags, summary: 'A checkpoint by id (public)', params: z.object({ id: z.string().min(1).max(100) }), response: { 200: checkpoint } },
  }, async (req) => ledger.getCheckpoint(req.params.id))

  app.post('/verify', {
    preHandler: admin,
    schema: {
      tags,
      summary: 'Recompute hashes, links, Merkle roots and signatures over a range (platform or data admin)',
      // A bodiless POST arrives as null: verify everything.
      body: z.object({ fromSeq: seq.optional(), toSeq: seq.optional() }).strict().nullish(),
      response: { 200: verifyResult },
    },
  }, async (req) => ledger.verify(req.body ?? {}, actorOf(req)))

  app.get('/public-key', {
    config: { rateLimitPolicy: 'publicVerify' },
    schema: {
      tags,
      summary: "The platform's SM2 public key that signs checkpoints (public)",
      response: { 200: z.object({ algorithm: z.literal('SM2'), publicKeyHex: hex, pem: z.string() }) },
    },
  }, async () => ledger.publicKey())
}
