/**
 * The closed set of error codes of the contract, each with its HTTP status. `failed-precondition`
 * is 409 for a state conflict (archived organization, owner leaving) and 412 for a stale `If-Match`.
 */
export const errorStatus = {
  'invalid-argument': 400,
  unauthenticated: 401,
  'permission-denied': 403,
  'not-found': 404,
  'already-exists': 409,
  'failed-precondition': 409,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  'resource-exhausted': 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

/** One problem with one input field: `path` is the field path, as in `licenses.0.state`. */
export interface ErrorDetail {
  path: string;
  message: string;
}

interface ErrorOptions {
  details?: ErrorDetail[];
  /** Overrides the code's status where the contract allows two (409/412). */
  status?: number;
  headers?: Record<string, string>;
}

/**
 * The one error type services throw. The error middleware turns it into
 * `{"error": {"code", "message", "details"?}}` with the status of its code.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly details?: ErrorDetail[];
  readonly headers?: Record<string, string>;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: ErrorOptions = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = options.status ?? errorStatus[code];
    this.details = options.details;
    this.headers = options.headers;
  }
}
