import type { Request, Response } from 'express';
import * as z from 'zod';
import type { Caller } from '../auth/caller';
import type { ErrorCode } from '../errors';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * Who may call a route: `none` reads no credentials at all (health, the document, sign-in);
 * `optional` serves anonymous callers too (public organizations); `required` needs a caller.
 * API keys need the `write` scope for every method but GET.
 */
export type Auth = 'none' | 'optional' | 'required';

/** The headers a success can carry, each documented on the operations that set it. */
export type SuccessHeader = 'ETag' | 'Location' | 'Link' | 'Idempotent-Replayed';

/** What a route's handler answers; the HTTP layer turns it into status, headers and envelope. */
export interface Outcome<D> {
  data: D;
  /** 201 for a resource that did not exist before; 200 otherwise. */
  created?: boolean;
  /** The resource's version, sent as the `ETag` `"<version>"`. */
  version?: number;
  /** The URL of a created resource (a `GET` of it exists), sent as `Location`. */
  location?: string;
  /** On lists: the opaque cursor of the next page, or null on the last page. */
  nextCursor?: string | null;
}

type Parsed<S> = S extends z.ZodType ? z.output<S> : Record<string, never>;

/** A route's validated inputs and its caller: never the raw request. */
export interface Context<P, Q, B, A extends Auth> {
  params: Parsed<P>;
  query: Parsed<Q>;
  body: Parsed<B>;
  caller: A extends 'required' ? Caller : Caller | null;
  /** The `If-Match` entity tags, weak prefix stripped (`*` as is); undefined without the header. */
  ifMatch: string[] | undefined;
  /** For the few routes that set cookies or read them (sign-in, sign-out). */
  req: Request;
  res: Response;
}

/** One operation of the contract, declared once: Express routing and OpenAPI both come from it. */
export interface RouteSpec<
  P extends z.ZodType | undefined = z.ZodType | undefined,
  Q extends z.ZodType | undefined = z.ZodType | undefined,
  B extends z.ZodType | undefined = z.ZodType | undefined,
  D extends z.ZodType = z.ZodType,
  A extends Auth = Auth,
> {
  operationId: string;
  method: Method;
  /** The path in OpenAPI form, without `/api`: `/organizations/{org_id}`. */
  path: string;
  /** The same operation under other paths: the Cannlytics spellings (`/auth/create-key`). */
  aliases?: string[];
  tag: string;
  summary: string;
  description?: string;
  auth: A;
  params?: P;
  query?: Q;
  body?: B;
  /** The response's `data`, a named schema. */
  data: D;
  /** 200 (default), 201, or both for an upsert. */
  statuses?: (200 | 201)[];
  /** Sends `ETag` and takes `If-Match` (412 when it names another version). */
  versioned?: boolean;
  /** Sends `Location` on a 201. */
  location?: boolean;
  /** A page of a list: `limit`/`cursor` in, `next_cursor` and `Link` out. */
  list?: boolean;
  /** A POST that takes an `Idempotency-Key` and replays the first answer to a retry. */
  idempotent?: boolean;
  /** The error codes the operation can answer beyond those every route can (400, 401, 5xx). */
  errors: ErrorCode[];
  /** The answer is the data itself, without the envelope (the OpenAPI document). */
  raw?: boolean;
  handler: (context: Context<P, Q, B, A>) => Outcome<z.input<D>> | Promise<Outcome<z.input<D>>>;
}

/** A declaration with its types erased, as the router and the document generator see it. */
export type Route = RouteSpec<
  z.ZodType | undefined,
  z.ZodType | undefined,
  z.ZodType | undefined,
  z.ZodType,
  Auth
>;

/** Declares a route, inferring its handler's types from its schemas. */
export function route<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  D extends z.ZodType = z.ZodType,
  A extends Auth = Auth,
>(spec: RouteSpec<P, Q, B, D, A>): Route {
  return spec;
}

/** Whether a route takes `If-Match`: a write to a versioned resource. */
export function takesIfMatch(route: Route): boolean {
  return route.versioned === true && route.method !== 'get';
}

/** The Express form of an OpenAPI path: `{org_id}` becomes `:org_id`. */
export function expressPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}
