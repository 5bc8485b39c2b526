// Team entries copy their member's profile (so the team listing stays one query); the copies are
// refreshed where the API learns fresh values anyway: a sign-in (POST /auth/login) and a profile
// change (PATCH /users/me). Before, they kept what Auth said at join time.
import request from 'supertest';
import { auth } from '../../functions/src/firebase';
import { app, as, createOrganization } from '../helpers/api';
import { createUser, describeEmulators, signIn, wipe, type TestUser } from '../helpers/emulators';

describeEmulators('team entries refreshed from Auth', () => {
  let owner: TestUser;
  let platform: TestUser;
  let orgs = 0;

  beforeAll(async () => {
    await wipe();
    [owner, platform] = await Promise.all([
      createUser({ name: 'Olive Owner' }),
      createUser({ name: 'Pat Platform', claims: { admin: true } }),
    ]);
  });

  /** A fresh organization with `uid` added directly (by a platform admin: no sign-in needed). */
  async function organizationWith(uid: string): Promise<string> {
    orgs += 1;
    const { organization_id: orgId } = await createOrganization(owner, {
      name: `Refresh Lab ${orgs}`,
    });
    const added = await as(platform).post(`/api/organizations/${orgId}/team`, { uid });
    expect(added.status).toBe(201);
    return orgId;
  }

  async function entryOf(orgId: string, uid: string) {
    const response = await as(owner).get(`/api/organizations/${orgId}/team`);
    expect(response.status).toBe(200);
    return (response.body.data as { uid: string }[]).find((entry) => entry.uid === uid);
  }

  const login = (idToken: string) =>
    request(app).post('/api/auth/login').send({ id_token: idToken });

  it('a name and photo changed in Auth show in every team list after the user signs in', async () => {
    const member = await createUser({ name: 'Old Name' });
    const [first, second] = [
      await organizationWith(member.uid),
      await organizationWith(member.uid),
    ];
    expect(await entryOf(first, member.uid)).toMatchObject({ name: 'Old Name', photo_url: '' });
    // The client SDK's updateProfile writes Auth directly, past the API.
    await auth().updateUser(member.uid, {
      displayName: 'New Name',
      photoURL: 'https://example.com/new.png',
    });
    expect(await entryOf(first, member.uid)).toMatchObject({ name: 'Old Name' });
    const session = await login((await signIn(member.email, member.password)).idToken);
    expect(session.status).toBe(200);
    for (const orgId of [first, second]) {
      expect(await entryOf(orgId, member.uid)).toMatchObject({
        uid: member.uid,
        name: 'New Name',
        photo_url: 'https://example.com/new.png',
        signed_in: true,
        role: 'member',
      });
    }
  });

  it('an account added before its first sign-in shows signed_in once it signs in', async () => {
    // Imported, not created: the Auth emulator records a sign-in with every created account.
    const uid = `never-${Date.now()}`;
    const email = `${uid}@example.com`;
    const password = 'correct horse battery staple';
    await auth().importUsers([{ uid, email, displayName: 'Nora New' }]);
    await auth().updateUser(uid, { password });
    const record = { uid };
    const orgId = await organizationWith(record.uid);
    expect(await entryOf(orgId, record.uid)).toMatchObject({ name: 'Nora New', signed_in: false });
    const session = await login((await signIn(email, password)).idToken);
    expect(session.status).toBe(200);
    expect(await entryOf(orgId, record.uid)).toMatchObject({ name: 'Nora New', signed_in: true });
  });

  it('a profile change copies the Auth fields too, not only the posted ones', async () => {
    const member = await createUser({ name: 'Phil Photo' });
    const orgId = await organizationWith(member.uid);
    await auth().updateUser(member.uid, { photoURL: 'https://example.com/phil.png' });
    const patched = await as(member).patch('/api/users/me', { position: 'Chemist' });
    expect(patched.status).toBe(200);
    expect(patched.body.data).toMatchObject({
      photo_url: 'https://example.com/phil.png',
      position: 'Chemist',
    });
    expect(await entryOf(orgId, member.uid)).toMatchObject({
      name: 'Phil Photo',
      photo_url: 'https://example.com/phil.png',
      position: 'Chemist',
    });
  });
});
