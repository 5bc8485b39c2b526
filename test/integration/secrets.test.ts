// Posted API keys against the real Secret Manager client and the project's local Secret Manager
// emulator, started here on its own port so that faults can be injected into it.
import { Firestore, WriteBatch } from 'firebase-admin/firestore';
import { db } from '../../functions/src/firebase';
import { as, createOrganization, ISO, joinAll, setRole } from '../helpers/api';
import { createUser, describeEmulators, dump, wipe, type TestUser } from '../helpers/emulators';
import { failure } from '../helpers/envelope';

interface Emulator {
  address: string;
  stop(): Promise<void>;
  failNext(method: string, code: number): void;
  secrets(): Record<string, { versions: { name: string; state: string; data: string }[] }>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const emulatorModule = require('../../tools/secret-manager-emulator') as {
  startSecretManagerEmulator: (options: { port: number }) => Promise<Emulator>;
};
const { startSecretManagerEmulator } = emulatorModule;

const UNAVAILABLE = 14;
const VALUE = 'metrc-user-key-7f3a9c1e5b2d';
const project = 'projects/demo-organizations/secrets';

describeEmulators('secrets', () => {
  let emulator: Emulator;
  let owner: TestUser;
  let viewer: TestUser;
  let logged: string[];
  let spies: jest.SpyInstance[];

  const versionsOf = (secretId: string) =>
    emulator.secrets()[`${project}/${secretId}`]?.versions.map((version) => ({
      version: version.name.split('/').pop(),
      state: version.state,
      value: version.data ? Buffer.from(version.data, 'base64').toString('utf8') : '',
    }));

  beforeAll(async () => {
    emulator = await startSecretManagerEmulator({ port: 0 });
    process.env.SECRET_MANAGER_EMULATOR_HOST = emulator.address;
    await wipe();
    [owner, viewer] = await Promise.all([createUser(), createUser()]);
  });

  afterAll(() => emulator.stop());

  // Everything the process logs, to prove no value reaches a log line.
  beforeEach(() => {
    logged = [];
    const capture = (chunk: unknown) => {
      logged.push(String(chunk));
      return true;
    };
    spies = [
      jest.spyOn(process.stdout, 'write').mockImplementation(capture),
      jest.spyOn(process.stderr, 'write').mockImplementation(capture),
      ...(['log', 'info', 'warn', 'error', 'debug'] as const).map((level) =>
        jest
          .spyOn(console, level)
          .mockImplementation((...args: unknown[]) => capture(args.join(' '))),
      ),
    ];
  });
  afterEach(() => {
    spies.forEach((spy) => spy.mockRestore());
    expect(logged.join('\n')).not.toContain(VALUE);
  });

  it('keeps a posted license key in Secret Manager and only its reference in Firestore', async () => {
    const response = await as(owner).post('/api/organizations', {
      name: 'Key Lab',
      licenses: [
        { license_number: 'C8-0000001-LIC', license_type: 'lab', state: 'ca', user_api_key: VALUE },
        { license_number: 'C8-0000002-LIC', license_type: 'lab', state: 'ca' },
      ],
    });
    expect(response.status).toBe(201);
    const secretName = response.body.data.licenses[0].user_api_key_secret;
    expect(secretName).toMatch(/^license-[0-9a-f]{16}$/);
    expect(response.body.data.licenses).toEqual([
      {
        license_number: 'C8-0000001-LIC',
        license_type: 'lab',
        state: 'ca',
        user_api_key_secret: secretName,
      },
      {
        license_number: 'C8-0000002-LIC',
        license_type: 'lab',
        state: 'ca',
        user_api_key_secret: null,
      },
    ]);
    expect(JSON.stringify(response.body)).not.toContain(VALUE);
    expect(versionsOf(`org_key-lab_${secretName}`)).toEqual([
      { version: '1', state: 'ENABLED', value: VALUE },
    ]);

    const ref = (await db().doc(`organizations/key-lab/secrets/${secretName}`).get()).data();
    expect(ref).toMatchObject({
      name: secretName,
      secret_id: `org_key-lab_${secretName}`,
      version_name: `${project}/org_key-lab_${secretName}/versions/1`,
      version: '1',
      last4: VALUE.slice(-4),
      updated_by: owner.uid,
    });
    expect(JSON.stringify(await dump())).not.toContain(VALUE);

    const listed = await as(owner).get('/api/organizations/key-lab/secrets');
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual({
      success: true,
      data: [
        {
          name: secretName,
          version: '1',
          last4: VALUE.slice(-4),
          created_at: listed.body.data[0].created_at,
          updated_at: listed.body.data[0].updated_at,
          updated_by: owner.uid,
        },
      ],
      next_cursor: null,
    });
  });

  it('rotates a named secret: a new version, the old one disabled', async () => {
    await createOrganization(owner, { name: 'Rotate Lab' });
    const path = '/api/organizations/rotate-lab/secrets/metrc';
    const first = await as(owner).put(path, { value: `${VALUE}-1` });
    expect(first.status).toBe(201);
    expect(first.headers.location).toBe(path);
    expect(first.body).toEqual({
      success: true,
      data: {
        name: 'metrc',
        version: '1',
        last4: `${VALUE}-1`.slice(-4),
        created_at: expect.stringMatching(ISO),
        updated_at: first.body.data.created_at,
        updated_by: owner.uid,
      },
    });
    const second = await as(owner).put(path, { value: `${VALUE}-2` });
    expect(second.status).toBe(200);
    expect(second.headers.location).toBeUndefined();
    expect(second.body).toEqual({
      success: true,
      data: {
        name: 'metrc',
        version: '2',
        last4: `${VALUE}-2`.slice(-4),
        created_at: first.body.data.created_at,
        updated_at: expect.stringMatching(ISO),
        updated_by: owner.uid,
      },
    });
    // The Location of the secret is a GET of its metadata.
    const read = await as(owner).get(path);
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ success: true, data: second.body.data });
    expect(versionsOf('org_rotate-lab_metrc')).toEqual([
      { version: '1', state: 'DISABLED', value: `${VALUE}-1` },
      { version: '2', state: 'ENABLED', value: `${VALUE}-2` },
    ]);
    expect((await db().doc('organizations/rotate-lab/secrets/metrc').get()).data()?.version).toBe(
      '2',
    );
    const logs = await as(owner).get('/api/organizations/rotate-lab/logs');
    expect(logs.body.data.slice(0, 2).map((entry: { action: string }) => entry.action)).toEqual([
      'secret.rotated',
      'secret.created',
    ]);
  });

