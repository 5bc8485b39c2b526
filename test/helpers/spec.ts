// The contract check of every integration-test response: each answer of the in-process app is
// matched to its operation in the OpenAPI document generated from the route declarations (never
// the committed openapi.json, which could be stale), and its status, API headers and JSON body
// are validated against it. test/helpers/setup-after-env.ts wraps every `createApp()` of the
// integration tests with `checked` and fails the test whose requests broke the contract.
import type { IncomingMessage, ServerResponse } from 'node:http';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { openApiDocument } from '../../functions/src/openapi/document';
import { apiRoutes, type Services } from '../../functions/src/routes';

type HttpMethod = 'get' | 'put' | 'post' | 'delete' | 'options' | 'head' | 'patch' | 'trace';

interface ResponseObject {
  description: string;
  headers?: Record<string, unknown>;
  content?: Record<string, { schema?: unknown }>;
}

export interface OperationObject {
  operationId: string;
  responses: Record<string, ResponseObject>;
}

/** What the checker reads of an OpenAPI 3.1 document. */
export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Partial<Record<HttpMethod, OperationObject>>>;
  components?: { schemas?: Record<string, unknown> };
}

// Any property of it, called or not, is itself; never a thenable.
const STAND_IN: unknown = new Proxy(() => STAND_IN, {
  get: (_target, key) => (key === 'then' ? undefined : STAND_IN),
});

/** The document generated from the declarations in functions/src, as the build writes it. */
export function generatedDocument(): OpenApiDocument {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { version } = require('../../functions/package.json') as { version: string };
  // The handlers are never called: the declarations need no services to be described. A
  // declaration that picks a service's method up front (`forOrg(service.get)`) gets a stand-in.
  const document = openApiDocument(apiRoutes(STAND_IN as Services, version), version);
  return JSON.parse(JSON.stringify(document)) as OpenApiDocument;
}

/** One request and its response as it went on the wire. */
export interface Exchange {
  method: string;
  /** The URL as the app received it: `/api/organizations?limit=2`. */
  url: string;
  status: number;
  /** Lower-case names, as `res.getHeaders()` has them. */
  headers: Record<string, string | string[] | number | undefined>;
  /** The body's text; empty when none was sent. */
  body: string;
}

/** A method and a path in OpenAPI form (`/organizations/{org_id}`), without `/api`. */
export interface RouteKey {
  method: string;
  path: string;
}

export const routeName = ({ method, path }: RouteKey) => `${method.toUpperCase()} ${path}`;

/** A path template's matcher: each `{param}` one non-empty segment, as Express matches `:param`. */
function templateRegExp(template: string): RegExp {
  const source = template
    .split(/\{\w+\}/)
    .map((literal) => literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]+');
  // Express routing is case-insensitive and takes one trailing slash.
  return new RegExp(`^${source}/?$`, 'i');
}

/** Finds the template a path belongs to among several; literal segments win over parameters. */
export function templateMatcher(templates: Iterable<string>): (path: string) => string[] {
  const compiled = [...new Set(templates)]
    .map((template) => ({
      template,
      regExp: templateRegExp(template),
      literals: template.split('/').filter((segment) => segment && !segment.startsWith('{')).length,
    }))
    .sort((a, b) => b.literals - a.literals);
  return (path) =>
    compiled.filter(({ regExp }) => regExp.test(path)).map(({ template }) => template);
}

/** The API path of a URL: no query, no `/api` prefix (the app serves both forms). */
export function apiPath(url: string): string {
  const pathname = new URL(url, 'http://localhost').pathname;
  const path = /^\/api(?=\/|$)/i.test(pathname) ? pathname.slice(4) : pathname;
  return path === '' ? '/' : path;
}

// The headers the API sets itself, each of which an operation must document where it sends it.
// Express's own weak `ETag` (a body hash, on every answer) is not the API's: only `"<version>"`.
const API_HEADERS = [
  'etag',
  'location',
  'link',
  'idempotent-replayed',
  'retry-after',
  'ratelimit',
  'ratelimit-policy',
];

export interface Verdict {
  /** `GET /organizations/{org_id}`: the operation that answered, if the document has one. */
  operation?: string;
  /** What broke the contract; empty when the response conforms. */
  problems: string[];
}

export interface CheckOptions {
  /** The route template Express serves a method and path with, if any (old routers too). */
  served?: (method: string, path: string) => string | undefined;
}

const escapePointer = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

function ajvProblems(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((error) => {
    const extra =
      'additionalProperty' in error.params
        ? ` (${String(error.params.additionalProperty)})`
        : 'allowedValues' in error.params
          ? ` (${JSON.stringify(error.params.allowedValues)})`
          : '';
    return `body${error.instancePath} ${error.message ?? error.keyword}${extra}`;
  });
}

