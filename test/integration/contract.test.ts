// The contract as code, end to end: the Express routes and the OpenAPI document's operations are
// the same set; every operation answers a status it lists; and the response check that wraps every
// integration test's app (test/helpers/setup-after-env.ts) catches a wrong answer of the real app.
import express from 'express';
import request from 'supertest';
import { createApp } from '../../functions/src/app';
import { describeEmulators } from '../helpers/emulators';
import {
  checked,
  defaultChecker,
  expressRoutes,
  routeName,
  takeViolations,
  type RouteKey,
} from '../helpers/spec';

const names = (routes: RouteKey[]) => [...new Set(routes.map(routeName))].sort();
const minus = (a: string[], b: string[]) => a.filter((name) => !b.includes(name));

/** Every method and path of the document, aliases included. */
function documentRoutes(): RouteKey[] {
  return Object.entries(defaultChecker().document.paths).flatMap(([path, operations]) =>
    Object.keys(operations).map((method) => ({ method, path })),
  );
}

describe('the route walk', () => {
  const app = createApp();
  const served = names(expressRoutes(app));
  const documented = names(documentRoutes());

  it('finds every operation of the document served by Express', () => {
    expect(documented.length).toBeGreaterThan(2);
    expect(minus(documented, served)).toEqual([]);
  });

  it('finds no Express route the document lacks', () => {
    expect(minus(served, documented)).toEqual([]);
  });
});

describe('the response check', () => {
  // The app as it is, without the check the setup puts around every createApp().
  const real = () =>
    jest.requireActual<typeof import('../../functions/src/app')>('../../functions/src/app');

  it('catches a field the operation does not declare, in an answer of the real app', async () => {
    const tampered = express();
    tampered.use((_req, res, next) => {
      const json = res.json.bind(res);
      res.json = (body: Record<string, unknown>) => json({ ...body, debug: true });
      next();
    });
    tampered.use(real().createApp());
    const response = await request(checked(tampered)).get('/api/health');
    expect(response.status).toBe(200);
    expect(takeViolations()).toEqual([
      expect.stringContaining(
        'GET /api/health → 200 (operation GET /health) breaks the OpenAPI contract:\n  - body must NOT have additional properties (debug)',
      ),
    ]);
  });

  it('catches a status the operation does not list', async () => {
    const tampered = express();
    tampered.use((_req, res, next) => {
      const status = res.status.bind(res);
      res.status = (code: number) => status(code === 404 ? 410 : code);
      next();
    });
    tampered.use(real().createApp());
    await request(checked(tampered)).get('/api/nothing-here').expect(410);
    expect(takeViolations()).toEqual([
      expect.stringContaining('- status 410 for a route no operation declares (want 404)'),
    ]);
  });

  it('is on every app the tests build', async () => {
    const app = createApp();
    expect(app).not.toBe(real().createApp());
    await request(app).get('/api/health').expect(200);
    expect(takeViolations()).toEqual([]);
  });
});

describeEmulators('every operation, called anonymously', () => {
  const app = createApp();
  const operations = documentRoutes();

  it.each(operations.map((route) => [routeName(route), route] as const))(
    '%s answers a status it lists',
    async (_name, { method, path }) => {
      const url = `/api${path.replace(/\{\w+\}/g, 'contract-probe')}`;
      const call = request(app)[method as 'get' | 'post' | 'patch' | 'put' | 'delete'](url);
      const response = ['get', 'delete'].includes(method) ? await call : await call.send({});
      const operation = defaultChecker().operationOf(method, path)?.operation;
      expect(Object.keys(operation?.responses ?? {})).toContain(String(response.status));
    },
  );
});
