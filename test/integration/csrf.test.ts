// Cross-site request forgery: a write that a browser signs with the `__session` cookie on its own
// must come from an allowed origin (or carry `Sec-Fetch-Site: same-origin`); Bearer credentials,
// which no page of another origin can attach, are unaffected.
import request from 'supertest';
import { db } from '../../functions/src/firebase';
import { app, as, bearer, createOrganization } from '../helpers/api';
import { createUser, describeEmulators, sleep, wipe, type TestUser } from '../helpers/emulators';
import { failure } from '../helpers/envelope';

const ALLOWED = 'http://127.0.0.1:5000';
const NO_ORIGIN = failure({
  code: 'permission-denied',
  message:
    'A request signed in by the session cookie must come from an allowed origin; this one has no Origin header (scripts sign with "Authorization: Bearer <ID token or API key>" instead).',
});
const foreign = (origin: string) =>
  failure({
    code: 'permission-denied',
    message: `A request signed in by the session cookie must come from an allowed origin; "${origin}" is not one.`,
  });

/** A session cookie (`__session=…`) for a user who signed in moments ago. */
async function login(user: TestUser): Promise<string> {
  const response = await request(app).post('/api/auth/login').send({ id_token: user.idToken });
  expect(response.status).toBe(200);
  return (response.headers['set-cookie'] as unknown as string[])[0].split(';')[0];
}

/** The answer of a member's leaving. */
const left = (orgId: string) => ({ success: true, data: { organization_id: orgId, left: true } });

async function isMember(orgId: string, uid: string): Promise<boolean> {
  return (await db().doc(`organizations/${orgId}/members/${uid}`).get()).exists;
}

