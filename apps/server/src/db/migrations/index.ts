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
import * as m0011 from './0011_cases_catalog_perf.js'
import * as m0012 from './0012_licenses.js'
import * as m0014 from './0014_rating.js'
import * as m0013 from './0013_hotline.js'
import * as m0015 from './0015_cases_license_materials.js'
import * as m0016 from './0016_cases_groups.js'
import * as m0017 from './0017_onething.js'
import * as m0018 from './0018_platform_idempotency_commit.js'
import * as m0020 from './0020_hotline_perf.js'
import * as m0021 from './0021_catalog_search_columns.js'
import * as m0022 from './0022_onething_uploads.js'
import * as m0023 from './0023_hotline_rating_links.js'
import * as m0026 from './0026_hotline_ticket_words.js'

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
  '0011_cases_catalog_perf': m0011,
  '0012_licenses': m0012,
  '0013_hotline': m0013,
  '0014_rating': m0014,
  '0015_cases_license_materials': m0015,
  '0016_cases_groups': m0016,
  '0017_onething': m0017,
  '0018_platform_idempotency_commit': m0018,
  '0020_hotline_perf': m0020,
  '0021_catalog_search_columns': m0021,
  '0022_onething_uploads': m0022,
  '0023_hotline_rating_links': m0023,
  '0026_hotline_ticket_words': m0026,
}
