// A rolled-back secret write leaves nothing in Secret Manager, and never touches a concurrent
// request's version (functions/src/secrets/service.ts `undo`, client.ts `deleteIfEmpty` and
// `addVersion`). Against the project's local Secret Manager emulator on its own port: requests are
// interleaved at known points with its `delayNext` and its log of received calls, never a mock.
import { db } from '../../functions/src/firebase';
import { createSecretStore } from '../../functions/src/secrets/client';
import { as, createOrganization } from '../helpers/api';
import { createUser, describeEmulators, wipe, type TestUser } from '../helpers/emulators';
import { failure } from '../helpers/envelope';

interface Emulator {
  address: string;
  stop(): Promise<void>;
  delayNext(method: string, ms: number): void;
  calls(): string[];
  secrets(): Record<string, { versions: { name: string; state: string; data: string | null }[] }>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startSecretManagerEmulator } = require('../../tools/secret-manager-emulator') as {
  startSecretManagerEmulator: (options: { port: number }) => Promise<Emulator>;
};

const project = 'projects/demo-organizations/secrets';
const VALUE_A = 'value-of-the-refused-request-a1';
const VALUE_B = 'value-of-the-concurrent-write-b2';

describeEmulators('secret rollback', () => {
  let emulator: Emulator;
  let owner: TestUser;

  const versionsOf = (secretId: string) =>
    emulator.secrets()[`${project}/${secretId}`]?.versions.map((version) => ({
      version: version.name.split('/').pop(),
      state: version.state,
      value: version.data ? Buffer.from(version.data, 'base64').toString('utf8') : '',
    }));

  /** Waits until the emulator has received `count` calls of `method` (sent, maybe held back). */
  async function received(method: string, count = 1): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (emulator.calls().filter((call) => call === method).length < count) {
      if (Date.now() > deadline)
        throw new Error(`No ${method} call: ${emulator.calls().join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  const countOf = (method: string) => emulator.calls().filter((call) => call === method).length;

  const stale = (etag: string) =>
    failure({
      code: 'failed-precondition',
      message: `The organization has changed since you read it: its ETag is now ${etag}.`,
    });

  beforeAll(async () => {
    emulator = await startSecretManagerEmulator({ port: 0 });
    process.env.SECRET_MANAGER_EMULATOR_HOST = emulator.address;
    await wipe();
    owner = await createUser();
  });

  afterAll(() => emulator.stop());

  it('a first version whose write is refused in the transaction leaves no secret behind', async () => {
    await createOrganization(owner, { name: 'Refused Lab' });
    // The write passes its first If-Match check, then waits in Secret Manager while the
    // organization changes: the transaction refuses it (412) after the secret was created.
    const adds = countOf('AddSecretVersion');
    emulator.delayNext('AddSecretVersion', 1_000);
    const pending = as(owner)
      .put('/api/organizations/refused-lab/secrets/metrc', { value: VALUE_A })
      .set('If-Match', '"1"');
    const sent = pending.then((response) => response);
    await received('AddSecretVersion', adds + 1);
    await as(owner).patch('/api/organizations/refused-lab', { city: 'Elsewhere' }).expect(200);
    const response = await sent;
    expect(response.status).toBe(412);
    expect(response.body).toEqual(stale('"2"'));
    // The secret was created and given version 1 (then destroyed, then deleted): nothing is left.
    expect(countOf('CreateSecret')).toBeGreaterThanOrEqual(1);
    expect(versionsOf('org_refused-lab_metrc')).toBeUndefined();
    expect((await db().doc('organizations/refused-lab/secrets/metrc').get()).exists).toBe(false);
    // And the name works again from scratch.
    const again = await as(owner).put('/api/organizations/refused-lab/secrets/metrc', {
      value: VALUE_B,
    });
    expect(again.status).toBe(201);
    expect(again.body.data).toMatchObject({ name: 'metrc', version: '1' });
  });

  it('a refused write racing a successful one destroys its own version only', async () => {
    await createOrganization(owner, { name: 'Race Lab' });
    const adds = countOf('AddSecretVersion');
    emulator.delayNext('AddSecretVersion', 1_000);
    const refused = as(owner)
      .put('/api/organizations/race-lab/secrets/metrc', { value: VALUE_A })
      .set('If-Match', '"1"')
      .then((response) => response);
    await received('AddSecretVersion', adds + 1);
    await as(owner).patch('/api/organizations/race-lab', { city: 'Elsewhere' }).expect(200);
    // A concurrent write of the same new secret creates it and commits first; the refused
    // one's version joins the same secret as version 2.
    const created = await as(owner).put('/api/organizations/race-lab/secrets/metrc', {
      value: VALUE_B,
    });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ name: 'metrc', version: '1' });
    expect((await refused).status).toBe(412);
    expect(versionsOf('org_race-lab_metrc')).toEqual([
      { version: '1', state: 'ENABLED', value: VALUE_B },
      { version: '2', state: 'DESTROYED', value: '' },
    ]);
    const ref = await db().doc('organizations/race-lab/secrets/metrc').get();
    expect(ref.get('version_name')).toBe(`${project}/org_race-lab_metrc/versions/1`);
    const read = await as(owner).get('/api/organizations/race-lab/secrets/metrc');
    expect(read.status).toBe(200);
    expect(read.body.data).toMatchObject({ name: 'metrc', version: '1' });
  });

  describe('the store: a version added while a rollback deletes the secret', () => {
    const store = createSecretStore();

    /** A secret holding one destroyed version: what a rolled-back first version leaves. */
    async function leftover(secretId: string) {
      const first = await store.addVersion(secretId, VALUE_A);
      expect(first.version).toBe('1');
      await store.destroyVersion(first.name);
    }

    it('an add between the check and the delete keeps the secret and its version', async () => {
      const secretId = 'org_store-lab_kept';
      await leftover(secretId);
      const deletes = countOf('DeleteSecret');
      emulator.delayNext('DeleteSecret', 1_000);
      const removing = store.deleteIfEmpty(secretId);
      // The rollback has seen only destroyed versions and sent its delete.
      await received('DeleteSecret', deletes + 1);
      const added = await store.addVersion(secretId, VALUE_B);
      expect(added.version).toBe('2');
      expect(await removing).toBe(false);
      expect(versionsOf(secretId)).toEqual([
        { version: '1', state: 'DESTROYED', value: '' },
        { version: '2', state: 'ENABLED', value: VALUE_B },
      ]);
      expect(await store.access(added.name)).toBe(VALUE_B);
    });

    it('a delete between the add and its touch: the value is added again to a new secret', async () => {
      const secretId = 'org_store-lab_again';
      await leftover(secretId);
      const deletes = countOf('DeleteSecret');
      const updates = countOf('UpdateSecret');
      emulator.delayNext('DeleteSecret', 2_000);
      const removing = store.deleteIfEmpty(secretId);
      await received('DeleteSecret', deletes + 1);
      // The add lands before the delete, its touch after it: the delete takes version 2 along.
      emulator.delayNext('UpdateSecret', 3_000);
      const adding = store.addVersion(secretId, VALUE_B);
      await received('UpdateSecret', updates + 1);
      expect(await removing).toBe(true);
      const added = await adding;
      expect(added).toEqual({ name: `${project}/${secretId}/versions/1`, version: '1' });
      expect(versionsOf(secretId)).toEqual([{ version: '1', state: 'ENABLED', value: VALUE_B }]);
      expect(await store.access(added.name)).toBe(VALUE_B);
    });

    it('a secret with a version that is not destroyed is never deleted', async () => {
      const secretId = 'org_store-lab_live';
      await leftover(secretId);
      const live = await store.addVersion(secretId, VALUE_B);
      await store.disableVersion(live.name);
      expect(await store.deleteIfEmpty(secretId)).toBe(false);
      expect(versionsOf(secretId)?.map((version) => version.state)).toEqual([
        'DESTROYED',
        'DISABLED',
      ]);
      expect(await store.deleteIfEmpty('org_store-lab_missing')).toBe(true);
    });
  });
});
