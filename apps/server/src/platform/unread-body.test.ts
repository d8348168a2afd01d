import http from 'node:http'
import type { AddressInfo } from 'node:net'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { unreadBodyPlugin } from './unread-body.js'

/**
 * A POST of `bytes` over real TCP in 64 KiB writes (`pauseMs` between them: a phone on a slow
 * uplink): the status the client read, and any error its writes met after the answer (a reset).
 */
function post(port: number, path: string, bytes: number, pauseMs = 0): Promise<{ status?: number; error?: string }> {
  return new Promise((resolve) => {
    let status: number | undefined
    let error: string | undefined
    let answered = false
    let sent = false
    const settle = () => answered && sent && resolve({ status, error })
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(bytes) } }, (res) => {
      status = res.statusCode
      res.resume()
      res.on('end', () => ((answered = true), settle()))
    })
    req.on('error', (e) => {
      error = (e as NodeJS.ErrnoException).code ?? e.message
      answered = sent = true
      settle()
    })
    req.on('finish', () => ((sent = true), settle()))
    const chunk = Buffer.alloc(64 * 1024, 0x61)
    let left = bytes
    const write = () => {
      if (left <= 0) return void req.end()
      const n = Math.min(left, chunk.length)
      left -= n
      const more = req.write(n === chunk.length ? chunk : chunk.subarray(0, n))
      if (!more) req.once('drain', write)
      else if (pauseMs) setTimeout(write, pauseMs)
      else setImmediate(write)
    }
    write()
  })
}

describe('an error answered before the body was read', () => {
  let app: FastifyInstance
  let port = 0
  beforeAll(async () => {
    app = Fastify({ bodyLimit: 1024 })
    await app.register(unreadBodyPlugin, { maxBytes: 16 * 1024 * 1024 })
    app.post('/echo', async (req) => req.body)
    app.post('/private', { onRequest: async (_req, reply) => reply.code(401).send({ error: 'sign in' }) }, async () => ({ ok: true }))
    await app.listen({ port: 0, host: '127.0.0.1' })
    port = (app.server.address() as AddressInfo).port
  })
  afterAll(() => app.close())

  it('reaches a client still sending an oversized body as 413, and its writes end without a reset', async () => {
    expect(await post(port, '/echo', 2 * 1024 * 1024, 2)).toEqual({ status: 413, error: undefined })
    expect(await post(port, '/echo', 8 * 1024 * 1024)).toEqual({ status: 413, error: undefined })
  })

  it('reaches a client uploading to a route that refuses before reading (401)', async () => {
    expect(await post(port, '/private', 1024 * 1024, 2)).toEqual({ status: 401, error: undefined })
  })

  it('leaves small and valid bodies alone', async () => {
    const r = await new Promise<number | undefined>((resolve) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/echo', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode))
      })
      req.end(JSON.stringify({ a: 1 }))
    })
    expect(r).toBe(200)
  })
})
