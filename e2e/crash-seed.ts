import path from 'node:path'
import { loadConfig } from '../apps/server/src/config.js'
import { catalogPublisher } from '../apps/server/src/modules/cases/test-support.js'
import { systemActor } from '../apps/server/src/platform/audit.js'
import { closeCore, createCore } from '../apps/server/src/platform/bootstrap.js'
import { createLogger } from '../apps/server/src/platform/logger.js'
import { createServices } from '../apps/server/src/services.js'
import { BENCH_SECRET_KEY } from '../bench/lib/server.js'
import { benchItem } from '../bench/lib/yiwang.js'

/**
 * What the crash check (bench/crash/check.ts) needs, written in-process through the services before the server starts
 * (much faster than the whole demo city): 忻州's divisions, one department and one published
 * item citizens can apply for. Returns the item id.
 */
export async function prepareCrashData(where: { databaseUrl?: string; dataDir: string }): Promise<string> {
  const config = loadConfig({
    NODE_ENV: 'production', LOG_LEVEL: 'silent', DEMO: 'false', DATA_DIR: where.dataDir, SECRET_KEY: BENCH_SECRET_KEY,
    ...(where.databaseUrl ? { DATABASE_URL: where.databaseUrl } : {}),
  })
  const core = await createCore(config, { logger: createLogger('silent'), pgliteDir: path.join(where.dataDir, 'pg') })
  try {
    const { org, catalog } = createServices(core)
    await org.importDivisions({ within: '140900' })
    const department = await org.createDepartment(systemActor, { name: '忻州市行政审批服务管理局', divisionCode: '140900', kind: 'bureau' })
    const item = await catalogPublisher(catalog)(benchItem(department.id) as Parameters<ReturnType<typeof catalogPublisher>>[0])
    return item.itemId
  } finally {
    await closeCore(core)
  }
}
