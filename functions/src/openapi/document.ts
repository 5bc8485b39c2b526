// The OpenAPI 3.1 document, generated from the route declarations. Loaded only when
// `GET /api/openapi.json` is first asked for and by `npm run build` (tools/write-openapi.js), never
// on a cold start of the function.
import * as z from 'zod';
import {
  createDocument,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponseObject,
  type ZodOpenApiResponsesObject,
} from 'zod-openapi';
import { errorStatus, type ErrorCode } from '../errors';
import { takesIfMatch, type Route } from '../http/route';

const errorCodes = Object.keys(errorStatus) as [ErrorCode, ...ErrorCode[]];

/** Every error answer: `success` and `message` for Cannlytics clients, `error` for the detail. */
export const errorSchema = z
  .object({
    success: z.literal(false),
    message: z
      .string()
      .meta({ description: 'What went wrong, for people: same as error.message.' }),
    error: z.object({
      code: z.enum(errorCodes),
      message: z.string(),
      details: z
        .array(z.object({ path: z.string(), message: z.string() }))
        .optional()
        .meta({ description: 'One entry per invalid input field, as `licenses.0.state`.' }),
    }),
  })
  .meta({ id: 'Error' });

const header = (description: string, example?: string) => ({
  description,
  schema: { type: 'string' as const, ...(example ? { example } : {}) },
});

const HEADERS = {
  ETag: header('The resource version; send it back as `If-Match` to write safely.', '"7"'),
  Location: header('The URL of the created resource.', '/api/organizations/test-company'),
  Link: header(
    'The next page (GitHub style), present when there is one.',
    '</api/organizations?cursor=…>; rel="next"',
  ),
  'Idempotent-Replayed': header('"true" when this is the saved answer to an earlier request.'),
  'Retry-After': header('Seconds to wait before retrying.', '1'),
  // IETF draft-ietf-httpapi-ratelimit-headers-08, as express-rate-limit writes it (limits/rate.ts).
  RateLimit: header(
    'The rate limit that applies to this request (README "Limits"): its name, the requests remaining (`r`) and the seconds until its window resets (`t`). Sent by every limited route, on successes too.',
    '"reads"; r=599; t=60',
  ),
  'RateLimit-Policy': header(
    'The policy of that limit: its quota (`q`) per window of `w` seconds, and its partition key.',
    '"reads"; q=600; w=60; pk=:ZGQ5ZTkzNjk5YmYy:',
  ),
};

type HeaderName = keyof typeof HEADERS;

/** A response header, by reference to its one description in `components.headers`. */
const ref = (name: HeaderName) => ({ $ref: `#/components/headers/${name}` });

/** The rate-limit headers every response of every operation may carry. */
const RATE_HEADERS = { RateLimit: ref('RateLimit'), 'RateLimit-Policy': ref('RateLimit-Policy') };

const DESCRIPTIONS: Record<ErrorCode, string> = {
  'invalid-argument': 'a parameter, the query, a header or the body is invalid (see details)',
  unauthenticated: 'no credentials, or invalid or expired ones',
  'permission-denied': 'the caller lacks the rights, or the API key the scope',
  'not-found': 'the resource does not exist or is not visible to the caller',
  'already-exists': 'the id is taken',
  'failed-precondition': 'the resource is not in a state that allows it',
  'payload-too-large': 'the body is over 100 KB',
  'unsupported-media-type': 'the body is not UTF-8 JSON',
  'resource-exhausted':
    'a rate limit or a quota is reached (README "Limits"): the message names it and when it resets; retry after Retry-After',
  internal: 'an unexpected error (logged)',
  unavailable: 'the database is busy or unreachable: retry after Retry-After',
};

const WRITES = new Set(['post', 'put', 'patch', 'delete']);

/** The error codes a route can answer: its own and those of the layers every request goes through. */
export function errorCodesOf(route: Route): ErrorCode[] {
  const codes = new Set<ErrorCode>(['invalid-argument', 'payload-too-large', ...route.errors]);
  if (route.auth !== 'none') codes.add('unauthenticated');
  if (route.auth !== 'none' && WRITES.has(route.method)) codes.add('permission-denied');
  if (WRITES.has(route.method)) codes.add('unsupported-media-type');
  // An Idempotency-Key used with another request, or sent again while its first request runs.
  if (route.idempotent) codes.add('failed-precondition');
  // Every route is rate limited: per caller, per address without credentials, and per address
  // after too many failed authentications (limits/).
  codes.add('resource-exhausted');
  codes.add('internal');
  codes.add('unavailable');
  return [...codes];
}

/** The statuses a route can answer, each with the error codes behind it. */
export function errorStatusesOf(route: Route): Map<number, ErrorCode[]> {
  const statuses = new Map<number, ErrorCode[]>();
  const add = (status: number, code: ErrorCode) =>
    statuses.set(status, [...(statuses.get(status) ?? []), code]);
  for (const code of errorCodesOf(route)) add(errorStatus[code], code);
  if (takesIfMatch(route)) add(412, 'failed-precondition');
  return statuses;
}

