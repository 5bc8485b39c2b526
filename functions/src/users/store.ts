import type { UserRecord } from 'firebase-admin/auth';
import { auth, db } from '../firebase';
import { isOrganizationChild } from '../firestore';
import { GRPC } from '../grpc';
import type { Profile } from '../model/records';
import { asciiLower, isHttpUrl, isSingleLine } from '../text';

export type { Profile } from '../model/records';

const NOT_FOUND = 5;

const PROFILE_FIELDS = [
  'name',
  'photo_url',
  'position',
  'type',
  'phone_number',
  'license',
] as const;
const AUTH_BATCH = 100;
/** The fields a team entry copies from its user's profile. */
const ENTRY_FIELDS = [
  'name',
  'email',
  'photo_url',
  'position',
  'type',
  'phone_number',
  'license',
  'signed_in',
] as const;
/** Team entries one refresh updates at most (a user in more organizations keeps the rest). */
const MAX_REFRESHED = 1000;

/**
 * A profile from the Auth record. Users set their display name and photo URL in Auth directly,
 * past this API's input checks: values that the API would refuse are left out.
 */
function fromAuth(record: UserRecord): Profile {
  const name = record.displayName ?? '';
  const photo = record.photoURL ?? '';
  return {
    uid: record.uid,
    name: isSingleLine(name) ? name : '',
    email: record.email ?? '',
    photo_url: isHttpUrl(photo) ? photo : '',
    position: '',
    type: '',
    phone_number: record.phoneNumber ?? '',
    license: '',
    signed_in: Boolean(record.metadata?.lastSignInTime),
  };
}

/** User profiles: the Auth record, overlaid with the user's own `users/{uid}` profile document. */
export type EditableProfile = Partial<Pick<Profile, (typeof PROFILE_FIELDS)[number]>>;

export const userStore = {
  /** Profiles of the users that exist, by uid (Auth in batches of 100, Firestore in one getAll). */
  async profiles(uids: string[]): Promise<Map<string, Profile>> {
    const unique = [...new Set(uids)];
    const profiles = new Map<string, Profile>();
    if (unique.length === 0) return profiles;
    const batches: string[][] = [];
    for (let i = 0; i < unique.length; i += AUTH_BATCH)
      batches.push(unique.slice(i, i + AUTH_BATCH));
    const [results, documents] = await Promise.all([
      Promise.all(batches.map((batch) => auth().getUsers(batch.map((uid) => ({ uid }))))),
      db().getAll(...unique.map((uid) => db().collection('users').doc(uid))),
    ]);
    for (const result of results) {
      for (const record of result.users) profiles.set(record.uid, fromAuth(record));
    }
    for (const document of documents) {
      const profile = profiles.get(document.id);
      const saved = document.data();
      if (!profile || !saved) continue;
      // Field by field: a profile document is parsed for what it is, strings only.
      for (const field of PROFILE_FIELDS) {
        const value: unknown = saved[field];
        if (typeof value === 'string' && value) profile[field] = value;
      }
    }
    return profiles;
  },

  /** Creates `users/{uid}` for a new account (the Auth trigger); an existing profile is kept. */
  async createProfile(record: UserRecord): Promise<void> {
    const { signed_in: _signedIn, ...profile } = fromAuth(record);
    await db()
      .collection('users')
      .doc(record.uid)
      .create({ ...profile, created_at: new Date() })
      .catch((error: { code?: unknown }) => {
        if (error.code !== GRPC.ALREADY_EXISTS) throw error; // the profile came first
      });
  },

  /** Saves the user's own profile fields (`users/{uid}`); `refreshEntries` copies them on. */
  async saveProfile(uid: string, fields: EditableProfile): Promise<void> {
    await db().collection('users').doc(uid).set(fields, { merge: true });
  },

  /**
   * Brings the user's team entries (the member documents the team listing reads, so a listing
   * stays one query) up to date with their profile: the Auth record's name, email, photo, phone
   * and `signed_in`, overlaid with their own profile fields. Called where the API learns fresh
   * values anyway (a sign-in, `PATCH /users/me`), never on a read route.
   *
   * A write-time fan-out, bounded: one collection-group query for at most `MAX_REFRESHED`
   * entries, then an update of only those that differ (usually none, so a sign-in usually writes
   * nothing), through a BulkWriter (batches of 20, ramped up from 500 writes/s). Only documents at
   * `organizations/{org}/members/{uid}` are team entries; one removed meanwhile stays removed (an
   * update, never a set that would bring it back). Returns how many entries were updated.
   */
  async refreshEntries(uid: string, profile?: Profile): Promise<number> {
    const fresh = profile ?? (await userStore.profiles([uid])).get(uid);
    if (!fresh) return 0;
    const memberships = await db()
      .collectionGroup('members')
      .where('uid', '==', uid)
      .limit(MAX_REFRESHED)
      .get();
    const stale = memberships.docs.flatMap((doc) => {
      if (!isOrganizationChild(doc, 'members', doc.get('organization_id'), uid)) return [];
      const changes = Object.fromEntries(
        ENTRY_FIELDS.filter((field) => doc.get(field) !== fresh[field]).map((field) => [
          field,
          fresh[field],
        ]),
      );
      return Object.keys(changes).length ? [{ ref: doc.ref, changes }] : [];
    });
    if (stale.length === 0) return 0;
    const writer = db().bulkWriter();
    writer.onWriteError((error) => Number(error.code) !== NOT_FOUND && error.failedAttempts < 3);
    const writes = stale.map(({ ref, changes }) =>
      writer.update(ref, changes).catch((error: { code?: unknown }) => {
        if (error.code !== NOT_FOUND) throw error;
      }),
    );
    await writer.close();
    await Promise.all(writes);
    return stale.length;
  },

  /** The uids of the accounts with these (lowercase) emails, by email; unknown emails are absent. */
  async uidsByEmail(emails: string[]): Promise<Map<string, string>> {
    const unique = [...new Set(emails)];
    const found = new Map<string, string>();
    for (let i = 0; i < unique.length; i += AUTH_BATCH) {
      const batch = unique.slice(i, i + AUTH_BATCH).map((email) => ({ email }));
      const result = await auth().getUsers(batch);
      for (const record of result.users) {
        if (record.email) found.set(asciiLower(record.email), record.uid);
      }
    }
    return found;
  },
};

export type UserStore = typeof userStore;
