import { describe, expect, it } from 'vitest'
import { sm3 } from '../../platform/gm.js'
import {
  EMPTY_ROOT, MerkleFrontier, auditPath, auditPathRanges, foldPieces, leafHash, merkleRoot, nodeHash, piecesOf, verifyInclusion,
} from './merkle.js'

const leaves = (n: number) => Array.from({ length: n }, (_, i) => leafHash(sm3(`entry ${i}`).toString('hex')))

describe('RFC 6962 Merkle tree over SM3', () => {
  it('hashes leaves and nodes with the 0x00 / 0x01 domain prefixes', () => {
    const e = sm3('e').toString('hex')
    expect(leafHash(e).equals(sm3(Buffer.concat([Buffer.from([0]), Buffer.from(e, 'hex')])))).toBe(true)
    const [a, b] = leaves(2) as [Buffer, Buffer]
    expect(nodeHash(a, b).equals(sm3(Buffer.concat([Buffer.from([1]), a, b])))).toBe(true)
    expect(merkleRoot([]).equals(EMPTY_ROOT)).toBe(true)
    expect(merkleRoot([a]).equals(a)).toBe(true)
  })

  it('splits at the largest power of two below n, as the RFC defines MTH', () => {
    const [a, b, c, d, e] = leaves(5) as Buffer[]
    expect(merkleRoot([a!, b!, c!]).equals(nodeHash(nodeHash(a!, b!), c!))).toBe(true)
    expect(merkleRoot([a!, b!, c!, d!, e!]).equals(nodeHash(nodeHash(nodeHash(a!, b!), nodeHash(c!, d!)), e!))).toBe(true)
  })

  it('gives the RFC 6962 §2.1.3 example paths for a tree of 7 leaves', () => {
    const ls = leaves(7)
    const [a, b, c, d, e, f, g] = ls as Buffer[]
    const h = (...xs: Buffer[]) => merkleRoot(xs)
    // The RFC's example: path for leaf a (d0) is [b, h, l] = [d1, MTH(d2,d3), MTH(d4..d6)].
    expect(auditPath(0, ls)).toEqual([b, h(c!, d!), h(e!, f!, g!)])
    // Leaf d3: [c, g, l]; leaf d4: [f, j, k]; leaf d6: [i, k] = [MTH(d4,d5), MTH(d0..d3)].
    expect(auditPath(3, ls)).toEqual([c, h(a!, b!), h(e!, f!, g!)])
    expect(auditPath(4, ls)).toEqual([f, g, h(a!, b!, c!, d!)])
    expect(auditPath(6, ls)).toEqual([h(e!, f!), h(a!, b!, c!, d!)])
  })

  it('verifies every leaf of every tree size from 1 to 70, odd sizes included', () => {
    for (let n = 1; n <= 70; n++) {
      const ls = leaves(n)
      const root = merkleRoot(ls)
      for (let m = 0; m < n; m++) {
        const path = auditPath(m, ls)
        expect(verifyInclusion(ls[m]!, m, n, path, root), `leaf ${m} of ${n}`).toBe(true)
      }
    }
  })

  it('rejects a wrong leaf, index, size, root or path', () => {
    const ls = leaves(13)
    const root = merkleRoot(ls)
    const path = auditPath(5, ls)
    expect(verifyInclusion(ls[6]!, 5, 13, path, root)).toBe(false)
    expect(verifyInclusion(ls[5]!, 4, 13, path, root)).toBe(false)
    // The size only has to give the same path shape; 8 does not (a perfect tree needs one step fewer).
    expect(verifyInclusion(ls[5]!, 5, 8, path, root)).toBe(false)
    expect(verifyInclusion(ls[5]!, 5, 13, path, merkleRoot(ls.slice(0, 12)))).toBe(false)
    expect(verifyInclusion(ls[5]!, 5, 13, path.slice(0, -1), root)).toBe(false)
    expect(verifyInclusion(ls[5]!, 5, 13, [...path, ls[0]!], root)).toBe(false)
    expect(verifyInclusion(ls[5]!, 13, 13, path, root)).toBe(false)
    expect(verifyInclusion(ls[5]!, -1, 13, path, root)).toBe(false)
    expect(verifyInclusion(ls[0]!, 0, 1, [], ls[0]!)).toBe(true)
  })

  it('builds each proof range from aligned perfect subtrees whose right fold is the range root', () => {
    for (let n = 1; n <= 40; n++) {
      const ls = leaves(n)
      for (let m = 0; m < n; m++) {
        for (const r of auditPathRanges(m, n)) {
          const pieces = piecesOf(r)
          const hashes = pieces.map((p) => merkleRoot(ls.slice(p.index * 2 ** p.level, (p.index + 1) * 2 ** p.level)))
          expect(pieces.reduce((s, p) => s + 2 ** p.level, 0)).toBe(r.size)
          expect(foldPieces(hashes).equals(merkleRoot(ls.slice(r.start, r.start + r.size)))).toBe(true)
        }
      }
    }
    // Large trees: arithmetic, not 32-bit bit operations.
    expect(piecesOf({ start: 2 ** 34, size: 2 ** 33 + 3 })).toEqual([
      { level: 33, index: 2 },
      { level: 1, index: 2 ** 33 + 2 ** 32 },
      { level: 0, index: 2 ** 34 + 2 ** 33 + 2 },
    ])
  })
})

describe('trees beyond 2^32 leaves', () => {
  it('proves and verifies a leaf past index 2^32 (no 32-bit truncation)', () => {
    // Every leaf equal: a perfect subtree of level j then hashes to h[j] = node(h[j-1], h[j-1]).
    const h: Buffer[] = [leafHash(sm3('same').toString('hex'))]
    for (let j = 1; j < 40; j++) h.push(nodeHash(h[j - 1]!, h[j - 1]!))
    const rangeHash = (r: { start: number; size: number }) => foldPieces(piecesOf(r).map((p) => h[p.level]!))
    const n = 2 ** 32 + 5
    const m = 2 ** 32 + 3
    const path = auditPathRanges(m, n).map(rangeHash)
    const root = rangeHash({ start: 0, size: n })
    expect(verifyInclusion(h[0]!, m, n, path, root)).toBe(true)
    expect(verifyInclusion(h[0]!, m - 2 ** 31, n, path, root)).toBe(false)
  })
})

describe('MerkleFrontier', () => {
  it('tracks the root of every size and reports the perfect subtrees it completes', () => {
    const ls = leaves(100)
    let f = MerkleFrontier.empty()
    expect(f.root().equals(EMPTY_ROOT)).toBe(true)
    for (let i = 0; i < ls.length; i++) {
      const done = f.push(ls[i]!)
      for (const s of done) {
        const w = 2 ** s.level
        expect(s.hash.equals(merkleRoot(ls.slice(s.index * w, (s.index + 1) * w)))).toBe(true)
        expect((s.index + 1) * w).toBe(i + 1)
      }
      expect(f.root().equals(merkleRoot(ls.slice(0, i + 1))), `size ${i + 1}`).toBe(true)
      // Saving and restoring (as the head row does) changes nothing.
      f = MerkleFrontier.restore(f.size, f.toJSON())
    }
    expect(() => MerkleFrontier.restore(5, ['00'])).toThrow()
  })
})
