import type { Request, RequestHandler, Response } from 'express';
import * as z from 'zod';

/** The zod schemas of one route's inputs; any part left out is passed on as `{}`. */
export interface Schemas {
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
}

type Parsed<S, K extends keyof Schemas> =
  S extends Record<K, z.ZodType> ? z.output<S[K]> : Record<string, never>;

/** A route's validated inputs: what its schemas produced, never the raw request. */
export interface Input<S extends Schemas> {
  params: Parsed<S, 'params'>;
  query: Parsed<S, 'query'>;
  body: Parsed<S, 'body'>;
}

/** What a handler answers: `data` in the `{"data": ...}` envelope, or nothing for a 204. */
export interface Reply {
  status?: number;
  data?: unknown;
  /** Present on lists: the opaque cursor of the next page, or null on the last page. */
  nextCursor?: string | null;
  headers?: Record<string, string>;
}

// A route without a schema for a part takes none: a body it did not ask for is refused field by
// field; unknown query parameters are ignored, as most HTTP APIs do.
const noParams = z.object({});
const noBody = z.strictObject({});

/**
 * Wraps a route: validates params, query and body once with the route's schemas (a `ZodError`
 * reaches the error middleware as a 400 naming each field), runs the handler, sends its reply.
 */
export function handle<S extends Schemas>(
  schemas: S,
  handler: (input: Input<S>, req: Request, res: Response) => Reply | Promise<Reply>,
): RequestHandler {
  return async (req, res) => {
    const input = {
      params: (schemas.params ?? noParams).parse(req.params),
      query: (schemas.query ?? noParams).parse(req.query),
      body: (schemas.body ?? noBody).parse(req.body ?? {}),
    } as Input<S>;
    const reply = await handler(input, req, res);
    send(res, reply);
  };
}

/** Sends a reply in the contract's envelope. */
export function send(res: Response, reply: Reply): void {
  if (reply.headers) res.set(reply.headers);
  const status = reply.status ?? 200;
  if (status === 204) {
    res.status(204).end();
    return;
  }
  const body: Record<string, unknown> = { success: true, data: reply.data ?? null };
  if (reply.nextCursor !== undefined) body.next_cursor = reply.nextCursor;
  res.status(status).json(body);
}
