/**
 * Merkle trees in the manner of RFC 6962 (Certificate Transparency) §2.1, with SM3 as the hash:
 * leaf = SM3(0x00 ‖ entry hash bytes), node = SM3(0x01 ‖ left ‖ right), and MTH of n leaves splits at
 * the largest power of two below n. Pure functions: no database, no clock.
 */
import { sm3 } from '../../platform/gm.js'

const LEAF = Buffer.from([0x00])
const NODE = Buffer.from([0x01])

/** MTH({}) = SM3 of the empty string. */
export const EMPTY_ROOT = sm3(Buffer.alloc(0))

/** Leaf hash of a ledger entry: SM3(0x00 ‖ the entry's 32-byte hash). */
export function leafHash(entryHashHex: string): Buffer {
  return sm3(Buffer.concat([LEAF, Buffer.from(entryHashHex, 'hex')]))
}

/** Interior node: SM3(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return sm3(Buffer.concat([NODE, left, right]))
}

/** The largest power of two strictly below n (n ≥ 2). */
export function splitPoint(n: number): number {
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}

/** MTH over leaf hashes, straight from the RFC's recursive definition (the reference implementation). */
export function merkleRoot(leaves: readonly Uint8Array[]): Buffer {
  if (leaves.length === 0) return EMPTY_ROOT
  if (leaves.length === 1) return Buffer.from(leaves[0]!)
  const k = splitPoint(leaves.length)
  return nodeHash(merkleRoot(leaves.slice(0, k)), merkleRoot(leaves.slice(k)))
}

/** A perfect subtree: 2^level leaves starting at leaf index × 2^level. */
export interface Subtree {
  level: number
  index: number
}

/** A run of leaves [start, start + size) whose MTH appears in a proof. */
export interface LeafRange {
  start: number
  size: number
}

/**
 * The perfect subtrees a range is made of, largest (leftmost) first. Every range that occurs in
 * RFC 6962's PATH (and the whole tree) starts at a multiple of its own size rounded up to a power
 * of two, so the pieces are aligned perfect subtrees and MTH(range) is their right fold.
 */
export function piecesOf(range: LeafRange): Subtree[] {
  const out: Subtree[] = []
  let start = range.start
  let remaining = range.size
  // Greedy binary decomposition, in arithmetic rather than bit operations (which stop at 2^31).
  for (let level = Math.floor(Math.log2(Math.max(remaining, 1))); remaining > 0; level--) {
    const width = 2 ** level
    if (remaining >= width) {
      out.push({ level, index: start / width })
      start += width
      remaining -= width
    }
  }
  return out
}

/** MTH of a range from its pieces' hashes (largest first): right fold, as `MerkleFrontier.root`. */
export function foldPieces(pieces: readonly Uint8Array[]): Buffer {
  if (pieces.length === 0) return EMPTY_ROOT
  let acc: Buffer = Buffer.from(pieces[pieces.length - 1]!)
  for (let i = pieces.length - 2; i >= 0; i--) acc = nodeHash(pieces[i]!, acc)
  return acc
}

/**
 * The ranges whose MTH form the audit path of leaf m in a tree of n leaves (RFC 6962 §2.1.1),
 * in proof order: nearest the leaf first.
 */
export function auditPathRanges(m: number, n: number): LeafRange[] {
  if (!(m >= 0 && m < n)) throw new RangeError(`leaf ${m} is not in a tree of ${n}`)
  const out: LeafRange[] = []
  let start = 0
  let size = n
  let leaf = m
  const stack: LeafRange[] = []
  while (size > 1) {
    const k = splitPoint(size)
    if (leaf < k) {
      stack.push({ start: start + k, size: size - k })
      size = k
    } else {
      stack.push({ start, size: k })
      start += k
      size -= k
      leaf -= k
    }
  }
  while (stack.length) out.push(stack.pop()!)
  return out
}

/** The audit path of leaf m among the given leaf hashes (reference, O(n)). */
export function auditPath(m: number, leaves: readonly Uint8Array[]): Buffer[] {
  return auditPathRanges(m, leaves.length).map((r) => merkleRoot(leaves.slice(r.start, r.start + r.size)))
}

/**
 * Checks an inclusion proof (RFC 9162 §2.1.3.2, the verification half of RFC 6962 §2.1.1): that the
 * leaf hash at `leafIndex` with audit path `path` yields `root` for a tree of `treeSize` leaves.
 */
export function verifyInclusion(leaf: Uint8Array, leafIndex: number, treeSize: number, path: readonly Uint8Array[], root: Uint8Array): boolean {
  if (!Number.isSafeInteger(leafIndex) || !Number.isSafeInteger(treeSize) || leafIndex < 0 || leafIndex >= treeSize) return false
  // Bit operations would truncate to 32 bits; plain arithmetic keeps every safe integer exact.
  let fn = leafIndex
  let sn = treeSize - 1
  let r: Buffer = Buffer.from(leaf)
  for (const p of path) {
    if (sn === 0) return false
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r)
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2)
          sn = Math.floor(sn / 2)
        }
      }
    } else {
      r = nodeHash(r, p)
    }
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  return sn === 0 && r.equals(Buffer.from(root))
}

/**
 * The right edge of a growing tree: one root per set bit of the size (largest first). Appending a
 * leaf is O(log n) and the root of the current size is their right fold, so a checkpoint never
 * re-reads old entries. `push` reports the perfect subtrees it completes, for the node cache.
 */
export class MerkleFrontier {
  private constructor(
    private n: number,
    private readonly peaks: Buffer[],
  ) {}

  static empty(): MerkleFrontier {
    return new MerkleFrontier(0, [])
  }

  /** Restores a saved frontier; the peak count must match the size's set bits. */
  static restore(size: number, peaksHex: readonly string[]): MerkleFrontier {
    const bits = size.toString(2).replace(/0/g, '').length
    if (bits !== peaksHex.length) throw new Error(`frontier of ${peaksHex.length} peaks does not fit size ${size}`)
    return new MerkleFrontier(size, peaksHex.map((h) => Buffer.from(h, 'hex')))
  }

  get size(): number {
    return this.n
  }

  push(leaf: Uint8Array): Array<Subtree & { hash: Buffer }> {
    const completed: Array<Subtree & { hash: Buffer }> = []
    let node: Buffer = Buffer.from(leaf)
    let level = 0
    let carry = this.n
    // Each trailing 1-bit of the old size is a peak of equal height to merge with.
    while (carry % 2 === 1) {
      node = nodeHash(this.peaks.pop()!, node)
      level++
      carry = Math.floor(carry / 2)
      completed.push({ level, index: Math.floor((this.n + 1) / 2 ** level) - 1, hash: node })
    }
    this.peaks.push(node)
    this.n++
    return completed
  }

  root(): Buffer {
    return foldPieces(this.peaks)
  }

  toJSON(): string[] {
    return this.peaks.map((p) => p.toString('hex'))
  }
}
