import type { Core } from '../platform/core.js'
import type { Services } from '../services.js'
import { seedCasesDemo } from './cases.js'
import { seedCatalogDemo } from './catalog.js'
import { seedIdentityDemo } from './identity.js'
import { seedLicensesDemo } from './licenses.js'
import { seedOrgDemo } from './org.js'
import { seedOnethingDemo } from './onething.js'
import { seedRegistriesDemo } from './registries.js'
import { seedRatingDemo } from './rating.js'
import { seedHotlineDemo } from './hotline.js'

/** A demo login shown by `npm start` and listed in the README. */
export interface DemoLogin {
  face: string
  role: string
  username: string
  password: string
}

/**
 * Loads the demo city (忻州市) through the modules' own services: divisions, departments,
 * grid, staff for every role, citizens and enterprises. Idempotent: running it twice adds nothing.
 */
export async function loadDemo(core: Core, services: Services): Promise<DemoLogin[]> {
  const logins: DemoLogin[] = []
  logins.push(...(await seedOrgDemo(core, services)))
  logins.push(...(await seedIdentityDemo(core, services)))
  logins.push(...(await seedRegistriesDemo(core, services)))
  logins.push(...(await seedCatalogDemo(core, services)))
  logins.push(...(await seedCasesDemo(core, services)))
  logins.push(...(await seedHotlineDemo(core, services)))
  logins.push(...(await seedLicensesDemo(core, services)))
  logins.push(...(await seedOnethingDemo(core, services)))
  logins.push(...(await seedRatingDemo(core, services)))
  return logins
}
