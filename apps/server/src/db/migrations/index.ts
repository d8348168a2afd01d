import * as m0001 from './0001_platform.js'
import * as m0002 from './0002_org.js'
import * as m0003 from './0003_identity.js'
import * as m0004 from './0004_identity_oidc.js'
import * as m0005 from './0005_ledger.js'
import * as m0006 from './0006_catalog.js'
import * as m0007 from './0007_cases.js'
import * as m0008 from './0008_registries.js'
import * as m0009 from './0009_platform_idempotency.js'
import * as m0010 from './0010_platform_outbox_lease.js'

/** Every migration in order. Names sort lexically; never rename or edit an applied one. */
export const migrations = {
  '0001_platform': m0001,
  '0002_org': m0002,
  '0003_identity': m0003,
  '0004_identity_oidc': m0004,
  '0005_ledger': m0005,
  '0006_catalog': m0006,
  '0007_cases': m0007,
  '0008_registries': m0008,
  '0009_platform_idempotency': m0009,
  '0010_platform_outbox_lease': m0010,
}
