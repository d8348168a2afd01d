import { buildApp } from '../app.js'
import { loadConfig } from '../config.js'
import { loadDemo } from '../demo/index.js'
import { closeCore, createCore } from '../platform/bootstrap.js'

/** `npm run seed`: loads the demo city (idempotent) into DATABASE_URL or the PGlite data directory. */
const core = await createCore(loadConfig())
const app = await buildApp(core)
try {
  const logins = await loadDemo(core, app.services)
  process.stdout.write(`Demo city loaded; ${logins.length} demo accounts.\n`)
} finally {
  await app.close()
  await closeCore(core)
}
