import type { Request, RequestHandler } from 'express';
import { ApiError } from '../errors';
import type { Caller } from './caller';
import type { AuthService } from './service';

export const SESSION_COOKIE = '__session';
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The origins a browser may send cookie-signed writes from (`config.allowedOrigins`). */
export type AllowedOrigins = ReadonlySet<string>;

/**
 * Why a browser request does not come from an allowed origin, or null when it does. A browser
 * sends `Origin` with every write (and `Sec-Fetch-Site` over HTTPS), and a page can set neither;
 * `Sec-Fetch-Site: same-origin` also covers a page served from the API's own address.
 */
function foreignOrigin(req: Request, allowedOrigins: AllowedOrigins): string | null {
  if (req.get('sec-fetch-site') === 'same-origin') return null;
  const origin = req.get('origin');
  if (origin === undefined) {
    return 'this one has no Origin header (scripts sign with "Authorization: Bearer <ID token or API key>" instead)';
  }
  if (allowedOrigins.has(origin)) return null;
  return `${JSON.stringify(origin)} is not one`;
}

/**
 * Refuses a cross-site request forgery: a write that the browser signed with the session cookie on
 * its own, from another site's page. Scripts sign with a Bearer header instead, which a page of
 * another origin cannot attach without a CORS preflight that fails.
 */
function checkSessionOrigin(req: Request, allowedOrigins: AllowedOrigins): void {
  if (READ_METHODS.has(req.method)) return;
  const reason = foreignOrigin(req, allowedOrigins);
  if (reason) {
    throw new ApiError(
      'permission-denied',
      `A request signed in by the session cookie must come from an allowed origin; ${reason}.`,
    );
  }
}

/**
 * Sets `req.caller` from the request's credentials (null without any); bad ones are a 401. A
 * write signed in by the session cookie from an origin not in `allowedOrigins` is a 403.
 */
export function authenticate(service: AuthService, allowedOrigins: AllowedOrigins): RequestHandler {
  return async (req, _res, next) => {
    const cookies = req.cookies as Record<string, string | undefined> | undefined;
    req.caller = await service.authenticate(req.headers.authorization, cookies?.[SESSION_COOKIE]);
    if (req.caller?.credential === 'session') checkSessionOrigin(req, allowedOrigins);
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

/**
 * The origin check of `POST /auth/logout`, which reads the cookie itself (see `authRoutes`), so
 * it runs before the route. Logout is a write signed by the cookie: it ends the session and revokes
 * every sign-in of its user, and a forged one from another site would sign the victim out
 * everywhere. The console's sign-out comes from an allowed origin, so the flow keeps working;
 * without a cookie there is nothing to forge.
 */
export function logoutOrigin(allowedOrigins: AllowedOrigins): RequestHandler {
  return (req, _res, next) => {
    const cookies = req.cookies as Record<string, string | undefined> | undefined;
    if (cookies?.[SESSION_COOKIE]) checkSessionOrigin(req, allowedOrigins);
    next();
  };
}

/**
 * The origin check of `POST /auth/login`. Login is signed by an ID token in a JSON body or the
 * Authorization header: a page of another origin can send neither without a CORS preflight, which
 * fails for it (a form's body is a 415). Scripts send no Origin, so none is required; one that is
 * there must be allowed, though: defence in depth against login CSRF, which would sign the
 * victim's browser into the attacker's account.
 */
export function loginOrigin(allowedOrigins: AllowedOrigins): RequestHandler {
  return (req, _res, next) => {
    const reason = req.get('origin') === undefined ? null : foreignOrigin(req, allowedOrigins);
    if (reason) {
      throw new ApiError(
        'permission-denied',
        `A sign-in must come from an allowed origin; ${reason}.`,
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
