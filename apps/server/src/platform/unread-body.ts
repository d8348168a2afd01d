import type { IncomingMessage } from 'node:http'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

export interface UnreadBodyOptions {
  /** A declared or received body beyond this is not waited for: the connection closes as before. */
  maxBytes?: number
  /** How long to wait for the rest of a body at most. */
  maxMs?: number
}

/**
 * An error answered before the request's body was read (413 over the size limit, a malformed body,
 * 401 before an upload) closes the connection. Closing a socket with unread data makes the kernel
 * reset it, and a client still sending — a phone uploading a photo that is too large — then sees a
 * connection reset instead of our 413 problem+json. So before such an answer goes out, the rest of
 * the body is read and dropped, within bounds (an oversized declared length is not waited for).
 */
export const unreadBodyPlugin = fp(
  async (app: FastifyInstance, opts: UnreadBodyOptions) => {
    const maxBytes = opts.maxBytes ?? 32 * 1024 * 1024
    const maxMs = opts.maxMs ?? 10_000
    app.addHook('onSend', async (req, reply, payload) => {
      if (reply.statusCode < 400 || !hasBody(req.raw) || req.raw.complete || req.raw.readableEnded || req.raw.destroyed) return payload
      const declared = Number(req.headers['content-length'])
      if (declared > maxBytes) return payload
      await drain(req.raw, maxBytes, maxMs)
      return payload
    })
  },
  { name: 'yiwang-unread-body' },
)

const hasBody = (raw: IncomingMessage) => Number(raw.headers['content-length']) > 0 || raw.headers['transfer-encoding'] !== undefined

/** Reads and drops what is left of the body until its end, `maxBytes` more, or `maxMs`. */
function drain(raw: IncomingMessage, maxBytes: number, maxMs: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0
    const finish = () => {
      clearTimeout(timer)
      raw.off('data', onData)
      raw.off('end', finish)
      raw.off('error', finish)
      raw.off('close', finish)
      resolve()
    }
    const onData = (chunk: Buffer) => {
      seen += chunk.length
      if (seen > maxBytes) finish()
    }
    const timer = setTimeout(finish, maxMs)
    raw.on('data', onData)
    raw.once('end', finish)
    raw.once('error', finish)
    raw.once('close', finish)
    raw.resume()
  })
}
