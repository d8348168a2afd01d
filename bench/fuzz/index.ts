/** The OpenAPI fuzzer: the CI pass (e2e/fuzz.test.ts) and `npm run bench -- fuzz` both run it. */
export {
  runFuzz, formatReport, injectTransport, httpTransport,
  type FuzzOptions, type FuzzReport, type ForeignFormat, type Failure, type FailureKind, type Fixture, type PersonaSpec, type PersonalDataAllowance, type Transport,
} from './fuzzer.js'
export { demoPersonas, open311Format, personalDataAllowances, readmeDemoLogins, type DemoLogin } from './personas.js'
export { demoFixtures } from './fixtures.js'
export { isIdNumber, isCreditCode, personalDataIn } from './checks.js'
