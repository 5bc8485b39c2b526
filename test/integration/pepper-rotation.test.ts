// Rotating API_KEY_PEPPER without invalidating every key (docs/OPERATIONS.md): with the old pepper
// as API_KEY_PEPPER_PREVIOUS, a key stored under it still verifies and moves to the new pepper's
// digest on that use; once the previous pepper is removed, keys used in the grace period work and
// keys that were not are unknown. The secrets are environment variables at run time, as deployed.
import { createHmac, randomBytes } from 'node:crypto';
import request from 'supertest';
import { createApp } from '../../functions/src/app';
import { db } from '../../functions/src/firebase';
import { createUser, describeEmulators, wipe, type TestUser } from '../helpers/emulators';
import { failure } from '../helpers/envelope';

const digest = (key: string, pepper: string) =>
  createHmac('sha256', pepper).update(key).digest('hex');
const exists = async (id: string) => (await db().collection('api_keys').doc(id).get()).exists;

describeEmulators('rotating the API-key pepper', () => {
  const saved = {
    current: process.env.API_KEY_PEPPER,
    previous: process.env.API_KEY_PEPPER_PREVIOUS,
  };
  const oldPepper = randomBytes(32).toString('base64url');
  const newPepper = randomBytes(32).toString('base64url');
  let user: TestUser;
  let used: string;
  let unused: string;

  function setPeppers(current: string, previous: string) {
    process.env.API_KEY_PEPPER = current;
    process.env.API_KEY_PEPPER_PREVIOUS = previous;
  }
  // A fresh app for each phase: a new instance, with nothing cached (a rotation's redeploy).
  const me = (key: string) =>
    request(createApp()).get('/api/auth/me').set('Authorization', `Bearer ${key}`);

  beforeAll(async () => {
    await wipe();
    user = await createUser({ name: 'Rosa Rotate' });
    setPeppers(oldPepper, 'none');
    const app = createApp();
    const mint = async (name: string) => {
      const response = await request(app)
        .post('/api/auth/keys')
        .set('Authorization', `Bearer ${user.idToken}`)
        .send({ name });
      expect(response.status).toBe(201);
      return response.body.data.key as string;
    };
    used = await mint('used in the grace period');
    unused = await mint('not used in the grace period');
  });

  afterAll(() => {
    process.env.API_KEY_PEPPER = saved.current;
    if (saved.previous === undefined) delete process.env.API_KEY_PEPPER_PREVIOUS;
    else process.env.API_KEY_PEPPER_PREVIOUS = saved.previous;
  });

  it('a new pepper alone makes every stored key unknown (why the previous one is needed)', async () => {
    setPeppers(newPepper, 'none');
    const response = await me(used);
    expect(response.status).toBe(401);
    expect(response.body).toEqual(
      failure({ code: 'unauthenticated', message: 'Unknown API key.' }),
    );
    expect(await exists(digest(used, oldPepper))).toBe(true);
  });

  it('with the old pepper as the previous one, a key still verifies and moves to the new digest', async () => {
    setPeppers(newPepper, oldPepper);
    const response = await me(used);
    expect(response.status).toBe(200);
    expect(response.body.data).toMatchObject({ uid: user.uid, credential: 'api_key' });
    expect(await exists(digest(used, newPepper))).toBe(true);
    expect(await exists(digest(used, oldPepper))).toBe(false);
    // The unused key is still where it was.
    expect(await exists(digest(unused, oldPepper))).toBe(true);
    // The moved key keeps working on another instance in the grace period.
    expect((await me(used)).status).toBe(200);
  });

  it('after the grace period, a key used in it works and one that was not is unknown', async () => {
    setPeppers(newPepper, 'none');
    expect((await me(used)).status).toBe(200);
    const response = await me(unused);
    expect(response.status).toBe(401);
    expect(response.body).toEqual(
      failure({ code: 'unauthenticated', message: 'Unknown API key.' }),
    );
    // Its owner still sees it listed (and revokes it, or it expires): listing reads by user.
    const listed = await request(createApp())
      .get('/api/auth/keys')
      .set('Authorization', `Bearer ${user.idToken}`);
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((key: { name: string }) => key.name).sort()).toEqual([
      'not used in the grace period',
      'used in the grace period',
    ]);
  });
});
