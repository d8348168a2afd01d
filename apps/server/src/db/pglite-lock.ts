import fs from 'node:fs'
import path from 'node:path'

/**
 * One process per PGlite data directory. PGlite cannot share its files: a second process (a
 * second server, `npm run backup` while the server runs) would corrupt them. The lock is a file
 * beside the directory holding the owner's pid; a lock whose process is gone (killed with -9) is
 * taken over.
 */
export function lockDataDir(dataDir: string): () => void {
  const file = `${path.resolve(dataDir)}.lock`
  fs.mkdirSync(path.dirname(file), { recursive: true })
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' })
      return () => {
        try {
          if (fs.readFileSync(file, 'utf8').trim() === String(process.pid)) fs.rmSync(file, { force: true })
        } catch { /* already gone */ }
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const owner = Number(fs.readFileSync(file, 'utf8').trim())
      // This very process counts too: two PGlite instances on one directory corrupt it just the same.
      if (owner && isAlive(owner)) {
        throw new Error(`The PGlite data directory ${dataDir} is in use by process ${owner}${owner === process.pid ? ' (this one)' : ''} (lock ${file}). Stop that process first; if it is not Yiwang, delete the lock file.`)
      }
      fs.rmSync(file, { force: true }) // left by a process that is gone
    }
  }
  throw new Error(`could not lock ${dataDir}`)
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
