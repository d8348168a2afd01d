import { buildApp } from './app.js'
import { loadConfig } from './config.js'
import { loadDemo } from './demo/index.js'
import { closeCore, createCore } from './platform/bootstrap.js'

/** Process entry: config → database (migrated) → app → demo data on first start → listen. */
async function main() {
  const config = loadConfig()
  const core = await createCore(config)
  const app = await buildApp(core)
  if (core.database.kind === 'pglite') {
    // What PGlite cannot promise (README "Durability"; measured by e2e/crash-safety.test.ts).
    core.logger.warn(
      'Embedded PGlite: one process, data under DATA_DIR; use DATABASE_URL with PostgreSQL in production. ' +
        'PGlite runs PostgreSQL with fsync off: a committed write survives the process being killed (kill -9, out of memory), ' +
        'but a power cut or operating-system crash can lose recent commits or corrupt the data directory. Back it up with npm run backup.',
    )
  }
  const logins = config.DEMO ? await loadDemo(core, app.services) : []
  await app.listen({ host: config.HOST, port: config.PORT })
  core.outbox.start()

  const lines = [
    '',
    `  一网 Yiwang is running: ${config.publicUrl}`,
    `    citizen (mobile)  ${config.publicUrl}/m`,
    `    staff workbench   ${config.publicUrl}/work`,
    `    operations        ${config.publicUrl}/ops`,
    `    admin             ${config.publicUrl}/admin`,
    `    API docs          ${config.publicUrl}/api/docs`,
    `    database          ${core.database.kind === 'pglite' ? `PGlite in ${config.DATA_DIR}/pg` : 'PostgreSQL (DATABASE_URL)'}`,
  ]
  if (core.database.kind === 'pglite') {
    lines.push('', '  ⚠ PGlite does not fsync: a power cut or OS crash can lose recent writes or corrupt the data (kill -9 is safe).', '    For real use set DATABASE_URL (PostgreSQL); back up PGlite with npm run backup.')
  }
  if (logins.length) {
    lines.push('', '  Demo accounts (演示账号):')
    for (const l of logins) lines.push(`    ${l.face.padEnd(7)} ${l.role.padEnd(18)} ${l.username.padEnd(20)} ${l.password}`)
  }
  process.stdout.write(`${lines.join('\n')}\n\n`)

  const shutdown = async (signal: string) => {
    core.logger.info({ signal }, 'shutting down')
    await app.close()
    await closeCore(core)
    process.exit(0)
  }
  process.once('SIGINT', () => void shutdown('SIGINT'))
  process.once('SIGTERM', () => void shutdown('SIGTERM'))
}

main().catch((err) => {
  process.stderr.write(`Yiwang failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
  process.exit(1)
})
