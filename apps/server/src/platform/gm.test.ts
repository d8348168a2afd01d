import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  canonicalJson, decodeSm2Signature, encodeSm2Signature, seal, sm2GenerateKeyPair, sm2IsValidPublicKey, sm2PublicKeyFromPem,
  sm2PublicKeyOf, sm2PublicKeyToPem, sm2Sign, sm2Verify, sm3Hex, unseal,
} from './gm.js'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yiwang-gm-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

/** Runs openssl and returns its exit status (0 = verified). */
function openssl(args: string[]): { status: number | null; out: string } {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' })
  return { status: r.status, out: `${r.stdout}${r.stderr}` }
}

function opensslVerify(pem: string, message: Buffer | string, sig: Buffer): number | null {
  fs.writeFileSync(path.join(dir, 'pub.pem'), pem)
  fs.writeFileSync(path.join(dir, 'msg'), message)
  fs.writeFileSync(path.join(dir, 'sig.der'), sig)
  return openssl(['pkeyutl', '-verify', '-pubin', '-inkey', 'pub.pem', '-rawin', '-in', 'msg', '-sigfile', 'sig.der', '-digest', 'sm3', '-pkeyopt', 'distid:1234567812345678']).status
}

describe('SM3', () => {
  it('matches the GB/T 32905 example digests', () => {
    expect(sm3Hex('abc')).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0')
    expect(sm3Hex('abcd'.repeat(16))).toBe('debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732')
  })
})

describe('SM2 signatures (GB/T 32918.2)', () => {
  const key = sm2GenerateKeyPair()

  it('verifies the GB/T 32918.5 appendix example signature with the default user ID', () => {
    const d = '3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8'
    const pub = sm2PublicKeyOf(d)
    expect(pub.slice(2, 66)).toBe('09f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020')
    const sig = encodeSm2Signature(
      BigInt('0xF5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3'),
      BigInt('0xB1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA'),
    )
    expect(sm2Verify('message digest', sig, pub)).toBe(true)
    expect(sm2Verify('message digest!', sig, pub)).toBe(false)
  })

  it('signs and verifies, and rejects another message, another key or another user ID', () => {
    const sig = sm2Sign('账本检查点', key)
    expect(sm2Verify('账本检查点', sig, key.publicKeyHex)).toBe(true)
    expect(sm2Verify('账本检查点.', sig, key.publicKeyHex)).toBe(false)
    expect(sm2Verify('账本检查点', sig, sm2GenerateKeyPair().publicKeyHex)).toBe(false)
    expect(sm2Verify('账本检查点', sig, key.publicKeyHex, 'ALICE123@YAHOO.COM')).toBe(false)
  })

  it('writes strict DER SEQUENCE{r, s} and refuses malformed signatures without throwing', () => {
    for (let i = 0; i < 20; i++) {
      const sig = sm2Sign(`m${i}`, key)
      expect(sig[0]).toBe(0x30)
      const rs = decodeSm2Signature(sig)
      expect(rs).not.toBeNull()
      expect(encodeSm2Signature(rs!.r, rs!.s).equals(sig)).toBe(true)
    }
    const sig = sm2Sign('x', key)
    expect(sm2Verify('x', sig.subarray(0, sig.length - 1), key.publicKeyHex)).toBe(false)
    expect(sm2Verify('x', Buffer.concat([sig, Buffer.from([0])]), key.publicKeyHex)).toBe(false)
    expect(sm2Verify('x', Buffer.alloc(0), key.publicKeyHex)).toBe(false)
    expect(sm2Verify('x', encodeSm2Signature(0n, 1n), key.publicKeyHex)).toBe(false)
    expect(sm2Verify('x', sig, 'zz')).toBe(false)
    expect(sm2IsValidPublicKey(`04${'00'.repeat(64)}`)).toBe(false)
  })
})