function successSchema(route: Route): z.ZodType {
  if (route.raw) return route.data;
  return z.object({
    success: z.literal(true),
    data: route.data,
    ...(route.list
      ? { next_cursor: z.string().nullable().meta({ description: 'Null on the last page.' }) }
      : {}),
  });
}

function responsesOf(route: Route): ZodOpenApiResponsesObject {
  const responses: Record<string, ZodOpenApiResponseObject> = {};
  for (const status of route.statuses ?? [200]) {
    const headers: Record<string, ReturnType<typeof ref>> = { ...RATE_HEADERS };
    if (route.versioned) headers.ETag = ref('ETag');
    if (route.location && status === 201) headers.Location = ref('Location');
    if (route.list) headers.Link = ref('Link');
    if (route.idempotent) headers['Idempotent-Replayed'] = ref('Idempotent-Replayed');
    responses[String(status)] = {
      description: status === 201 ? 'Created.' : 'OK.',
      headers,
      content: { 'application/json': { schema: successSchema(route) } },
    };
  }
  if (route.method === 'get') {
    responses['304'] = {
      description: 'Not modified: `If-None-Match` names the current ETag. No body.',
      headers: { ...RATE_HEADERS },
    };
  }
  for (const [status, codes] of errorStatusesOf(route)) {
    const description =
      status === 412
        ? '`failed-precondition`: If-Match names another version (the ETag header has the current one)'
        : codes.map((code) => `\`${code}\`: ${DESCRIPTIONS[code]}`).join('; ');
    responses[String(status)] = {
      description,
      headers: {
        ...RATE_HEADERS,
        ...(status === 503 || status === 409 || status === 429
          ? { 'Retry-After': ref('Retry-After') }
          : {}),
        ...(status === 412 ? { ETag: ref('ETag') } : {}),
      },
      content: { 'application/json': { schema: errorSchema } },
    };
  }
  return responses;
}

const SIGNED_IN: Record<string, string[]>[] = [{ idToken: [] }, { apiKey: [] }, { session: [] }];

function headerParams(route: Route): z.ZodObject | undefined {
  const shape: Record<string, z.ZodType> = {};
  if (takesIfMatch(route)) {
    shape['If-Match'] = z.string().optional().meta({
      description: 'Write only if the resource is still at this version (its ETag): else 412.',
      example: '"7"',
    });
  }
  if (route.idempotent) {
    shape['Idempotency-Key'] = z.string().min(1).max(255).optional().meta({
      description:
        'Any unique string (1 to 255 visible ASCII): a retry with the same key and body gets the first answer again, and the write happens once.',
    });
  }
  return Object.keys(shape).length ? z.object(shape) : undefined;
}

function operationOf(route: Route, alias?: string): ZodOpenApiOperationObject {
  const scope = route.method === 'get' ? 'read' : 'write';
  const notes = [
    route.description,
    route.auth === 'none' ? undefined : `API keys need the \`${scope}\` scope.`,
    alias ? `Cannlytics alias of \`${route.method.toUpperCase()} ${route.path}\`.` : undefined,
  ].filter(Boolean);
  return {
    operationId: alias
      ? `${route.operationId}Alias${alias.replace(/\W+(\w)/g, (_, c: string) => c.toUpperCase())}`
      : route.operationId,
    tags: [route.tag],
    summary: route.summary,
    ...(notes.length ? { description: notes.join('\n\n') } : {}),
    security:
      route.auth === 'none' ? [] : route.auth === 'optional' ? [...SIGNED_IN, {}] : SIGNED_IN,
    requestParams: {
      ...(route.params ? { path: route.params as z.ZodObject } : {}),
      ...(route.query ? { query: route.query as z.ZodObject } : {}),
      ...(headerParams(route) ? { header: headerParams(route) } : {}),
    },
    ...(route.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: route.body } } } }
      : {}),
    responses: responsesOf(route),
  };
}

/** The OpenAPI 3.1 document of a list of route declarations. */
export function openApiDocument(routes: Route[], version: string) {
  const paths: ZodOpenApiPathsObject = {};
  for (const route of routes) {
    for (const path of [route.path, ...(route.aliases ?? [])]) {
      paths[path] = {
        ...paths[path],
        [route.method]: operationOf(route, path === route.path ? undefined : path),
      };
    }
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Organizations API',
      version,
      description:
        'Organizations, teams, invitations, API keys and secrets: a Cannlytics-compatible organization-management API on Firebase. Every JSON answer has `success`; data comes in `data`, errors in `error` with a top-level `message`.',
    },
    servers: [{ url: '/api' }],
    components: {
      headers: HEADERS,
      securitySchemes: {
        idToken: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'A Firebase ID token of the signed-in user.',
        },
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API key from `POST /auth/keys` (`read` or `read`+`write` scope).',
        },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: '__session',
          description:
            'The session cookie set by `POST /auth/login`; writes must come from an allowed Origin.',
        },
      },
    },
    paths,
  });
}
