import type { CookieOptions } from 'express';
import { ApiError } from '../errors';
import { route, type Route } from '../http/route';
import { iso } from '../time';
import { SESSION_COOKIE } from './guards';
import {
  apiKey,
  apiKeyCreated,
  apiKeyRevoked,
  createKeyBody,
  deleteKeyBody,
  keyParams,
  keysQuery,
  loginBody,
  me,
  session,
  signedOut,
} from './schemas';
import { SESSION_MS, type AuthService } from './service';

/** How the session cookie is sent: `secure` off only on the local emulators (plain HTTP). */
export interface SessionCookie {
  secure: boolean;
}

/**
 * Sign-in, sign-out, API keys and the caller, with the Cannlytics aliases. Sign-in and sign-out
 * read their credentials themselves (`auth: 'none'`): their origin checks (`loginOrigin`,
 * `logoutOrigin`) run before the router, and sign-out clears even an expired session.
 */
export function authRoutes(service: AuthService, cookie: SessionCookie): Route[] {
  const cookieOptions = (): CookieOptions => ({
    httpOnly: true,
    secure: cookie.secure,
    sameSite: 'strict',
    path: '/',
  });
  const keyUrl = (keyId: string) => `/api/auth/keys/${keyId}`;
  return [
    route({
      operationId: 'login',
      method: 'post',
      path: '/auth/login',
      tag: 'Authentication',
      summary: 'Start a session',
      description:
        'Exchanges a fresh Firebase ID token (a sign-in within the last 5 minutes), sent as `id_token` or as `Authorization: Bearer <ID token>`, for the `__session` cookie (HttpOnly, SameSite=Strict, 7 days). From a browser, the Origin must be an allowed one. Sign-ins and sign-outs together are limited per client address (default 30 a minute, `RATE_LIMIT_SIGN_INS_PER_MINUTE`; 429 `resource-exhausted` after).',
      auth: 'none',
      body: loginBody,
      data: session,
      errors: ['unauthenticated', 'permission-denied'],
      handler: async ({ body, req, res }) => {
        const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
        const idToken = body.id_token ?? bearer;
        if (!idToken) {
          throw new ApiError(
            'unauthenticated',
            'Send the ID token as "id_token" in the body or as "Authorization: Bearer <ID token>".',
          );
        }
        const started = await service.login(idToken);
        res.cookie(SESSION_COOKIE, started.cookie, { ...cookieOptions(), maxAge: SESSION_MS });
        return { data: { uid: started.uid, expires_at: iso(started.expiresAt) } };
      },
    }),
    route({
      operationId: 'logout',
      method: 'post',
      path: '/auth/logout',
      tag: 'Authentication',
      summary: 'End the session',
      description:
        'Clears the `__session` cookie and revokes every sign-in of its user. With the cookie, the request must come from an allowed Origin; without one there is nothing to end, and it still answers 200. Counted with sign-ins against the per-address limit (default 30 a minute; 429 after).',
      auth: 'none',
      data: signedOut,
      errors: ['permission-denied'],
      handler: async ({ req, res }) => {
        const cookies = req.cookies as Record<string, string | undefined>;
        await service.logout(cookies[SESSION_COOKIE]);
        res.clearCookie(SESSION_COOKIE, cookieOptions());
        return { data: { signed_out: true as const } };
      },
    }),
    route({
      operationId: 'createApiKey',
      method: 'post',
      path: '/auth/keys',
      aliases: ['/auth/create-key'],
      tag: 'API keys',
      summary: 'Create an API key',
      description:
        'The answer holds the key itself, the only time it is shown. Signed in with an ID token or a session only: an API key cannot create keys. At most 100 active keys per user. Send an `Idempotency-Key` so that a retry cannot create a second key.',
      auth: 'required',
      body: createKeyBody,
      data: apiKeyCreated,
      statuses: [201],
      location: true,
      idempotent: true,
      errors: ['permission-denied', 'resource-exhausted', 'failed-precondition'],
      handler: async ({ caller, body }) => {
        const key = await service.createKey(caller, body);
        return { data: key, created: true, location: keyUrl(key.key_id) };
      },
    }),
    route({
      operationId: 'listApiKeys',
      method: 'get',
      path: '/auth/keys',
      aliases: ['/auth/get-keys'],
      tag: 'API keys',
      summary: 'List your API keys',
      description: 'Your active keys, newest first, without the keys themselves.',
      auth: 'required',
      query: keysQuery,
      data: apiKey.array(),
      list: true,
      errors: [],
      handler: async ({ caller, query }) => {
        const page = await service.listKeys(caller, query);
        return { data: page.items, nextCursor: page.nextCursor };
      },
    }),
    route({
      operationId: 'getApiKey',
      method: 'get',
      path: '/auth/keys/{key_id}',
      tag: 'API keys',
      summary: 'One of your API keys',
      description: 'Without the key itself. A revoked key, or another user’s, is not found.',
      auth: 'required',
      params: keyParams,
      data: apiKey,
      errors: ['not-found'],
      handler: async ({ caller, params }) => ({
        data: await service.getKey(caller, params.key_id),
      }),
    }),
    route({
      operationId: 'revokeApiKey',
      method: 'delete',
      path: '/auth/keys/{key_id}',
      tag: 'API keys',
      summary: 'Revoke an API key',
      description: 'At once on the instance that answers; everywhere within 30 seconds.',
      auth: 'required',
      params: keyParams,
      data: apiKeyRevoked,
      errors: ['not-found'],
      handler: async ({ caller, params }) => ({
        data: await service.revokeKey(caller, params.key_id),
      }),
    }),
    route({
      operationId: 'revokeApiKeyCannlytics',
      method: 'post',
      path: '/auth/delete-key',
      tag: 'API keys',
      summary: 'Revoke an API key (Cannlytics)',
      description:
        'The Cannlytics spelling of `DELETE /auth/keys/{key_id}`, naming the key in the body.',
      auth: 'required',
      body: deleteKeyBody,
      data: apiKeyRevoked,
      idempotent: true,
      errors: ['not-found', 'failed-precondition'],
      handler: async ({ caller, body }) => ({
        data: await service.revokeKey(caller, body.key_id),
      }),
    }),
    route({
      operationId: 'getMe',
      method: 'get',
      path: '/auth/me',
      tag: 'Authentication',
      summary: 'Who you are signed in as',
      description: 'The caller, how they signed in, and their organizations with their roles.',
      auth: 'required',
      data: me,
      errors: [],
      handler: async ({ caller }) => ({ data: await service.me(caller) }),
    }),
  ];
}