  it('deletes a secret from Secret Manager and its reference from Firestore', async () => {
    await createOrganization(owner, { name: 'Delete Lab' });
    await as(owner)
      .put('/api/organizations/delete-lab/secrets/metrc', { value: VALUE })
      .expect(201);
    const deleted = await as(owner).delete('/api/organizations/delete-lab/secrets/metrc');
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({
      success: true,
      data: { organization_id: 'delete-lab', name: 'metrc', deleted: true },
    });
    const read = await as(owner).get('/api/organizations/delete-lab/secrets/metrc');
    expect(read.status).toBe(404);
    expect(read.body).toEqual(
      failure({ code: 'not-found', message: 'delete-lab has no secret metrc.' }),
    );
    expect(versionsOf('org_delete-lab_metrc')).toBeUndefined();
    expect((await db().doc('organizations/delete-lab/secrets/metrc').get()).exists).toBe(false);
    const again = await as(owner).delete('/api/organizations/delete-lab/secrets/metrc');
    expect(again.status).toBe(404);
    expect(again.body).toEqual(
      failure({ code: 'not-found', message: 'delete-lab has no secret metrc.' }),
    );
  });

  it('purges an organization’s secrets with it', async () => {
    await createOrganization(owner, {
      name: 'Purge Lab',
      licenses: [{ license_number: 'P-1', user_api_key: VALUE }],
    });
    await as(owner).put('/api/organizations/purge-lab/secrets/extra', { value: VALUE }).expect(201);
    // A webhook endpoint's signing secret, which no secret reference lists, goes too.
    await as(owner)
      .post('/api/organizations/purge-lab/webhooks', {
        // An address needs no DNS here; the one type subscribed to never happens in this test.
        url: 'https://8.8.8.8/purge-lab',
        events: ['invitation.declined'],
      })
      .expect(201);
    expect(
      Object.keys(emulator.secrets()).filter((name) => name.includes('org_purge-lab_whk_')),
    ).toHaveLength(1);
    await as(owner).delete('/api/organizations/purge-lab').expect(200);
    await as(owner).delete('/api/organizations/purge-lab?purge=true').expect(200);
    const left = Object.keys(emulator.secrets()).filter((name) => name.includes('org_purge-lab_'));
    expect(left).toEqual([]);
  });

