import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { WxtVitest } from 'wxt/testing/vitest-plugin';

// e2e tests run without WxtVitest (no fake browser) but import server/ code that uses the `@/` alias.
const rootAlias = { find: /^@\//, replacement: fileURLToPath(new URL('./', import.meta.url)) };

// One runner, four projects. `npm test` runs them all through tests/run-all.ts, which
// totals them into the final "N passed, N failed" line.
export default defineConfig({
  test: {
    projects: [
      {
        plugins: [WxtVitest()],
        test: {
          name: 'unit',
          environment: 'happy-dom',
          include: ['tests/**/*.test.{ts,tsx}'],
          exclude: ['tests/e2e/**', 'tests/server/**', '**/node_modules/**'],
          setupFiles: ['fake-indexeddb/auto'],
        },
      },
      {
        plugins: [WxtVitest()],
        test: {
          name: 'server',
          environment: 'node',
          include: ['tests/server/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        resolve: { alias: [rootAlias] },
        test: {
          name: 'e2e-chromium',
          environment: 'node',
          include: ['tests/e2e/**/*.e2e.ts'],
          env: { EG_BROWSER: 'chromium' },
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        resolve: { alias: [rootAlias] },
        test: {
          name: 'e2e-firefox',
          environment: 'node',
          include: ['tests/e2e/**/*.e2e.ts'],
          env: { EG_BROWSER: 'firefox' },
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
