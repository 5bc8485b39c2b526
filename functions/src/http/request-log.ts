import { randomBytes } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import * as logger from 'firebase-functions/logger';

// One structured log line per request (Cloud Logging's jsonPayload): who asked for which operation
// of which organization, the answer's status and how long it took, and the request id that ties
// it to the platform's request log and to any error logged on the way. Never a body, a header
// value, a query string or a credential: the caller appears as uid and key id only.

/** `X-Cloud-Trace-Context: TRACE_ID/SPAN_ID;o=1` (Google's front end sets it on every request). */
const CLOUD_TRACE = /^([0-9a-fA-F]{32})\/\d+(?:;o=[0-3])?$/;
/** W3C `traceparent: 00-TRACE_ID-SPAN_ID-FLAGS`. */
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

const REQUEST_ID = Symbol('requestId');
type Tagged = Request & { [REQUEST_ID]?: string };

/**
 * The request's id: the trace id of `X-Cloud-Trace-Context` or `traceparent` (what the platform's
 * own request log and Cloud Trace use), else a random one of the same form, once per request.
 */
export function requestId(req: Request): string {
  const tagged = req as Tagged;
  if (tagged[REQUEST_ID]) return tagged[REQUEST_ID];
  const id =
    CLOUD_TRACE.exec(req.get('x-cloud-trace-context') ?? '')?.[1]?.toLowerCase() ??
    TRACEPARENT.exec(req.get('traceparent') ?? '')?.[1] ??
    randomBytes(16).toString('hex');
  tagged[REQUEST_ID] = id;
  return id;
}

/** Cloud Logging's trace field: the line shows under its request in the Logs Explorer. */
export function traceField(req: Request): Record<string, string> {
  const project = process.env.GCLOUD_PROJECT;
  return project
    ? { 'logging.googleapis.com/trace': `projects/${project}/traces/${requestId(req)}` }
    : {};
}

/** The Express route that answered (`/organizations/:org_id`), kept on the request by Express. */
function routeOf(req: Request): string | null {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? path : null;
}

/**
 * `org_id` of the path, read against the route's template: Express has restored `req.params`
 * by the time an error reaches the end of the chain.
 */
function organizationOf(req: Request, route: string | null): string | null {
  if (!route?.includes(':org_id')) return null;
  const names: string[] = [];
  const pattern = route
    .split('/')
    .map((part) => {
      if (!part.startsWith(':')) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(part.slice(1));
      return '([^/]+)';
    })
    .join('/');
  const match = new RegExp(`^(?:/api)?${pattern}/?$`).exec(req.path);
  const value = match?.[names.indexOf('org_id') + 1];
  if (!value) return null;
  try {
    return decodeURIComponent(value).slice(0, 128);
  } catch {
    return null;
  }
}

function severityOf(status: number): 'INFO' | 'WARNING' | 'ERROR' {
  if (status >= 500) return 'ERROR';
  return status >= 400 ? 'WARNING' : 'INFO';
}

/** Logs each request once its answer is sent (or its connection closed first). */
export const requestLog: RequestHandler = (req, res, next) => {
  const started = process.hrtime.bigint();
  requestId(req);
  let logged = false;
  const log = () => {
    if (logged) return;
    logged = true;
    const route = routeOf(req);
    const caller = req.caller ?? null;
    logger.write({
      severity: severityOf(res.statusCode),
      message: `${req.method} ${route ?? '(no route)'} ${res.statusCode}`,
      method: req.method,
      route,
      status: res.statusCode,
      latency_ms: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100,
      completed: res.writableFinished,
      uid: caller?.uid ?? null,
      credential: caller?.credential ?? null,
      key_id: caller?.key_id ?? null,
      organization_id: organizationOf(req, route),
      request_id: requestId(req),
      ...traceField(req),
    });
  };
  res.once('finish', log);
  res.once('close', log);
  next();
};
