import { Router, type Request, type RequestHandler, type Response } from 'express';
import * as z from 'zod';
import { ApiError } from '../errors';
import { requireCaller } from '../auth/guards';
import { parseIfMatch } from './conditional';
import { expressPath, takesIfMatch, type Outcome, type Route } from './route';

/** A response as it goes on the wire (and as an idempotency record keeps it). */
export interface HttpReply {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** What identifies a keyed request: who sent it, the key, and the request it was first used for. */
export interface IdempotentRequest {
  uid: string;
  /** The caller and the credential they used: the scope of their keys. */
  principal: string;
  key: string;
  /** Method, path and body: a retry must send the same. */
  request: string;
}

/** Replays the first answer to a request retried with the same `Idempotency-Key`. */
export interface IdempotencyGuard {
  run(request: IdempotentRequest, produce: () => Promise<HttpReply>): Promise<HttpReply>;
}

// A route without a schema for a part takes none: a body it did not ask for is refused field by
// field; unknown query parameters are ignored, as most HTTP APIs do.
const noParams = z.object({});
const noBody = z.strictObject({});

const idempotencyKeySchema = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/, 'Idempotency-Key must be 1 to 255 visible ASCII characters.');

function idempotencyKey(req: Request): string | undefined {
  const key = req.get('Idempotency-Key');
  if (key === undefined) return undefined;
  const parsed = idempotencyKeySchema.safeParse(key);
  if (!parsed.success) {
    throw new ApiError('invalid-argument', parsed.error.issues[0].message, {
      details: [{ path: 'Idempotency-Key', message: 'Not a valid idempotency key.' }],
    });
  }
  return parsed.data;
}

/** The URL of the next page: this request's URL with the next cursor in place of its own. */
function nextLink(req: Request, cursor: string): string {
  const url = new URL(req.originalUrl, 'http://x');
  url.searchParams.set('cursor', cursor);
  return `<${url.pathname}${url.search}>; rel="next"`;
}

/** The reply of an outcome: the contract's envelope, status and headers. */
function replyOf(route: Route, outcome: Outcome<unknown>, req: Request): HttpReply {
  const headers: Record<string, string> = {};
  if (outcome.version !== undefined) headers.ETag = `"${outcome.version}"`;
  if (outcome.location !== undefined && outcome.created) headers.Location = outcome.location;
  if (route.raw) return { status: 200, headers, body: outcome.data };
  const body: Record<string, unknown> = { success: true, data: outcome.data };
  if (route.list) {
    body.next_cursor = outcome.nextCursor ?? null;
    if (outcome.nextCursor) headers.Link = nextLink(req, outcome.nextCursor);
  }
  return { status: outcome.created ? 201 : 200, headers, body };
}

/**
 * Sends a reply. Answers about organizations, keys and members are for their caller only: no
 * cache may keep them (`no-store`), unless the route says otherwise (the public document).
 */
function send(res: Response, reply: HttpReply): void {
  // Already answered: the request ran past its deadline (http/deadline.ts) and got a 503.
  if (res.headersSent) return;
  if (!res.get('Cache-Control')) res.set('Cache-Control', 'no-store');
  res.set(reply.headers).status(reply.status).json(reply.body);
}

function handlerOf(route: Route, idempotency: IdempotencyGuard): RequestHandler {
  return async (req, res) => {
    const caller = route.auth === 'required' ? requireCaller(req) : (req.caller ?? null);
    const context = {
      params: (route.params ?? noParams).parse(req.params),
      query: (route.query ?? noParams).parse(req.query),
      body: (route.body ?? noBody).parse(req.body ?? {}),
      caller,
      ifMatch: takesIfMatch(route) ? parseIfMatch(req.get('If-Match')) : undefined,
      req,
      res,
    } as Parameters<Route['handler']>[0];
    const produce = async () => replyOf(route, await route.handler(context), req);
    const key = route.idempotent && caller ? idempotencyKey(req) : undefined;
    if (!key || !caller) {
      send(res, await produce());
      return;
    }
    const request = [req.method, req.path, context.query, context.body].map((part) =>
      JSON.stringify(part),
    );
    const principal = [caller.uid, caller.credential, caller.key_id ?? ''].join('\n');
    send(
      res,
      await idempotency.run(
        { uid: caller.uid, principal, key, request: request.join('\n') },
        produce,
      ),
    );
  };
}

/**
 * The Express router of a list of declarations: the routes that read no credentials first, then
 * `authenticate` once and the caller's rate limits, then the rest, each under its path and its aliases.
 */
export function routerOf(
  routes: Route[],
  {
    authenticate,
    idempotency,
    limits = [],
  }: {
    authenticate: RequestHandler;
    idempotency: IdempotencyGuard;
    /** The per-caller rate limits, which run once `authenticate` knows the caller. */
    limits?: RequestHandler[];
  },
): Router {
  const router = Router();
  const mount = (route: Route) => {
    const handler = handlerOf(route, idempotency);
    for (const path of [route.path, ...(route.aliases ?? [])]) {
      router[route.method](expressPath(path), handler);
    }
  };
  routes.filter((route) => route.auth === 'none').forEach(mount);
  router.use(authenticate, ...limits);
  routes.filter((route) => route.auth !== 'none').forEach(mount);
  return router;
}
