// Helpers for tests against the real Auth and Firestore emulators that `firebase emulators:exec`
// started (see tools/emulators.js): users, ID tokens, claims, seeding and wiping.
import { auth, db } from '../../functions/src/firebase';

export const projectId = process.env.GCLOUD_PROJECT ?? 'demo-organizations';
const authHost = `http://${process.env.FIREBASE_AUTH_EMULATOR_HOST}`;
const firestoreHost = `http://${process.env.FIRESTORE_EMULATOR_HOST}`;
const identity = `${authHost}/identitytoolkit.googleapis.com/v1`;

/**
 * `describe` for suites that need the emulators; skipped, with the reason in the suite's name,
 * only where tools/emulators.js found no way to run the Firestore emulator.
 */
export const describeEmulators: jest.Describe = process.env.FIRESTORE_EMULATOR_SKIPPED
  ? (((name: string, fn: () => void) =>
      describe.skip(
        `${name} (skipped: ${process.env.FIRESTORE_EMULATOR_SKIPPED})`,
        fn,
      )) as jest.Describe)
  : describe;

async function call<T>(url: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(url, {
    ...init,
    headers: { 'content-type': 'application/json', ...init.headers },
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${response.status} ${text}`);
  return (text ? JSON.parse(text) : {}) as T;
}

/** Deletes every document and every user in the emulators. */
export async function wipe(): Promise<void> {
  await Promise.all([
    call(`${firestoreHost}/emulator/v1/projects/${projectId}/databases/(default)/documents`, {
      method: 'DELETE',
    }),
    call(`${authHost}/emulator/v1/projects/${projectId}/accounts`, { method: 'DELETE' }),
  ]);
}

export interface TestUser {
  uid: string;
  email: string;
  password: string;
  idToken: string;
  refreshToken: string;
}

let userCount = 0;

/** Creates a user in the Auth emulator and signs them in. */
export async function createUser(
  options: { email?: string; name?: string; emailVerified?: boolean; claims?: object } = {},
): Promise<TestUser> {
  userCount += 1;
  const email = options.email ?? `user${userCount}-${Date.now()}@example.com`;
  const password = 'correct horse battery staple';
  const record = await auth().createUser({
    email,
    password,
    displayName: options.name ?? `User ${userCount}`,
    emailVerified: options.emailVerified ?? true,
  });
  if (options.claims) await auth().setCustomUserClaims(record.uid, options.claims);
  const session = await signIn(email, password);
  return { uid: record.uid, email, password, ...session };
}

/** Signs in with email and password through the Auth emulator's REST API. */
export async function signIn(
  email: string,
  password: string,
): Promise<{ idToken: string; refreshToken: string }> {
  return call(`${identity}/accounts:signInWithPassword?key=fake-api-key`, {
    method: 'POST',
    body: JSON.stringify({ email, password, returnSecureToken: true }),
  });
}

/** Exchanges a refresh token for a fresh ID token (which carries the current custom claims). */
export async function refreshIdToken(refreshToken: string): Promise<string> {
  const result = await call<{ id_token: string }>(
    `${authHost}/securetoken.googleapis.com/v1/token?key=fake-api-key`,
    {
      method: 'POST',
      body: JSON.stringify({ grant_type: 'refresh_token', refresh_token: refreshToken }),
    },
  );
  return result.id_token;
}

/** Decodes an ID token's payload (emulator tokens are unsigned JWTs). */
export function claimsOf(idToken: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(idToken.split('.')[1], 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

/** Writes documents directly, bypassing the API (for fixtures the API cannot make). */
export async function seed(documents: Record<string, object>): Promise<void> {
  const batch = db().batch();
  for (const [path, data] of Object.entries(documents)) batch.set(db().doc(path), data);
  await batch.commit();
}

/**
 * Every document the API wrote, recursively, as `{path: data}`. The `users` profiles are left
 * out: the Auth trigger writes them asynchronously whenever a test creates a user.
 */
export async function dump(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  // Every collection and every document's subcollections walked at once: one listing per
  // document, so a walk in series grows with every event and counter a test writes.
  const visit = async (collections: FirebaseFirestore.CollectionReference[]): Promise<void> => {
    await Promise.all(
      collections.map(async (collection) => {
        const snapshot = await collection.get();
        await Promise.all(
          snapshot.docs.map(async (doc) => {
            out[doc.ref.path] = doc.data();
            await visit(await doc.ref.listCollections());
          }),
        );
      }),
    );
  };
  const collections = await db().listCollections();
  await visit(collections.filter((collection) => collection.id !== 'users'));
  return out;
}

/**
 * An unsigned ID token of the kind the Auth emulator issues, with chosen claims: for tokens the
 * emulator would not mint (another project's, an old sign-in).
 */
export function forgeIdToken(uid: string, claims: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const payload = {
    iss: `https://securetoken.google.com/${projectId}`,
    aud: projectId,
    auth_time: now,
    user_id: uid,
    sub: uid,
    iat: now,
    exp: now + 3600,
    firebase: { identities: {}, sign_in_provider: 'password' },
    ...claims,
  };
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(payload)}.`;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Moves back the time from which the user's tokens are valid (as if they signed up long ago). */
export async function backdateTokensValidSince(uid: string, seconds: number): Promise<void> {
  await call(`${identity}/projects/${projectId}/accounts:update`, {
    method: 'POST',
    headers: { Authorization: 'Bearer owner' },
    body: JSON.stringify({ localId: uid, validSince: String(seconds) }),
  });
}

/** Imports users straight into Auth (no trigger fires, as in production), up to 1,000 a call. */
export async function importUsers(count: number, prefix: string): Promise<string[]> {
  const uids = Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(4, '0')}`);
  const result = await auth().importUsers(
    uids.map((uid) => ({ uid, email: `${uid}@example.com`, displayName: `Member ${uid}` })),
  );
  if (result.failureCount) throw new Error(`import failed: ${JSON.stringify(result.errors[0])}`);
  return uids;
}
