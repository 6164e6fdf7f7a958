import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    env: { TZ: 'UTC' },
    testTimeout: 30_000,
    // One temporary folder for the whole run, removed at its end (tests/setup/tempRoot.ts).
    globalSetup: ['tests/setup/tempRoot.ts'],
  },
});
