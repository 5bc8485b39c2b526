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
import { callApi, consoleUrl, idToken, readmeScreenshot, seedDemo, verifyEmail } from './stack';

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
const pageErrors: string[] = [];

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
  for (const page of [ownerPage, inviteePage]) {
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }
});

// eslint-disable-next-line no-empty-pattern -- Playwright reads the fixtures from the pattern
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
  // No script error on any screen of either user.
  expect(pageErrors).toEqual([]);
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

  await link(page, 'My profile').click();
  await field(page, 'Name').fill('Olive Owner');
  await field(page, 'Position').fill('Lab director');
  await button(page, 'Save').click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  const profile = await callApi('/users/me', {
    credential: await idToken(owner.email, owner.password),
  });
  expect(profile.body.data).toMatchObject({ name: 'Olive Owner', position: 'Lab director' });
});

test('budgets: initial JavaScript ≤ 120 KB gzip, the overview in ≤ 2 API calls', async () => {
  const page = ownerPage;
  const requests: Request[] = [];
  const record = (request: Request) => requests.push(request);
  await page.goto(`/#/o/${orgId}/overview`);
  await expect(page.locator('.summary')).toContainText('Data models');
  await page.waitForLoadState('networkidle');
  page.on('request', record);
  await page.reload();
  await expect(page.getByRole('heading', { name: orgName })).toBeVisible();
  await expect(page.locator('.summary')).toContainText('Data models');
  await page.waitForLoadState('networkidle');
  page.off('request', record);

  const api = requests.filter((request) => new URL(request.url()).pathname.startsWith('/api/'));
  expect(api.map((request) => new URL(request.url()).pathname).sort()).toEqual([
    '/api/organizations',
    `/api/organizations/${orgId}/summary`,
  ]);
  expect(api.length).toBeLessThanOrEqual(2);
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
  for (const [screen, heading] of [
    ['overview', orgName],
    ['settings', 'Settings'],
    ['team', 'Team'],
  ]) {
    await page.goto(`/#/o/${orgId}/${screen}`);
    await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
    await expect(page.getByText('Loading…')).toHaveCount(0);
    const width = await page.evaluate<number>('document.documentElement.scrollWidth');
    expect(width).toBeLessThanOrEqual(375);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
});

test('the profile form saves with If-Match: a change made meanwhile offers reload or overwrite', async () => {
  const page = ownerPage;
  const token = await idToken(owner.email, owner.password);
  await link(page, 'Settings').click();
  await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
  await field(page, 'Phone').fill('555-0100');
  // Someone else changes the organization through the API meanwhile.
  const other = await callApi(`/organizations/${orgId}`, {
    credential: token,
    method: 'PATCH',
    body: { city: 'Elsewhere' },
  });
  expect(other.status).toBe(200);
  await button(page, 'Save').click();
  const conflict = page.getByRole('alert').filter({ hasText: 'Someone else changed' });
  await expect(conflict).toBeVisible();
  await button(page, 'Reload').click();
  await expect(field(page, 'City')).toHaveValue('Elsewhere');
  await expect(field(page, 'Phone')).toHaveValue('');

  await field(page, 'Phone').fill('555-0101');
  expect(
    (
      await callApi(`/organizations/${orgId}`, {
        credential: token,
        method: 'PATCH',
        body: { city: 'Faraway' },
      })
    ).status,
  ).toBe(200);
  await button(page, 'Save').click();
  await expect(conflict).toBeVisible();
  await button(page, 'Overwrite').click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  const saved = await callApi(`/organizations/${orgId}`, { credential: token });
  expect(saved.body.data).toMatchObject({ phone: '555-0101', city: 'Faraway' });

  await link(page, 'Audit log').click();
  await expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: 'phone' })).toHaveCount(1);
  await expect(page.getByRole('row').filter({ hasText: 'city' })).toHaveCount(2);
});

