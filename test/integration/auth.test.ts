import request from 'supertest';
import { createApp } from '../../functions/src/app';
import { identity } from '../../functions/src/auth/identity';
import { apiKeyStore } from '../../functions/src/auth/store';
import { auth, db } from '../../functions/src/firebase';
import {
  backdateTokensValidSince,
  claimsOf,
  createUser,
  describeEmulators,
  dump,
  forgeIdToken,
  sleep,
  wipe,
  type TestUser,
} from '../helpers/emulators';
import { failure } from '../helpers/envelope';

const app = createApp();
const bearer = (credential: string) => ({ Authorization: `Bearer ${credential}` });

async function createKey(user: TestUser, body: object = { name: 'script' }) {
  const response = await request(app).post('/api/auth/keys').set(bearer(user.idToken)).send(body);
  expect(response.status).toBe(201);
  return response.body.data as { key: string; key_id: string };
}

/** A created key's answer as the listing shows it: everything but the key. */
function keyFields({ key: _key, ...fields }: Record<string, unknown>) {
  return fields;
}

async function expect401(headers: Record<string, string>, message: string) {
  const response = await request(app).get('/api/auth/me').set(headers);
  expect(response.status).toBe(401);
  expect(response.body).toEqual(failure({ code: 'unauthenticated', message }));
}

