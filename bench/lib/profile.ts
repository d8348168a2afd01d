import fs from 'node:fs'
import path from 'node:path'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}
interface CpuProfile {
  nodes: ProfileNode[]
  startTime: number
  samples: number[]
  timeDeltas: number[]
}

/** Where a script lives, shortened: a package name, or the path inside the repository. */
function placeOf(url: string, root: string): string {
  if (!url) return '(native)'
  const u = url.replace(/^file:\/\//, '')
  const nm = u.lastIndexOf('/node_modules/')
  if (nm >= 0) {
    const rest = u.slice(nm + 14).split('/')
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]
  }
  if (u.startsWith('node:')) return u
  return path.relative(root, u)
}

/**
 * Self time of a V8 .cpuprofile, summed by function and by place (package or source file), so a
 * benchmark can say where the server spent its time. Idle is left out; GC and native calls are
 * listed like functions. The profiler samples wall time, so on a busy machine a native call
 * (writev, say) also collects the time the process waited to be scheduled.
 * `windowUs` keeps only samples taken in that span of the monotonic clock (the one
 * process.hrtime reads, which V8's profiler shares), e.g. one load phase.
 */
export function summarizeProfile(file: string, root: string, windowUs?: [number, number], top = 15) {
  const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile
  const byId = new Map(prof.nodes.map((n) => [n.id, n]))
  const self = new Map<number, number>()
  let t = prof.startTime
  prof.samples.forEach((id, i) => {
    const dt = prof.timeDeltas[i] ?? 0
    t += dt
    if (windowUs && (t < windowUs[0] || t > windowUs[1])) return
    self.set(id, (self.get(id) ?? 0) + dt)
  })
  const idleIds = new Set(prof.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id))
  const total = Math.max(1, [...self].filter(([id]) => !idleIds.has(id)).reduce((a, [, us]) => a + us, 0))
  const fn = new Map<string, number>()
  const place = new Map<string, number>()
  for (const [id, us] of self) {
    const n = byId.get(id)!
    // Idle is not work; leave it out so the shares add up to the CPU the server used (and waited in syscalls).
    if (n.callFrame.functionName === '(idle)') continue
    const where = n.callFrame.url ? placeOf(n.callFrame.url, root) : `(native) ${n.callFrame.functionName}`
    const name = n.callFrame.url ? `${n.callFrame.functionName || '(anonymous)'} ${where}:${n.callFrame.lineNumber + 1}` : where
    fn.set(name, (fn.get(name) ?? 0) + us)
    place.set(where, (place.get(where) ?? 0) + us)
  }
  const pct = (us: number) => Math.round((us / total) * 1000) / 10
  const rank = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, us]) => ({ name, pct: pct(us) }))
  return { total_ms: Math.round(total / 1000), functions: rank(fn), places: rank(place) }
}

/** The main thread's .cpuprofile in a directory (CPU.<date>.<time>.<pid>.0.<seq>; workers have other thread ids). */
export function newestProfile(dir: string): string | null {
  if (!fs.existsSync(dir)) return null
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(dir, f))
  const main = files.filter((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f))
  const pick = (main.length ? main : files).sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)
  return pick[0] ?? null
}