describeEmulators('writes signed in by the session cookie', () => {
  let owner: TestUser;
  let orgCount = 0;

  beforeAll(async () => {
    await wipe();
    owner = await createUser({ name: 'Olive Owner' });
  });

  /** A fresh organization and a member who joined it by invitation, with their session cookie. */
  async function member(): Promise<{ orgId: string; user: TestUser; cookie: string }> {
    orgCount += 1;
    const { organization_id: orgId } = await createOrganization(owner, {
      name: `CSRF Lab ${orgCount}`,
    });
    const user = await createUser({ name: 'Mia Member' });
    const invited = await as(owner).post(`/api/organizations/${orgId}/invitations`, {
      email: user.email,
      role: 'member',
    });
    expect(invited.status).toBe(201);
    const accepted = await as(user).post(`/api/invitations/${invited.body.data.id}/accept`);
    expect(accepted.status).toBe(200);
    expect(await isMember(orgId, user.uid)).toBe(true);
    return { orgId, user, cookie: await login(user) };
  }

  it('refuses one without an Origin header, and changes nothing', async () => {
    const { orgId, user, cookie } = await member();
    const response = await request(app)
      .post(`/api/organizations/${orgId}/leave`)
      .set('Cookie', cookie);
    expect(response.status).toBe(403);
    expect(response.body).toEqual(NO_ORIGIN);
    expect(await isMember(orgId, user.uid)).toBe(true);
  });

  it.each([
    ['another site', 'https://evil.example', {}],
    ['an opaque origin', 'null', {}],
    ['a sibling of the same site', 'http://evil.127.0.0.1:5000', { 'Sec-Fetch-Site': 'same-site' }],
  ])('refuses one from %s, and changes nothing', async (_name, origin, headers) => {
    const { orgId, user, cookie } = await member();
    const response = await request(app)
      .post(`/api/organizations/${orgId}/leave`)
      .set({ Cookie: cookie, Origin: origin, ...headers });
    expect(response.status).toBe(403);
    expect(response.body).toEqual(foreign(origin));
    expect(await isMember(orgId, user.uid)).toBe(true);
  });

  it('refuses every unsafe method, not only POST', async () => {
    const { orgId, user, cookie } = await member();
    for (const call of [
      request(app).patch(`/api/organizations/${orgId}`).send({ name: 'Renamed' }),
      request(app).delete(`/api/organizations/${orgId}/team/${user.uid}`),
      request(app).put(`/api/organizations/${orgId}/secrets/metrc`).send({ value: 'x' }),
      request(app).post('/api/organizations').send({ name: 'Forged Lab' }),
    ]) {
      const response = await call.set('Cookie', cookie);
      expect(response.status).toBe(403);
      expect(response.body).toEqual(NO_ORIGIN);
    }
    expect(await isMember(orgId, user.uid)).toBe(true);
    expect((await db().doc('organizations/forged-lab').get()).exists).toBe(false);
  });

  it('accepts one from an allowed origin', async () => {
    const { orgId, user, cookie } = await member();
    const response = await request(app)
      .post(`/api/organizations/${orgId}/leave`)
      .set({ Cookie: cookie, Origin: ALLOWED });
    expect(response.status).toBe(200);
    expect(response.body).toEqual(left(orgId));
    expect(await isMember(orgId, user.uid)).toBe(false);
  });

  it('accepts one the browser marks Sec-Fetch-Site: same-origin', async () => {
    const { orgId, user, cookie } = await member();
    const response = await request(app)
      .post(`/api/organizations/${orgId}/leave`)
      .set({ Cookie: cookie, 'Sec-Fetch-Site': 'same-origin' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual(left(orgId));
    expect(await isMember(orgId, user.uid)).toBe(false);
  });

  it('reads with the cookie need no Origin', async () => {
    const { orgId, user, cookie } = await member();
    const response = await request(app)
      .get(`/api/organizations/${orgId}/role`)
      .set('Cookie', cookie);
    expect(response.status).toBe(200);
    expect(response.body.data.role).toBe('member');
    const me = await request(app).get('/api/auth/me').set('Cookie', cookie);
    expect(me.status).toBe(200);
    expect(me.body.data).toMatchObject({ uid: user.uid, credential: 'session' });
  });

  describe('Bearer credentials need no Origin', () => {
    it('an ID token', async () => {
      const { orgId, user } = await member();
      const response = await as(user).post(`/api/organizations/${orgId}/leave`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual(left(orgId));
      expect(await isMember(orgId, user.uid)).toBe(false);
    });

    it('an API key', async () => {
      const { orgId, user } = await member();
      const created = await as(user).post('/api/auth/keys', { name: 'script' });
      expect(created.status).toBe(201);
      const response = await request(app)
        .post(`/api/organizations/${orgId}/leave`)
        .set(bearer(created.body.data.key));
      expect(response.status).toBe(200);
      expect(response.body).toEqual(left(orgId));
      expect(await isMember(orgId, user.uid)).toBe(false);
    });

    it('an ID token sent with a session cookie too (the header is the credential)', async () => {
      const { orgId, user, cookie } = await member();
      const response = await request(app)
        .post(`/api/organizations/${orgId}/leave`)
        .set({ ...bearer(user.idToken), Cookie: cookie });
      expect(response.status).toBe(200);
      expect(response.body).toEqual(left(orgId));
      expect(await isMember(orgId, user.uid)).toBe(false);
    });
  });

  describe('logout', () => {
    it('with the cookie and no Origin is refused, and the session lives on', async () => {
      const user = await createUser();
      const cookie = await login(user);
      const response = await request(app).post('/api/auth/logout').set('Cookie', cookie);
      expect(response.status).toBe(403);
      expect(response.body).toEqual(NO_ORIGIN);
      expect(response.headers['set-cookie']).toBeUndefined();
      expect((await request(app).get('/api/auth/me').set('Cookie', cookie)).status).toBe(200);
    });

    it('with the cookie from another site is refused', async () => {
      const user = await createUser();
      const cookie = await login(user);
      const response = await request(app)
        .post('/api/auth/logout')
        .set({ Cookie: cookie, Origin: 'https://evil.example' });
      expect(response.status).toBe(403);
      expect(response.body).toEqual(foreign('https://evil.example'));
      expect((await request(app).get('/api/auth/me').set('Cookie', cookie)).status).toBe(200);
    });

    it('with the cookie from an allowed origin ends the session', async () => {
      const user = await createUser();
      const cookie = await login(user);
      await sleep(1100); // revocation is valid from the next whole second
      const response = await request(app)
        .post('/api/auth/logout')
        .set({ Cookie: cookie, Origin: ALLOWED });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ success: true, data: { signed_out: true } });
      expect((response.headers['set-cookie'] as unknown as string[])[0]).toMatch(/^__session=;/);
      const me = await request(app).get('/api/auth/me').set('Cookie', cookie);
      expect(me.status).toBe(401);
      expect(me.body).toEqual(
        failure({
          code: 'unauthenticated',
          message: 'The session has been revoked: sign in again.',
        }),
      );
    });

    it('without a cookie has nothing to forge, and needs no Origin', async () => {
      const response = await request(app).post('/api/auth/logout');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ success: true, data: { signed_out: true } });
      expect((response.headers['set-cookie'] as unknown as string[])[0]).toMatch(/^__session=;/);
    });
  });

  describe('login', () => {
    it('needs no Origin (its ID token is a Bearer credential)', async () => {
      const user = await createUser();
      const response = await request(app).post('/api/auth/login').send({ id_token: user.idToken });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        success: true,
        data: { uid: user.uid, expires_at: response.body.data.expires_at },
      });
    });

    it('works from an allowed origin', async () => {
      const user = await createUser();
      const response = await request(app)
        .post('/api/auth/login')
        .set('Origin', ALLOWED)
        .send({ id_token: user.idToken });
      expect(response.status).toBe(200);
      expect(response.headers['set-cookie']).toHaveLength(1);
    });

    it('from another site is refused and sets no cookie', async () => {
      const user = await createUser();
      const response = await request(app)
        .post('/api/auth/login')
        .set('Origin', 'https://evil.example')
        .send({ id_token: user.idToken });
      expect(response.status).toBe(403);
      expect(response.body).toEqual(
        failure({
          code: 'permission-denied',
          message: 'A sign-in must come from an allowed origin; "https://evil.example" is not one.',
        }),
      );
      expect(response.headers['set-cookie']).toBeUndefined();
    });
  });
});
