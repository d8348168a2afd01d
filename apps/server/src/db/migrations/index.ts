import * as m0001 from './0001_platform.js'

/** Every migration in order. Names sort lexically; never rename or edit an applied one. */
export const migrations = {
  '0001_platform': m0001,
}
