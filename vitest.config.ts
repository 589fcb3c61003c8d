import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // End-to-end suites start child platforms and load generators; two cores cannot run more at once.
    maxWorkers: 2,
    // CI also writes a JSON report, from which .ci/run prints its "N passed, N failed" line.
    reporters: process.env['CI'] ? ['default', ['json', { outputFile: '.ci/test-results.json' }]] : ['default'],
  },
});