describe('interoperability with OpenSSL 3', () => {
  const key = sm2GenerateKeyPair()
  const pem = sm2PublicKeyToPem(key.publicKeyHex)

  it('has OpenSSL 3 on the machine', () => {
    expect(execFileSync('openssl', ['version'], { encoding: 'utf8' })).toMatch(/^OpenSSL 3\./)
  })

  it('exports a SubjectPublicKeyInfo that OpenSSL reads as an SM2 key and that round-trips', () => {
    fs.writeFileSync(path.join(dir, 'pub.pem'), pem)
    const r = openssl(['pkey', '-pubin', '-in', 'pub.pem', '-text', '-noout'])
    expect(r.status).toBe(0)
    expect(r.out).toMatch(/SM2/)
    expect(sm2PublicKeyFromPem(pem)).toBe(key.publicKeyHex)
  })

  it('openssl pkeyutl -verify -digest sm3 accepts our signature and rejects a changed message', () => {
    const message = Buffer.from(canonicalJson({ treeSize: 64, root: sm3Hex('r'), at: '2026-11-23T01:00:00.000Z' }))
    const sig = sm2Sign(message, key)
    expect(opensslVerify(pem, message, sig)).toBe(0)
    expect(opensslVerify(pem, Buffer.concat([message, Buffer.from(' ')]), sig)).not.toBe(0)
  })

  it('verifies a signature OpenSSL made with the default user ID', () => {
    expect(openssl(['genpkey', '-algorithm', 'SM2', '-out', 'key.pem']).status).toBe(0)
    expect(openssl(['pkey', '-in', 'key.pem', '-pubout', '-out', 'ossl-pub.pem']).status).toBe(0)
    fs.writeFileSync(path.join(dir, 'msg2'), 'signed by openssl')
    const r = openssl(['pkeyutl', '-sign', '-inkey', 'key.pem', '-rawin', '-in', 'msg2', '-out', 'sig2.der', '-digest', 'sm3', '-pkeyopt', 'distid:1234567812345678'])
    expect(r.status).toBe(0)
    const pub = sm2PublicKeyFromPem(fs.readFileSync(path.join(dir, 'ossl-pub.pem'), 'utf8'))
    const sig = fs.readFileSync(path.join(dir, 'sig2.der'))
    expect(sm2Verify('signed by openssl', sig, pub)).toBe(true)
    expect(sm2Verify('signed by someone else', sig, pub)).toBe(false)
  })
})

describe('canonicalJson', () => {
  it('sorts keys at every depth and leaves no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: '中文' } })).toBe('{"a":{"c":"中文","d":[3,{"y":null,"z":true}]},"b":1}')
  })

  it('serializes like JSON.stringify would store it: toJSON, undefined members dropped, ES numbers', () => {
    expect(canonicalJson({ at: new Date('2026-01-02T03:04:05.006Z'), gone: undefined, list: [undefined] })).toBe(
      '{"at":"2026-01-02T03:04:05.006Z","list":[null]}',
    )
    expect(canonicalJson([1e21, 0.1, -0, 1.5e-7])).toBe('[1e+21,0.1,0,1.5e-7]')
    expect(canonicalJson({ '\u20ac': 1, '\r': 2, '1': 3 })).toBe('{"\\r":2,"1":3,"€":1}')
  })

  it('refuses values JSON cannot carry faithfully', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(TypeError)
    expect(() => canonicalJson({ n: 1n })).toThrow(TypeError)
  })
})

describe('sealing keys at rest', () => {
  it('opens with the same secret, context and aad only', () => {
    const blob = seal('s'.repeat(32), 'ledger.signing-key', Buffer.from('private'), 'pub')
    expect(unseal('s'.repeat(32), 'ledger.signing-key', blob, 'pub').toString()).toBe('private')
    expect(() => unseal('t'.repeat(32), 'ledger.signing-key', blob, 'pub')).toThrow()
    expect(() => unseal('s'.repeat(32), 'other', blob, 'pub')).toThrow()
    expect(() => unseal('s'.repeat(32), 'ledger.signing-key', blob, 'other-pub')).toThrow()
    expect(seal('s'.repeat(32), 'c', Buffer.from('x'))).not.toBe(seal('s'.repeat(32), 'c', Buffer.from('x')))
  })
})
