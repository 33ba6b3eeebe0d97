import { defineConfig } from 'vitest/config';

// Browser journeys in real Chromium (Debian's /usr/bin/chromium, never a downloaded browser)
// against the real server started in-process on a free port with a fresh data directory.
export default defineConfig({
  test: {
    include: ['e2e/**/*.test.ts'],
    setupFiles: ['test/support/setup.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 120_000,
    retry: 0,
  },
});
