import type { Caller } from '../auth/caller';
import { ApiError } from '../errors';
import type { ProfileInput } from './schemas';
import type { Profile, UserStore } from './store';

function view({ signed_in: _signedIn, ...profile }: Profile) {
  return profile;
}

/** The caller's own profile, which their team entries show. */
export function createUserService(users: UserStore) {
  async function profileOf(caller: Caller): Promise<Profile> {
    const profile = (await users.profiles([caller.uid])).get(caller.uid);
    if (!profile) throw new ApiError('not-found', 'Your user account no longer exists.');
    return profile;
  }

  return {
    async me(caller: Caller) {
      return view(await profileOf(caller));
    },

    /** Saves the fields, then copies the whole fresh profile into the caller's team entries. */
    async update(caller: Caller, fields: ProfileInput) {
      await profileOf(caller);
      await users.saveProfile(caller.uid, fields);
      const profile = await profileOf(caller);
      await users.refreshEntries(caller.uid, profile);
      return view(profile);
    },
  };
}

export type UserService = ReturnType<typeof createUserService>;
