import { Router } from 'express';
import type { Caller } from '../auth/caller';
import { requireCaller } from '../auth/guards';
import { ApiError } from '../http/errors';
import { handle } from '../http/handler';
import { profileBody } from './schemas';
import type { Profile, UserStore } from './store';

function profileView({ signed_in: _signedIn, ...profile }: Profile) {
  return profile;
}

async function profileOf(users: UserStore, caller: Caller): Promise<Profile> {
  const profile = (await users.profiles([caller.uid])).get(caller.uid);
  if (!profile) throw new ApiError('not-found', 'Your user account no longer exists.');
  return profile;
}

/** `GET`/`PATCH /users/me`: the caller's own profile, which their team entries show. */
export function userRoutes(users: UserStore): Router {
  const router = Router();
  router.get(
    '/users/me',
    handle({}, async (_input, req) => ({
      data: profileView(await profileOf(users, requireCaller(req))),
    })),
  );
  router.patch(
    '/users/me',
    handle({ body: profileBody }, async ({ body }, req) => {
      const caller = requireCaller(req);
      await profileOf(users, caller);
      await users.saveProfile(caller.uid, body);
      return { data: profileView(await profileOf(users, caller)) };
    }),
  );
  return router;
}
