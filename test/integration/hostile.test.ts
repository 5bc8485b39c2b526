// A hostile input corpus for every route, generated from the declared schemas (the OpenAPI
// document the route declarations produce): for each operation a valid request, then its path
// parameters, query parameters and body fields each replaced by hostile values (wrong types,
// nulls, huge numbers, 10 kB strings, unicode edge cases, prototype keys, duplicated query keys,
// arrays where scalars are expected), and whole hostile bodies. Never a 5xx; every error in the
// error shape; every answer within the contract (checked by setup-after-env.ts).
import './model/limits';
import request from 'supertest';
import { app, bearer } from '../helpers/api';
import { createUser, describeEmulators, type TestUser } from '../helpers/emulators';

interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  enum?: unknown[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  format?: string;
  default?: unknown;
}
interface Operation {
  operationId?: string;
  parameters?: { in: string; name: string; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const document = require('../../openapi.json') as {
  paths: Record<string, Record<string, Operation>>;
};

/** Values no field should ever make a 5xx of. */
const HOSTILE: unknown[] = [
  null,
  true,
  0,
  -1,
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER + 2,
  1.5,
  '',
  ' ',
  'x'.repeat(10_240),
  '\u0000',
  '\uD800',
  '\u202Eevil',
  '\u2028line',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🧪',
  'ǅ\u0130ß',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  '__proto__',
  'constructor',
  [],
  ['a', 'b'],
  [null],
  {},
  { __proto__: { admin: true } },
  { constructor: { prototype: { admin: true } } },
  { $gt: '' },
];

/** Hostile raw bodies: not objects, prototype keys, duplicate keys, deep nesting. */
const RAW_BODIES = [
  '[]',
  '"text"',
  'null',
  '12',
  '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"admin":true}}}',
  '{"name":"a","name":"b"}',
  '{'.repeat(2_000) + '}'.repeat(2_000),
  '{"a":',
];

/** Hostile path segments. */
const SEGMENTS = [
  '__proto__',
  'constructor',
  'x'.repeat(10_240),
  '%00',
  '%E2%80%AE',
  '%F0%9F%A7%AA',
  '..%2F..',
  'a%2Fb',
  'UPPER',
  '%uD800',
];

/** Hostile query values (raw, as sent). */
const QUERY_VALUES = ['', 'null', '-1', '1e309', '%00', 'x'.repeat(10_240), '%E2%80%AE', 'true'];

/** A value that fits a schema (the first enum value, the default, or a plain one of its type). */
function sample(schema: Schema | undefined, name = ''): unknown {
  if (!schema) return 'x';
  if (schema.enum?.length) return schema.enum[0];
  if (schema.default !== undefined) return schema.default;
  const branch = schema.anyOf?.[0] ?? schema.oneOf?.[0];
  if (branch) return sample(branch, name);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object':
      return Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([key, value]) => [key, sample(value, key)]),
      );
    case 'array':
      return [];
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    default:
      if (schema.format === 'email' || name === 'email') return 'hostile@example.com';
      if (schema.format === 'uri' || name.endsWith('url')) return 'https://example.com/hook';
      return 'hostile-value';
  }
}

