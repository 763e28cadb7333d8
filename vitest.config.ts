import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts', 'examples/**/*.test.mjs'],
    environment: 'node',
    // Builds dist/ once, so end-to-end tests run the built CLI with plain node.
    globalSetup: ['test/global-setup.ts'],
    // Two cores: more workers than that only adds contention for the end-to-end tests,
    // which start real servers and child processes.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