/** A response checker for one document: compiles each response schema once, on first use. */
export function contractChecker(document: OpenApiDocument) {
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateSchema: false });
  addFormats(ajv);
  const id = 'openapi.json';
  ajv.addSchema(document, id);
  const validators = new Map<string, ValidateFunction>();
  const validator = (pointer: string) => {
    let validate = validators.get(pointer);
    if (!validate) {
      validate = ajv.compile({ $ref: `${id}#${pointer}` });
      validators.set(pointer, validate);
    }
    return validate;
  };
  const operationsAt = templateMatcher(Object.keys(document.paths));
  const ERROR = '/components/schemas/Error';

  function bodyProblems(exchange: Exchange, pointer: string): string[] {
    let body: unknown;
    try {
      body = JSON.parse(exchange.body);
    } catch {
      return [`body is not JSON: ${JSON.stringify(exchange.body.slice(0, 80))}`];
    }
    const validate = validator(pointer);
    return validate(body) ? [] : ajvProblems(validate.errors);
  }

  /** The operation a method and API path go to, if any (HEAD goes to GET, as in Express). */
  function operationOf(method: string, path: string) {
    const verb = method.toLowerCase() === 'head' ? 'get' : method.toLowerCase();
    for (const template of operationsAt(path)) {
      const operation = document.paths[template][verb as HttpMethod];
      if (operation) return { template, operation };
    }
    return undefined;
  }

  return {
    document,
    operationOf,

    /** Checks one exchange against the document. */
    check(exchange: Exchange, options: CheckOptions = {}): Verdict {
      const method = exchange.method.toLowerCase();
      // A CORS preflight is answered by the CORS layer for any path: no operation of its own.
      if (method === 'options') return { problems: [] };
      const path = apiPath(exchange.url);
      const found = operationOf(method, path);
      const hasBody = method !== 'head' && exchange.status !== 304 && exchange.body !== '';
      if (!found) {
        const route = options.served?.(method, path);
        if (route !== undefined) {
          const undeclared = routeName({ method, path: route });
          return { problems: [`no operation of the document declares ${undeclared}`] };
        }
        // No route at all: the app's JSON 404.
        const problems: string[] = [];
        if (exchange.status !== 404) {
          problems.push(`status ${exchange.status} for a route no operation declares (want 404)`);
        }
        if (hasBody) problems.push(...bodyProblems(exchange, ERROR));
        else problems.push('no body (want an Error)');
        return { problems };
      }
      const { template, operation } = found;
      const name = routeName({ method: method === 'head' ? 'get' : method, path: template });
      const response = operation.responses[String(exchange.status)];
      if (!response) {
        const listed = Object.keys(operation.responses).join(', ');
        return {
          operation: name,
          problems: [`status ${exchange.status} is not listed (the operation lists ${listed})`],
        };
      }
      const problems: string[] = [];
      const documented = new Set(Object.keys(response.headers ?? {}).map((h) => h.toLowerCase()));
      for (const header of API_HEADERS) {
        const value = exchange.headers[header];
        if (value === undefined) continue;
        if (header === 'etag' && String(value).startsWith('W/')) continue;
        if (!documented.has(header)) {
          problems.push(
            `header ${header}: ${String(value)} is not documented for ${exchange.status}`,
          );
        }
      }
      const pointer = [
        'paths',
        template,
        method === 'head' ? 'get' : method,
        'responses',
        String(exchange.status),
        'content',
        'application/json',
        'schema',
      ]
        .map(escapePointer)
        .join('/');
      if (!hasBody) {
        if (response.content && method !== 'head' && exchange.status !== 304) {
          problems.push('no body (the operation documents one)');
        }
      } else if (!response.content?.['application/json']) {
        problems.push('a body the operation does not document');
      } else {
        const type = String(exchange.headers['content-type'] ?? '');
        if (!type.startsWith('application/json')) problems.push(`content-type ${type}, not JSON`);
        problems.push(...bodyProblems(exchange, `/${pointer}`));
        if (exchange.status >= 400) {
          const schema = response.content['application/json'].schema as { $ref?: string };
          if (schema?.$ref !== `#${ERROR}`) problems.push(...bodyProblems(exchange, ERROR));
        }
      }
      return { operation: name, problems };
    },
  };
}

export type ContractChecker = ReturnType<typeof contractChecker>;

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  rawPath?: unknown;
}

const expressToTemplate = (path: string) => path.replace(/:(\w+)/g, '{$1}');

/**
 * Every method and path an Express app routes, in OpenAPI form. Walks the router stack (Express 5:
 * `app.router.stack`, nested routers' `handle.stack`). A router mounted at a string path adds it;
 * one mounted at a regular expression adds nothing (the app's `/api`-or-root mount).
 */