  it('lets only the owner and admins manage secrets', async () => {
    const member = await createUser();
    await createOrganization(owner, { name: 'Guarded Lab', team: [viewer.uid, member.uid] });
    await joinAll('guarded-lab', [viewer, member]);
    await setRole('guarded-lab', viewer.uid, 'viewer');
    for (const user of [viewer, member]) {
      const put = await as(user).put('/api/organizations/guarded-lab/secrets/metrc', {
        value: VALUE,
      });
      expect(put.status).toBe(403);
      expect((await as(user).get('/api/organizations/guarded-lab/secrets')).status).toBe(403);
      const one = await as(user).get('/api/organizations/guarded-lab/secrets/metrc');
      expect(one.status).toBe(403);
      expect(one.body.error.code).toBe('permission-denied');
    }
    await setRole('guarded-lab', member.uid, 'admin');
    expect(
      (await as(member).put('/api/organizations/guarded-lab/secrets/metrc', { value: VALUE }))
        .status,
    ).toBe(201);
  });

  describe('If-Match on the organization’s version', () => {
    const etagOf = async (orgId: string) => {
      const response = await as(owner).get(`/api/organizations/${orgId}`);
      expect(response.status).toBe(200);
      return response.headers.etag;
    };
    const stale = (etag: string) =>
      failure({
        code: 'failed-precondition',
        message: `The organization has changed since you read it: its ETag is now ${etag}.`,
      });

    it('a PUT with a stale ETag is a 412 and stores nothing, not even in Secret Manager', async () => {
      await createOrganization(owner, { name: 'Match Lab' });
      const etag = await etagOf('match-lab');
      const response = await as(owner)
        .put('/api/organizations/match-lab/secrets/metrc', { value: VALUE })
        .set('If-Match', '"999"');
      expect(response.status).toBe(412);
      expect(response.headers.etag).toBe(etag);
      expect(response.body).toEqual(stale(etag));
      expect(versionsOf('org_match-lab_metrc')).toBeUndefined();
      expect((await db().doc('organizations/match-lab/secrets/metrc').get()).exists).toBe(false);
    });

    it('a PUT with the current ETag (or *) stores it and answers the ETag, unchanged', async () => {
      await createOrganization(owner, { name: 'Current Lab' });
      const etag = await etagOf('current-lab');
      const path = '/api/organizations/current-lab/secrets/metrc';
      const created = await as(owner).put(path, { value: VALUE }).set('If-Match', etag);
      expect(created.status).toBe(201);
      expect(created.headers.etag).toBe(etag);
      const rotated = await as(owner)
        .put(path, { value: `${VALUE}-2` })
        .set('If-Match', etag);
      expect(rotated.status).toBe(200);
      expect(rotated.headers.etag).toBe(etag);
      expect(rotated.body.data).toMatchObject({ name: 'metrc', version: '2' });
      const any = await as(owner)
        .put(path, { value: `${VALUE}-3` })
        .set('If-Match', '*');
      expect(any.status).toBe(200);
      // A secret does not change the organization's version.
      expect(await etagOf('current-lab')).toBe(etag);
    });

    it('a DELETE with a stale ETag is a 412 and keeps the secret; the current one deletes', async () => {
      await createOrganization(owner, { name: 'Keep Lab' });
      const path = '/api/organizations/keep-lab/secrets/metrc';
      await as(owner).put(path, { value: VALUE }).expect(201);
      const etag = await etagOf('keep-lab');
      const refused = await as(owner).delete(path).set('If-Match', '"999"');
      expect(refused.status).toBe(412);
      expect(refused.headers.etag).toBe(etag);
      expect(refused.body).toEqual(stale(etag));
      expect(versionsOf('org_keep-lab_metrc')).toEqual([
        { version: '1', state: 'ENABLED', value: VALUE },
      ]);
      expect((await db().doc('organizations/keep-lab/secrets/metrc').get()).exists).toBe(true);

      const deleted = await as(owner).delete(path).set('If-Match', etag);
      expect(deleted.status).toBe(200);
      expect(deleted.headers.etag).toBe(etag);
      expect(deleted.body).toEqual({
        success: true,
        data: { organization_id: 'keep-lab', name: 'metrc', deleted: true },
      });
      expect(versionsOf('org_keep-lab_metrc')).toBeUndefined();
    });
  });