describeEmulators('hostile input corpus', () => {
  let user: TestUser;
  let orgId: string;
  let sent = 0;

  beforeAll(async () => {
    user = await createUser({ name: 'Hal Hostile' });
    const created = await request(app)
      .post('/api/organizations')
      .set(bearer(user.idToken))
      .send({ name: 'Hostile Lab', organization_id: `hostile-${Date.now().toString(36)}` });
    expect(created.status).toBe(201);
    orgId = created.body.data.organization_id;
  });

  afterAll(() => {
    process.stdout.write(`hostile corpus: ${sent} requests, none a 5xx\n`);
  });

  /** Sends one request; checks no 5xx and, for an error, the error shape. */
  async function probe(method: string, path: string, body?: string, label = '') {
    let test = request(app)[method as 'get'](`/api${path}`).set(bearer(user.idToken));
    if (body !== undefined) test = test.set('Content-Type', 'application/json').send(body);
    const response = await test;
    sent += 1;
    const where = `${method.toUpperCase()} ${path.slice(0, 120)} ${label} ${String(body).slice(0, 80)}`;
    if (response.status >= 500) throw new Error(`${where}: ${response.status} ${response.text}`);
    if (response.status >= 400) {
      const shape = response.body as {
        success?: unknown;
        message?: unknown;
        error?: { code?: unknown; message?: unknown };
      };
      const ok =
        shape.success === false &&
        typeof shape.message === 'string' &&
        typeof shape.error?.code === 'string' &&
        shape.error.message === shape.message;
      if (!ok)
        throw new Error(`${where}: not the error shape: ${response.status} ${response.text}`);
    }
  }

  // The ones that end the organization or the caller's place in it go last.
  const last = (o: { path: string; method: string }) =>
    (o.path === '/organizations/{org_id}' && o.method === 'delete') ||
    o.path.endsWith('/leave') ||
    o.path.endsWith('/transfer');
  const operations = Object.entries(document.paths)
    .flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([, operation]) => operation.operationId)
        .map(([method, operation]) => ({ path, method, operation })),
    )
    .sort((a, b) => Number(last(a)) - Number(last(b)));

  test.each(operations.map((o) => [`${o.method.toUpperCase()} ${o.path}`, o] as const))(
    '%s: never a 5xx, always the error shape',
    async (_name, { path, method, operation }) => {
      // Logout revokes every sign-in of its user: the corpus sends it without a session.
      const params = operation.parameters ?? [];
      const pathParams = params.filter((p) => p.in === 'path').map((p) => p.name);
      const valid: Record<string, string> = {
        org_id: orgId,
        uid: user.uid,
        name: 'metrc',
        invitation_id: 'AAAAAAAAAAAAAAAAAAAAAAAA',
        key_id: 'AAAAAAAAAAAA',
        id: 'AAAAAAAAAAAA',
        delivery_id: 'AAAAAAAAAAAA',
      };
      const fill = (override: Record<string, string> = {}) =>
        path.replace(/\{(\w+)\}/g, (_, key: string) => override[key] ?? valid[key] ?? 'x');
      const schema = operation.requestBody?.content?.['application/json']?.schema;
      const base = schema ? (sample(schema) as Record<string, unknown>) : undefined;
      const baseBody = base === undefined ? undefined : JSON.stringify(base);
      // A valid request first, then each part made hostile.
      await probe(method, fill(), baseBody, 'valid');
      for (const param of pathParams) {
        for (const segment of SEGMENTS) {
          await probe(method, fill({ [param]: segment }), baseBody, `path ${param}`);
        }
      }
      for (const param of params.filter((p) => p.in === 'query')) {
        const name = param.name;
        for (const value of QUERY_VALUES) {
          await probe(method, `${fill()}?${name}=${value}`, baseBody, `query ${name}`);
        }
        await probe(method, `${fill()}?${name}=1&${name}=2`, baseBody, `query ${name} twice`);
        await probe(method, `${fill()}?${name}[]=1`, baseBody, `query ${name}[]`);
        await probe(
          method,
          `${fill()}?${name}[__proto__][admin]=1`,
          baseBody,
          `query ${name} proto`,
        );
      }
      await probe(method, `${fill()}?__proto__[admin]=true&constructor[prototype][x]=1`, baseBody);
      if (!base || typeof base !== 'object' || method === 'get') return;
      for (const field of Object.keys(schema?.properties ?? {})) {
        for (const value of HOSTILE) {
          await probe(method, fill(), JSON.stringify({ ...base, [field]: value }), `body ${field}`);
        }
      }
      for (const raw of RAW_BODIES) await probe(method, fill(), raw, 'raw body');
    },
    120_000,
  );
});
