import type { Request, RequestHandler } from 'express';
import { ApiError } from '../http/errors';
import type { Caller } from './caller';
import type { AuthService } from './service';

export const SESSION_COOKIE = '__session';
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Sets `req.caller` from the request's credentials (null without any); bad ones are a 401. */
export function authenticate(service: AuthService): RequestHandler {
  return async (req, _res, next) => {
    const cookies = req.cookies as Record<string, string | undefined> | undefined;
    req.caller = await service.authenticate(req.headers.authorization, cookies?.[SESSION_COOKIE]);
    if (
      req.caller?.credential === 'api_key' &&
      !READ_METHODS.has(req.method) &&
      !req.caller.scopes.includes('write')
    ) {
      throw new ApiError(
        'permission-denied',
        'This API key is read-only: it has no "write" scope.',
      );
    }
    next();
  };
}

/** The signed-in caller, or a 401 for a request without credentials. */
export function requireCaller(req: Request): Caller {
  if (!req.caller) {
    throw new ApiError(
      'unauthenticated',
      'Sign in: send "Authorization: Bearer <ID token or API key>" or a session cookie.',
    );
  }
  return req.caller;
}
