import type { Core } from '../platform/core.js'
import type { Services } from '../services.js'
import type { DemoLogin } from './index.js'

/** Demo data owned by the org module. */
export async function seedOrgDemo(core: Core, services: Services): Promise<DemoLogin[]> {
  void core
  void services
  return []
}
