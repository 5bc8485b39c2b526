import { Router } from 'express';
import { config } from '../config';
import { ApiError } from '../errors';
import { handle } from '../http/handler';
import { iso } from '../time';
import { requireCaller, SESSION_COOKIE } from './guards';
import { createKeyBody, deleteKeyBody, keyParams, loginBody } from './schemas';
import { SESSION_MS, type AuthService } from './service';

/**
 * `POST /auth/login` and `/auth/logout`: mounted before `authenticate`, since they read the
 * credential themselves (and logout must clear even an expired session).
 */
export function sessionRoutes(service: AuthService): Router {
  const router = Router();
  const cookieOptions = {
    httpOnly: true,
    secure: config.secureCookies,
    sameSite: 'strict' as const,
    path: '/',
  };

  router.post(
    '/auth/login',
    handle({ body: loginBody }, async ({ body }, req, res) => {
      const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
      const idToken = body.id_token ?? bearer;
      if (!idToken) {
        throw new ApiError(
          'unauthenticated',
          'Send the ID token as "id_token" in the body or as "Authorization: Bearer <ID token>".',
        );
      }
      const session = await service.login(idToken);
      res.cookie(SESSION_COOKIE, session.cookie, { ...cookieOptions, maxAge: SESSION_MS });
      return { data: { uid: session.uid, expires_at: iso(session.expiresAt) } };
    }),
  );

  router.post(
    '/auth/logout',
    handle({}, async (_input, req, res) => {
      const cookies = req.cookies as Record<string, string | undefined>;
      await service.logout(cookies[SESSION_COOKIE]);
      res.clearCookie(SESSION_COOKIE, cookieOptions);
      return { status: 204 };
    }),
  );
  return router;
}

/** The caller's organizations and roles, for `GET /auth/me`. */
export type MembershipLookup = (
  uid: string,
) => Promise<{ organization_id: string; role: string }[]>;

/** API keys and the caller, with the Cannlytics aliases. */
export function authRoutes(service: AuthService, membershipsOf: MembershipLookup): Router {
  const router = Router();

  const create = handle({ body: createKeyBody }, async ({ body }, req) => {
    const key = await service.createKey(requireCaller(req), body);
    return { status: 201, data: key, headers: { Location: `/api/auth/keys/${key.key_id}` } };
  });
  router.post('/auth/keys', create);
  router.post('/auth/create-key', create);

  const list = handle({}, async (_input, req) => ({
    data: await service.listKeys(requireCaller(req)),
  }));
  router.get('/auth/keys', list);
  router.get('/auth/get-keys', list);

  router.delete(
    '/auth/keys/:key_id',
    handle({ params: keyParams }, async ({ params }, req) => {
      await service.revokeKey(requireCaller(req), params.key_id);
      return { status: 204 };
    }),
  );
  router.post(
    '/auth/delete-key',
    handle({ body: deleteKeyBody }, async ({ body }, req) => {
      await service.revokeKey(requireCaller(req), body.key_id);
      return { data: { key_id: body.key_id, revoked: true } };
    }),
  );

  router.get(
    '/auth/me',
    handle({}, async (_input, req) => {
      const caller = requireCaller(req);
      const memberships = await membershipsOf(caller.uid);
      const organizations = memberships
        .map(({ organization_id, role }) => ({ organization_id, role }))
        .sort((a, b) => a.organization_id.localeCompare(b.organization_id));
      return { data: { ...caller, organizations } };
    }),
  );
  return router;
}
