import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import * as logger from 'firebase-functions/logger';
import { ZodError, type core } from 'zod';
import { ApiError, type ErrorDetail } from '../errors';
import { GRPC } from '../grpc';
import { requestId, traceField } from './request-log';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  return headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
}

/**
 * Refuses what the JSON parser must not see: a body over the limit (413) and a write whose body
 * is not JSON (415). Cloud Functions parses bodies before Express does, so the size is checked
 * here too, on the declared length and on the raw body the platform kept.
 */
export function guardBody(limitBytes: number): RequestHandler {
  return (req, _res, next) => {
    const rawBody = (req as { rawBody?: Buffer }).rawBody;
    const length = Math.max(Number(req.headers['content-length'] ?? 0), rawBody?.length ?? 0);
    if (length > limitBytes) {
      throw new ApiError(
        'payload-too-large',
        `The request body is ${length} bytes; the limit is ${limitBytes} bytes.`,
      );
    }
    if (WRITE_METHODS.has(req.method) && hasBody(req.headers) && !req.is('application/json')) {
      throw new ApiError(
        'unsupported-media-type',
        `The request body must be JSON (Content-Type: application/json), not ${req.headers['content-type'] ?? 'untyped'}.`,
      );
    }
    next();
  };
}

/** JSON 404 for any route the app does not serve. */
export const notFound: RequestHandler = (req) => {
  throw new ApiError('not-found', `No route ${req.method} ${req.path}.`);
};

function detailsOf(issue: core.$ZodIssue): ErrorDetail[] {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      path: path ? `${path}.${key}` : key,
      message: 'Unknown field.',
    }));
  }
  return [{ path, message: issue.message }];
}

/** Body-parser's errors, by their `type`, as contract errors. */
function fromBodyParser(error: { type?: unknown; status?: unknown }): ApiError | undefined {
  switch (error.type) {
    case 'entity.parse.failed':
      return new ApiError('invalid-argument', 'The request body is not valid JSON.');
    case 'entity.too.large':
      return new ApiError('payload-too-large', 'The request body is over the 100 KB limit.');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ApiError('unsupported-media-type', 'The request body must be UTF-8 JSON.');
    default:
      return undefined;
  }
}

/** gRPC codes of a busy or unreachable backend (Firestore, Secret Manager): worth a retry. */
const RETRYABLE_GRPC_CODES = new Set<number>([
  GRPC.DEADLINE_EXCEEDED,
  GRPC.ABORTED,
  GRPC.UNAVAILABLE,
]);

function toApiError(error: unknown): ApiError | undefined {
  if (error instanceof ApiError) return error;
  // The router could not decode a path parameter (a malformed percent-encoding such as `%uD800`).
  if (error instanceof URIError) {
    return new ApiError('invalid-argument', 'The path holds a malformed percent-encoding.');
  }
  const code = (error as { code?: unknown } | null)?.code;
  // firebase-admin's own network failures (Auth unreachable while verifying a token or reading a user).
  if (code === 'app/network-error' || code === 'app/network-timeout') {
    return new ApiError('unavailable', 'Authentication is unreachable: try again shortly.', {
      headers: { 'Retry-After': '1' },
    });
  }
  if (typeof code === 'number' && RETRYABLE_GRPC_CODES.has(code)) {
    return new ApiError('unavailable', 'The database is busy or unreachable: try again shortly.', {
      headers: { 'Retry-After': '1' },
    });
  }
  if (error instanceof ZodError) {
    const details = error.issues.flatMap(detailsOf);
    const fields = [...new Set(details.map((detail) => detail.path || '(body)'))];
    return new ApiError('invalid-argument', `Invalid input: ${fields.join(', ')}.`, { details });
  }
  if (error && typeof error === 'object') return fromBodyParser(error);
  return undefined;
}

function sendError(res: Response, error: ApiError): void {
  res.set('Cache-Control', 'no-store');
  if (error.headers) res.set(error.headers);
  const body: Record<string, unknown> = { code: error.code, message: error.message };
  if (error.details) body.details = error.details;
  // `success` and the top-level `message` are what Cannlytics clients read; `error` is the detail.
  res.status(error.status).json({ success: false, message: error.message, error: body });
}

/** The one error middleware: contract errors as they are, anything else a logged, opaque 500. */
export const errorHandler: ErrorRequestHandler = (error, req, res, _next) => {
  if (res.headersSent) {
    // Answered already (the request's deadline sent a 503): Express would destroy the socket,
    // which a keep-alive front end may be using for another request. Logged, and nothing else.
    logger.error('Error after the answer was sent', {
      method: req.method,
      path: req.path,
      error: error instanceof Error ? error.stack : String(error),
      request_id: requestId(req),
      ...traceField(req),
    });
    return;
  }
  const known = toApiError(error);
  if (known) {
    sendError(res, known);
    return;
  }
  logger.error('Unhandled error', {
    method: req.method,
    path: req.path,
    error: error instanceof Error ? error.stack : String(error),
    request_id: requestId(req),
    ...traceField(req),
  });
  sendError(res, new ApiError('internal', 'Something went wrong on our side. Please try again.'));
};
