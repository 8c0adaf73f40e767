import { defineConfig } from 'vitest/config';

// Unit and end-to-end suites that need nothing beyond `npm ci`.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/interop/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
