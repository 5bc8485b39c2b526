// The response checker of the integration tests (test/helpers/spec.ts), checked itself: a
// deliberately wrong response, status or header is caught, and a right one passes.
import express, { Router } from 'express';
import request from 'supertest';
import {
  checked,
  contractChecker,
  expressRoutes,
  generatedDocument,
  takeViolations,
  type Exchange,
} from '../helpers/spec';

const checker = contractChecker(generatedDocument());

const json = { 'content-type': 'application/json; charset=utf-8' };
const health = { success: true, data: { status: 'ok', version: '1.2.3' } };
const notFound = {
  success: false,
  message: 'No route GET /api/nothing-here.',
  error: { code: 'not-found', message: 'No route GET /api/nothing-here.' },
};

function exchange(parts: Partial<Omit<Exchange, 'body'>> & { body?: unknown }): Exchange {
  const { body, ...rest } = parts;
  return {
    method: 'GET',
    url: '/api/health',
    status: 200,
    headers: json,
    ...rest,
    body: typeof body === 'string' ? body : JSON.stringify(body ?? health),
  };
}

describe('the contract checker', () => {
  it('passes a response that matches its operation, under /api and at the root', () => {
    for (const url of ['/api/health', '/health', '/api/health?x=1', '/api/health/']) {
      expect(checker.check(exchange({ url }))).toEqual({ operation: 'GET /health', problems: [] });
    }
  });

  it('catches a field the schema does not have', () => {
    const body = { ...health, data: { ...health.data, uptime: 3 } };
    expect(checker.check(exchange({ body })).problems).toEqual([
      'body/data must NOT have additional properties (uptime)',
    ]);
  });

  it('catches a missing field and a wrong value', () => {
    expect(checker.check(exchange({ body: { success: true } })).problems).toEqual([
      "body must have required property 'data'",
    ]);
    const body = { success: true, data: { status: 'down', version: '1' } };
    expect(checker.check(exchange({ body })).problems).toEqual([
      'body/data/status must be equal to constant',
    ]);
  });

  it('catches a status the operation does not list', () => {
    expect(checker.check(exchange({ status: 201 })).problems).toEqual([
      'status 201 is not listed (the operation lists 200, 304, 400, 413, 429, 500, 503)',
    ]);
  });

  it('catches an error body that is not an Error', () => {
    const problems = checker.check(exchange({ status: 400, body: { error: 'bad' } })).problems;
    expect(problems).toContain("body must have required property 'success'");
    expect(problems).toContain('body/error must be object');
  });

  it('catches a body that is not JSON', () => {
    expect(checker.check(exchange({ body: '<html>' })).problems).toEqual([
      'body is not JSON: "<html>"',
    ]);
  });

  it('catches an API header the operation does not document, not Express’s weak ETag', () => {
    const headers = { ...json, location: '/api/health', etag: 'W/"1a-abc"' };
    expect(checker.check(exchange({ headers })).problems).toEqual([
      'header location: /api/health is not documented for 200',
    ]);
    const versioned = { ...json, etag: '"7"' };
    expect(checker.check(exchange({ headers: versioned })).problems).toEqual([
      'header etag: "7" is not documented for 200',
    ]);
  });

  it('takes a HEAD without a body and skips CORS preflights', () => {
    expect(checker.check(exchange({ method: 'HEAD', body: '' })).problems).toEqual([]);
    expect(checker.check(exchange({ method: 'OPTIONS', status: 204, body: '' }))).toEqual({
      problems: [],
    });
  });

  it('wants the JSON 404 Error for a route that nothing serves', () => {
    const url = '/api/nothing-here';
    expect(checker.check(exchange({ url, status: 404, body: notFound }))).toEqual({
      problems: [],
    });
    expect(checker.check(exchange({ url, status: 200, body: notFound })).problems).toEqual([
      'status 200 for a route no operation declares (want 404)',
    ]);
    expect(checker.check(exchange({ url, status: 404, body: {} })).problems).toContain(
      "body must have required property 'error'",
    );
    // A method the path does not declare is no route either.
    expect(checker.check(exchange({ method: 'DELETE', status: 404, body: notFound }))).toEqual({
      problems: [],
    });
  });

  it('refuses a route Express serves but no operation declares', () => {
    const served = (method: string, path: string) =>
      method === 'get' && path === '/legacy' ? '/legacy' : undefined;
    const legacy = exchange({ url: '/api/legacy', body: { anything: true } });
    expect(checker.check(legacy, { served })).toEqual({
      problems: ['no operation of the document declares GET /legacy'],
    });
  });
});

describe('checked(app)', () => {
  afterEach(() => takeViolations());

  it('records a wrong response of a declared route, unchanged on the wire', async () => {
    const wrong = express().get('/api/health', (_req, res) => {
      res.status(202).json({ success: true, data: { status: 'ok' } });
    });
    const response = await request(checked(wrong, checker)).get('/api/health');
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ success: true, data: { status: 'ok' } });
    const violations = takeViolations();
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatch(
      /^GET \/api\/health → 202 \(operation GET \/health\) breaks the OpenAPI contract:\n {2}- status 202 is not listed/,
    );
  });

  it('records the schema errors of a body sent in pieces', async () => {
    const wrong = express().get('/health', (_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.write('{"success": true, ');
      res.end('"data": {"status": "ok", "version": 1}}');
    });
    await request(checked(wrong, checker)).get('/health');
    const [violation] = takeViolations();
    expect(violation).toContain('- body/data/version must be string');
  });

  it('records nothing for right answers, and keeps the app’s own properties', async () => {
    const right = express().get('/api/health', (_req, res) => {
      res.json(health);
    });
    const app = checked(right, checker);
    expect(app.router).toBe(right.router);
    await request(app).get('/api/health').expect(200);
    await request(app).get('/api/nothing').expect(404);
    expect(takeViolations()).toEqual([
      expect.stringMatching(/^GET \/api\/nothing → 404 breaks the OpenAPI contract:\n {2}- body/),
    ]);
  });

  it('records a violation for a route the app serves but no operation declares', async () => {
    const legacy = express().get('/legacy/:id', (_req, res) => {
      res.json({ ok: true });
    });
    await request(checked(legacy, checker)).get('/legacy/7').expect(200);
    expect(takeViolations()).toEqual([
      'GET /legacy/7 → 200 breaks the OpenAPI contract:\n' +
        '  - no operation of the document declares GET /legacy/{id}\n' +
        '  body: {"ok":true}',
    ]);
  });
});

describe('expressRoutes', () => {
  it('walks nested routers, under string mounts and the /api-or-root regular expression', () => {
    const inner = Router().get('/a/:id', () => undefined);
    inner.post('/a', () => undefined);
    const api = Router()
      .use(inner)
      .use(
        '/p/',
        Router().delete('/b/:x/c', () => undefined),
      );
    api
      .route('/both')
      .get(() => undefined)
      .patch(() => undefined);
    const app = express().use(/^(?:\/api)?(?=\/|$)/, api);
    app.use(() => undefined);
    expect(expressRoutes(app)).toEqual([
      { method: 'get', path: '/a/{id}' },
      { method: 'post', path: '/a' },
      { method: 'delete', path: '/p/b/{x}/c' },
      { method: 'get', path: '/both' },
      { method: 'patch', path: '/both' },
    ]);
  });
});
