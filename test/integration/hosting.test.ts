// Smoke tests of the deployed shape: the Hosting rewrite `/api/**` → function `api`, and the
// function's own URL, both served by the Functions emulator from the built bundle
// (`functions/dist/index.js`, the package's `main`).
// (Malformed JSON never reaches the app there: the platform's own body parser answers it with its
// 400 page, so the app's JSON 400 for it is proven in-process, in test/unit/app.test.ts.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { config } from '../../functions/src/config';
import { describeEmulators, projectId } from '../helpers/emulators';
import { failure } from '../helpers/envelope';

const hosting = 'http://127.0.0.1:5000';
const functionUrl = `http://127.0.0.1:5001/${projectId}/us-central1/api`;

describeEmulators('the function behind Hosting', () => {
  it('answers /api/health through the Hosting rewrite', async () => {
    const response = await fetch(`${hosting}/api/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      success: true,
      data: { status: 'ok', version: config.version },
    });
  });

  it('serves the OpenAPI document through Hosting from the bundle: the committed openapi.json, cached', async () => {
    const response = await fetch(`${hosting}/api/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    const committed = JSON.parse(readFileSync(join(__dirname, '..', '..', 'openapi.json'), 'utf8'));
    expect(await response.json()).toEqual(committed);
    expect(response.headers.get('etag')).toEqual(expect.any(String));
  });

  it('answers /health on the function URL', async () => {
    const response = await fetch(`${functionUrl}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      success: true,
      data: { status: 'ok', version: config.version },
    });
  });

  it('answers an unknown route with the JSON 404 through Hosting', async () => {
    const response = await fetch(`${hosting}/api/nothing-here`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual(
      failure({ code: 'not-found', message: 'No route GET /api/nothing-here.' }),
    );
  });

  it('answers a body over 100 KB with 413 through Hosting', async () => {
    const body = JSON.stringify({ name: 'x'.repeat(200 * 1024) });
    const response = await fetch(`${hosting}/api/health`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual(
      failure({
        code: 'payload-too-large',
        message: `The request body is ${Buffer.byteLength(body)} bytes; the limit is 102400 bytes.`,
      }),
    );
  });
});
