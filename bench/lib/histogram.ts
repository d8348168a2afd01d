/**
 * A log-linear latency histogram in the manner of HdrHistogram: values in microseconds, each
 * power-of-two range split into 128 linear sub-buckets, so any recorded value is reproduced within
 * 1/128 (< 0.8 %) whatever its magnitude, in fixed memory however many samples arrive.
 */
const SUB_BITS = 7
const SUB = 1 << SUB_BITS
/** Up to 2^36 µs (~19 h): more than any request we will ever wait for. */
const MAX_EXP = 36

export class Histogram {
  private readonly counts = new Float64Array((MAX_EXP - SUB_BITS + 2) * SUB)
  count = 0
  private sumUs = 0
  private minUs = Number.POSITIVE_INFINITY
  private maxUs = 0

  /** Records one latency in milliseconds. */
  record(ms: number): void {
    const us = Math.max(0, Math.round(ms * 1000))
    this.counts[indexOf(us)]++
    this.count++
    this.sumUs += us
    if (us < this.minUs) this.minUs = us
    if (us > this.maxUs) this.maxUs = us
  }

  /** Adds another histogram's samples to this one. */
  merge(other: Histogram): void {
    for (let i = 0; i < this.counts.length; i++) this.counts[i] += other.counts[i]
    this.count += other.count
    this.sumUs += other.sumUs
    this.minUs = Math.min(this.minUs, other.minUs)
    this.maxUs = Math.max(this.maxUs, other.maxUs)
  }

  /** The value (ms) at or below which `p` percent of the samples fall; 0 when empty. */
  percentile(p: number): number {
    if (this.count === 0) return 0
    const rank = Math.max(1, Math.ceil((p / 100) * this.count))
    let seen = 0
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]
      if (seen >= rank) return Math.min(highestEquivalent(i), this.maxUs) / 1000
    }
    return this.maxUs / 1000
  }

  get mean(): number {
    return this.count ? this.sumUs / this.count / 1000 : 0
  }
  get min(): number {
    return this.count ? this.minUs / 1000 : 0
  }
  get max(): number {
    return this.maxUs / 1000
  }

  /** The usual summary, in milliseconds rounded to 0.01. */
  summary(): LatencySummary {
    const r = (v: number) => Math.round(v * 100) / 100
    return {
      count: this.count,
      mean_ms: r(this.mean),
      p50_ms: r(this.percentile(50)),
      p90_ms: r(this.percentile(90)),
      p95_ms: r(this.percentile(95)),
      p99_ms: r(this.percentile(99)),
      max_ms: r(this.max),
    }
  }
}

export interface LatencySummary {
  count: number
  mean_ms: number
  p50_ms: number
  p90_ms: number
  p95_ms: number
  p99_ms: number
  max_ms: number
}

function indexOf(us: number): number {
  if (us < SUB) return us
  const e = Math.min(MAX_EXP, Math.floor(Math.log2(us)))
  const width = 2 ** (e - SUB_BITS)
  const sub = Math.min(SUB - 1, Math.floor((us - 2 ** e) / width))
  return SUB + (e - SUB_BITS) * SUB + sub
}

/** The largest value that lands in bucket `i` (reported, like HdrHistogram, as the bucket's top). */
function highestEquivalent(i: number): number {
  if (i < SUB) return i
  const e = Math.floor((i - SUB) / SUB) + SUB_BITS
  const sub = (i - SUB) % SUB
  const width = 2 ** (e - SUB_BITS)
  return 2 ** e + (sub + 1) * width - 1
}
