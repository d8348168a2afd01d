import fs from 'node:fs'
import os from 'node:os'
import { performance } from 'node:perf_hooks'

const TICK = 100 // USER_HZ on Linux

function procCpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th fields.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(rest[11]) + Number(rest[12])) / TICK
  } catch {
    return 0
  }
}

/** Busy CPU seconds of the whole machine (all cores), from /proc/stat. */
function machineBusySeconds(): number {
  try {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number)
    // user nice system idle iowait irq softirq steal …: everything but idle and iowait is work.
    const [user, nice, system, , , irq, softirq, steal] = f
    return (user + nice + system + irq + softirq + (steal || 0)) / TICK
  } catch {
    return 0
  }
}

export interface CpuSample {
  at: number
  server: number
  machine: number
  runner: number
}

/** CPU seconds used so far by the server process, the whole machine, and this runner. */
export function sampleCpu(serverPid: number): CpuSample {
  const u = process.cpuUsage()
  return { at: performance.now(), server: procCpuSeconds(serverPid), machine: machineBusySeconds(), runner: (u.user + u.system) / 1e6 }
}

/**
 * Where the CPU went between two samples, in % of one core (the machine has `cores` of them):
 * the server process, the runner (load generator), and the rest of the machine, which is
 * PostgreSQL plus anything else running at the time.
 */
export function cpuBetween(a: CpuSample, b: CpuSample): { server_pct: number; rest_pct: number; runner_pct: number; cores: number } {
  const wall = (b.at - a.at) / 1000
  const pct = (x: number) => Math.round((Math.max(0, x) / wall) * 1000) / 10
  const server = b.server - a.server
  const runner = b.runner - a.runner
  return { server_pct: pct(server), rest_pct: pct(b.machine - a.machine - server - runner), runner_pct: pct(runner), cores: os.cpus().length }
}
