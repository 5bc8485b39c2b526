import request from 'supertest';
import { createApp } from '../../functions/src/app';
import { config } from '../../functions/src/config';
import { failure } from '../helpers/envelope';

// The module object itself (not an import's copy), so that spying on `error` reaches the app.
const logger = jest.requireActual<typeof import('firebase-functions/logger')>(
  'firebase-functions/logger',
);

const app = createApp({
  extraRoutes: (router) => {
    router.get('/boom', () => {
      throw new Error('database password is hunter2');
    });
    router.post('/echo', (req, res) => {
      res.json({ data: req.body as unknown });
    });
  },
});

describe('the app shell', () => {
  it('answers the health check under /api and at the function root', async () => {
    for (const path of ['/api/health', '/health']) {
      const response = await request(app).get(path);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        success: true,
        data: { status: 'ok', version: config.version },
      });
    }
  });

  it('answers an unknown route with a JSON 404', async () => {
    const response = await request(app).get('/api/nothing-here');
    expect(response.status).toBe(404);
    expect(response.body).toEqual(
      failure({ code: 'not-found', message: 'No route GET /api/nothing-here.' }),
    );
  });

  it('answers malformed JSON with 400 invalid-argument', async () => {
    const response = await request(app)
      .post('/api/echo')
      .set('content-type', 'application/json')
      .send('{"name": ');
    expect(response.status).toBe(400);
    expect(response.body).toEqual(
      failure({ code: 'invalid-argument', message: 'The request body is not valid JSON.' }),
    );
  });

  it('answers a body over 100 KB with 413', async () => {
    const body = JSON.stringify({ name: 'x'.repeat(config.bodyLimitBytes) });
    const response = await request(app)
      .post('/api/echo')
      .set('content-type', 'application/json')
      .send(body);
    expect(response.status).toBe(413);
    expect(response.body).toEqual(
      failure({
        code: 'payload-too-large',
        message: `The request body is ${Buffer.byteLength(body)} bytes; the limit is 102400 bytes.`,
      }),
    );
  });

  it('accepts a body just under the limit', async () => {
    const name = 'x'.repeat(config.bodyLimitBytes - 20);
    const response = await request(app).post('/api/echo').send({ name });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ data: { name } });
  });

  it('answers a write whose body is not JSON with 415', async () => {
    const response = await request(app)
      .post('/api/echo')
      .set('content-type', 'text/plain')
      .send('name=x');
    expect(response.status).toBe(415);
    expect(response.body).toEqual(
      failure({
        code: 'unsupported-media-type',
        message: 'The request body must be JSON (Content-Type: application/json), not text/plain.',
      }),
    );
  });

  it('answers an exception with an opaque 500 and logs it', async () => {
    const logged = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    const response = await request(app).get('/api/boom');
    expect(response.status).toBe(500);
    expect(response.body).toEqual(
      failure({ code: 'internal', message: 'Something went wrong on our side. Please try again.' }),
    );
    expect(JSON.stringify(response.body)).not.toContain('hunter2');
    expect(logged).toHaveBeenCalledTimes(1);
    expect(logged.mock.calls[0][0]).toBe('Unhandled error');
    expect(JSON.stringify(logged.mock.calls[0][1])).toContain('database password is hunter2');
    logged.mockRestore();
  });

  it('answers a CORS preflight from an allowed origin', async () => {
    const response = await request(app)
      .options('/api/organizations')
      .set('origin', 'http://127.0.0.1:5000')
      .set('access-control-request-method', 'POST')
      .set('access-control-request-headers', 'authorization,content-type');
    expect(response.status).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe('http://127.0.0.1:5000');
    expect(response.headers['access-control-allow-credentials']).toBe('true');
    expect(response.headers['access-control-allow-headers']).toBe('authorization,content-type');
  });

  it('serves the OpenAPI document with an ETag, and a 304 to a revalidation', async () => {
    const response = await request(app).get('/api/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe('3.1.0');
    expect(response.headers['cache-control']).toBe('public, max-age=300');
    const again = await request(app)
      .get('/api/openapi.json')
      .set('If-None-Match', response.headers.etag);
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
  });

  it('lets no cache keep an answer or an error; the public document is cached', async () => {
    const health = await request(app).get('/api/health');
    expect(health.headers['cache-control']).toBe('no-store');
    const missing = await request(app).get('/api/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.headers['cache-control']).toBe('no-store');
    const document = await request(app).get('/api/openapi.json');
    expect(document.headers['cache-control']).toBe('public, max-age=300');
  });

  it('lets the console read the headers the API sets', async () => {
    const response = await request(app).get('/api/health').set('origin', 'http://127.0.0.1:5000');
    expect(response.status).toBe(200);
    expect(response.headers['access-control-expose-headers']).toBe(
      'ETag,Location,Link,Retry-After,Idempotent-Replayed,RateLimit,RateLimit-Policy',
    );
  });

  it('gives a CORS preflight from another origin no CORS headers', async () => {
    const response = await request(app)
      .options('/api/organizations')
      .set('origin', 'https://evil.example')
      .set('access-control-request-method', 'POST');
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    expect(response.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('sends security headers', async () => {
    const response = await request(app).get('/api/health');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['strict-transport-security']).toBe(
      'max-age=31536000; includeSubDomains',
    );
    expect(response.headers['x-powered-by']).toBeUndefined();
  });
});
