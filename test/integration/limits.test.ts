// The abuse limits (issue 16): rate limits per caller and per address, the brute-force cut-off,
// and the quotas on costly actions. Each app here is built with explicit limits: the integration
// setup raises the environment's for every other suite (test/helpers/setup.ts).
import request from 'supertest';
import { createApp } from '../../functions/src/app';
import { db } from '../../functions/src/firebase';
import { LIMIT_SETTINGS, type LimitOverrides } from '../../functions/src/limits/config';
import { createUser, describeEmulators, sleep, wipe, type TestUser } from '../helpers/emulators';
import { meterFirestore } from '../helpers/firestore-meter';

const bearer = (credential: string) => ({ Authorization: `Bearer ${credential}` });
const from = (address: string) => ({ 'X-Forwarded-For': address });

/** The documented defaults of the quotas (the integration setup raises the environment's). */
const DEFAULT_QUOTAS = Object.fromEntries(
  Object.entries(LIMIT_SETTINGS.quotas).map(([name, setting]) => [name, setting.default]),
) as { [K in keyof typeof LIMIT_SETTINGS.quotas]: number };
/** Rates no test of the quotas comes near. */
const OPEN_RATES = {
  reads: 100_000,
  writes: 100_000,
  anonymous: 100_000,
  authFailures: 100_000,
  signIns: 100_000,
};

