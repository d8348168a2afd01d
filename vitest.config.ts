import os from 'node:os'
import { defineConfig } from 'vitest/config'

// Vitest's default is one worker fewer than the cores: on CI's 2 cores that is a single worker, and
// a server test file (PGlite runs in the worker's own thread) keeps only one core busy. Two files
// at a time use both; bigger machines keep the default.
const serverWorkers = Math.max(2, os.availableParallelism() - 1)
// On CI a failed test runs once more before it counts: browser and kill -9 tests share two cores
// with PostgreSQL and Chromium, and a one-off stall must not stop a landing. Locally, never.
const retry = process.env.CI ? 1 : 0

/** One runner for the repo: server unit + integration tests, and browser tests in e2e/. */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'server',
          include: ['apps/server/src/**/*.test.ts'],
          globalSetup: ['apps/server/src/test/global-setup.ts'],
          environment: 'node',
          pool: 'forks',
          maxWorkers: serverWorkers,
          testTimeout: 30_000,
          retry,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['e2e/**/*.test.ts'],
          globalSetup: ['apps/server/src/test/global-setup.ts'],
          environment: 'node',
          pool: 'forks',
          fileParallelism: false,
          testTimeout: 60_000,
          retry,
          hookTimeout: 120_000,
        },
      },
    ],
  },
})