describeEmulators('authentication', () => {
  let alice: TestUser;

  beforeAll(async () => {
    await wipe();
    alice = await createUser({ name: 'Alice' });
  });

  describe('credentials that work', () => {
    it('accepts a Firebase ID token', async () => {
      const response = await request(app).get('/api/auth/me').set(bearer(alice.idToken));
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        success: true,
        data: {
          uid: alice.uid,
          email: alice.email,
          email_verified: true,
          name: 'Alice',
          credential: 'id_token',
          key_id: null,
          scopes: ['read', 'write'],
          admin: false,
          organizations: [],
        },
      });
    });

    it('lists the caller’s organizations with roles', async () => {
      const response = await request(app)
        .post('/api/organizations')
        .set(bearer(alice.idToken))
        .send({ name: 'Alice Lab' });
      expect(response.status).toBe(201);
      const me = await request(app).get('/api/auth/me').set(bearer(alice.idToken));
      expect(me.body.data.organizations).toEqual([{ organization_id: 'alice-lab', role: 'owner' }]);
    });

    it('marks a platform administrator from the admin claim', async () => {
      const admin = await createUser({ claims: { admin: true } });
      const response = await request(app).get('/api/auth/me').set(bearer(admin.idToken));
      expect(response.status).toBe(200);
      expect(response.body.data).toMatchObject({ uid: admin.uid, admin: true });
    });

    it('authenticates a request that matches no route once, then answers 404', async () => {
      const verify = jest.spyOn(identity, 'verifyIdToken');
      try {
        const response = await request(app).get('/api/nothing-here').set(bearer(alice.idToken));
        expect(response.status).toBe(404);
        expect(response.body).toEqual(
          failure({ code: 'not-found', message: 'No route GET /api/nothing-here.' }),
        );
        expect(verify).toHaveBeenCalledTimes(1);
      } finally {
        verify.mockRestore();
      }
    });

    it('takes platform admin rights away at once, though the ID token still claims them', async () => {
      const owner = await createUser();
      const created = await request(app)
        .post('/api/organizations')
        .set(bearer(owner.idToken))
        .send({ name: 'Private Lab' });
      expect(created.status).toBe(201);
      const admin = await createUser({ claims: { admin: true } });
      const read = () =>
        request(app).get('/api/organizations/private-lab').set(bearer(admin.idToken));
      expect((await read()).status).toBe(200);

      await auth().setCustomUserClaims(admin.uid, null);

      expect(claimsOf(admin.idToken).admin).toBe(true);
      const response = await read();
      expect(response.status).toBe(404);
      expect(response.body).toEqual(
        failure({ code: 'not-found', message: 'No organization private-lab.' }),
      );
      const me = await request(app).get('/api/auth/me').set(bearer(admin.idToken));
      expect(me.body.data).toMatchObject({ uid: admin.uid, admin: false });
    });

    it('creates a session cookie from a fresh ID token and accepts it', async () => {
      const before = Date.now();
      const login = await request(app).post('/api/auth/login').send({ id_token: alice.idToken });
      expect(login.status).toBe(200);
      expect(login.body).toEqual({
        success: true,
        data: { uid: alice.uid, expires_at: login.body.data.expires_at },
      });
      const expires = Date.parse(login.body.data.expires_at) - before;
      expect(expires).toBeGreaterThanOrEqual(7 * 86_400_000);
      expect(expires).toBeLessThan(7 * 86_400_000 + 60_000);
      const cookie = (login.headers['set-cookie'] as unknown as string[])[0];
      expect(cookie).toMatch(
        /^__session=[^;]+; Max-Age=604800; Path=\/; Expires=.+; HttpOnly; SameSite=Strict$/,
      );

      const me = await request(app).get('/api/auth/me').set('Cookie', cookie.split(';')[0]);
      expect(me.status).toBe(200);
      expect(me.body.data).toMatchObject({ uid: alice.uid, credential: 'session' });
    });

    it('accepts the ID token in the Authorization header at login', async () => {
      const login = await request(app).post('/api/auth/login').set(bearer(alice.idToken));
      expect(login.status).toBe(200);
      expect(login.body.data.uid).toBe(alice.uid);
    });

    it('refuses a session for a sign-in older than five minutes', async () => {
      const old = Math.floor(Date.now() / 1000) - 600;
      await backdateTokensValidSince(alice.uid, old - 60);
      const token = forgeIdToken(alice.uid, { auth_time: old, iat: old + 1 });
      const login = await request(app).post('/api/auth/login').send({ id_token: token });
      expect(login.status).toBe(401);
      expect(login.body).toEqual(
        failure({
          code: 'unauthenticated',
          message: 'Sign in again: a session needs a sign-in within the last 5 minutes.',
        }),
      );
    });

    it('accepts an API key created through the API, as the Cannlytics docs send it', async () => {
      const created = await createKey(alice);
      const response = await request(app).get('/api/auth/me').set(bearer(created.key));
      expect(response.status).toBe(200);
      expect(response.body.data).toEqual({
        uid: alice.uid,
        email: alice.email,
        email_verified: true,
        name: 'Alice',
        credential: 'api_key',
        key_id: created.key_id,
        scopes: ['read', 'write'],
        admin: false,
        organizations: [{ organization_id: 'alice-lab', role: 'owner' }],
      });
    });
  });

  describe('API keys', () => {
    it('returns the raw key once, with its metadata and Location', async () => {
      const before = Date.now();
      const response = await request(app)
        .post('/api/auth/keys')
        .set(bearer(alice.idToken))
        .send({ name: 'nightly import', expires_in_days: 30, scopes: ['read'] });
      expect(response.status).toBe(201);
      const data = response.body.data;
      expect(response.headers.location).toBe(`/api/auth/keys/${data.key_id}`);
      expect(data.key).toMatch(/^orgk_[A-Za-z0-9_-]{43}$/);
      expect(data).toEqual({
        key: data.key,
        key_id: data.key_id,
        name: 'nightly import',
        prefix: 'orgk_',
        last4: data.key.slice(-4),
        scopes: ['read'],
        created_at: data.created_at,
        expires_at: data.expires_at,
        last_used_at: null,
      });
      const created = Date.parse(data.created_at);
      expect(created).toBeGreaterThanOrEqual(before - 1000);
      expect(Date.parse(data.expires_at) - created).toBe(30 * 86_400_000);
    });

    it('lists the caller’s keys without the key, newest first, with last use', async () => {
      const bob = await createUser();
      const first = await createKey(bob, { name: 'first' });
      const second = await createKey(bob, { name: 'second' });
      await request(app).get('/api/auth/me').set(bearer(first.key)).expect(200);

      const response = await request(app).get('/api/auth/keys').set(bearer(bob.idToken));
      expect(response.status).toBe(200);
      expect(response.body.data.map((key: { key_id: string }) => key.key_id)).toEqual([
        second.key_id,
        first.key_id,
      ]);
      expect(JSON.stringify(response.body)).not.toContain(first.key);
      expect(response.body.next_cursor).toBeNull();
      expect(response.headers.link).toBeUndefined();
      expect(response.body.data[1].last_used_at).not.toBeNull();
      expect(response.body.data[0].last_used_at).toBeNull();
      expect(Object.keys(response.body.data[0]).sort()).toEqual([
        'created_at',
        'expires_at',
        'key_id',
        'last4',
        'last_used_at',
        'name',
        'prefix',
        'scopes',
      ]);
    });

    it('serves the Cannlytics aliases create-key, get-keys and delete-key', async () => {
      const carol = await createUser();
      const created = await request(app)
        .post('/api/auth/create-key')
        .set(bearer(carol.idToken))
        .send({ name: 'alias' });
      expect(created.status).toBe(201);
      const listed = await request(app).get('/api/auth/get-keys').set(bearer(carol.idToken));
      expect(listed.status).toBe(200);
      expect(listed.body).toEqual({
        success: true,
        data: [{ ...keyFields(created.body.data) }],
        next_cursor: null,
      });
      const deleted = await request(app)
        .post('/api/auth/delete-key')
        .set(bearer(carol.idToken))
        .send({ key_id: created.body.data.key_id });
      expect(deleted.status).toBe(200);
      expect(deleted.body).toEqual({
        success: true,
        data: { key_id: created.body.data.key_id, revoked: true },
      });
      const after = await request(app).get('/api/auth/get-keys').set(bearer(carol.idToken));
      expect(after.body).toEqual({ success: true, data: [], next_cursor: null });
    });

    it('reads one of the caller’s keys at its Location, without the key', async () => {
      const ivan = await createUser();
      const response = await request(app)
        .post('/api/auth/keys')
        .set(bearer(ivan.idToken))
        .send({ name: 'located' });
      expect(response.status).toBe(201);
      const read = await request(app).get(response.headers.location).set(bearer(ivan.idToken));
      expect(read.status).toBe(200);
      expect(read.body).toEqual({ success: true, data: keyFields(response.body.data) });
      expect(JSON.stringify(read.body)).not.toContain(response.body.data.key);
    });

    it('answers 404 for another user’s key, a revoked key and an unknown one', async () => {
      const judy = await createUser();
      const { key_id } = await createKey(judy);
      const mallory = await createUser();
      const foreign = await request(app)
        .get(`/api/auth/keys/${key_id}`)
        .set(bearer(mallory.idToken));
      expect(foreign.status).toBe(404);
      expect(foreign.body).toEqual(
        failure({ code: 'not-found', message: `You have no API key ${key_id}.` }),
      );
      await request(app).delete(`/api/auth/keys/${key_id}`).set(bearer(judy.idToken)).expect(200);
      const revoked = await request(app).get(`/api/auth/keys/${key_id}`).set(bearer(judy.idToken));
      expect(revoked.status).toBe(404);
      expect(revoked.body).toEqual(
        failure({ code: 'not-found', message: `You have no API key ${key_id}.` }),
      );
      const unknown = await request(app)
        .get('/api/auth/keys/abcdefghijkl')
        .set(bearer(judy.idToken));
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual(
        failure({ code: 'not-found', message: 'You have no API key abcdefghijkl.' }),
      );
    });

    it('pages the keys with limit and next_cursor, newest first, with a Link header', async () => {
      const kim = await createUser();
      const keys = [];
      for (const name of ['one', 'two', 'three']) keys.push(await createKey(kim, { name }));
      const newest = keys.map((key) => key.key_id).reverse();
      const first = await request(app).get('/api/auth/keys?limit=2').set(bearer(kim.idToken));
      expect(first.status).toBe(200);
      expect(first.body.data.map((key: { key_id: string }) => key.key_id)).toEqual(
        newest.slice(0, 2),
      );
      expect(first.body.next_cursor).toEqual(expect.any(String));
      expect(first.headers.link).toBe(
        `</api/auth/keys?limit=2&cursor=${first.body.next_cursor}>; rel="next"`,
      );
      const second = await request(app)
        .get(`/api/auth/keys?limit=2&cursor=${first.body.next_cursor}`)
        .set(bearer(kim.idToken));
      expect(second.status).toBe(200);
      expect(second.body.data.map((key: { key_id: string }) => key.key_id)).toEqual(
        newest.slice(2),
      );
      expect(second.body.next_cursor).toBeNull();
      expect(second.headers.link).toBeUndefined();
      // Another user's cursor is not one of this list.
      const mallory = await createUser();
      const foreign = await request(app)
        .get(`/api/auth/keys?cursor=${first.body.next_cursor}`)
        .set(bearer(mallory.idToken));
      expect(foreign.status).toBe(400);
      expect(foreign.body).toEqual(
        failure({
          code: 'invalid-argument',
          message: 'The cursor is not one this API returned.',
          details: [{ path: 'cursor', message: 'Not a valid cursor.' }],
        }),
      );
    });

    it.each(['/api/auth/keys', '/api/auth/create-key'])(
      'a creation retried with the same Idempotency-Key mints one key (%s)',
      async (path) => {
        const liam = await createUser();
        const post = () =>
          request(app)
            .post(path)
            .set({ ...bearer(liam.idToken), 'Idempotency-Key': 'create-key-once' })
            .send({ name: 'retried' });
        const first = await post();
        expect(first.status).toBe(201);
        const replay = await post();
        expect(replay.status).toBe(201);
        expect(replay.headers['idempotent-replayed']).toBe('true');
        expect(replay.headers.location).toBe(first.headers.location);
        expect(replay.body).toEqual(first.body);
        expect(replay.body.data.key).toMatch(/^orgk_/);

        const listed = await request(app).get('/api/auth/keys').set(bearer(liam.idToken));
        expect(listed.body).toEqual({
          success: true,
          data: [keyFields(first.body.data)],
          next_cursor: null,
        });
        // The replayed answer is kept sealed: no stored document holds the key.
        const { key } = first.body.data as { key: string };
        const stored = await db().collection('idempotency_keys').get();
        expect(stored.size).toBeGreaterThan(0);
        expect(JSON.stringify(stored.docs.map((doc) => doc.data()))).not.toContain(key.slice(5));
        expect(JSON.stringify(await dump())).not.toContain(key.slice(5));
        // The key works, once.
        await request(app).get('/api/auth/me').set(bearer(key)).expect(200);
      },
    );

    it('a creation with a reused Idempotency-Key and another body is a 409', async () => {
      const mia = await createUser();
      const post = (name: string) =>
        request(app)
          .post('/api/auth/keys')
          .set({ ...bearer(mia.idToken), 'Idempotency-Key': 'reused' })
          .send({ name });
      expect((await post('first')).status).toBe(201);
      const other = await post('second');
      expect(other.status).toBe(409);
      expect(other.body).toEqual(
        failure({
          code: 'failed-precondition',
          message: 'This Idempotency-Key was already used with a different request.',
        }),
      );
      const listed = await request(app).get('/api/auth/keys').set(bearer(mia.idToken));
      expect(listed.body.data.map((key: { name: string }) => key.name)).toEqual(['first']);
    });

    it('a delete-key retried with the same Idempotency-Key answers the same 200', async () => {
      const nina = await createUser();
      const { key_id } = await createKey(nina);
      const revoke = () =>
        request(app)
          .post('/api/auth/delete-key')
          .set({ ...bearer(nina.idToken), 'Idempotency-Key': 'revoke-once' })
          .send({ key_id });
      const first = await revoke();
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ success: true, data: { key_id, revoked: true } });
      const replay = await revoke();
      expect(replay.status).toBe(200);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body).toEqual(first.body);
      // Without the key, a second revocation finds nothing to revoke.
      const again = await request(app)
        .post('/api/auth/delete-key')
        .set(bearer(nina.idToken))
        .send({ key_id });
      expect(again.status).toBe(404);
    });

    it('revokes with DELETE, answering the key id', async () => {
      const olga = await createUser();
      const { key_id } = await createKey(olga);
      const response = await request(app)
        .delete(`/api/auth/keys/${key_id}`)
        .set(bearer(olga.idToken));
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ success: true, data: { key_id, revoked: true } });
      const listed = await request(app).get('/api/auth/keys').set(bearer(olga.idToken));
      expect(listed.body).toEqual({ success: true, data: [], next_cursor: null });
    });

    it('does not let an API key mint keys', async () => {
      const { key } = await createKey(alice);
      const response = await request(app)
        .post('/api/auth/keys')
        .set(bearer(key))
        .send({ name: 'x' });
      expect(response.status).toBe(403);
      expect(response.body).toEqual(
        failure({
          code: 'permission-denied',
          message: 'An API key cannot create API keys: sign in with an ID token or a session.',
        }),
      );
    });

    it('refuses writes with a read-scoped key and allows its reads', async () => {
      const { key } = await createKey(alice, { name: 'reader', scopes: ['read'] });
      const read = await request(app).get('/api/auth/keys').set(bearer(key));
      expect(read.status).toBe(200);
      const write = await request(app)
        .post('/api/auth/delete-key')
        .set(bearer(key))
        .send({ key_id: 'abcdefghijkl' });
      expect(write.status).toBe(403);
      expect(write.body).toEqual(
        failure({
          code: 'permission-denied',
          message: 'This API key is read-only: it has no "write" scope.',
        }),
      );
    });

    it('cannot revoke another user’s key', async () => {
      const { key_id } = await createKey(alice);
      const mallory = await createUser();
      const response = await request(app)
        .delete(`/api/auth/keys/${key_id}`)
        .set(bearer(mallory.idToken));
      expect(response.status).toBe(404);
      expect(response.body).toEqual(
        failure({ code: 'not-found', message: `You have no API key ${key_id}.` }),
      );
    });

    it('rejects bad key requests field by field', async () => {
      const response = await request(app)
        .post('/api/auth/keys')
        .set(bearer(alice.idToken))
        .send({ name: '', expires_in_days: 731, scopes: ['admin'], owner: 'x' });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('invalid-argument');
      expect(response.body.error.message).toBe(
        'Invalid input: name, expires_in_days, scopes.0, owner.',
      );
      expect(response.body.error.details.map((detail: { path: string }) => detail.path)).toEqual([
        'name',
        'expires_in_days',
        'scopes.0',
        'owner',
      ]);
    });

    it('answers a hostile key id with 400', async () => {
      const response = await request(app)
        .delete('/api/auth/keys/..%2Fx')
        .set(bearer(alice.idToken));
      expect(response.status).toBe(400);
      expect(response.body).toEqual(
        failure({
          code: 'invalid-argument',
          message: 'Invalid input: key_id.',
          details: [{ path: 'key_id', message: 'Not an API key id.' }],
        }),
      );
    });

    it('verifies a recently used key from memory, without a Firestore read', async () => {
      const { key } = await createKey(alice);
      const reads = jest.spyOn(apiKeyStore, 'get');
      await request(app).get('/api/auth/me').set(bearer(key)).expect(200);
      expect(reads).toHaveBeenCalledTimes(1);
      await request(app).get('/api/auth/me').set(bearer(key)).expect(200);
      await request(app).get('/api/auth/keys').set(bearer(key)).expect(200);
      expect(reads).toHaveBeenCalledTimes(1);
      reads.mockRestore();
    });

    it('never stores, returns or logs the raw key', async () => {
      const logged: string[] = [];
      const capture = (stream: NodeJS.WriteStream) =>
        jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
          logged.push(String(chunk));
          return true;
        });
      const streams = [capture(process.stdout), capture(process.stderr)];
      const consoles = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) =>
        jest.spyOn(console, level).mockImplementation((...args: unknown[]) => {
          logged.push(args.map(String).join(' '));
        }),
      );
      const dave = await createUser();
      const { key, key_id } = await createKey(dave);
      const responses = [
        await request(app).get('/api/auth/me').set(bearer(key)),
        await request(app).get('/api/auth/keys').set(bearer(key)),
        await request(app).delete(`/api/auth/keys/${key_id}`).set(bearer(dave.idToken)),
        await request(app).get('/api/auth/me').set(bearer(key)),
      ];
      [...streams, ...consoles].forEach((spy) => spy.mockRestore());

      expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 401]);
      for (const response of responses) expect(JSON.stringify(response.body)).not.toContain(key);
      const documents = JSON.stringify(await dump());
      expect(documents).toContain(key_id);
      expect(documents).not.toContain(key);
      expect(documents).not.toContain(key.slice(5));
      expect(logged.join('\n')).not.toContain(key.slice(5));
    });
  });

  describe('every failure is a 401 saying what is wrong', () => {
    it('no credentials', () =>
      expect401(
        {},
        'Sign in: send "Authorization: Bearer <ID token or API key>" or a session cookie.',
      ));

    it('a Basic header', () =>
      expect401(
        { Authorization: 'Basic YWxpY2U6c2VjcmV0' },
        'The Authorization header must use the Bearer scheme: "Authorization: Bearer <ID token or API key>".',
      ));

    it('an empty Bearer credential', () =>
      expect401(
        { Authorization: 'Bearer ' },
        'The Authorization header has an empty Bearer credential.',
      ));

    it('a 10 KB garbage token', () =>
      expect401(
        bearer('x'.repeat(10_240)),
        'The Bearer credential is too long to be an ID token or an API key.',
      ));

    it('a garbage token of ordinary length', () =>
      expect401(bearer('not.a.token'), 'The ID token is malformed or its signature is invalid.'));

    it('an ID token for another project', () =>
      expect401(
        bearer(
          forgeIdToken(alice.uid, {
            aud: 'another-project',
            iss: 'https://securetoken.google.com/another-project',
          }),
        ),
        'The ID token was issued for another Firebase project.',
      ));

    it('an expired ID token', () => {
      const past = Math.floor(Date.now() / 1000) - 7200;
      return expect401(
        bearer(forgeIdToken(alice.uid, { auth_time: past, iat: past, exp: past + 3600 })),
        'The ID token has expired: refresh it and try again.',
      );
    });

    it('a revoked ID token', async () => {
      const erin = await createUser();
      await sleep(1100); // revocation is valid from the next whole second
      await auth().revokeRefreshTokens(erin.uid);
      await expect401(bearer(erin.idToken), 'The ID token has been revoked: sign in again.');
    });

    it('a session after logout', async () => {
      const frank = await createUser();
      const login = await request(app).post('/api/auth/login').send({ id_token: frank.idToken });
      const cookie = (login.headers['set-cookie'] as unknown as string[])[0].split(';')[0];
      await sleep(1100);
      // A write signed by the session cookie comes from an allowed origin (the console's).
      const logout = await request(app)
        .post('/api/auth/logout')
        .set({ Cookie: cookie, Origin: 'http://127.0.0.1:5000' });
      expect(logout.status).toBe(200);
      expect(logout.body).toEqual({ success: true, data: { signed_out: true } });
      expect((logout.headers['set-cookie'] as unknown as string[])[0]).toMatch(
        /^__session=; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict$/,
      );
      await expect401({ Cookie: cookie }, 'The session has been revoked: sign in again.');
      await expect401(bearer(frank.idToken), 'The ID token has been revoked: sign in again.');
    });

    it('a disabled user’s otherwise valid key', async () => {
      const grace = await createUser();
      const { key } = await createKey(grace);
      await auth().updateUser(grace.uid, { disabled: true });
      await expect401(bearer(key), 'This user account is disabled.');
    });

    it('a disabled user’s ID token', async () => {
      const heidi = await createUser();
      await auth().updateUser(heidi.uid, { disabled: true });
      await expect401(bearer(heidi.idToken), 'This user account is disabled.');
    });

    it('an expired key', async () => {
      const { key, key_id } = await createKey(alice);
      const snapshot = await db().collection('api_keys').where('key_id', '==', key_id).get();
      const expiredAt = new Date(Date.now() - 1000);
      await snapshot.docs[0].ref.update({ expires_at: expiredAt });
      await expect401(bearer(key), `This API key expired at ${expiredAt.toISOString()}.`);
    });

    it('a revoked key, at once on the instance that revoked it', async () => {
      const { key, key_id } = await createKey(alice);
      await request(app).get('/api/auth/me').set(bearer(key)).expect(200);
      const revoked = await request(app)
        .delete(`/api/auth/keys/${key_id}`)
        .set(bearer(alice.idToken));
      expect(revoked.status).toBe(200);
      expect(revoked.body).toEqual({ success: true, data: { key_id, revoked: true } });
      await expect401(bearer(key), 'This API key was revoked.');
    });

    it('an unknown key', () => expect401(bearer(`orgk_${'A'.repeat(43)}`), 'Unknown API key.'));
  });
});