export function expressRoutes(app: unknown): RouteKey[] {
  const out: RouteKey[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = ([] as string[]).concat(layer.route.path);
        for (const path of paths) {
          for (const [method, on] of Object.entries(layer.route.methods)) {
            if (on && method !== '_all') {
              out.push({ method, path: expressToTemplate(`${prefix}${path}`) });
            }
          }
        }
      } else if (layer.handle?.stack) {
        const mount = typeof layer.rawPath === 'string' ? layer.rawPath.replace(/\/$/, '') : '';
        walk(layer.handle.stack, `${prefix}${mount}`);
      }
    }
  };
  walk((app as { router?: { stack?: Layer[] } }).router?.stack ?? [], '');
  return out;
}

/** The route an app serves a method and path with, by its router stack (computed once). */
export function servedBy(app: unknown): (method: string, path: string) => string | undefined {
  const routes = expressRoutes(app);
  const matchers = new Map<string, (path: string) => string[]>();
  for (const method of new Set(routes.map((route) => route.method))) {
    const paths = routes.filter((route) => route.method === method).map((route) => route.path);
    matchers.set(method, templateMatcher(paths));
  }
  return (method, path) => {
    const verb = method === 'head' ? 'get' : method;
    return matchers.get(verb)?.(path)[0];
  };
}

// Kept on globalThis, not in this module: a test file that resets its modules (jest.resetModules)
// gets another copy of this module, but its responses must reach the same afterEach.
interface Record_ {
  violations: string[];
}
const RECORD = Symbol.for('organizations-api.contract');
function record(): Record_ {
  const global = globalThis as { [RECORD]?: Record_ };
  global[RECORD] ??= { violations: [] };
  return global[RECORD];
}

/** The violations recorded since the last call, which clears them. */
export function takeViolations(): string[] {
  return record().violations.splice(0);
}

let shared: ContractChecker | undefined;
/** The checker of the generated document, built on first use and shared by every app. */
export function defaultChecker(): ContractChecker {
  shared ??= contractChecker(generatedDocument());
  return shared;
}

/** What `checked` records for one exchange; exported for the checker's own tests. */
export function verdictMessage(exchange: Exchange, verdict: Verdict): string {
  const operation = verdict.operation ? ` (operation ${verdict.operation})` : '';
  return [
    `${exchange.method} ${exchange.url} → ${exchange.status}${operation} breaks the OpenAPI contract:`,
    ...verdict.problems.map((problem) => `  - ${problem}`),
    `  body: ${exchange.body.slice(0, 500)}`,
  ].join('\n');
}

type Listener = (req: IncomingMessage, res: ServerResponse) => unknown;
type Chunk = string | Buffer | Uint8Array;

const asBuffer = (chunk: unknown, encoding: unknown): Buffer | undefined => {
  if (typeof chunk === 'string') {
    return Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  }
  if (chunk instanceof Uint8Array) return Buffer.from(chunk);
  return undefined;
};

/**
 * The app, answering as before, with each response checked against the document as it ends.
 * The wrapper inherits from the app (`listen`, `router`, settings work on it); a response that
 * breaks the contract is recorded for `takeViolations`, never changed.
 */
export function checked<A extends Listener>(app: A, checker?: ContractChecker): A {
  let served: ((method: string, path: string) => string | undefined) | undefined;
  const wrapper = function checkedApp(req: IncomingMessage, res: ServerResponse) {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const chunks: Buffer[] = [];
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.write = ((chunk: Chunk, ...rest: unknown[]) => {
      const buffer = asBuffer(chunk, rest[0]);
      if (buffer) chunks.push(buffer);
      return write(chunk, ...rest);
    }) as ServerResponse['write'];
    res.end = ((...args: unknown[]) => {
      const buffer = typeof args[0] === 'function' ? undefined : asBuffer(args[0], args[1]);
      if (buffer) chunks.push(buffer);
      const exchange: Exchange = {
        method,
        url,
        status: res.statusCode,
        headers: res.getHeaders(),
        body: Buffer.concat(chunks).toString('utf8'),
      };
      const state = record();
      try {
        served ??= servedBy(app);
        const verdict = (checker ?? defaultChecker()).check(exchange, { served });
        if (verdict.problems.length) state.violations.push(verdictMessage(exchange, verdict));
      } catch (error) {
        state.violations.push(
          `${method} ${url} → ${exchange.status}: the contract check failed: ${String(error)}`,
        );
      }
      return end(...args);
    }) as ServerResponse['end'];
    return app(req, res);
  };
  Object.setPrototypeOf(wrapper, app);
  return wrapper as unknown as A;
}