test('invite a second user, who accepts in their own browser; change their role to viewer', async () => {
  const page = ownerPage;
  await link(page, 'Team').click();
  await field(page, 'Email').fill(invitee.email);
  await page.getByRole('combobox', { name: 'Role', exact: true }).selectOption('member');
  await button(page, 'Invite').click();
  await expect(
    page.getByRole('status').filter({ hasText: `${invitee.email}: invited` }),
  ).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: invitee.email })).toContainText('pending');

  await signUp(inviteePage, invitee);
  await link(inviteePage, 'My profile').click();
  await field(inviteePage, 'Name').fill('Ivy Invitee');
  await field(inviteePage, 'Position').fill('Chemist');
  await button(inviteePage, 'Save').click();
  await expect(inviteePage.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await link(inviteePage, 'Invitations').click();
  const invitation = inviteePage.getByRole('listitem').filter({ hasText: orgName });
  await expect(invitation).toContainText('member');
  await invitation.getByRole('button', { name: 'Accept' }).click();
  await expect(inviteePage.getByRole('heading', { name: orgName })).toBeVisible();
  await expect(inviteePage.getByTestId('my-role')).toHaveText('member');
  // A member edits the profile but does not manage the team.
  await link(inviteePage, 'Settings').click();
  await expect(button(inviteePage, 'Save')).toBeVisible();
  await link(inviteePage, 'Team').click();
  await expect(inviteePage.getByRole('row').filter({ hasText: owner.email })).toBeVisible();
  await expect(button(inviteePage, 'Invite')).toHaveCount(0);

  await page.reload();
  const row = page.getByRole('row').filter({ hasText: invitee.email }).first();
  await row.getByRole('combobox', { name: `Role of ${invitee.email}` }).selectOption('viewer');
  await expect
    .poll(async () => {
      const team = await callApi(`/organizations/${orgId}/team`, {
        credential: await idToken(owner.email, owner.password),
      });
      return team.body.data.find((member: { email: string }) => member.email === invitee.email)
        ?.role;
    })
    .toBe('viewer');
  await link(page, 'Overview').click();
  await expect(page.locator('.summary')).toContainText('Viewers1');
  await readmeScreenshot(page, 'overview');
  await link(page, 'Team').click();
  await expect(page.getByRole('row').filter({ hasText: invitee.email }).first()).toBeVisible();
  await readmeScreenshot(page, 'team');
});

test('a viewer sees no edit controls', async () => {
  const page = inviteePage;
  await page.goto(`/#/o/${orgId}/settings`);
  await page.reload();
  await expect(field(page, 'Name')).toBeDisabled();
  await expect(button(page, 'Save')).toHaveCount(0);
  await expect(button(page, 'Archive')).toHaveCount(0);
  await link(page, 'Team').click();
  await expect(page.getByRole('row').filter({ hasText: owner.email })).toBeVisible();
  await expect(button(page, 'Invite')).toHaveCount(0);
  await expect(button(page, 'Transfer ownership')).toHaveCount(0);
  await expect(page.getByRole('combobox', { name: /^Role of / })).toHaveCount(0);
  await link(page, 'Secrets').click();
  await expect(page.getByRole('heading', { name: 'Secrets' })).toBeVisible();
  // The API's own 403 message, as it is.
  await expect(page.getByRole('alert')).toContainText('(403)');
  await expect(page.getByLabel('Secret name')).toHaveCount(0);
});

test('API keys: create one (shown once), use it with fetch, revoke it', async () => {
  const page = ownerPage;
  await link(page, 'API keys').click();
  await field(page, 'Key name').fill('browser key');
  await button(page, 'Create key').click();
  const raw = (await page.getByTestId('new-key').textContent())!;
  expect(raw).toMatch(/^orgk_/);
  const me = await callApi('/auth/me', { credential: raw });
  expect(me.status).toBe(200);
  expect(me.body.data).toMatchObject({ email: owner.email, credential: 'api_key' });
  const row = page.getByRole('row').filter({ hasText: 'browser key' });
  await expect(row).toContainText(raw.slice(-4));
  await row.getByRole('button', { name: 'Revoke browser key' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'browser key' })).toHaveCount(0);
  await expect(page.getByTestId('new-key')).toHaveCount(0);
  expect((await callApi('/auth/me', { credential: raw })).status).toBe(401);
});

test('secrets: set one, see only its last 4', async () => {
  const page = ownerPage;
  const value = 'metrc-key-abcdefgh-7319';
  await link(page, 'Overview').click();
  await link(page, 'Secrets').click();
  await page.getByLabel('Secret name').fill('metrc');
  await page.getByLabel('Value').fill(value);
  await button(page, 'Save').click();
  const row = page.getByRole('row').filter({ hasText: 'metrc' });
  await expect(row).toContainText('…7319');
  await expect(page.locator('body')).not.toContainText(value);
});

test("a license's Metrc key is write-only: the form shows its last 4", async () => {
  const page = ownerPage;
  const key = 'metrc-user-key-0000-9876';
  await link(page, 'Settings').click();
  await button(page, 'Add license').click();
  await field(page, 'License number').fill(`LIC-${stamp}`);
  await field(page, 'License type').fill('testing');
  await field(page, 'License state').fill('CA');
  await field(page, 'Metrc API key').fill(key);
  await button(page, 'Save').click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await page.reload();
  await expect(field(page, 'License number')).toHaveValue(`LIC-${stamp}`);
  await expect(field(page, 'Metrc API key')).toHaveValue('');
  await expect(page.getByText('Stored (ends in 9876)')).toBeVisible();
  await expect(page.locator('body')).not.toContainText(key);
});

