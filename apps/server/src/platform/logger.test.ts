import { Writable } from 'node:stream'
import Fastify, { type FastifyBaseLogger } from 'fastify'
import { describe, expect, it } from 'vitest'
import { createLogger, scrubPersonalData } from './logger.js'

function capture() {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk))
      cb()
    },
  })
  return { lines, logger: createLogger('info', stream) }
}

describe('log redaction', () => {
  it('masks ID numbers and mobile numbers inside text', () => {
    expect(scrubPersonalData('user 11010519491231002X called from 13812345678')).toBe('user [id-number] called from [phone]')
    expect(scrubPersonalData('case 1409022026112300001 stays')).toBe('case 1409022026112300001 stays')
  })

  it('logs requests with personal data masked in the URL', async () => {
    const { lines, logger } = capture()
    const app = Fastify({ loggerInstance: logger as unknown as FastifyBaseLogger })
    app.get('/lookup', async () => ({ ok: true }))
    await app.inject({ url: '/lookup?phone=13812345678&id=11010519491231002X' })
    await app.close()
    const out = lines.join('')
    expect(out).toContain('/lookup?phone=[phone]&id=[id-number]')
    expect(out).not.toContain('13812345678')
  })

  it('never writes passwords, tokens, ID numbers or phones', () => {
    const { lines, logger } = capture()
    logger.info({ password: 'hunter2', token: 'abc.def', body: { idNumber: '11010519491231002X', phone: '13812345678' }, note: 'phone 13900001111' }, 'login for 11010519491231002X')
    const out = lines.join('')
    for (const secret of ['hunter2', 'abc.def', '11010519491231002X', '13812345678', '13900001111']) expect(out).not.toContain(secret)
    expect(out).toContain('[redacted]')
  })

  it('leaves class instances (requests, buffers) to their own serialization instead of copying them', () => {
    const { lines, logger } = capture()
    // A copy made by walking the instance would drop toJSON and write every field (a whole body).
    class Probe {
      body = 'x'.repeat(64)
      toJSON() {
        return 'probe-serialized'
      }
    }
    logger.info({ probe: new Probe(), nested: { probe: new Probe() } }, 'request with a large body')
    const out = lines.join('')
    expect(out).toContain('"probe":"probe-serialized"')
    expect(out).not.toContain('xxxxxxxx')
  })

  it('masks personal data inside logged errors (message, stack, driver detail)', () => {
    const { lines, logger } = capture()
    // What a unique violation on an ID-number column looks like from the database driver.
    const err = Object.assign(new Error('duplicate for 13812345678'), { detail: 'Key (id_number)=(11010519491231002X) already exists.' })
    logger.error({ err }, 'insert failed')
    logger.warn(err, 'as the first argument')
    logger.warn({ cause: err }, 'under another key')
    const out = lines.join('')
    for (const secret of ['11010519491231002X', '13812345678']) expect(out).not.toContain(secret)
    expect(out).toContain('Key (id_number)=([id-number]) already exists.')
    expect(out).toContain('"type":"Error"')
  })
})