  it('reads one secret’s metadata, never its value; an unknown name is a 404', async () => {
    await createOrganization(owner, { name: 'Read Lab' });
    const put = await as(owner)
      .put('/api/organizations/read-lab/secrets/metrc', { value: VALUE })
      .expect(201);
    const read = await as(owner).get('/api/organizations/read-lab/secrets/metrc');
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ success: true, data: put.body.data });
    expect(JSON.stringify(read.body)).not.toContain(VALUE);
    const unknown = await as(owner).get('/api/organizations/read-lab/secrets/other');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual(
      failure({ code: 'not-found', message: 'read-lab has no secret other.' }),
    );
    const stranger = await createUser();
    const hidden = await as(stranger).get('/api/organizations/read-lab/secrets/metrc');
    expect(hidden.status).toBe(404);
    expect(hidden.body).toEqual(
      failure({ code: 'not-found', message: 'No organization read-lab.' }),
    );
  });

  it.each([
    ['an upper-case name', 'Metrc'],
    ['a name with a dot', 'a.b'],
    ['a 64-character name', 'x'.repeat(64)],
  ])('refuses %s', async (_label, name) => {
    const response = await as(owner).put(`/api/organizations/rotate-lab/secrets/${name}`, {
      value: VALUE,
    });
    expect(response.status).toBe(400);
    expect(response.body.error.details.map((detail: { path: string }) => detail.path)).toEqual([
      'name',
    ]);
  });

  describe('failures leave no half state', () => {
    it('Secret Manager failing: no organization is written, and a clear 503', async () => {
      emulator.failNext('AddSecretVersion', UNAVAILABLE);
      const before = await dump();
      const response = await as(owner).post('/api/organizations', {
        name: 'Fault Lab',
        licenses: [{ license_number: 'F-1', user_api_key: VALUE }],
      });
      expect(response.status).toBe(503);
      expect(response.headers['retry-after']).toBe('5');
      expect(response.body).toEqual(
        failure({
          code: 'unavailable',
          message: 'Secret Manager is unavailable: try again shortly.',
        }),
      );
      expect(await dump()).toEqual(before);
    });

    it('Secret Manager stopped: no secret reference is written', async () => {
      const stopped = await startSecretManagerEmulator({ port: 0 });
      await stopped.stop();
      const address = process.env.SECRET_MANAGER_EMULATOR_HOST;
      jest.resetModules();
      process.env.SECRET_MANAGER_EMULATOR_HOST = stopped.address;
      // A fresh app, whose Secret Manager client points at the stopped emulator.
      const { createApp } =
        jest.requireActual<typeof import('../../functions/src/app')>('../../functions/src/app');
      const request = jest.requireActual<typeof import('supertest')>('supertest');
      const response = await request(createApp())
        .put('/api/organizations/rotate-lab/secrets/offline')
        .set('Authorization', `Bearer ${owner.idToken}`)
        .send({ value: VALUE });
      process.env.SECRET_MANAGER_EMULATOR_HOST = address;
      expect(response.status).toBe(503);
      expect(response.body.error.code).toBe('unavailable');
      expect((await db().doc('organizations/rotate-lab/secrets/offline').get()).exists).toBe(false);
    });

    it('Firestore failing after the secret write: the new secret is deleted again', async () => {
      await createOrganization(owner, { name: 'Orphan Lab' });
      const outage = Object.assign(new Error('Firestore is down'), { code: UNAVAILABLE });
      const transaction = jest
        .spyOn(Firestore.prototype, 'runTransaction')
        .mockRejectedValueOnce(outage);
      const response = await as(owner).put('/api/organizations/orphan-lab/secrets/metrc', {
        value: VALUE,
      });
      transaction.mockRestore();
      expect(response.status).toBe(503);
      // Its only version was this request's: destroyed, then the secret deleted.
      expect(versionsOf('org_orphan-lab_metrc')).toBeUndefined();
      expect((await db().doc('organizations/orphan-lab/secrets/metrc').get()).exists).toBe(false);
    });

    it('Firestore failing to create the organization: the license key’s secret is deleted', async () => {
      const outage = Object.assign(new Error('Firestore is down'), { code: UNAVAILABLE });
      const commit = jest.spyOn(WriteBatch.prototype, 'commit').mockRejectedValueOnce(outage);
      const response = await as(owner).post('/api/organizations', {
        name: 'Lost Lab',
        licenses: [{ license_number: 'L-1', user_api_key: VALUE }],
      });
      commit.mockRestore();
      expect(response.status).toBe(503);
      expect(
        Object.keys(emulator.secrets()).filter((name) => name.includes('org_lost-lab_')),
      ).toEqual([]);
      expect((await db().doc('organizations/lost-lab').get()).exists).toBe(false);
    });

    it('a stale If-Match after the secret write: the new secret is deleted again', async () => {
      await createOrganization(owner, { name: 'Stale Lab', licenses: [{ license_number: 'S-1' }] });
      await as(owner).patch('/api/organizations/stale-lab', { city: 'Elsewhere' }).expect(200);
      const response = await as(owner)
        .patch('/api/organizations/stale-lab', {
          licenses: [{ license_number: 'S-1', user_api_key: VALUE }],
        })
        .set('If-Match', '"1"');
      expect(response.status).toBe(412);
      expect(
        Object.keys(emulator.secrets()).filter((name) => name.includes('org_stale-lab_')),
      ).toEqual([]);
      expect((await db().collection('organizations/stale-lab/secrets').get()).size).toBe(0);
    });
  });
});