test('sent invitations: resend, revoke, and pages of 25 with the API cursors', async () => {
  const page = ownerPage;
  const third = `third-${stamp}@example.com`;
  await link(page, 'Team').click();
  await field(page, 'Email').fill(third);
  await page.getByRole('combobox', { name: 'Role', exact: true }).selectOption('viewer');
  await button(page, 'Invite').click();
  const row = page.getByRole('row').filter({ hasText: third });
  await expect(row).toContainText('pending');
  await row.getByRole('button', { name: 'Resend' }).click();
  await expect(row).toContainText('pending');
  await row.getByRole('button', { name: 'Revoke' }).click();
  await expect(row).toContainText('revoked');
  await expect(row.getByRole('button')).toHaveCount(0);

  // Lists page with the API's cursors (25 a page): 25 more invitations make a second page.
  const more = Array.from({ length: 25 }, (_, i) => ({
    email: `bulk-${i}-${stamp}@example.com`,
    role: 'viewer',
  }));
  const added = await callApi(`/organizations/${orgId}/team`, {
    credential: await idToken(owner.email, owner.password),
    method: 'POST',
    body: { members: more },
  });
  expect(added.status).toBe(201);
  await page.reload();
  const invitations = page.getByRole('region', { name: 'Sent invitations' });
  const pager = invitations.getByRole('navigation', { name: 'Pages' });
  await expect(pager).toContainText('Page 1');
  await expect(invitations.getByRole('row')).toHaveCount(26);
  await pager.getByRole('button', { name: 'Next page' }).click();
  await expect(pager).toContainText('Page 2');
  await expect(invitations.getByRole('row')).toHaveCount(3);
  await expect(pager.getByRole('button', { name: 'Next page' })).toBeDisabled();
  await pager.getByRole('button', { name: 'Previous page' }).click();
  await expect(invitations.getByRole('row')).toHaveCount(26);
});

test('archive and restore; transfer ownership with a confirmation', async () => {
  const page = ownerPage;
  await link(page, 'Settings').click();
  await button(page, 'Archive').click();
  await expect(button(page, 'Restore')).toBeVisible();
  await expect(page.getByText('This organization is archived')).toBeVisible();
  await button(page, 'Restore').click();
  await expect(button(page, 'Archive')).toBeVisible();
  await expect(button(page, 'Save')).toBeVisible();

  await link(page, 'Team').click();
  const row = page.getByRole('row').filter({ hasText: invitee.email }).first();
  await row.getByRole('button', { name: 'Transfer ownership' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Confirm the transfer' });
  await expect(confirm).toContainText(invitee.email);
  await confirm.getByRole('button', { name: 'Confirm transfer' }).click();
  await expect(confirm).toHaveCount(0);
  await link(page, 'Overview').click();
  await expect(page.getByTestId('my-role')).toHaveText('admin');
  await inviteePage.goto(`/#/o/${orgId}/overview`);
  await inviteePage.reload();
  await expect(inviteePage.getByTestId('my-role')).toHaveText('owner');
});

test('the former owner leaves; the new owner archives and purges behind a typed confirmation', async () => {
  await link(ownerPage, 'Team').click();
  const self = ownerPage.getByRole('row').filter({ hasText: owner.email });
  await self.getByRole('button', { name: 'Leave' }).click();
  await expect(ownerPage.getByRole('heading', { name: 'My organizations' })).toBeVisible();
  await expect(ownerPage.getByText('No organizations yet.')).toBeVisible();

  const page = inviteePage;
  await link(page, 'Settings').click();
  await button(page, 'Archive').click();
  const purge = button(page, 'Purge');
  await expect(purge).toBeDisabled();
  await page.getByLabel(`Type ${orgId} to purge it for good`).fill(orgId);
  await purge.click();
  await expect(page.getByRole('heading', { name: 'My organizations' })).toBeVisible();
  const gone = await callApi(`/organizations/${orgId}`, {
    credential: await idToken(invitee.email, invitee.password),
  });
  expect(gone.status).toBe(404);
});

test("npm start's demo user signs in and sees Demo Lab; signs out", async ({ browser }) => {
  const demo = await seedDemo();
  const context = await browser.newContext({ baseURL: consoleUrl });
  const page = await context.newPage();
  try {
    await page.goto('/');
    await field(page, 'Email').fill(demo.email);
    await field(page, 'Password').fill(demo.password);
    await button(page, 'Sign in').click();
    await expect(page.getByRole('combobox', { name: 'Organization' })).toContainText('Demo Lab');
    await page.goto(`/#/o/${demo.organizationId}/overview`);
    await expect(page.getByRole('heading', { name: 'Demo Lab' })).toBeVisible();
    await expect(page.getByTestId('my-role')).toHaveText('owner');
    await button(page, 'Sign out').click();
    await expect(button(page, 'Sign in')).toBeVisible();
    // A wrong password: the Auth error is shown.
    await field(page, 'Email').fill(demo.email);
    await field(page, 'Password').fill('not-the-password');
    await button(page, 'Sign in').click();
    // (The Auth emulator says auth/wrong-password; production, auth/invalid-credential.)
    await expect(page.getByRole('alert')).toHaveText(
      /^Wrong email or password\. \(auth\/(?:wrong-password|invalid-credential)\)$/,
    );
    await button(page, 'Reset password').click();
    await expect(page.getByRole('status')).toHaveText(
      `A password reset link was sent to ${demo.email}.`,
    );
  } finally {
    await context.close();
  }
});
