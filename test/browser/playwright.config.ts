// `npm run test:browser`: real headless Chromium against the Hosting site served on loopback (see
// chromium.ts for which browser, site.ts for the server). One worker, one browser: a few seconds on
// an idle machine; the timeouts only leave room for a loaded one.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  outputDir: '../../.local/playwright',
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: 'list',
});