const ISO_TIME = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`;

/** The 429 body of a limit: its exact wording, with the reset time and seconds as they come. */
function exhausted(limit: string) {
  const message = expect.stringMatching(
    new RegExp(
      `^Rate limit reached: ${limit.replace(/[()]/g, '\\$&')}\\. It resets at ${ISO_TIME} \\(in \\d+ s\\)\\.$`,
    ),
  );
  return {
    success: false,
    message,
    error: { code: 'resource-exhausted', message },
  };
}

const me = (app: ReturnType<typeof createApp>, address: string) =>
  request(app).get('/api/auth/me').set(from(address));

function appWith(limits: LimitOverrides) {
  return createApp({ limits });
}

async function createKey(app: ReturnType<typeof createApp>, user: TestUser, name = 'script') {
  const response = await request(app)
    .post('/api/auth/keys')
    .set(bearer(user.idToken))
    .send({ name });
  expect(response.status).toBe(201);
  return response.body.data as { key: string; key_id: string };
}

describeEmulators('abuse limits', () => {
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    await wipe();
    [alice, bob] = await Promise.all([
      createUser({ name: 'Alice Limits' }),
      createUser({ name: 'Bob Limits' }),
    ]);
  });

  describe('rate limits per caller', () => {
    it('answers a burst over the read limit of one API key with 429, Retry-After and the RateLimit headers; another key and another user are unaffected', async () => {
      const app = appWith({ rates: { reads: 5, writes: 100 } });
      const first = await createKey(app, alice, 'first');
      const second = await createKey(app, alice, 'second');
      for (let i = 0; i < 5; i += 1) {
        const ok = await request(app).get('/api/auth/me').set(bearer(first.key));
        expect(ok.status).toBe(200);
        expect(ok.headers.ratelimit).toBe(`"reads"; r=${4 - i}; t=60`);
        expect(ok.headers['ratelimit-policy']).toMatch(
          /^"reads"; q=5; w=60; pk=:[A-Za-z0-9+/=]+:$/,
        );
      }
      const refused = await request(app).get('/api/auth/me').set(bearer(first.key));
      expect(refused.status).toBe(429);
      expect(refused.body).toEqual(exhausted('5 GET requests per 1 minute for this API key'));
      expect(refused.headers['retry-after']).toMatch(/^(60|59|58)$/);
      expect(refused.headers.ratelimit).toMatch(/^"reads"; r=0; t=(60|59|58)$/);
      expect(refused.headers['ratelimit-policy']).toMatch(/^"reads"; q=5; w=60; pk=/);

      const otherKey = await request(app).get('/api/auth/me').set(bearer(second.key));
      expect(otherKey.status).toBe(200);
      expect(otherKey.headers.ratelimit).toBe('"reads"; r=4; t=60');
      const otherUser = await request(app).get('/api/auth/me').set(bearer(bob.idToken));
      expect(otherUser.status).toBe(200);
      expect(otherUser.headers.ratelimit).toBe('"reads"; r=4; t=60');
      // Writes have their own limit: the exhausted key may still write.
      const write = await request(app)
        .patch('/api/users/me')
        .set(bearer(first.key))
        .send({ position: 'Chemist' });
      expect(write.status).toBe(200);
      expect(write.headers.ratelimit).toBe('"writes"; r=99; t=60');
    });

    it('counts writes apart from reads, per user for ID tokens', async () => {
      const app = appWith({ rates: { reads: 100, writes: 2 } });
      for (let i = 0; i < 2; i += 1) {
        const ok = await request(app)
          .patch('/api/users/me')
          .set(bearer(bob.idToken))
          .send({ position: `Buyer ${i}` });
        expect(ok.status).toBe(200);
      }
      const refused = await request(app)
        .patch('/api/users/me')
        .set(bearer(bob.idToken))
        .send({ position: 'Buyer 3' });
      expect(refused.status).toBe(429);
      expect(refused.body).toEqual(
        exhausted('2 writes (POST, PUT, PATCH, DELETE) per 1 minute for this user'),
      );
      const read = await request(app).get('/api/users/me').set(bearer(bob.idToken));
      expect(read.status).toBe(200);
      expect(read.body.data.position).toBe('Buyer 1');
    });

    it('lets the caller in again once the window resets', async () => {
      const app = appWith({ rates: { reads: 2, windowMs: 1500 } });
      for (let i = 0; i < 2; i += 1) {
        expect((await request(app).get('/api/auth/me').set(bearer(alice.idToken))).status).toBe(
          200,
        );
      }
      const refused = await request(app).get('/api/auth/me').set(bearer(alice.idToken));
      expect(refused.status).toBe(429);
      expect(refused.body).toEqual(exhausted('2 GET requests per 1.5 s for this user'));
      expect(refused.headers['retry-after']).toMatch(/^[12]$/);
      await sleep(1600);
      const again = await request(app).get('/api/auth/me').set(bearer(alice.idToken));
      expect(again.status).toBe(200);
      expect(again.headers.ratelimit).toBe('"reads"; r=1; t=2');
    });

    it('costs no Firestore read or write: a limited request reads what an unlimited one does', async () => {
      const limited = appWith({ rates: { reads: 600 } });
      const unlimited = appWith({ rates: { reads: 1_000_000 } });
      const created = await request(limited)
        .post('/api/organizations')
        .set(bearer(alice.idToken))
        .send({ name: 'Metered Labs' });
      expect(created.status).toBe(201);
      const get = (app: ReturnType<typeof createApp>) => () =>
        request(app).get('/api/organizations/metered-labs').set(bearer(alice.idToken)).expect(200);
      // Warm both apps' caches alike before measuring.
      await get(limited)();
      await get(unlimited)();
      const withLimiter = await meterFirestore(get(limited));
      const without = await meterFirestore(get(unlimited));
      expect(withLimiter).toEqual(without);
      expect(withLimiter.commits).toBe(0);
      expect(withLimiter.transactions).toBe(0);
    });
  });

  describe('requests without credentials', () => {
    it('limits them per client address, which the client cannot choose through X-Forwarded-For', async () => {
      const app = appWith({ rates: { anonymous: 3, reads: 600 } });
      for (let i = 0; i < 3; i += 1) {
        const ok = await request(app).get('/api/organizations').set(from('203.0.113.7'));
        expect(ok.status).toBe(200);
        expect(ok.headers.ratelimit).toBe(`"anonymous"; r=${2 - i}; t=60`);
      }
      const refused = await request(app).get('/api/organizations').set(from('203.0.113.7'));
      expect(refused.status).toBe(429);
      expect(refused.body).toEqual(
        exhausted('3 requests without credentials per 1 minute for this address'),
      );
      // The front end appends the address it saw: an entry the client wrote before it is ignored.
      const spoofed = await request(app)
        .get('/api/organizations')
        .set(from('198.51.100.1, 203.0.113.7'));
      expect(spoofed.status).toBe(429);
      const other = await request(app).get('/api/organizations').set(from('203.0.113.8'));
      expect(other.status).toBe(200);
      // A signed-in request from the same address is counted per caller, not per address.
      const signedIn = await request(app)
        .get('/api/organizations')
        .set(from('203.0.113.7'))
        .set(bearer(alice.idToken));
      expect(signedIn.status).toBe(200);
      expect(signedIn.headers.ratelimit).toBe('"reads"; r=599; t=60');
    });
  });

  describe('brute force', () => {
    const guess = (i: number) => `orgk_${'A'.repeat(41)}${String(i).padStart(2, '0')}`;
    const session = '__session';

    /** A session cookie of a freshly signed-in user. */
    async function signIn(app: ReturnType<typeof createApp>, user: TestUser, address: string) {
      const login = await request(app)
        .post('/api/auth/login')
        .set(from(address))
        .send({ id_token: user.idToken });
      expect(login.status).toBe(200);
      const cookie = String(login.headers['set-cookie']?.[0] ?? '').split(';')[0];
      expect(cookie).toMatch(new RegExp(`^${session}=.+`));
      return cookie;
    }

    it('cuts off API-key guessing from an address without reading Firestore; ID tokens, session cookies and keys this instance verified before still sign in from it, and other addresses with any key', async () => {
      const app = appWith({ rates: { authFailures: 3 } });
      const fresh = await createKey(app, alice, 'never used');
      const used = await createKey(app, alice, 'used before');
      const cookie = await signIn(app, bob, '198.51.100.30');
      // A script's key, verified once by this instance (from anywhere).
      expect((await me(app, '198.51.100.10').set(bearer(used.key))).status).toBe(200);

      for (let i = 0; i < 3; i += 1) {
        const wrong = await me(app, '198.51.100.9').set(bearer(guess(i)));
        expect(wrong.status).toBe(401);
        expect(wrong.body.error.message).toBe('Unknown API key.');
      }
      // The next key this instance has not verified is refused before its lookup: a guess, or a
      // valid key (the two cannot be told apart without reading Firestore).
      for (const key of [guess(3), fresh.key]) {
        let refused: request.Response | undefined;
        const use = await meterFirestore(async () => {
          refused = await me(app, '198.51.100.9').set(bearer(key));
        });
        expect(refused!.status).toBe(429);
        expect(refused!.body).toEqual(
          exhausted('3 failed API-key authentications per 60 s for this address'),
        );
        expect(refused!.headers['retry-after']).toMatch(/^(60|59|58)$/);
        expect(refused!.headers.ratelimit).toMatch(/^"auth-failures-api-key"; r=0; t=(60|59|58)$/);
        expect(refused!.headers['ratelimit-policy']).toMatch(
          /^"auth-failures-api-key"; q=3; w=60; pk=:[A-Za-z0-9+/=]+:$/,
        );
        expect(use).toEqual({ getAll: [], queries: [], commits: 0, transactions: 0 });
      }

      // From the same address: an ID token, a session cookie, and the key verified before.
      const byToken = await me(app, '198.51.100.9').set(bearer(alice.idToken));
      expect(byToken.status).toBe(200);
      expect(byToken.body.data).toMatchObject({ uid: alice.uid, credential: 'id_token' });
      const byCookie = await me(app, '198.51.100.9').set('Cookie', cookie);
      expect(byCookie.status).toBe(200);
      expect(byCookie.body.data).toMatchObject({ uid: bob.uid, credential: 'session' });
      const byUsedKey = await me(app, '198.51.100.9').set(bearer(used.key));
      expect(byUsedKey.status).toBe(200);
      expect(byUsedKey.body.data).toMatchObject({ key_id: used.key_id, credential: 'api_key' });

      // Another address: any key, including the one refused above.
      const elsewhere = await me(app, '198.51.100.10').set(bearer(fresh.key));
      expect(elsewhere.status).toBe(200);
      expect(elsewhere.body.data.key_id).toBe(fresh.key_id);
      // Without credentials the address is still served (as anonymous, within its own limit).
      const anonymous = await request(app).get('/api/organizations').set(from('198.51.100.9'));
      expect(anonymous.status).toBe(200);
    });

    it('counts bad ID tokens and bad session cookies each in their own bucket per address', async () => {
      const app = appWith({ rates: { authFailures: 2 } });
      const key = await createKey(app, alice, 'bucket');
      const cookie = await signIn(app, bob, '198.51.100.40');

      for (let i = 0; i < 2; i += 1) {
        const wrong = await me(app, '198.51.100.41').set(bearer(`not.a.token${i}`));
        expect(wrong.status).toBe(401);
      }
      const tokenRefused = await me(app, '198.51.100.41').set(bearer(alice.idToken));
      expect(tokenRefused.status).toBe(429);
      expect(tokenRefused.body).toEqual(
        exhausted('2 failed ID-token authentications per 60 s for this address'),
      );
      expect(tokenRefused.headers.ratelimit).toMatch(/^"auth-failures-id-token"; r=0; t=\d+$/);
      expect((await me(app, '198.51.100.41').set(bearer(key.key))).status).toBe(200);
      expect((await me(app, '198.51.100.41').set('Cookie', cookie)).status).toBe(200);

      for (let i = 0; i < 2; i += 1) {
        const wrong = await me(app, '198.51.100.42').set('Cookie', `${session}=bad${i}`);
        expect(wrong.status).toBe(401);
      }
      const cookieRefused = await me(app, '198.51.100.42').set('Cookie', cookie);
      expect(cookieRefused.status).toBe(429);
      expect(cookieRefused.body).toEqual(
        exhausted('2 failed session-cookie authentications per 60 s for this address'),
      );
      expect((await me(app, '198.51.100.42').set(bearer(alice.idToken))).status).toBe(200);
      expect((await me(app, '198.51.100.42').set(bearer(key.key))).status).toBe(200);
    });
  });

  describe('sign-in and sign-out', () => {
    it('limits POST /auth/login and /auth/logout per address, with credentials or without', async () => {
      const app = appWith({ rates: { signIns: 3, anonymous: 100 } });
      const login = (address: string) => request(app).post('/api/auth/login').set(from(address));
      // With the ID token in the body (no credentials), in the header, and a failed one: all count.
      const inBody = await login('198.51.100.50').send({ id_token: bob.idToken });
      expect(inBody.status).toBe(200);
      expect(inBody.headers.ratelimit).toBe('"anonymous"; r=99; t=60, "sign-ins"; r=2; t=60');
      const inHeader = await login('198.51.100.50').set(bearer(bob.idToken)).send({});
      expect(inHeader.status).toBe(200);
      expect(inHeader.headers.ratelimit).toBe('"sign-ins"; r=1; t=60');
      const cookie = String(inHeader.headers['set-cookie']?.[0] ?? '').split(';')[0];
      const failed = await login('198.51.100.50').send({ id_token: 'not.a.token' });
      expect(failed.status).toBe(401);

      for (const refused of [
        await login('198.51.100.50').send({ id_token: bob.idToken }),
        await login('198.51.100.50').set(bearer(bob.idToken)).send({}),
        await request(app)
          .post('/api/auth/logout')
          .set(from('198.51.100.50'))
          .set('Cookie', cookie),
      ]) {
        expect(refused.status).toBe(429);
        expect(refused.body).toEqual(
          exhausted('3 sign-ins and sign-outs per 1 minute for this address'),
        );
        expect(refused.headers['retry-after']).toMatch(/^(60|59|58)$/);
        expect(refused.headers['set-cookie']).toBeUndefined();
      }
      // The refused sign-out revoked nothing: the session still works.
      expect((await me(app, '198.51.100.50').set('Cookie', cookie)).status).toBe(200);
      // Another address signs in and out.
      expect((await login('198.51.100.51').send({ id_token: bob.idToken })).status).toBe(200);
      const out = await request(app).post('/api/auth/logout').set(from('198.51.100.51'));
      expect(out.status).toBe(200);
      expect(out.headers.ratelimit).toBe('"anonymous"; r=98; t=60, "sign-ins"; r=1; t=60');
    });
  });

  describe('quotas', () => {
    /** The 429 of a quota, with the end of its window. */
    function quotaExhausted(quota: string, resetsAt: string) {
      const message = `Quota reached: ${quota}. It resets at ${resetsAt}.`;
      return { success: false, message, error: { code: 'resource-exhausted', message } };
    }
    const nextDay = () => {
      const day = 24 * 3600 * 1000;
      return new Date((Math.floor(Date.now() / day) + 1) * day).toISOString();
    };
    const nextHour = () => {
      const hour = 3600 * 1000;
      return new Date((Math.floor(Date.now() / hour) + 1) * hour).toISOString();
    };
    const docs = async (collection: string, field: string, value: string) =>
      (await db().collection(collection).where(field, '==', value).get()).docs;

    it('holds the organizations-per-day quota (default 20) exactly under 20 concurrent creators racing for the last one; nothing is written for the refused', async () => {
      const app = appWith({ rates: OPEN_RATES, quotas: DEFAULT_QUOTAS });
      const carol = await createUser({ name: 'Carol Creator' });
      expect(DEFAULT_QUOTAS.organizationsPerUserPerDay).toBe(20);
      for (let i = 0; i < 19; i += 1) {
        const created = await request(app)
          .post('/api/organizations')
          .set(bearer(carol.idToken))
          .send({ organization_id: `carol-early-${i}`, name: `Carol Early ${i}` });
        expect(created.status).toBe(201);
      }
      const racers = Array.from({ length: 20 }, (_, i) => `carol-race-${i}`);
      const answers = await Promise.all(
        racers.map((id) =>
          request(app)
            .post('/api/organizations')
            .set(bearer(carol.idToken))
            .send({ organization_id: id, name: `Carol Race ${id}` }),
        ),
      );
      const won = racers.filter((_, i) => answers[i].status === 201);
      expect(won).toHaveLength(1);
      const refused = answers.filter((answer) => answer.status !== 201);
      expect(refused.map((answer) => answer.status)).toEqual(Array(19).fill(429));
      for (const answer of refused) {
        expect(answer.body).toEqual(
          quotaExhausted('20 organizations created per user per day', nextDay()),
        );
        expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
      }
      const owned = (await docs('organizations', 'owner', carol.uid)).map((doc) => doc.id);
      expect(owned.sort()).toEqual(
        [...Array.from({ length: 19 }, (_, i) => `carol-early-${i}`), won[0]].sort(),
      );
      for (const id of racers.filter((id) => id !== won[0])) {
        const [org, models, logs] = await Promise.all([
          db().collection('organizations').doc(id).get(),
          db().collection(`organizations/${id}/data_models`).get(),
          db().collection(`organizations/${id}/logs`).get(),
        ]);
        expect([org.exists, models.size, logs.size]).toEqual([false, 0, 0]);
      }
    });

    it('refuses an invitation over the per-invitee quota without queueing its mail, and counts resends per organization', async () => {
      const app = appWith({
        rates: OPEN_RATES,
        quotas: {
          ...DEFAULT_QUOTAS,
          invitationsPerInviteePerDay: 2,
          invitationsPerOrganizationPerDay: 3,
        },
      });
      const dora = await createUser({ name: 'Dora Inviter' });
      const orgs = ['dora-one', 'dora-two', 'dora-three'];
      for (const id of orgs) {
        const created = await request(app)
          .post('/api/organizations')
          .set(bearer(dora.idToken))
          .send({ organization_id: id, name: id });
        expect(created.status).toBe(201);
      }
      const invite = (orgId: string, email: string) =>
        request(app)
          .post(`/api/organizations/${orgId}/invitations`)
          .set(bearer(dora.idToken))
          .send({ email, role: 'member' });
      expect((await invite('dora-one', 'Target@Example.com')).status).toBe(201);
      expect((await invite('dora-two', 'target@example.com')).status).toBe(201);
      const refused = await invite('dora-three', 'target@example.com');
      expect(refused.status).toBe(429);
      expect(refused.body).toEqual(
        quotaExhausted('2 invitations and resends per invitee per day', nextDay()),
      );
      const mails = await db().collection('mail').get();
      const toTarget = mails.docs.filter((doc) =>
        String(doc.get('to')).toLowerCase().includes('target@example.com'),
      );
      expect(toTarget).toHaveLength(2);
      expect(await docs('organizations/dora-three/invitations', 'status', 'pending')).toHaveLength(
        0,
      );

      // Per organization: 3 a day, resends included.
      const second = await invite('dora-one', 'second@example.com');
      expect(second.status).toBe(201);
      const third = await invite('dora-one', 'third@example.com');
      expect(third.status).toBe(201);
      const fourth = await invite('dora-one', 'fourth@example.com');
      expect(fourth.status).toBe(429);
      expect(fourth.body).toEqual(
        quotaExhausted('3 invitations and resends per organization per day', nextDay()),
      );
    });

    it('holds the API-keys-per-day quota', async () => {
      const app = appWith({
        rates: OPEN_RATES,
        quotas: { ...DEFAULT_QUOTAS, apiKeysPerUserPerDay: 2 },
      });
      const erin = await createUser({ name: 'Erin Keys' });
      await createKey(app, erin, 'one');
      await createKey(app, erin, 'two');
      const refused = await request(app)
        .post('/api/auth/keys')
        .set(bearer(erin.idToken))
        .send({ name: 'three' });
      expect(refused.status).toBe(429);
      expect(refused.body).toEqual(
        quotaExhausted('2 API keys created per user per day', nextDay()),
      );
      expect(await docs('api_keys', 'uid', erin.uid)).toHaveLength(2);

      // GET /limits tells the caller where they stand.
      const limits = await request(app).get('/api/limits').set(bearer(erin.idToken));
      expect(limits.status).toBe(200);
      const day = 86400;
      const quota = (
        name: string,
        description: string,
        per: string,
        limit: number,
        window: number,
        used: number | null,
      ) => ({
        name,
        description,
        per,
        limit,
        window_seconds: window,
        used,
        remaining: used === null ? null : limit - used,
        resets_at: window === day ? nextDay() : nextHour(),
      });
      expect(limits.body).toEqual({
        success: true,
        data: {
          rate_limits: {
            counted_per: 'user',
            window_seconds: 60,
            reads: 100_000,
            writes: 100_000,
            anonymous_per_address: 100_000,
            failed_authentications_per_address: 100_000,
            sign_ins_per_address: 100_000,
          },
          quotas: [
            quota('organizations', '20 organizations created per user per day', 'user', 20, day, 0),
            quota('api_keys', '2 API keys created per user per day', 'user', 2, day, 2),
            quota(
              'invitations',
              '200 invitations and resends per organization per day',
              'organization',
              200,
              day,
              null,
            ),
            quota(
              'invitee',
              '5 invitations and resends per invitee per day',
              'invitee',
              5,
              day,
              null,
            ),
            quota(
              'members',
              '1000 members added per organization per hour',
              'organization',
              1000,
              3600,
              null,
            ),
          ],
        },
      });
    });

    it('holds the members-added-per-hour quota when invitees accept', async () => {
      const app = appWith({
        rates: OPEN_RATES,
        quotas: { ...DEFAULT_QUOTAS, membersPerOrganizationPerHour: 1 },
      });
      const [fay, gus, hal] = await Promise.all([
        createUser({ name: 'Fay Owner' }),
        createUser({ name: 'Gus Joiner' }),
        createUser({ name: 'Hal Joiner' }),
      ]);
      const created = await request(app)
        .post('/api/organizations')
        .set(bearer(fay.idToken))
        .send({ organization_id: 'fay-hourly', name: 'Fay Hourly', team: [gus.uid, hal.uid] });
      expect(created.status).toBe(201);
      const accept = async (user: TestUser) => {
        const mine = await request(app).get('/api/invitations').set(bearer(user.idToken));
        expect(mine.status).toBe(200);
        const [invitation] = mine.body.data as { id: string }[];
        return request(app)
          .post(`/api/invitations/${invitation.id}/accept`)
          .set(bearer(user.idToken));
      };
      expect((await accept(gus)).status).toBe(200);
      const refused = await accept(hal);
      expect(refused.status).toBe(429);
      expect(refused.body).toEqual(
        quotaExhausted('1 members added per organization per hour', nextHour()),
      );
      const org = await db().collection('organizations').doc('fay-hourly').get();
      expect((org.get('team') as string[]).sort()).toEqual([fay.uid, gus.uid].sort());
    });
  });
});
