// The console (console/, served by Hosting at /) against the local stack: the Hosting, Auth,
// Firestore and Functions emulators (see stack.ts). One story, in order, with two users in two
// browser contexts: sign up and verify the email through the Auth emulator, create an
// organization (within the budgets: initial JavaScript and API calls of the overview), edit it
// while the API changes it (the conflict UI), invite the second user who accepts, change their
// role (a viewer sees no edit controls), API keys, secrets, archive and restore, transfer
// ownership. On a failure, both users' screens are saved next to the test's results.
import type { BrowserContext, Page, Request } from '@playwright/test';
import { gzipSync } from 'node:zlib';
import { expect, test } from './chromium';
import { callApi, consoleUrl, idToken, readmeScreenshot, verifyEmail } from './stack';

test.describe.configure({ mode: 'serial' });

const stamp = Date.now().toString(36);
const owner = { email: `owner-${stamp}@example.com`, password: 'owner-password-1' };
const invitee = { email: `invitee-${stamp}@example.com`, password: 'invitee-password-1' };
const orgName = `Browser Lab ${stamp}`;
const orgId = `browser-lab-${stamp}`;

let ownerContext: BrowserContext;
let inviteeContext: BrowserContext;
let ownerPage: Page;
let inviteePage: Page;

const field = (page: Page, label: string) => page.getByLabel(label, { exact: true });
const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });
const link = (page: Page, name: string) => page.getByRole('link', { name, exact: true });

async function signUp(page: Page, user: { email: string; password: string }): Promise<void> {
  await page.goto('/');
  await field(page, 'Email').fill(user.email);
  await field(page, 'Password').fill(user.password);
  await button(page, 'Create account').click();
  await expect(page.getByRole('heading', { name: 'Verify your email' })).toBeVisible();
  await verifyEmail(user.email);
  await button(page, 'I have verified my email').click();
  await expect(button(page, 'Sign out')).toBeVisible();
}

test.beforeAll(async ({ browser }) => {
  ownerContext = await browser.newContext({ baseURL: consoleUrl });
  inviteeContext = await browser.newContext({ baseURL: consoleUrl });
  ownerPage = await ownerContext.newPage();
  inviteePage = await inviteeContext.newPage();
});

test.afterEach(async ({}, testInfo) => {
  if (testInfo.status === testInfo.expectedStatus) return;
  for (const [name, page] of [
    ['owner', ownerPage],
    ['invitee', inviteePage],
  ] as const) {
    await page
      .screenshot({ path: testInfo.outputPath(`${name}.png`), fullPage: true })
      .catch(() => undefined);
  }
});

test.afterAll(async () => {
  await ownerContext?.close();
  await inviteeContext?.close();
});

test('sign up, verify the email through the Auth emulator, create an organization', async () => {
  const page = ownerPage;
  await signUp(page, owner);
  await expect(page.getByRole('heading', { name: 'My organizations' })).toBeVisible();
  await expect(page.getByText('No organizations yet.')).toBeVisible();

  await link(page, 'New organization').click();
  await field(page, 'Name').fill(orgName);
  await button(page, 'Create').click();
  await expect(page.getByRole('heading', { name: orgName })).toBeVisible();
  await expect(page).toHaveURL(`${consoleUrl}/#/o/${orgId}/overview`);
  await expect(page.getByTestId('my-role')).toHaveText('owner');
  await expect(page.getByRole('combobox', { name: 'Organization' })).toHaveValue(orgId);
});

test('budgets: initial JavaScript ≤ 120 KB gzip, the overview in ≤ 2 API calls', async () => {
  const page = ownerPage;
  const requests: Request[] = [];
  const record = (request: Request) => requests.push(request);
  page.on('request', record);
  await page.reload();
  await expect(page.getByRole('heading', { name: orgName })).toBeVisible();
  await expect(page.locator('.summary')).toContainText('Data models');
  await page.waitForLoadState('networkidle');
  page.off('request', record);

  const api = requests.filter((request) => new URL(request.url()).pathname.startsWith('/api/'));
  expect(api.length).toBeLessThanOrEqual(2);
  expect(api.map((request) => new URL(request.url()).pathname).sort()).toEqual([
    '/api/organizations',
    `/api/organizations/${orgId}/summary`,
  ]);
  const scripts = requests.filter((request) => request.resourceType() === 'script');
  expect(scripts.length).toBeGreaterThan(0);
  let gzipBytes = 0;
  for (const script of scripts) {
    const body = await (await script.response())!.body();
    gzipBytes += gzipSync(body, { level: 9 }).length;
  }
  expect(gzipBytes).toBeLessThanOrEqual(120 * 1024);
  // Every request stays on this machine: no CDN.
  for (const request of requests) expect(new URL(request.url()).hostname).toBe('127.0.0.1');
});

test('works 375 px wide: no page-wide horizontal scrolling', async () => {
  const page = ownerPage;
  await page.setViewportSize({ width: 375, height: 800 });
  for (const screen of ['overview', 'settings', 'team']) {
    await page.goto(`/#/o/${orgId}/${screen}`);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(375);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
});
