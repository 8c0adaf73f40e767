import { defineConfig } from 'vitest/config';

// Suites that need the Debian packages installed by scripts/install-test-deps.sh
// (OpenPACE, xmlsec1, AusweisApp2, pcscd + vpcd, SimpleSAMLphp, Shibboleth SP, Apache, Chromium, promtool,
// HAProxy).
export default defineConfig({
  test: {
    include: ['test/interop/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
