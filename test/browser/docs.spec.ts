// The API reference at /docs/ (public/docs/): Swagger UI renders the API's own OpenAPI document from
// /api/openapi.json, and the page asks nothing of any host but this one (no CDN, fonts, validator
// badge or telemetry). "Try it" calls this origin's /api with the key given under "Authorize".
import type { Locator, Page, Request } from '@playwright/test';
import { expect, test } from './chromium';
import { startSite, type Site } from './site';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** Whether a request stays on this machine: a loopback host, or no network at all (data:, blob:). */
function local(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  if (protocol === 'data:' || protocol === 'blob:') return true;
  return (protocol === 'http:' || protocol === 'https:') && LOOPBACK.has(hostname);
}

/**
 * Records every request the page makes, and refuses (aborts) any that would leave the machine, so
 * that a regression fails the assertion rather than reaching the internet.
 */
async function recordRequests(page: Page): Promise<Request[]> {
  const requests: Request[] = [];
  page.on('request', (request) => requests.push(request));
  await page.context().route(
    (url) => !local(url.href),
    (route) => route.abort('blockedbyclient'),
  );
  return requests;
}

/** The block of one operation, e.g. `GET /organizations`. */
function operation(page: Page, method: string, path: string): Locator {
  return page
    .locator(`.opblock.opblock-${method}`)
    .filter({ has: page.locator(`.opblock-summary-path[data-path="${path}"]`) });
}

let site: Site;

test.beforeAll(async () => {
  site = await startSite();
});

test.afterAll(async () => {
  await site?.close();
});

test('renders the reference from /api/openapi.json with no request off loopback', async ({
  page,
}) => {
  const errors: Error[] = [];
  page.on('pageerror', (error) => errors.push(error));
  const requests = await recordRequests(page);
  const document = (await (await fetch(`${site.origin}/api/openapi.json`)).json()) as {
    info: { title: string };
    paths: Record<string, Record<string, unknown>>;
  };

  await page.goto(`${site.origin}/docs/`);

  await expect(page).toHaveTitle('Organizations API reference');
  await expect(page.locator('.swagger-ui .info .title')).toContainText(document.info.title);
  await expect(operation(page, 'get', '/health')).toContainText('Health check');
  await expect(page.locator('.swagger-ui .servers select')).toContainText('/api');
  // Every operation of the document is on the page.
  const operations = Object.entries(document.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((key) => METHODS.has(key))
      .map((method) => `${method} ${path}`),
  );
  const shown = await page
    .locator('.opblock')
    .evaluateAll((blocks) =>
      blocks.map(
        (block) =>
          `${block.querySelector('.opblock-summary-method')?.textContent?.toLowerCase()} ` +
          block.querySelector('.opblock-summary-path')?.getAttribute('data-path'),
      ),
    );
  expect(shown.sort()).toEqual(operations.sort());
  await page.waitForLoadState('networkidle');

  const urls = requests.map((request) => request.url());
  // The recorder saw the page's requests: the page, Swagger UI's assets and the document.
  expect(urls).toEqual(
    expect.arrayContaining([
      `${site.origin}/docs/`,
      `${site.origin}/docs/vendor/swagger-ui-bundle.js`,
      `${site.origin}/docs/vendor/swagger-ui.css`,
      `${site.origin}/docs/init.js`,
      `${site.origin}/api/openapi.json`,
    ]),
  );
  expect(urls.filter((url) => !local(url))).toEqual([]);
  expect(errors).toEqual([]);
});

test('the recorder catches a request to another host', async ({ page }) => {
  const requests = await recordRequests(page);
  await page.goto(`${site.origin}/`);
  await page.evaluate(() => fetch('https://example.com/').catch(() => 'refused'));
  const outside = requests.map((request) => request.url()).filter((url) => !local(url));
  expect(outside).toEqual(['https://example.com/']);
});

test('"Try it out" calls the API on this origin', async ({ page }) => {
  await page.goto(`${site.origin}/docs/`);
  const health = operation(page, 'get', '/health');
  await health.locator('.opblock-summary').click();
  await health.getByRole('button', { name: 'Try it out' }).click();
  const answer = page.waitForResponse(`${site.origin}/api/health`);
  await health.getByRole('button', { name: 'Execute' }).click();
  const response = await answer;
  expect(response.status()).toBe(200);
  expect(await response.json()).toMatchObject({ success: true, data: { status: 'ok' } });
  await expect(health.locator('.live-responses-table tbody .response-col_status')).toHaveText(
    '200',
  );
});

test('"Try it out" sends the key given under Authorize, kept across reloads', async ({ page }) => {
  // Checking the key needs Firestore, which this test runs without: the answer is stubbed, and the
  // request Swagger UI sends is what is checked.
  const sent: Request[] = [];
  await page.route(
    (url) => url.pathname === '/api/users/me',
    async (route) => {
      sent.push(route.request());
      await route.fulfill({ json: { success: true, data: { uid: 'demo' } } });
    },
  );
  await page.goto(`${site.origin}/docs/`);
  await page.locator('.auth-wrapper .authorize').click();
  const dialog = page.locator('.modal-ux');
  const scheme = dialog
    .locator('.auth-container')
    .filter({ has: page.locator('h4 code', { hasText: /^apiKey$/ }) });
  await scheme.locator('input').fill('orgk_demo');
  await scheme.getByRole('button', { name: 'Apply credentials' }).click();
  await scheme.getByRole('button', { name: 'Close' }).click();

  await page.reload();
  const me = operation(page, 'get', '/users/me');
  await me.locator('.opblock-summary').click();
  await me.getByRole('button', { name: 'Try it out' }).click();
  await me.getByRole('button', { name: 'Execute' }).click();
  await expect(me.locator('.live-responses-table tbody .response-col_status')).toHaveText('200');
  expect(sent.map((request) => request.url())).toEqual([`${site.origin}/api/users/me`]);
  expect(sent[0].headers().authorization).toBe('Bearer orgk_demo');
});
