import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts', 'examples/**/*.test.mjs'],
    environment: 'node',
    // Two cores: more workers than that only adds contention for the end-to-end tests,
    // which start real servers and child processes.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
