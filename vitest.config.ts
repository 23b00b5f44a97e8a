import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // One fresh database and Redis key prefix for the whole run (tests/support/global-setup.ts);
    // test files share it and keep out of each other's way by creating their own organisers.
    globalSetup: ['tests/support/global-setup.ts'],
    setupFiles: ['tests/support/file-database.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Two files at a time: most of a file's time is waiting on PostgreSQL, Redis, SMTP and Chromium,
    // not CPU, and one at a time (the default on two cores) took the suite past ten minutes.
    maxWorkers: 2,
    // The JSON report is what RELIABILITY.md's "last result" column is read from.
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
});
