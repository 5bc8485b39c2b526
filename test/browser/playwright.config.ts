// `npm run test:browser`: real headless Chromium (see chromium.ts for which browser). The docs page
// test serves the site in-process (site.ts); the console tests drive the local stack under
// `node tools/emulators.js exec`: Hosting at CONSOLE_URL (default http://127.0.0.1:5000, the
// emulator's port in firebase.json) with the Auth, Firestore and Functions emulators behind it.
// One worker, one browser; the timeouts only leave room for a loaded machine.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  outputDir: '../../.local/playwright',
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 30_000 },
  reporter: 'list',
  use: {
    baseURL: process.env.CONSOLE_URL ?? 'http://127.0.0.1:5000',
    screenshot: 'only-on-failure',
  },
});
