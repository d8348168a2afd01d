import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { createLogger } from '../platform/logger.js'
import { generateIdNumber } from '../modules/identity/validators.js'
import { passwordsInSources, scanText } from './log-scan.js'

const id = generateIdNumber({ divisionCode: '140902', birthDate: '1990-03-08', sex: 'female' })

describe('CI log scan', () => {
  it('finds a planted ID number, phone, password and session token, and masks them in its output', () => {
    const log = [
      JSON.stringify({ level: 30, msg: 'request completed', url: `/api/x?id=${id}` }),
      JSON.stringify({ level: 30, msg: 'sms to 13903501234 sent' }),
      JSON.stringify({ level: 40, msg: 'login failed', body: 'username=xz.clerk&pw=Demo@2026' }),
      JSON.stringify({ level: 30, req: { headers: { cookie: 'yw_session=Zk3q8YbV2mXc9TtLw0Pp' } } }),
      JSON.stringify({ level: 30, user: { password: 'Secret#2026-test' } }),
      JSON.stringify({ level: 30, auth: 'Bearer eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiIxIn0.sig' }),
    ].join('\n')
    const findings = scanText(log, { file: 'test.log' })
    expect(findings.map((f) => [f.line, f.kind])).toEqual([[1, 'id-number'], [2, 'phone'], [3, 'password'], [4, 'token'], [5, 'token'], [6, 'token']])
    const out = findings.map((f) => f.masked).join('\n')
    for (const secret of [id, '13903501234', 'Demo@2026', 'Zk3q8YbV2mXc9TtLw0Pp', 'Secret#2026-test']) expect(out).not.toContain(secret)
  })

  it('finds test passwords named in the test sources', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yw-scan-'))
    fs.writeFileSync(path.join(dir, 'a.test.ts'), "const people = { password: 'Citizen#2026-x' }\nexport const APPLICANT_PASSWORD = 'Bench2026x'\n")
    const passwords = passwordsInSources([dir])
    expect(passwords.sort()).toEqual(['Bench2026x', 'Citizen#2026-x'])
    expect(scanText('{"msg":"hello Bench2026x"}', { passwords })).toHaveLength(1)
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('passes what the logger writes about personal data, masked IDs, hashes, redacted fields, the demo banner', () => {
    const lines: string[] = []
    const logger = createLogger('info', { write: (s: string) => lines.push(s) })
    logger.info({ idNumber: id, phone: '13903501234', password: 'Demo@2026', url: `/api/registries/people/${id}` }, `found ${id}`)
    logger.info({ req: { headers: { cookie: 'yw_session=Zk3q8YbV2mXc9TtLw0Pp' } } }, 'in')
    const clean = [
      ...lines,
      JSON.stringify({ msg: 'ok', masked: '1409**********123X', maskedPhone: '139****1234', hash: 'a13903501234b'.repeat(2), time: 1763912345678, seq: 14090219900308 }),
      '    /work   window_clerk       xz.clerk             Demo@2026',
      'Set-Cookie: yw_session=; Max-Age=0',
    ].join('\n')
    expect(scanText(clean)).toEqual([])
  })

  it('fails the CLI on a planted violation and passes a clean log', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yw-scan-'))
    const bad = path.join(dir, 'bad.log')
    const good = path.join(dir, 'good.log')
    const filler = Array.from({ length: 20 }, (_, i) => JSON.stringify({ level: 30, msg: `request ${i}` }))
    fs.writeFileSync(bad, [...filler, JSON.stringify({ msg: `person ${id}` })].join('\n'))
    fs.writeFileSync(good, filler.join('\n'))
    const cli = path.resolve(import.meta.dirname, 'log-scan.ts')
    const run = (file: string) => {
      try {
        return { code: 0, out: execFileSync(process.execPath, ['--import', 'tsx', cli, file], { encoding: 'utf8' }) }
      } catch (e) {
        const err = e as { status: number; stdout: string }
        return { code: err.status, out: err.stdout }
      }
    }
    const b = run(bad)
    expect(b.code).toBe(1)
    expect(b.out).toContain('bad.log:21: id-number')
    expect(b.out).not.toContain(id)
    expect(run(good).code).toBe(0)
    fs.rmSync(dir, { recursive: true, force: true })
  })
})
